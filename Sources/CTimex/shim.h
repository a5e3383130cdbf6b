// adjtimex(2) and struct timex, which Glibc's Swift module does not include: the doctor
// reads the kernel's clock synchronisation state with them (modes 0: nothing is changed).
#include <sys/timex.h>
