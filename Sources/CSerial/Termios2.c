/*
 * termios2 with BOTHER: the only way to ask Linux for 250000 or 1000000 baud, which
 * Marlin boards commonly use. glibc's cfsetspeed only accepts the Bnnn constants, and
 * B250000 does not exist, so this file talks to the kernel's ioctl interface directly.
 *
 * <asm/termbits.h> and <termios.h> both define `struct termios` differently: this file
 * must never include <termios.h> (directly or through another header).
 */
#include <asm/termbits.h>
#include <errno.h>
#include <sys/ioctl.h>

#include "CSerial.h"

int cserial_set_raw_8n1(int fd, unsigned int baud) {
    if (baud == 0) {
        errno = EINVAL;
        return -1;
    }
    struct termios2 tio;
    if (ioctl(fd, TCGETS2, &tio) != 0) {
        return -1;
    }

    /* Input: no break/parity handling, no stripping, no CR/NL mapping, no XON/XOFF. */
    tio.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL
                               | IXON | IXOFF | IXANY | INPCK | IUCLC | IMAXBEL);
    /* Output: bytes go out exactly as written (no NL -> CR NL). */
    tio.c_oflag &= ~(tcflag_t)OPOST;
    /* Local: no echo, no line editing, no signals from ^C, no extended processing. */
    tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ECHOE | ECHOK | ECHOCTL | ECHOKE | ICANON
                               | ISIG | IEXTEN | NOFLSH | TOSTOP);
    /*
     * Control: 8 data bits, no parity, 1 stop bit, ignore modem status lines (CLOCAL) so
     * an adapter without DCD still reads, receiver on, no RTS/CTS. No HUPCL: with it the
     * kernel drops DTR when the last descriptor closes — also when the host crashes — and a
     * board that resets on DTR (Arduino-style, CH340/FTDI) then loses its position in the
     * middle of a print. The setting stays with the tty, so the next open finds DTR already
     * up and resets nothing; a reset is an explicit choice (the profile's reset on open).
     */
    tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS | CBAUD
                               | CIBAUD | HUPCL);
    tio.c_cflag |= CS8 | CLOCAL | CREAD | BOTHER | (BOTHER << IBSHIFT);
    tio.c_ispeed = baud;
    tio.c_ospeed = baud;

    /* Non-blocking semantics come from O_NONBLOCK and poll, never from the line discipline. */
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;

    return ioctl(fd, TCSETS2, &tio) == 0 ? 0 : -1;
}

int cserial_get_speed(int fd, unsigned int *ispeed, unsigned int *ospeed) {
    struct termios2 tio;
    if (ioctl(fd, TCGETS2, &tio) != 0) {
        return -1;
    }
    if (ispeed != NULL) {
        *ispeed = tio.c_ispeed;
    }
    if (ospeed != NULL) {
        *ospeed = tio.c_ospeed;
    }
    return 0;
}

int cserial_flush_input(int fd) {
    return ioctl(fd, TCFLSH, TCIFLUSH) == 0 ? 0 : -1;
}
