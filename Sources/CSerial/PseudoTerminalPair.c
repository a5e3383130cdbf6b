/*
 * posix_openpt rather than openpty(3): openpty cannot set O_CLOEXEC, and a pty fd leaked
 * into a child spawned by another thread between openpty and fcntl would keep the pty
 * alive after we close it (a "disconnect" that never arrives).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "CSerial.h"

int cserial_open_pty(int *master, int *slave, char *slave_path, size_t slave_path_size) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (m < 0) {
        return -1;
    }
    if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, slave_path, slave_path_size) != 0) {
        int saved = errno;
        close(m);
        errno = saved;
        return -1;
    }
    int s = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int saved = errno;
        close(m);
        errno = saved;
        return -1;
    }
    *master = m;
    *slave = s;
    return 0;
}
