/*
 * shell/cmd_bridge.c — iproute2's `bridge` and the `fdb` shorthand. Bridge and VXLAN
 * devices, whose forwarding databases these commands show and change, are not in this
 * build: the commands say so and fail.
 */
#include "cmd_ip.h"
#include <string.h>

#define NEEDS_FDB "is not available in this build yet: it needs bridge or VXLAN devices"

int cmd_bridge(struct cmd_ctx *c, int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') i++;      /* -s, -d ... */
    if (i >= argc) return fail(c, "bridge", ST_USAGE, "Object is missing, try \"bridge help\".");
    const char *obj = argv[i];
    if (matches(obj, "fdb")) return fail(c, "bridge", ST_USAGE, "fdb " NEEDS_FDB);
    if (matches(obj, "link") || matches(obj, "mdb") || matches(obj, "vlan") || matches(obj, "vni") || matches(obj, "monitor"))
        return fail(c, "bridge", ST_USAGE, "\"bridge %s\" " NEEDS_FDB, obj);
    return fail(c, "bridge", ST_USAGE, "Object \"%s\" is unknown, try \"bridge help\".", obj);
}

int cmd_fdb(struct cmd_ctx *c, int argc, char **argv)
{
    return fail(c, "fdb", ST_USAGE, "bridge fdb " NEEDS_FDB);
}
