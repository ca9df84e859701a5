/*
 * shell/lab.c — the default lab (docs/commands.md): host TAP tap0 with 10.0.0.1/24 on the
 * Linux side; the stack's tap0 with 10.0.0.2/24 and a default route via 10.0.0.1.
 */
#include "app.h"
#include "net/netdev.h"
#include "net/tap.h"
#include "ip/ip.h"
#include <stdio.h>

#define LAB_HOST  0x0a000001u   /* 10.0.0.1 */
#define LAB_STACK 0x0a000002u   /* 10.0.0.2 */

int app_default_lab(struct app *app, bool host_side, char *err, size_t errlen)
{
    struct net *net = app->st->init_net;
    if (!tap_create_hook) { snprintf(err, errlen, "no TAP driver"); return -1; }
    if (tap_create_hook(net, "tap0", "tap0", err, errlen) < 0) return -1;
    if (host_side && tap_host_config("tap0", LAB_HOST, 24, err, errlen) < 0) return -1;
    struct netdev *dev = netdev_by_name(net, "tap0");
    if (!dev) { snprintf(err, errlen, "tap0 vanished"); return -1; }
    inet_addr_add(dev, LAB_STACK, 24);
    dev_open(dev);
    struct fib_route r = { .prefix = 0, .plen = 0, .type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
                           .protocol = RTPROT_BOOT, .gateway = LAB_HOST, .ifindex = dev->ifindex };
    fib_insert(net->fib, &r);
    return 0;
}
