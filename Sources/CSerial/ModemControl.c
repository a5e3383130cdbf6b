/*
 * ioctl request numbers that Swift cannot import because they are function-like macros
 * (TIOCMBIS & co. expand through _IOW-style macros on some architectures).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "CSerial.h"

int cserial_set_exclusive(int fd) {
    return ioctl(fd, TIOCEXCL) == 0 ? 0 : -1;
}

int cserial_clear_exclusive(int fd) {
    return ioctl(fd, TIOCNXCL) == 0 ? 0 : -1;
}

static int set_modem_bits(int fd, int bits, int on) {
    return ioctl(fd, on ? TIOCMBIS : TIOCMBIC, &bits) == 0 ? 0 : -1;
}

int cserial_set_dtr(int fd, int on) {
    return set_modem_bits(fd, TIOCM_DTR, on);
}

int cserial_set_rts(int fd, int on) {
    return set_modem_bits(fd, TIOCM_RTS, on);
}

int cserial_output_queue_bytes(int fd, int *count) {
    return ioctl(fd, TIOCOUTQ, count) == 0 ? 0 : -1;
}

int cserial_input_queue_bytes(int fd, int *count) {
    return ioctl(fd, FIONREAD, count) == 0 ? 0 : -1;
}
