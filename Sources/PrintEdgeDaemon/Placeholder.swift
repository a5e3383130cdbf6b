// Replaced by the daemon work in progress.
