#ifndef CGPIO_H
#define CGPIO_H

/*
 * The Linux GPIO character device, uAPI v2 (<linux/gpio.h>), for Swift.
 *
 * The structs and the flag enums import into Swift as they are; the ioctl request numbers
 * do not, because _IOWR() and friends are function-like macros. Each ioctl is wrapped in a
 * plain function that returns 0 on success and -errno on failure (never -1 with errno set:
 * Swift reads the error from the return value, with nothing in between that could change
 * errno).
 *
 * The request numbers themselves are exported too, so a test can check that the sizes the
 * kernel encodes in them equal Swift's idea of each struct's layout.
 */

#include <linux/gpio.h>

/* --- on the chip's descriptor (/dev/gpiochipN) ------------------------------------ */

/// GPIO_GET_CHIPINFO_IOCTL: the chip's name, label and number of lines.
int cgpio_get_chip_info(int chip_fd, struct gpiochip_info *info);

/// GPIO_V2_GET_LINEINFO_IOCTL: `info->offset` names the line; the rest is filled in.
int cgpio_get_line_info(int chip_fd, struct gpio_v2_line_info *info);

/// GPIO_V2_GET_LINE_IOCTL: requests the lines; on success `request->fd` holds the new
/// request's descriptor (O_CLOEXEC, readable for edge events).
int cgpio_get_line(int chip_fd, struct gpio_v2_line_request *request);

/* --- on a request's descriptor ----------------------------------------------------- */

/// GPIO_V2_LINE_SET_VALUES_IOCTL: bits and mask are indexed by the line's position in
/// the request, not by its offset.
int cgpio_set_values(int request_fd, struct gpio_v2_line_values *values);

/// GPIO_V2_LINE_GET_VALUES_IOCTL: reads the lines whose bit is set in `values->mask`.
int cgpio_get_values(int request_fd, struct gpio_v2_line_values *values);

/// GPIO_V2_LINE_SET_CONFIG_IOCTL: reconfigures every line of the request at once.
int cgpio_set_config(int request_fd, struct gpio_v2_line_config *config);

/* --- the request numbers, for layout checks ------------------------------------------ */

extern const unsigned long cgpio_get_chip_info_request;
extern const unsigned long cgpio_get_line_info_request;
extern const unsigned long cgpio_get_line_request;
extern const unsigned long cgpio_set_values_request;
extern const unsigned long cgpio_get_values_request;
extern const unsigned long cgpio_set_config_request;

/// _IOC_SIZE of a request number: the size of the struct the kernel copies.
unsigned int cgpio_request_size(unsigned long request);

#endif
