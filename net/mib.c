/* net/mib.c — counter names. */
#include "mib.h"
#define MIB_AS_NAME(n) #n,
static const char *const names[MIB_MAX] = { MIB_COUNTERS(MIB_AS_NAME) };
const char *mib_name(enum mib_id id) { return (unsigned)id < MIB_MAX ? names[id] : "?"; }
