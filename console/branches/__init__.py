"""A real branch's set-up: the branch file (counters, opening hours per weekday, capacity, the ticketing system's
business names), read and checked without Qt."""
