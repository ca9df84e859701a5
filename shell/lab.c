/*
 * shell/lab.c — the default lab (docs/commands.md): host TAP tap0 with 10.0.0.1/24 on the
 * Linux side; the stack's tap0 with 10.0.0.2/24 and a default route via 10.0.0.1.
 * Built with the same core calls as `ip link add tap0 type tap`, `ip addr add`,
 * `ip link set tap0 up` and `ip route add default via 10.0.0.1`.
 */
#include "app.h"
#include "net/link.h"
#include "net/netdev.h"
#include "net/netlink.h"
#include "net/tap.h"
#include "ip/ip.h"
#include <stdio.h>
#include <string.h>

#define LAB_HOST  0x0a000001u   /* 10.0.0.1 */
#define LAB_STACK 0x0a000002u   /* 10.0.0.2 */

static int lab_fail(int err, const struct extack *ext, const char *what, char *msg, size_t n)
{
    snprintf(msg, n, "%s: %s", what, ext->msg ? ext->msg : strerror(-err));
    return -1;
}

int app_default_lab(struct app *app, bool host_side, char *err, size_t errlen)
{
    struct net *net = app->st->init_net;
    struct extack ext = { 0 };
    int rc = link_newlink(net, "tap", "tap0", NULL, &ext);
    if (rc < 0) return lab_fail(rc, &ext, "tap0", err, errlen);
    if (host_side && tap_host_config("tap0", LAB_HOST, 24, err, errlen) < 0) return -1;
    struct netdev *dev = netdev_by_name(net, "tap0");
    if (!dev) { snprintf(err, errlen, "tap0 vanished"); return -1; }
    struct link_change up = { .up = 1 };
    if ((rc = inet_rtm_newaddr(dev, LAB_STACK, 24, NLM_F_CREATE | NLM_F_EXCL, &ext)) < 0 ||
        (rc = link_setlink(dev, &up, &ext)) < 0)
        return lab_fail(rc, &ext, "tap0", err, errlen);
    struct fib_config def = { .scope = RT_SCOPE_NOWHERE, .protocol = RTPROT_BOOT, .gateway = LAB_HOST,
                              .nlflags = NLM_F_CREATE | NLM_F_EXCL };
    if ((rc = ip_route_add(net, &def, &ext)) < 0) return lab_fail(rc, &ext, "default route", err, errlen);
    return 0;
}
