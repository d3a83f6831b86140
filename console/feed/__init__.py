"""The ticketing system's feed into the console: its events, the local HTTP API it posts to (with the console's
endpoints for people beside it), its bearer token, and the CSV import of a day's ticket log. No Qt."""
