"""The dockable panels of the branch window and the regional table: Qt views fed plain records."""
