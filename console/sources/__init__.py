"""Where a branch's live state comes from: the demo simulator and its runner, the stored data of a real branch, change
notices of a shared database, the regional view's figures, and the snapshot they all publish. No Qt."""
