#ifndef CSERIAL_H
#define CSERIAL_H

/*
 * A thin shim over what Swift cannot reach through Glibc: termios2 (BOTHER baud rates),
 * ioctl request numbers built from macros, and GNU-only calls (posix_openpt, ptsname_r)
 * that the Glibc module map hides without _GNU_SOURCE. ppoll and eventfd are in CPOSIX.
 *
 * Every function returns 0 (or a file descriptor) on success and -1 with errno set on
 * failure, so the Swift side maps errno once, in one place.
 *
 * This header deliberately includes neither <termios.h> nor <asm/termbits.h>: the two
 * define conflicting `struct termios`, and Swift importers of this header must see only
 * plain C types.
 */

#include <stddef.h>

/* --- termios2 (Termios2.c) ------------------------------------------------------- */

/// Raw 8N1 at any integer rate through TCSETS2 + BOTHER; VMIN=0, VTIME=0; HUPCL cleared, so
/// closing the port (or the host dying) leaves DTR up and does not reset the board.
int cserial_set_raw_8n1(int fd, unsigned int baud);

/// The rates the driver stored, read back with TCGETS2.
int cserial_get_speed(int fd, unsigned int *ispeed, unsigned int *ospeed);

/// Discards bytes received but not yet read (tcflush(fd, TCIFLUSH)).
int cserial_flush_input(int fd);

/* --- modem control and exclusivity (ModemControl.c) ------------------------------- */

/// TIOCEXCL: later open(2)s of this tty fail with EBUSY (unless CAP_SYS_ADMIN).
int cserial_set_exclusive(int fd);

/// TIOCNXCL: undoes cserial_set_exclusive.
int cserial_clear_exclusive(int fd);

/// Raises (on != 0) or drops (on == 0) DTR with TIOCMBIS / TIOCMBIC.
int cserial_set_dtr(int fd, int on);

/// Raises (on != 0) or drops (on == 0) RTS with TIOCMBIS / TIOCMBIC.
int cserial_set_rts(int fd, int on);

/// TIOCOUTQ: bytes written but not yet sent by the driver.
int cserial_output_queue_bytes(int fd, int *count);

/// TIOCINQ (FIONREAD): bytes received and waiting to be read.
int cserial_input_queue_bytes(int fd, int *count);

/* --- pseudo-terminals (PseudoTerminalPair.c) ------------------------------------- */

/// Opens a pty pair with O_CLOEXEC set atomically on both ends (master also O_NONBLOCK)
/// and writes the slave's path (NUL-terminated) into `slave_path`.
int cserial_open_pty(int *master, int *slave, char *slave_path, size_t slave_path_size);

#endif
