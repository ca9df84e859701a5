/*
 * net/loopback.c — the lo device of every namespace (Linux: drivers/net/loopback.c).
 * Its xmit hands the frame back to the stack through the backlog (netif_rx), as
 * loopback_xmit does; routes of type local point at it.
 */
#include "loopback.h"
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
    if (netdev_register(dev) < 0) { free(dev); return -EEXIST; }
    net->loopback = dev;
    inet_addr_add(dev, 0x7f000001, 8);
    /* The default namespace's lo is up; a new namespace's lo starts DOWN, as in Linux
     * (`ip netns exec NS ip link set lo up`). */
    if (net == net->st->init_net) dev_open(dev);
    return 0;
}

static const struct pernet_ops loopback_pernet = { .name = "loopback", .init = loopback_net_init };

int loopback_init(struct stack *st) { return pernet_register(st, &loopback_pernet); }
