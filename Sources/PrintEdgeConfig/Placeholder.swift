// Replaced by the configuration work in progress.
