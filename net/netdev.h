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

/* Offload features (Linux: netdev_features_t, NETIF_F_*; ethtool -k names in comments).
 * `features` is what is active, `hw_features` what `ethtool -K` may switch, and
 * `wanted_features` what was asked for; netdev_update_features() derives the active set
 * from the wanted one and the dependencies between features (net/offload.c). */
typedef uint64_t netdev_features_t;
enum {
    NETIF_F_SG          = 1u << 0,   /* tx-scatter-gather */
    NETIF_F_IP_CSUM     = 1u << 1,   /* tx-checksum-ipv4: TCP/UDP over IPv4 only */
    NETIF_F_HW_CSUM     = 1u << 2,   /* tx-checksum-ip-generic: any CHECKSUM_PARTIAL */
    NETIF_F_HIGHDMA     = 1u << 3,   /* highdma */
    NETIF_F_FRAGLIST    = 1u << 4,   /* tx-scatter-gather-fraglist */
    NETIF_F_GSO         = 1u << 5,   /* tx-generic-segmentation: senders may build GSO
                                      * packets, the core segments them (software GSO) */
    NETIF_F_TSO         = 1u << 6,   /* tx-tcp-segmentation: the device cuts TCPv4 */
    NETIF_F_TSO_ECN     = 1u << 7,   /* tx-tcp-ecn-segmentation: ... with CWR set */
    NETIF_F_GSO_UDP_L4  = 1u << 8,   /* tx-udp-segmentation: the device cuts UDP (USO) */
    NETIF_F_RXCSUM      = 1u << 9,   /* rx-checksum: trust checksums the device verified */
    NETIF_F_GRO_HW      = 1u << 10,  /* rx-gro-hw: the device hands up super-frames */
    NETIF_F_LOOPBACK    = 1u << 11,  /* loopback */
};
#define NETIF_F_CSUM_MASK (NETIF_F_IP_CSUM | NETIF_F_HW_CSUM)
#define NETIF_F_ALL_TSO   (NETIF_F_TSO | NETIF_F_TSO_ECN)
#define NETIF_F_GSO_MASK  (NETIF_F_ALL_TSO | NETIF_F_GSO_UDP_L4)

/* What the offload paths did, per device (shown by `ethtool -S DEV`). csum_sw_bytes are
 * the bytes the stack summed in software for a transport checksum: receive verification
 * (rx) and the completion of a checksum the device could not do (tx). With checksum
 * offload on both directions, a bulk transfer leaves them at zero. */
struct netdev_offload_stats {
    uint64_t rx_csum_unnecessary;   /* frames whose checksum the device verified */
    uint64_t rx_csum_partial;       /* frames with a partial checksum (trusted) */
    uint64_t rx_gso_packets;        /* super-frames received */
    uint64_t rx_csum_sw_bytes;
    uint64_t tx_csum_partial;       /* frames the device completes the checksum of */
    uint64_t tx_gso_packets;        /* super-frames the device segments */
    uint64_t tx_sw_gso_segs;        /* segments the software fallback made */
    uint64_t tx_sw_csum;            /* checksums the software fallback completed */
    uint64_t tx_csum_sw_bytes;
};

struct netdev;
struct extack;
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
    /* ndo_set_features: tell the hardware (the TAP's TUNSETOFFLOAD) about a new active
     * set; 0 or -errno (then the old set stays). May be NULL. */
    int  (*set_features)(struct netdev *dev, netdev_features_t features);
    const char *xmit_name;                          /* for trace: "tap_xmit" */
    /* ndo_add_slave / ndo_del_slave: a master device (a bridge) takes dev as a port or
     * lets it go (`ip link set DEV master M | nomaster`). NULL: not a master. */
    int  (*add_slave)(struct netdev *master, struct netdev *dev, struct extack *ext);
    int  (*del_slave)(struct netdev *master, struct netdev *dev);
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
struct qdisc;

/* Private flags (Linux: netdev_priv_flags). NO_QUEUE: the device gets noqueue, not a FIFO.
 * NETNS_LOCAL: the device cannot move to another namespace (Linux's dev->netns_local:
 * lo, bridges).
 * TUN_VNET_HDR: a tun/tap whose frames carry a virtio-net header (Linux's tun->flags
 * IFF_VNET_HDR, which `ip -d link` prints as "vnet_hdr on"). */
enum { IFF_NO_QUEUE = 1 << 21, IFF_TUN_VNET_HDR = 1 << 22, IFF_NETNS_LOCAL = 1 << 23 };

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
    struct netdev_offload_stats offload_stats;
    netdev_features_t features;         /* active offloads */
    netdev_features_t hw_features;      /* those ethtool -K may switch */
    netdev_features_t wanted_features;  /* those asked for (ethtool -K, the driver) */
    rx_handler_fn    rx_handler;
    void            *rx_handler_data;
    struct netdev   *master;            /* the bridge it is a port of (Linux:
                                         * netdev_master_upper_dev_get), or NULL */
    struct in_ifaddr *ifa_list;
    struct neigh_parms *arp_parms;
    struct ptap     *taps;
    uint8_t          trace;             /* `trace on DEV`: 1, `trace on -v DEV`: 2 */
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
/* Receive a frame an upper device passes up from one of its ports (Linux: a bridge's
 * br_pass_frame_up -> netif_receive_skb): as netif_receive, but the class the port gave
 * the frame (p->pkt_type, from eth_type_trans on the port) stays, and its trace
 * stage is netif_receive_skb (the journey's next line is dev's). Consumes p. */
void netif_receive_classified(struct netdev *dev, struct pkt *p);
/* Queue a frame for the backlog (Linux: netif_rx -> enqueue_to_backlog); counts and
 * drops when netdev_max_backlog is reached. Consumes p. */
void netif_rx(struct netdev *dev, struct pkt *p);
/* Drain up to budget frames from the backlog (Linux: process_backlog). */
int  process_backlog(struct stack *st, int budget);

/* Offloads (net/offload.c). netdev_update_features: active = wanted within hw_features
 * plus the fixed ones, less what a missing dependency rules out (Linux
 * __netdev_update_features + netdev_fix_features); calls ops->set_features on a change.
 * Returns 0 or the driver's -errno. */
int  netdev_update_features(struct netdev *dev);
netdev_features_t netdev_fix_features(netdev_features_t f);
/* May a sender build GSO packets of gso_type for dev (the device or software GSO cuts
 * them)? (Linux sk_can_gso / net_gso_ok) */
bool netif_gso_ok(const struct netdev *dev, unsigned gso_type);
/* Must the core segment p in software before dev takes it? (Linux netif_needs_gso) */
bool netif_needs_gso(const struct netdev *dev, const struct pkt *p);

void ptap_add(struct netdev *dev, struct ptap *t);
void ptap_del(struct netdev *dev, struct ptap *t);

#endif
