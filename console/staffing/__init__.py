"""Staffing: demand forecast and coverage, the Chinese working calendar, the roster and staff directory (files and
editing), and the branch manager's counter requests. No Qt."""
