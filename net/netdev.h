/*
 * net/netdev.h — the device object (Linux: struct net_device + net_device_ops).
 *
 * A driver (tap, loopback, veth, vxlan, bridge) fills a netdev_ops table. The core calls
 * ops->xmit for every frame leaving the device (dev_queue_xmit) after copying it to the
 * capture taps, and drivers hand received frames to netif_receive() (from their NAPI-like
 * poll) or to netif_rx() (the backlog queue, for devices inside the process).
 */
#ifndef TS_NETDEV_H
#define TS_NETDEV_H
#include "types.h"
#include "pkt.h"

#ifndef IFNAMSIZ
#define IFNAMSIZ 16
#endif

/* Device flags, Linux's values. tap.c includes <linux/if.h>, which defines the same. */
#ifndef _LINUX_IF_H
enum { IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40,
       IFF_NOARP = 0x80, IFF_PROMISC = 0x100, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000 };
#endif

struct netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped, rx_missed;
    uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

struct netdev;
struct netdev_ops {
    const char *kind;                               /* "tap", "loopback", "veth", ... */
    int  (*open)(struct netdev *dev);               /* ip link set up (ndo_open) */
    int  (*stop)(struct netdev *dev);               /* ip link set down (ndo_stop) */
    int  (*xmit)(struct netdev *dev, struct pkt *p);/* ndo_start_xmit: consumes p; 0 or -errno */
    void (*destroy)(struct netdev *dev);            /* free priv resources */
    /* ndo_get_stats64: add what the driver alone knows to the core's counters (may be NULL). */
    void (*get_stats)(const struct netdev *dev, struct netdev_stats *s);
    const char *xmit_name;                          /* for trace: "tap_xmit" */
};

typedef enum { RX_HANDLER_CONSUMED, RX_HANDLER_ANOTHER, RX_HANDLER_EXACT, RX_HANDLER_PASS }
    rx_handler_result_t;
typedef rx_handler_result_t (*rx_handler_fn)(struct pkt **pp);

/* A packet tap (Linux: ptype_all, what AF_PACKET / tcpdump hooks): sees every frame,
 * rx before the stack, tx just before the driver. It must not keep or modify the pkt. */
enum { PTAP_RX = 1, PTAP_TX = 2 };
struct ptap {
    struct ptap *next;
    void (*fn)(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir);
    /* Optional: the device is being unregistered; the tap is already unlinked. */
    void (*dev_gone)(struct ptap *t, struct netdev *dev);
    void *arg;
};

struct in_ifaddr;                       /* ip/devinet.h */
struct neigh_parms;

struct netdev {
    struct netdev   *next;
    struct net      *net;
    char             name[IFNAMSIZ];
    int              ifindex;
    const struct netdev_ops *ops;
    void            *priv;
    struct eth_addr  addr;
    unsigned         flags;
    unsigned         mtu;
    unsigned         max_mtu;           /* what the driver can carry (pool slot for TAP) */
    unsigned         txqlen;
    struct netdev_stats stats;
    rx_handler_fn    rx_handler;
    void            *rx_handler_data;
    struct in_ifaddr *ifa_list;
    struct neigh_parms *arp_parms;
    struct ptap     *taps;
    bool             trace;             /* `trace on DEV` */
    int              arp_notify;        /* net.ipv4.conf.DEV.arp_notify */
    int              arp_accept;        /* net.ipv4.conf.DEV.arp_accept */
};

/* Allocate (not yet registered); priv is zeroed priv_size bytes. */
struct netdev *netdev_alloc(struct net *net, const char *name, const struct netdev_ops *ops,
                            size_t priv_size);
/* Give it an ifindex, put it in its namespace's list, create per-device state
 * (neighbour parms, sysctls). -EEXIST if the name is taken. */
int  netdev_register(struct netdev *dev);
/* Take down, flush routes/neighbours/addresses, unlink and free. */
void netdev_unregister(struct netdev *dev);
/* Move a device to another namespace (ip link set DEV netns NS): down, addresses gone. */
int  netdev_set_netns(struct netdev *dev, struct net *to);
struct netdev *netdev_by_name(struct net *net, const char *name);
struct netdev *netdev_by_index(struct net *net, int ifindex);
void netdev_random_mac(struct stack *st, struct eth_addr *a);

/* The device's counters as `ip -s link` shows them (core counters + the driver's). */
void dev_get_stats(const struct netdev *dev, struct netdev_stats *s);
int  dev_open(struct netdev *dev);      /* ip link set up */
int  dev_close(struct netdev *dev);     /* ip link set down */
int  dev_set_mtu(struct netdev *dev, unsigned mtu);
int  dev_set_mac(struct netdev *dev, const struct eth_addr *a);
static inline bool netif_running(const struct netdev *d) { return d->flags & IFF_UP; }
static inline bool netif_oper_up(const struct netdev *d)
{ return (d->flags & (IFF_UP | IFF_LOWER_UP)) == (IFF_UP | IFF_LOWER_UP); }
void netif_carrier_on(struct netdev *dev);
void netif_carrier_off(struct netdev *dev);

/* Transmit a complete frame on dev (Linux: dev_queue_xmit -> dev_hard_start_xmit ->
 * xmit_one): capture taps, counters, ops->xmit. Consumes p. */
int  dev_queue_xmit(struct netdev *dev, struct pkt *p);
/* The qdisc's way to the driver (Linux: dev_hard_start_xmit): validate (software
 * offload fallbacks), then per frame the taps, counters and ops->xmit. Consumes p. */
int  dev_hard_start_xmit(struct netdev *dev, struct pkt *p);
/* Receive a frame from a driver's poll (Linux: netif_receive_skb ->
 * __netif_receive_skb_core). Consumes p. */
void netif_receive(struct netdev *dev, struct pkt *p);
/* Queue a frame for the backlog (Linux: netif_rx -> enqueue_to_backlog); counts and
 * drops when netdev_max_backlog is reached. Consumes p. */
void netif_rx(struct netdev *dev, struct pkt *p);
/* Drain up to budget frames from the backlog (Linux: process_backlog). */
int  process_backlog(struct stack *st, int budget);

void ptap_add(struct netdev *dev, struct ptap *t);
void ptap_del(struct netdev *dev, struct ptap *t);

#endif
