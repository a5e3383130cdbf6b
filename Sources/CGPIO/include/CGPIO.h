#ifndef CGPIO_H
#define CGPIO_H
#include <linux/gpio.h>
#endif
