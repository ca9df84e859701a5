/*
 * vxlan/vxlan_private.h — a vxlan device's own structures (Linux: struct vxlan_dev,
 * vxlan_config, vxlan_sock, vxlan_fdb and vxlan_rdst in include/net/vxlan.h).
 *
 *   vxlan_core.c   the link kind: options, open/stop, the UDP socket a port shares
 *   vxlan_fdb.c    the forwarding database: learning, ageing, add/append/replace/del
 *   vxlan_rcv.c    vxlan_rcv: the UDP encapsulation hook that unwraps
 *   vxlan_xmit.c   vxlan_xmit / vxlan_xmit_one: lookup, replication, wrapping
 *
 * The FDB is two fixed pools allocated with the device: entries, chained in a hash by
 * MAC, and their remote destinations (a list per entry: several for head-end
 * replication). Learning and lookup never allocate, and a flood of new source MACs
 * costs a counter once the pool is full (Linux: kmalloc per entry, bounded only by
 * maxaddress, which defaults to none).
 */
#ifndef TS_VXLAN_PRIVATE_H
#define TS_VXLAN_PRIVATE_H
#include "vxlan.h"
#include "vxlan_wire.h"
#include "net/stack.h"

#define VXLAN_FDB_HASH  256                 /* buckets (a power of two) */
#define VXLAN_NONE      UINT32_MAX
#define VXLAN_AGE_INTERVAL_US (10 * US_PER_S)   /* Linux FDB_AGE_INTERVAL: rescan period */

/* A remote VTEP of an entry (Linux struct vxlan_rdst). */
struct vxlan_rdst {
    uint32_t remote_ip;             /* host order */
    uint16_t remote_port;           /* host order */
    uint32_t remote_vni;
    int      remote_ifindex;        /* leave by this underlay device; 0: as routed */
    uint32_t next;                  /* the entry's next destination, or the free list */
};

/* A station (Linux struct vxlan_fdb). */
struct vxlan_fdb {
    struct eth_addr addr;
    bool     in_use;
    uint16_t state;                 /* NUD_REACHABLE (learned), NUD_PERMANENT, NUD_NOARP */
    uint64_t updated_us;            /* last changed */
    uint64_t used_us;               /* last looked up (Linux f->used: what ageing reads) */
    uint32_t remotes;               /* first destination */
    uint32_t next;                  /* hash chain, or the free list */
};

/* `ip link add ... type vxlan` options (Linux struct vxlan_config). */
struct vxlan_config {
    uint32_t vni;
    uint32_t remote_ip;             /* 0: none (the FDB alone decides) */
    uint32_t saddr;                 /* `local`; 0: the route's source */
    int      remote_ifindex;        /* `dev`: the underlay device; 0: none */
    uint16_t dst_port;
    uint16_t port_min, port_max;    /* `srcport`; 0 0: ip_local_port_range */
    uint8_t  ttl;                   /* 0: auto (the route's, ip_default_ttl) */
    bool     learn;
    bool     udp_csum;              /* outer UDP checksum (Linux: on for IPv4 by default) */
    unsigned age_interval;          /* seconds; 0: learned entries never age */
    unsigned addrmax;               /* `maxaddress`; 0: as many as the pool holds */
};

struct vxlan_dev;

/* The UDP socket of one port in one namespace, shared by every vxlan device on that port
 * (Linux struct vxlan_sock: refcounted, found by port; its devices found by VNI). */
struct vxlan_sock {
    struct vxlan_sock *next;
    struct net       *net;
    struct sock      *sk;           /* NULL once the namespace closed it */
    uint16_t          port;
    unsigned          refs;
    struct vxlan_dev *devs;         /* open devices on this port (vs_next) */
};

struct vxlan_dev {
    struct netdev      *dev;
    struct net         *net;        /* the underlay's namespace (Linux vxlan->net): where
                                     * the socket lives, even if dev moves elsewhere */
    struct vxlan_config cfg;
    struct vxlan_sock  *vs;         /* while up */
    struct vxlan_dev   *vs_next;
    struct vxlan_dev   *next;       /* the namespace's vxlan devices */
    struct timer        age_timer;
    struct vxlan_counters cnt;
    struct vxlan_fdb   *fdb;        /* VXLAN_FDB_POOL */
    struct vxlan_rdst  *rdst;       /* VXLAN_RDST_POOL */
    uint32_t            fdb_free, rdst_free;
    uint32_t            hash[VXLAN_FDB_HASH];
};

/* Per namespace (net_generic): its vxlan devices and port sockets. */
struct vxlan_net {
    struct vxlan_dev  *devs;
    struct vxlan_sock *socks;
};

static inline struct vxlan_dev *vxlan_of(const struct netdev *dev) { return dev->priv; }

/* vxlan_core.c */
struct vxlan_net *vxlan_pernet(const struct net *net);

/* vxlan_fdb.c */
int  vxlan_fdb_init(struct vxlan_dev *vx);
void vxlan_fdb_fini(struct vxlan_dev *vx);
/* Lookup by MAC; refreshes the entry's use time (Linux vxlan_find_mac). */
struct vxlan_fdb *vxlan_find_mac(struct vxlan_dev *vx, const struct eth_addr *mac);
/* The default destination of `remote IP [dev DEV]`: the all-zeros entry (Linux
 * vxlan_fdb_create of all_zeros_mac in __vxlan_dev_create). */
int  vxlan_fdb_add_default(struct vxlan_dev *vx);
/* Linux vxlan_snoop: a frame from mac came from VTEP src_ip through ifindex. Learns or
 * moves a dynamic entry; true when the frame must be dropped (a static entry points
 * elsewhere: VXLAN_ENTRY_EXISTS). */
bool vxlan_snoop(struct vxlan_dev *vx, const struct eth_addr *mac, uint32_t src_ip, int ifindex);
/* Linux vxlan_stop's flush: remove the learned entries. */
void vxlan_fdb_flush_dynamic(struct vxlan_dev *vx);
void vxlan_fdb_age_start(struct vxlan_dev *vx);
void vxlan_fdb_age_stop(struct vxlan_dev *vx);
static inline struct vxlan_rdst *vxlan_rdst_at(struct vxlan_dev *vx, uint32_t i)
{ return i == VXLAN_NONE ? NULL : &vx->rdst[i]; }

/* vxlan_rcv.c: the socket's encap_rcv. */
int  vxlan_rcv(struct sock *sk, struct pkt *p);

/* vxlan_xmit.c: the device's ndo_start_xmit. */
int  vxlan_xmit(struct netdev *dev, struct pkt *p);

#endif
