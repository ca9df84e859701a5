/*
 * net/tap_link.c — the "tap" link kind (Linux: tun_link_ops in drivers/net/tun.c, and
 * iproute2's tuntap options), over whichever backend the program registered.
 */
#include "tap_link.h"
#include "link.h"
#include "netdev.h"
#include "netlink.h"
#include "stack.h"
#include <errno.h>
#include <stdio.h>

static int tap_newlink(void *ctx, struct net *net, const char *name, const struct link_args *args,
                       struct extack *ext)
{
    static const char *const keys[] = { "ifname", NULL };
    const struct tap_backend *be = ctx;
    int err = link_args_check(args, keys, ext);
    if (err < 0) return err;
    const char *host = link_arg(args, "ifname");
    if (!host) host = name;                     /* the host side takes the stack's name */
    if (!dev_valid_name(host)) {
        NL_SET_ERR_MSG_FMT(ext, "argument \"%s\" is wrong: \"ifname\" not a valid ifname", host);
        return -EINVAL;
    }
    return be->create(be->ctx, net, name, host, ext);
}

/* What iproute2 prints for a tun device in TAP mode without packet info or persistence
 * (print_tuntap); the live TAP has a virtio-net header, a replay device none. */
static void tap_fill_info(const struct netdev *dev, char *buf, size_t n)
{
    snprintf(buf, n, "tun type tap pi off vnet_hdr %s persist off",
             (dev->priv_flags & IFF_TUN_VNET_HDR) ? "on" : "off");
}

static const struct link_ops tap_link_ops = {
    .kind = "tap", .newlink = tap_newlink, .fill_info = tap_fill_info,
};

int tap_link_register(struct stack *st, const struct tap_backend *be)
{
    if (!be || !be->create) return -EINVAL;
    return link_kind_register(st, &tap_link_ops, (void *)be);
}
