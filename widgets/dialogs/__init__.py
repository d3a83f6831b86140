"""Every dialog of the console: Qt views fed plain records, returning what the user chose."""
