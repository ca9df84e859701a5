/*
 * net/netdev.c — devices: registration, up/down, the transmit and receive entry points,
 * the backlog queue and packet taps. (IPv4 addresses: ip/devinet.c, which drops a
 * device's addresses when it hears NETDEV_UNREGISTER.)
 *
 * Receive (Linux __netif_receive_skb_core): packet taps, device counters, the device's
 * rx_handler (a bridge port claims frames here), then Ethernet (net/eth.c) which
 * dispatches by ethertype. Transmit (dev_queue_xmit): the root qdisc
 * (net/sch_generic.c), or for noqueue devices the driver at once; then
 * dev_hard_start_xmit -> xmit_one: taps, counters, the driver's xmit.
 */
#include "netdev.h"
#include "stack.h"
#include "trace.h"
#include "eth.h"
#include "offload.h"
#include "sch_generic.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct netdev *netdev_alloc(struct net *net, const char *name, const struct netdev_ops *ops,
                            size_t priv_size)
{
    if (!name || !*name || strlen(name) >= IFNAMSIZ) return NULL;
    struct netdev *dev = calloc(1, sizeof(*dev) + priv_size);
    if (!dev) return NULL;
    snprintf(dev->name, sizeof(dev->name), "%s", name);
    dev->net = net;
    dev->ops = ops;
    dev->priv = priv_size ? (void *)(dev + 1) : NULL;
    dev->mtu = ETH_DATA_LEN;
    dev->max_mtu = ETH_MAX_MTU;
    dev->txqlen = 1000;
    dev->flags = IFF_BROADCAST | IFF_MULTICAST;
    return dev;
}

struct netdev *netdev_by_name(struct net *net, const char *name)
{
    for (struct netdev *d = net->devs; d; d = d->next)
        if (!strcmp(d->name, name)) return d;
    return NULL;
}

struct netdev *netdev_by_index(struct net *net, int ifindex)
{
    for (struct netdev *d = net->devs; d; d = d->next)
        if (d->ifindex == ifindex) return d;
    return NULL;
}

void netdev_random_mac(struct stack *st, struct eth_addr *a)
{
    /* Locally administered unicast, as eth_random_addr. */
    for (int i = 0; i < 6; i++) a->b[i] = (uint8_t)stack_rand32(st);
    a->b[0] = (uint8_t)((a->b[0] & 0xfe) | 0x02);
}

static void netdev_link(struct netdev *dev)
{
    struct netdev **pp = &dev->net->devs;
    while (*pp && (*pp)->ifindex < dev->ifindex) pp = &(*pp)->next;
    dev->next = *pp;
    *pp = dev;
}

static void netdev_unlink(struct netdev *dev)
{
    for (struct netdev **pp = &dev->net->devs; *pp; pp = &(*pp)->next)
        if (*pp == dev) { *pp = dev->next; break; }
    dev->next = NULL;
}

int netdev_register(struct netdev *dev)
{
    struct net *net = dev->net;
    if (netdev_by_name(net, dev->name)) return -EEXIST;
    if (!dev->ifindex) {
        /* register_netdevice: what may change becomes wanted, and software GSO is on
         * wherever its dependencies allow (a device without SG shows it "requested on") */
        dev->hw_features |= NETIF_F_GSO;
        dev->features |= NETIF_F_GSO;
        dev->wanted_features = dev->features & dev->hw_features;
        dev->features = netdev_fix_features(dev->features);
    }
    dev->ifindex = net->next_ifindex++;
    netdev_link(dev);
    net_notify(dev, NETDEV_REGISTER, NULL);
    return 0;
}

static void netdev_teardown(struct netdev *dev)
{
    if (netif_running(dev)) dev_close(dev);
    net_notify(dev, NETDEV_UNREGISTER, NULL);
    dev_shutdown(dev);                  /* the root qdisc goes: noop until the next up */
}

void netdev_unregister(struct netdev *dev)
{
    netdev_teardown(dev);
    /* Captures on the device end (tcpdump: "The interface disappeared"). */
    while (dev->taps) {
        struct ptap *t = dev->taps;
        dev->taps = t->next;
        if (t->dev_gone) t->dev_gone(t, dev);
    }
    /* Frames for this device still waiting in the backlog must not outlive it. */
    struct stack *st = dev->net->st;
    for (struct pkt **pp = &st->backlog_head; *pp;) {
        struct pkt *p = *pp;
        if (p->dev == dev) {
            *pp = p->next;
            st->backlog_len--;
            pkt_free(p);
        } else pp = &p->next;
    }
    st->backlog_tail = NULL;
    for (struct pkt *p = st->backlog_head; p; p = p->next) st->backlog_tail = p;
    netdev_unlink(dev);
    if (dev->ops->destroy) dev->ops->destroy(dev);
    free(dev);
}

int netdev_set_netns(struct netdev *dev, struct net *to)
{
    if (dev->net == to) return 0;
    if (netdev_by_name(to, dev->name)) return -EEXIST;
    if (dev->flags & IFF_LOOPBACK) return -EINVAL;
    netdev_teardown(dev);
    netdev_unlink(dev);
    dev->net = to;
    return netdev_register(dev);
}

void dev_get_stats(const struct netdev *dev, struct netdev_stats *s)
{
    *s = dev->stats;
    if (dev->ops->get_stats) dev->ops->get_stats(dev, s);
}

int dev_open(struct netdev *dev)
{
    if (netif_running(dev)) return 0;
    if (dev->ops->open) {
        int err = dev->ops->open(dev);
        if (err < 0) return err;
    }
    int err = dev_activate(dev);        /* the default qdisc on the first up (__dev_open) */
    if (err < 0) {
        if (dev->ops->stop) dev->ops->stop(dev);
        return err;
    }
    dev->flags |= IFF_UP;
    if (dev->flags & IFF_LOWER_UP) dev->flags |= IFF_RUNNING;
    net_notify(dev, NETDEV_UP, NULL);
    return 0;
}

int dev_close(struct netdev *dev)
{
    if (!netif_running(dev)) return 0;
    net_notify(dev, NETDEV_DOWN, NULL);
    dev->flags &= ~(unsigned)(IFF_UP | IFF_RUNNING);
    dev_deactivate(dev);                /* what the qdisc holds is dropped; the qdisc stays */
    if (dev->ops->stop) dev->ops->stop(dev);
    return 0;
}

/* A registered device's carrier change is news to the layers above (a bridge's own
 * carrier follows its ports'): Linux's linkwatch sends NETDEV_CHANGE. */
void netif_carrier_on(struct netdev *dev)
{
    bool was = dev->flags & IFF_LOWER_UP;
    dev->flags |= IFF_LOWER_UP;
    if (netif_running(dev)) dev->flags |= IFF_RUNNING;
    if (!was && dev->ifindex) net_notify(dev, NETDEV_CHANGE, NULL);
}

void netif_carrier_off(struct netdev *dev)
{
    bool was = dev->flags & IFF_LOWER_UP;
    dev->flags &= ~(unsigned)(IFF_LOWER_UP | IFF_RUNNING);
    if (was && dev->ifindex) net_notify(dev, NETDEV_CHANGE, NULL);
}

int dev_set_mtu(struct netdev *dev, unsigned mtu)
{
    if (mtu < 68 || mtu > dev->max_mtu) return -EINVAL;    /* 68: IPv4 minimum, RFC 791 */
    dev->mtu = mtu;
    net_notify(dev, NETDEV_CHANGEMTU, NULL);
    return 0;
}

int dev_set_mac(struct netdev *dev, const struct eth_addr *a)
{
    if (eth_is_multicast(a) || eth_is_zero(a)) return -EADDRNOTAVAIL;
    dev->addr = *a;
    net_notify(dev, NETDEV_CHANGEADDR, NULL);
    return 0;
}

void ptap_add(struct netdev *dev, struct ptap *t) { t->next = dev->taps; dev->taps = t; }
void ptap_del(struct netdev *dev, struct ptap *t)
{
    for (struct ptap **pp = &dev->taps; *pp; pp = &(*pp)->next)
        if (*pp == t) { *pp = t->next; return; }
}

static void ptap_deliver(struct netdev *dev, const struct pkt *p, int dir)
{
    for (struct ptap *t = dev->taps, *next; t; t = next) {
        next = t->next;                 /* a tap may remove itself (tcpdump -c N) */
        t->fn(t, dev, p, dir);
    }
}

/* xmit_one: the last step before the driver, where Linux's dev_queue_xmit_nit shows the
 * frame to the packet taps — so a capture sees exactly what goes on the wire. */
static int xmit_one(struct netdev *dev, struct pkt *p)
{
    if (dev->taps) ptap_deliver(dev, p, PTAP_TX);
    uint32_t len = p->len;
    dev->stats.tx_packets++;
    dev->stats.tx_bytes += len;
    /* the journey goes on: a driver that frees the frame ends it (pkt_free), one that
     * hands it on (veth, loopback, bridge, a tunnel) continues it */
    TRACE(p, dev->ops->xmit_name ? dev->ops->xmit_name : "dev_xmit", "ndo_start_xmit");
    int err = dev->ops->xmit(dev, p);
    if (err == NETDEV_TX_BUSY) {
        /* not taken, not an error: the qdisc requeues it (dev_requeue_skb) */
        dev->stats.tx_packets--;
        dev->stats.tx_bytes -= len;
    } else if (err < 0) {
        /* not sent after all: an error, not a packet (the driver counted the drop) */
        dev->stats.tx_errors++;
        dev->stats.tx_packets--;
        dev->stats.tx_bytes -= len;
    }
    return err;
}

/* The device finishes a partial checksum itself? (Linux skb_csum_hwoffload_help: a
 * NETIF_F_IP_CSUM device only TCP and UDP over IPv4) */
static bool dev_can_csum(const struct netdev *dev, const struct pkt *p)
{
    if (dev->features & NETIF_F_HW_CSUM) return true;
    return (dev->features & NETIF_F_IP_CSUM) && p->protocol == ETH_P_IP &&
           (p->csum_offset == TCP_OFF_CSUM || p->csum_offset == UDP_OFF_CHECK);
}

/* One packet the device will take as it is: finish its checksum if the device cannot.
 * Consumes p on failure (returns NULL). */
static struct pkt *validate_xmit_csum(struct netdev *dev, struct pkt *p)
{
    if (p->ip_summed == CHECKSUM_PARTIAL) {
        size_t room = pkt_headroom(p);
        if (p->csum_start < room || p->csum_start - room + p->csum_offset + 2u > p->len) {
            /* the device would be told to sum outside the frame (skb_csum_hwoffload_help
             * trusts its own stack; ours may forward a lying header) */
            dev->stats.tx_dropped++;
            pkt_drop(dev->net, p, DROP_SKB_CSUM);
            return NULL;
        }
        if (dev_can_csum(dev, p)) {
            dev->offload_stats.tx_csum_partial++;
        } else {
            enum drop why = pkt_checksum_help(p);
            if (why != DROP_NONE) {
                dev->stats.tx_dropped++;
                pkt_drop(dev->net, p, why);
                return NULL;
            }
        }
    } else if (p->ip_summed == CHECKSUM_UNNECESSARY) {
        p->ip_summed = CHECKSUM_NONE;   /* verified on the way in: on the way out it is just right */
    }
    if (p->gso_size) dev->offload_stats.tx_gso_packets++;
    return p;
}

/* validate_xmit_pkt: make the packet what the device can take (Linux validate_xmit_skb:
 * software segmentation and checksum for features the device lacks). Returns the packet
 * (or a chain of segments linked through ->next), or NULL when it was dropped. */
static struct pkt *validate_xmit_pkt(struct netdev *dev, struct pkt *p)
{
    if (netif_needs_gso(dev, p)) {
        enum drop why;
        struct pkt *segs = pkt_gso_segment(p, &why);
        if (!segs) {
            dev->stats.tx_dropped++;
            pkt_drop(dev->net, p, why);
            return NULL;
        }
        if (segs != p)
            for (struct pkt *s = segs; s; s = s->next) dev->offload_stats.tx_sw_gso_segs++;
        p = segs;
    }
    struct pkt *head = NULL, **tail = &head;
    while (p) {
        struct pkt *next = p->next;
        p->next = NULL;
        p = validate_xmit_csum(dev, p);
        if (p) { *tail = p; tail = &p->next; }
        p = next;
    }
    return head;
}

struct pkt *validate_xmit_pkt_list(struct netdev *dev, struct pkt *p)
{
    struct pkt *head = NULL, **tail = &head;
    while (p) {
        struct pkt *next = p->next;
        p->next = NULL;
        struct pkt *v = validate_xmit_pkt(dev, p);     /* one frame, or a chain of segments */
        *tail = v;
        while (*tail) tail = &(*tail)->next;
        p = next;
    }
    return head;
}

struct pkt *dev_hard_start_xmit(struct netdev *dev, struct pkt *p, int *ret)
{
    int rc = 0;
    *ret = 0;
    while (p) {
        struct pkt *next = p->next;
        p->next = NULL;
        dev->xmit_more = next != NULL;
        rc = xmit_one(dev, p);
        if (rc == NETDEV_TX_BUSY) {
            /* not taken: back on the list */
            p->next = next;
            break;
        }
        if (rc < 0 && !*ret) *ret = rc;
        p = next;
        /* a driver that stopped its queue takes nothing more (netif_xmit_stopped) */
        if (p && netif_queue_stopped(dev)) { rc = NETDEV_TX_BUSY; break; }
    }
    dev->xmit_more = false;
    if (rc == NETDEV_TX_BUSY) *ret = NETDEV_TX_BUSY;
    return p;
}

/* The noqueue path of __dev_queue_xmit: straight to the driver, with nowhere to keep a
 * frame the driver refuses. A virtual device that hands frames to another device may
 * come back here: XMIT_RECURSION_LIMIT nested transmits end a loop (Linux's "Dead loop
 * on virtual device"). */
#define XMIT_RECURSION_LIMIT 8
static int xmit_noqueue(struct netdev *dev, struct pkt *p)
{
    static _Thread_local unsigned depth;        /* Linux: per-CPU xmit_recursion */
    struct net *net = dev->net;
    if (depth >= XMIT_RECURSION_LIMIT) {
        dev->stats.tx_dropped++;
        pkt_drop(net, p, DROP_RECURSION_LIMIT);
        return -ENETDOWN;
    }
    p = validate_xmit_pkt_list(dev, p);
    if (!p) return -ENOBUFS;
    int rc = 0;
    if (!netif_queue_stopped(dev)) {
        depth++;
        p = dev_hard_start_xmit(dev, p, &rc);
        depth--;
        if (dev->ops->flush) dev->ops->flush(dev);
    }
    if (!p) return rc;
    while (p) {                         /* "Virtual device asks to queue packet!" */
        struct pkt *next = p->next;
        dev->stats.tx_dropped++;
        pkt_drop(net, p, DROP_TX_QUEUE_FULL);
        p = next;
    }
    return -ENETDOWN;
}

int dev_queue_xmit(struct netdev *dev, struct pkt *p)
{
    struct net *net = dev->net;
    if (p->tr || net->st->tracing) trace_cross(p, dev, TRACE_TX);     /* a crossing point */
    if (!netif_running(dev)) {
        dev->stats.tx_dropped++;
        pkt_drop(net, p, DROP_DEV_READY);
        return -ENETDOWN;
    }
    p->dev = dev;
    p->next = NULL;
    pkt_reset_mac_header(p);
    struct qdisc *q = dev->qdisc;
    if (q && q->ops->enqueue) return qdisc_xmit(q, dev, p);
    return xmit_noqueue(dev, p);
}

static void receive_core(struct netdev *dev, struct pkt *p, const char *via, const char *via_linux,
                         bool classified)
{
    struct net *net = dev->net;
    p->dev = dev;
    p->iif = dev->ifindex;
    p->tstamp_us = net->st->now_us;
    if (p->tr || net->st->tracing) trace_cross(p, dev, TRACE_RX);     /* a crossing point */
    TRACE(p, via, via_linux);
    if (dev->taps) ptap_deliver(dev, p, PTAP_RX);
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += p->len;
    if (!netif_running(dev)) {
        dev->stats.rx_dropped++;
        pkt_drop(net, p, DROP_DEV_READY);
        return;
    }
    /* rx_handler first, as __netif_receive_skb_core: a bridge or tunnel port may claim it.
     * ANOTHER means the handler changed p->dev: go round again on the new device. */
    for (int depth = 0; dev->rx_handler && depth < 8; depth++) {
        rx_handler_result_t r = dev->rx_handler(&p);
        if (r == RX_HANDLER_CONSUMED) return;
        if (r != RX_HANDLER_ANOTHER) break;
        dev = p->dev;
        if (p->tr || net->st->tracing) trace_cross(p, dev, TRACE_RX);     /* a crossing point */
    }
    eth_rcv(dev, p, classified);
}

void netif_receive(struct netdev *dev, struct pkt *p)
{
    receive_core(dev, p, "net_rx_poll", "napi_poll", false);
}

void netif_receive_classified(struct netdev *dev, struct pkt *p)
{
    receive_core(dev, p, "netif_receive_skb", NULL, true);
}

/* Linux enqueue_to_backlog: the CPU's input queue, bounded by netdev_max_backlog. */
static void enqueue_to_backlog(struct netdev *dev, struct pkt *p)
{
    struct stack *st = dev->net->st;
    TRACE(p, "enqueue_to_backlog", NULL);
    if (st->backlog_len >= st->netdev_max_backlog) {
        dev->stats.rx_dropped++;
        pkt_drop(dev->net, p, DROP_CPU_BACKLOG);
        return;
    }
    p->next = NULL;
    if (st->backlog_tail) st->backlog_tail->next = p; else st->backlog_head = p;
    st->backlog_tail = p;
    st->backlog_len++;
}

/* Linux netif_rx: a frame received by a device without a poll of its own (a veth peer,
 * loopback, a decapsulated tunnel frame) waits in the backlog; dev becomes its device,
 * and the journey's next line is dev's. */
void netif_rx(struct netdev *dev, struct pkt *p)
{
    p->dev = dev;
    if (p->tr || dev->net->st->tracing) trace_cross(p, dev, TRACE_RX);   /* a crossing point */
    TRACE(p, "netif_rx", NULL);
    enqueue_to_backlog(dev, p);
}

int process_backlog(struct stack *st, int budget)
{
    int n = 0;
    while (n < budget && st->backlog_head) {
        struct pkt *p = st->backlog_head;
        st->backlog_head = p->next;
        if (!st->backlog_head) st->backlog_tail = NULL;
        st->backlog_len--;
        p->next = NULL;
        receive_core(p->dev, p, "process_backlog", NULL, false);
        n++;
    }
    return n;
}
