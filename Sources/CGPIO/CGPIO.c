/*
 * One function per ioctl of the GPIO character device, uAPI v2. ioctl(2) is retried on
 * EINTR: a signal arriving while the kernel requests lines must not look like a failure.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "CGPIO.h"

const unsigned long cgpio_get_chip_info_request = GPIO_GET_CHIPINFO_IOCTL;
const unsigned long cgpio_get_line_info_request = GPIO_V2_GET_LINEINFO_IOCTL;
const unsigned long cgpio_get_line_request = GPIO_V2_GET_LINE_IOCTL;
const unsigned long cgpio_set_values_request = GPIO_V2_LINE_SET_VALUES_IOCTL;
const unsigned long cgpio_get_values_request = GPIO_V2_LINE_GET_VALUES_IOCTL;
const unsigned long cgpio_set_config_request = GPIO_V2_LINE_SET_CONFIG_IOCTL;

static int cgpio_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do {
        result = ioctl(fd, request, argument);
    } while (result < 0 && errno == EINTR);
    return result < 0 ? -errno : 0;
}

int cgpio_get_chip_info(int chip_fd, struct gpiochip_info *info) {
    return cgpio_ioctl(chip_fd, GPIO_GET_CHIPINFO_IOCTL, info);
}

int cgpio_get_line_info(int chip_fd, struct gpio_v2_line_info *info) {
    return cgpio_ioctl(chip_fd, GPIO_V2_GET_LINEINFO_IOCTL, info);
}

int cgpio_get_line(int chip_fd, struct gpio_v2_line_request *request) {
    return cgpio_ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, request);
}

int cgpio_set_values(int request_fd, struct gpio_v2_line_values *values) {
    return cgpio_ioctl(request_fd, GPIO_V2_LINE_SET_VALUES_IOCTL, values);
}

int cgpio_get_values(int request_fd, struct gpio_v2_line_values *values) {
    return cgpio_ioctl(request_fd, GPIO_V2_LINE_GET_VALUES_IOCTL, values);
}

int cgpio_set_config(int request_fd, struct gpio_v2_line_config *config) {
    return cgpio_ioctl(request_fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, config);
}

unsigned int cgpio_request_size(unsigned long request) {
    return _IOC_SIZE(request);
}
