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
#include <errno.h>

#ifndef IFNAMSIZ
#define IFNAMSIZ 16
#endif

/* A driver that cannot take a frame now returns NETDEV_TX_BUSY from xmit and leaves the
 * frame unconsumed: the qdisc keeps it and sends it again (Linux's NETDEV_TX_BUSY). */
#define NETDEV_TX_BUSY (-EBUSY)

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
    /* ndo_start_xmit: consumes p and returns 0 or -errno, or returns NETDEV_TX_BUSY and
     * leaves p to the caller. netdev_xmit_more(dev) is true when another frame follows
     * at once: a driver may then defer the work that ends a batch (a doorbell, a writev). */
    int  (*xmit)(struct netdev *dev, struct pkt *p);
    /* Optional: the end of a transmit run; finish what was deferred while "more" was set. */
    void (*flush)(struct netdev *dev);
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

struct in_ifaddr {
    struct in_ifaddr *next;
    uint32_t addr;
    uint8_t  plen;
    uint32_t broadcast;
    char     label[IFNAMSIZ];
};

struct neigh_parms;
struct qdisc;

/* Private flags (Linux: netdev_priv_flags). NO_QUEUE: the device gets noqueue, not a FIFO. */
enum { IFF_NO_QUEUE = 1 << 21 };

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
    unsigned         txqlen;            /* bounds the default qdisc (ip link ... txqueuelen) */
    unsigned         priv_flags;        /* IFF_NO_QUEUE */
    struct qdisc    *qdisc;             /* root qdisc (net/sch_generic.h); NULL: never up (noop) */
    bool             xmit_more;         /* netdev_xmit_more(): set around ops->xmit */
    bool             tx_stopped;        /* netif_stop_queue: the driver takes nothing now */
    struct netdev_stats stats;
    rx_handler_fn    rx_handler;
    void            *rx_handler_data;
    struct in_ifaddr *ifa_list;
    struct neigh_parms *arp_parms;
    struct ptap     *taps;
    bool             trace;             /* `trace on DEV` */
    int              arp_notify;        /* net.ipv4.conf.DEV.arp_notify */
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
/* Linux netdev_xmit_more(): inside ops->xmit, another frame follows in this batch. */
static inline bool netdev_xmit_more(const struct netdev *d) { return d->xmit_more; }
static inline bool netif_queue_stopped(const struct netdev *d) { return d->tx_stopped; }
void netif_carrier_on(struct netdev *dev);
void netif_carrier_off(struct netdev *dev);

/* Transmit a complete frame on dev (Linux: dev_queue_xmit): through the root qdisc
 * (net/sch_generic.h), or straight to the driver for noqueue. Consumes p. 0, or -errno
 * (-ENOBUFS: the qdisc dropped it; -ENETDOWN: the device is down). */
int  dev_queue_xmit(struct netdev *dev, struct pkt *p);
/* Make frames what the device can take (Linux validate_xmit_skb_list: the software
 * offload fallbacks), for each frame of the list p (linked through ->next). Returns the
 * resulting list (dropped frames left out), NULL when none is left. */
struct pkt *validate_xmit_pkt_list(struct netdev *dev, struct pkt *p);
/* The way to the driver (Linux: dev_hard_start_xmit): for each frame of the list p the
 * taps, counters and ops->xmit, with netdev_xmit_more(dev) true but for the last. Stops
 * when the driver answers NETDEV_TX_BUSY or stops its queue, and returns the frames not
 * taken (in order; the caller owns them), NULL when all went. *ret: 0, the driver's
 * first error, or NETDEV_TX_BUSY. */
struct pkt *dev_hard_start_xmit(struct netdev *dev, struct pkt *p, int *ret);
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

/* Addresses (Linux: inet_insert_ifa / inet_del_ifa). */
int  inet_addr_add(struct netdev *dev, uint32_t addr, int plen);   /* -EEXIST */
int  inet_addr_del(struct netdev *dev, uint32_t addr, int plen);   /* -EADDRNOTAVAIL */
/* The device in net owning addr (NULL if none). */
struct netdev *inet_addr_dev(struct net *net, uint32_t addr);
/* Primary address of dev usable to reach dst (same subnet first), 0 if none. */
uint32_t inet_select_addr(const struct netdev *dev, uint32_t dst);
/* Is addr a broadcast address of some address on dev? */
bool inet_is_bcast(const struct netdev *dev, uint32_t addr);

#endif
