/*
 * ppoll and eventfd are GNU/Linux extensions that the Swift Glibc module does not export
 * (it is built without _GNU_SOURCE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "CPOSIX.h"

int cposix_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec *timeout) {
    return ppoll(fds, (nfds_t)nfds, timeout, NULL);
}

int cposix_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int cposix_eventfd_signal(int fd) {
    /* A signal handler must not disturb the errno of the code it interrupted. */
    int saved = errno;
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    /* EAGAIN: the counter is saturated, so a wake-up is already pending. */
    int result = (n == (ssize_t)sizeof one || (n < 0 && errno == EAGAIN)) ? 0 : -1;
    errno = saved;
    return result;
}

int cposix_eventfd_drain(int fd, unsigned long long *count) {
    uint64_t value = 0;
    ssize_t n = read(fd, &value, sizeof value);
    if (n == (ssize_t)sizeof value) {
        *count = value;
        return 0;
    }
    if (n < 0 && errno == EAGAIN) {
        *count = 0;
        return 0;
    }
    if (n >= 0) {
        errno = EIO;
    }
    return -1;
}
