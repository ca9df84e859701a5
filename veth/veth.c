/*
 * veth/veth.c — virtual Ethernet pairs (Linux: drivers/net/veth.c).
 *
 * Transmit on one end is receive on the other: veth_xmit scrubs the frame, makes the
 * peer its device and queues it on the backlog (netif_rx), which the budgeted poll
 * drains — as Linux's veth_xmit -> veth_forward_skb -> __dev_forward_skb -> netif_rx
 * without NAPI. The frame never leaves memory, so the ends advertise every offload a
 * memory copy can honour: partial checksums stay partial and super-packets stay whole.
 */
#include "veth.h"
#include "net/link.h"
#include "net/netdev.h"
#include "net/netlink.h"
#include "net/stack.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct veth_priv {
    struct netdev *peer;            /* NULL once the other end is gone */
};

static const struct link_ops veth_link_ops;

static struct veth_priv *veth_priv(const struct netdev *dev) { return dev->priv; }

/* Linux VETH_FEATURES: scatter-gather, any checksum, every software GSO type. */
#define VETH_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
                       NETIF_F_HIGHDMA | NETIF_F_GSO_MASK)

/* is_skb_forwardable: the receiver must be up, and a frame that is not a super-packet
 * must fit its MTU (plus the Ethernet header and a VLAN tag). */
static bool veth_forwardable(const struct netdev *rcv, const struct pkt *p)
{
    if (!netif_running(rcv)) return false;
    return p->gso_size || p->len <= rcv->mtu + ETH_HLEN + 4;
}

/* veth_xmit: the frame was shown to dev's taps and counted by the core (xmit_one);
 * here it crosses to the peer. A frame that cannot cross is dropped and counted as
 * Linux counts it: the sender's tx_dropped (priv->dropped) and, when the peer refused
 * it, the peer's rx_dropped (__dev_forward_skb). Always "taken" (NETDEV_TX_OK). */
static int veth_xmit(struct netdev *dev, struct pkt *p)
{
    struct netdev *rcv = veth_priv(dev)->peer;
    if (!rcv || !veth_forwardable(rcv, p)) {
        if (rcv) rcv->stats.rx_dropped++;
        /* Linux counts tx only for frames handed over (dev_lstats_add) */
        dev->stats.tx_packets--;
        dev->stats.tx_bytes -= p->len;
        dev->stats.tx_dropped++;
        pkt_drop(dev->net, p, rcv ? (netif_running(rcv) ? DROP_FRAME_TOO_BIG : DROP_DEV_READY)
                                  : DROP_DEV_READY);
        return 0;
    }
    /* __dev_forward_skb: a new trip; crossing namespaces also forgets the sender's
     * socket and timestamp (skb_scrub_packet with xnet) */
    pkt_scrub(p, dev->net != rcv->net);
    netif_rx(rcv, p);               /* the peer becomes the frame's device */
    return 0;
}

/* veth_open: the carrier comes on at both ends once both are up. */
static int veth_open(struct netdev *dev)
{
    struct netdev *peer = veth_priv(dev)->peer;
    if (!peer) return -ENOTCONN;
    if (netif_running(peer)) {
        netif_carrier_on(dev);
        netif_carrier_on(peer);
    }
    return 0;
}

/* veth_close: either end down takes the carrier from both. */
static int veth_stop(struct netdev *dev)
{
    struct netdev *peer = veth_priv(dev)->peer;
    netif_carrier_off(dev);
    if (peer) netif_carrier_off(peer);
    return 0;
}

/* veth_dellink: the two ends go together (Linux unregisters the pair in one batch).
 * Called as each device is freed, so `ip link del` of either end, and the deletion of
 * either end's namespace, take the other with it. */
static void veth_destroy(struct netdev *dev)
{
    struct netdev *peer = veth_priv(dev)->peer;
    veth_priv(dev)->peer = NULL;
    if (!peer) return;
    veth_priv(peer)->peer = NULL;
    netdev_unregister(peer);
}

static const struct netdev_ops veth_ops = {
    .kind = "veth", .open = veth_open, .stop = veth_stop, .xmit = veth_xmit,
    .destroy = veth_destroy, .xmit_name = "veth_xmit",
};

struct netdev *veth_peer(const struct netdev *dev)
{
    return dev && dev->ops == &veth_ops ? veth_priv(dev)->peer : NULL;
}

/* veth_setup (ether_setup + veth's own): no queue of its own, every offload, a random
 * MAC, MTU 1500 up to the largest frame a packet slot holds; carrier off until both
 * ends are up (veth_newlink). */
static struct netdev *veth_alloc(struct net *net, const char *name)
{
    struct netdev *dev = link_alloc(net, name, &veth_link_ops, &veth_ops);
    if (!dev) return NULL;
    dev->priv_flags |= IFF_NO_QUEUE;
    dev->features = dev->hw_features = VETH_FEATURES;
    netdev_random_mac(net->st, &dev->addr);
    netif_carrier_off(dev);
    return dev;
}

/* The peer's name when none is given: the first free "vethN" (Linux: "veth%d"). */
static void veth_auto_name(struct net *net, char *buf, size_t n)
{
    for (int i = 0; i < 10000; i++) {
        snprintf(buf, n, "veth%d", i);
        if (!netdev_by_name(net, buf)) return;
    }
}

/* iproute2's veth_parse_opt: nothing, or "peer" and the peer's own words — here its
 * name ("name NAME" or the bare NAME) and its namespace ("netns NS"). */
static int veth_parse(struct net *net, const struct link_args *a, const char **pname,
                      struct net **pnet, struct extack *ext)
{
    if (a->argc == 0) return 0;
    if (strcmp(a->argv[0], "peer")) {
        NL_SET_ERR_MSG_FMT(ext, "either \"peer\" is duplicate, or \"%s\" is a garbage", a->argv[0]);
        return -EINVAL;
    }
    for (int i = 1; i < a->argc; i++) {
        const char *w = a->argv[i];
        bool has_value = i + 1 < a->argc;
        if ((!strcmp(w, "name") || !strcmp(w, "netns")) && !has_value) {
            NL_SET_ERR_MSG_FMT(ext, "argument for \"%s\" is missing", w);
            return -EINVAL;
        }
        if (!strcmp(w, "netns")) {
            const char *ns = a->argv[++i];
            if (!ns[0] || !(*pnet = net_by_name(net->st, ns))) {
                NL_SET_ERR_MSG_FMT(ext, "argument \"%s\" is wrong: Invalid \"netns\" value", ns);
                return -EINVAL;
            }
        } else if (!strcmp(w, "name") || !*pname) {
            *pname = !strcmp(w, "name") ? a->argv[++i] : w;
            if (!dev_valid_name(*pname)) {
                NL_SET_ERR_MSG_FMT(ext, "argument \"%s\" is wrong: \"name\" not a valid ifname", *pname);
                return -EINVAL;
            }
        } else {
            NL_SET_ERR_MSG_FMT(ext, "either \"name\" is duplicate, or \"%s\" is a garbage", w);
            return -EINVAL;
        }
    }
    return 0;
}

/* veth_newlink: the peer is made and registered first (so it takes the lower ifindex),
 * then the device; if the second fails, the first goes. */
static int veth_newlink(void *ctx, struct net *net, const char *name, const struct link_args *args,
                        struct extack *ext)
{
    (void)ctx;
    const char *pname = NULL;
    struct net *pnet = net;
    char autoname[IFNAMSIZ];
    int err = veth_parse(net, args, &pname, &pnet, ext);
    if (err < 0) return err;
    if (!pname) { veth_auto_name(pnet, autoname, sizeof(autoname)); pname = autoname; }
    if (netdev_by_name(pnet, pname) || (pnet == net && !strcmp(pname, name))) return -EEXIST;
    struct netdev *peer = veth_alloc(pnet, pname);
    struct netdev *dev = veth_alloc(net, name);
    if (!peer || !dev) { free(peer); free(dev); return -ENOMEM; }
    if ((err = netdev_register(peer)) < 0) { free(peer); free(dev); return err; }
    if ((err = netdev_register(dev)) < 0) { netdev_unregister(peer); free(dev); return err; }
    veth_priv(dev)->peer = peer;
    veth_priv(peer)->peer = dev;
    return 0;
}

/* ip -d link: iproute2's veth has no options to show, only its kind. */
static void veth_fill_info(const struct netdev *dev, char *buf, size_t n)
{
    (void)dev;
    snprintf(buf, n, "veth");
}

/* Linux default_operstate (link_watch.c, 6.1): down when down; up without carrier is
 * LOWERLAYERDOWN, since a veth's iflink is its peer, not itself. */
static enum if_oper veth_operstate(const struct netdev *dev)
{
    if (!netif_running(dev)) return IF_OPER_DOWN;
    return (dev->flags & IFF_LOWER_UP) ? IF_OPER_UP : IF_OPER_LOWERLAYERDOWN;
}

static struct netdev *veth_get_link(const struct netdev *dev) { return veth_priv(dev)->peer; }

static const struct link_ops veth_link_ops = {
    .kind = "veth", .priv_size = sizeof(struct veth_priv), .newlink = veth_newlink,
    .fill_info = veth_fill_info, .operstate = veth_operstate, .get_link = veth_get_link,
};

int veth_init(struct stack *st)
{
    return link_kind_register(st, &veth_link_ops, NULL);
}
