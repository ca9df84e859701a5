/*
 * net/loopback.c — the lo device of every namespace (Linux: drivers/net/loopback.c).
 * Its xmit hands the frame back to the stack through the backlog (netif_rx), as
 * loopback_xmit does; routes of type local point at it.
 */
#include "loopback.h"
#include "link.h"
#include "netdev.h"
#include "stack.h"
#include <errno.h>
#include <stdlib.h>

static int loopback_xmit(struct netdev *dev, struct pkt *p)
{
    p->pkt_type = PACKET_LOOPBACK;
    netif_rx(dev, p);
    return 0;
}

static const struct netdev_ops loopback_ops = {
    .kind = "loopback", .xmit = loopback_xmit, .xmit_name = "loopback_xmit",
};

static int loopback_net_init(struct net *net)
{
    struct netdev *dev = netdev_alloc(net, "lo", &loopback_ops, 0);
    if (!dev) return -ENOMEM;
    dev->flags = IFF_LOOPBACK | IFF_NOARP | IFF_LOWER_UP;
    dev->priv_flags |= IFF_NO_QUEUE;    /* noqueue: loopback_xmit never refuses a frame */
    dev->mtu = dev->max_mtu = 65536;
    /* loopback_setup: the bytes never leave memory, so checksums stay partial (the
     * receiver trusts them) and super-packets stay whole; only segmentation may be
     * switched off */
    dev->features = NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
                    NETIF_F_HIGHDMA | NETIF_F_LOOPBACK | NETIF_F_GSO_MASK;
    dev->hw_features = NETIF_F_GSO_MASK;
    if (netdev_register(dev) < 0) { free(dev); return -EEXIST; }
    net->loopback = dev;                /* 127.0.0.1/8 came with NETDEV_REGISTER (ip/devinet.c) */
    /* The default namespace's lo is up; a new namespace's lo starts DOWN, as in Linux
     * (`ip netns exec NS ip link set lo up`). */
    if (net == net->st->init_net) dev_open(dev);
    return 0;
}

static const struct pernet_ops loopback_pernet = { .name = "loopback", .init = loopback_net_init };

/* The kind: no newlink (every namespace has exactly one lo, made above) and no dellink
 * (`ip link del lo`: Operation not supported); no queue (Linux sets IFF_NO_QUEUE). */
static const struct link_ops loopback_link_ops = { .kind = "loopback" };

int loopback_init(struct stack *st)
{
    if (link_kind_register(st, &loopback_link_ops, NULL) < 0) return -1;
    return pernet_register(st, &loopback_pernet);
}
