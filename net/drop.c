/* net/drop.c — drop reason names (for nstat and trace). */
#include "drop.h"

#define DROP_AS_NAME(n) #n,
static const char *const names[DROP_MAX] = { "NONE", DROP_REASONS(DROP_AS_NAME) };

const char *drop_name(enum drop d)
{
    return (unsigned)d < DROP_MAX ? names[d] : "?";
}
