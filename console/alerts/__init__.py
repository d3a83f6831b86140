"""Alerts beyond the live engine: the stored rules, replay at a past instant, delivery by webhook and e-mail, and
snapshots of the cameras' view. No Qt."""
