#ifndef CPOSIX_H
#define CPOSIX_H

/*
 * The GNU-only calls PrintEdgePOSIX waits with (ppoll, eventfd), which the Swift Glibc module
 * hides because it is built without _GNU_SOURCE.
 *
 * Every function returns 0 (or a file descriptor) on success and -1 with errno set on
 * failure, so the Swift side maps errno once, in one place.
 */

#include <poll.h>
#include <time.h>

/// ppoll(2) without a signal mask; `timeout` NULL waits forever.
int cposix_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec *timeout);

/// An eventfd counter, non-blocking and close-on-exec.
int cposix_eventfd(void);

/// Adds 1 to an eventfd. Async-signal-safe: one write(2). The one exception to "errno set
/// on failure": errno is always preserved, because a signal handler must not change it.
/// Returns 0 even when the counter is saturated (EAGAIN): a wake-up is already pending.
int cposix_eventfd_signal(int fd);

/// Reads and resets an eventfd counter; returns 0 and sets *count to 0 if none pending.
int cposix_eventfd_drain(int fd, unsigned long long *count);

#endif
