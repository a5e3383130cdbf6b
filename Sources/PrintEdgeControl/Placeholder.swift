// Replaced by the control protocol work in progress.
