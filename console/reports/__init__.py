"""Reports as files: the day report written to CSV or Excel. No Qt."""
