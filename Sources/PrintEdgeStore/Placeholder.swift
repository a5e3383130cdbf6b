// Replaced by the store work in progress.
