/*
 * net/tap_link.h — the "tap" link kind: `ip link add NAME type tap [ifname HOSTIF]`.
 *
 * What the kind means — its option, its `ip -d link` details, a queue like tun's — is the
 * same whatever makes the device; what makes it depends on the program: the real TAP
 * driver (net/tap.c, watched by the live event loop), a replay's device fed from a pcap,
 * or a test's fake wire. That maker registers itself as the kind's backend, with the
 * context its create function needs, so nothing needs a global to find it.
 */
#ifndef TS_TAP_LINK_H
#define TS_TAP_LINK_H
#include "types.h"

struct extack;

struct tap_backend {
    /* Create and register the device `name` in net over the host interface host_ifname
     * (its netdev_ops.kind must be "tap"). 0, or -errno with a message in ext. */
    int  (*create)(void *ctx, struct net *net, const char *name, const char *host_ifname,
                   struct extack *ext);
    void *ctx;
};

/* Register the tap kind with be behind it; be must outlive the stack. */
int tap_link_register(struct stack *st, const struct tap_backend *be);

#endif
