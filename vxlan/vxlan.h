/*
 * vxlan/vxlan.h — VXLAN devices (RFC 7348; Linux drivers/net/vxlan/), as
 * `ip link add NAME type vxlan id VNI ...` makes them, and the forwarding database that
 * `bridge fdb ... dev NAME` reads and writes.
 *
 * A vxlan device is an Ethernet device whose wire is a UDP tunnel: a frame it transmits
 * is looked up by destination MAC in its FDB, which names the remote tunnel endpoints
 * (VTEPs) to send it to, wrapped in VXLAN/UDP/IPv4 and routed through the underlay; a
 * datagram that arrives on its UDP port with its VNI is unwrapped and received on the
 * device as if a wire had delivered the inner frame. Details: vxlan_private.h.
 */
#ifndef TS_VXLAN_H
#define TS_VXLAN_H
#include "net/netdev.h"

struct extack;

#define VXLAN_FDB_POOL   1024      /* FDB entries a device can hold (all kinds) */
#define VXLAN_RDST_POOL  1024      /* remote destinations over all its entries */
#define VXLAN_AGE_DEFAULT 300      /* seconds (Linux FDB_AGE_DEFAULT) */

/* Register the "vxlan" link kind, its per-namespace state and device-event hook. */
int  vxlan_init(struct stack *st);
bool netif_is_vxlan(const struct netdev *dev);

/* Linux's ndm_flags bits that `bridge fdb` uses. */
#define NTF_SELF   0x02
#define NTF_MASTER 0x04
/* Linux's NLM_F_* of an RTM_NEWNEIGH: add = CREATE|EXCL, append = CREATE|APPEND,
 * replace = CREATE|REPLACE (iproute2 bridge/fdb.c). */
#define FDB_NLM_F_REPLACE 0x100
#define FDB_NLM_F_EXCL    0x200
#define FDB_NLM_F_CREATE  0x400
#define FDB_NLM_F_APPEND  0x800

/* One `bridge fdb add|append|replace|del MAC dev VXLAN ...` request (Linux's ndmsg and
 * NDA_* attributes as vxlan_fdb_parse reads them). Fields not given take the device's
 * defaults: dst 0.0.0.0, the device's dstport and VNI, no interface. */
struct vxlan_fdb_req {
    struct eth_addr addr;
    uint32_t dst;                   /* host order; 0: not given */
    bool     has_port, has_vni;
    uint16_t port;
    uint32_t vni;
    int      ifindex;               /* `via DEV`; 0: any */
    unsigned state;                 /* NUD_* iproute2 sends (permanent when none said) */
};
/* Linux vxlan_fdb_add -> vxlan_fdb_update. -EEXIST (add of a present MAC), -ENOENT,
 * -EINVAL (no destination), -EOPNOTSUPP (replace of a multicast/zero MAC), -ENOSPC
 * (the table, or maxaddress, is full). */
int  vxlan_fdb_add(struct netdev *dev, const struct vxlan_fdb_req *r, unsigned nlflags, struct extack *ext);
/* Linux vxlan_fdb_delete: with a dst, that destination only (the entry goes with its
 * last one); without, the entry. -ENOENT if not there. */
int  vxlan_fdb_delete(struct netdev *dev, const struct vxlan_fdb_req *r, struct extack *ext);

/* One destination of one entry, as `bridge fdb show` prints it (Linux vxlan_fdb_info:
 * port and vni only when they differ from the device's, via when an interface is set). */
struct vxlan_fdb_view {
    struct eth_addr addr;
    uint32_t dst;
    uint16_t port;                  /* 0: the device's own */
    uint32_t vni;
    bool     vni_differs;
    const struct netdev *via;       /* NULL: none */
    uint16_t state;                 /* NUD_PERMANENT, NUD_NOARP, NUD_REACHABLE */
};
void vxlan_fdb_walk(struct netdev *dev, void (*fn)(void *arg, const struct vxlan_fdb_view *v), void *arg);

/* What the device did (for tests, `ip -s -d link`). */
struct vxlan_counters {
    unsigned fdb_entries;           /* entries now */
    uint64_t fdb_learned;           /* stations learned from received frames */
    uint64_t fdb_moved;             /* learned stations now behind another VTEP */
    uint64_t fdb_learn_refused;     /* not learned: the table was full */
    uint64_t fdb_aged;              /* learned entries removed by ageing */
    uint64_t tx_replicated;         /* extra copies for head-end replication */
};
bool vxlan_get_counters(const struct netdev *dev, struct vxlan_counters *c);

#endif
