/*
 * bridge/br_private.h — the bridge's own structures (Linux: net/bridge/br_private.h):
 * the bridge (struct bridge, the private data of br0), its ports and its FDB.
 *
 * The FDB is a fixed pool of entries allocated with the bridge, chained in a hash by
 * MAC: learning a station and looking one up never allocate (Linux: a kmem_cache and an
 * rhashtable; here a bound, so a flood of random source MACs costs a counter, not memory).
 */
#ifndef TS_BR_PRIVATE_H
#define TS_BR_PRIVATE_H
#include "br.h"
#include "net/stack.h"

#define BR_HASH_SIZE 1024            /* buckets (a power of two) */
#define BR_FDB_NONE  UINT32_MAX

/* Linux's BR_FDB_* flag bits. */
enum { BR_FDB_LOCAL = 1, BR_FDB_STATIC = 2, BR_FDB_ADDED_BY_USER = 4 };

struct net_bridge_fdb_entry {
    struct eth_addr addr;
    uint8_t         flags;           /* BR_FDB_*; 0 with in_use: a learned entry */
    bool            in_use;
    struct br_port *dst;             /* NULL: the bridge itself */
    uint64_t        updated_us;      /* last seen as a source (Linux fdb->updated) */
    uint32_t        next;            /* hash chain, or free list */
};

struct br_port {
    struct br_port *next;
    struct bridge  *br;
    struct netdev  *dev;
};

struct bridge {
    struct netdev  *dev;
    struct br_port *ports;
    unsigned        n_ports;
    uint64_t        ageing_us;       /* ageing_time (Linux br->ageing_time) */
    unsigned        fdb_max_learned;
    bool            mtu_set_by_user; /* Linux BROPT_MTU_SET_BY_USER */
    bool            mtu_auto_adjusting;
    struct timer    gc_timer;        /* Linux br->gc_work: the next expiry */
    struct br_counters cnt;
    struct net_bridge_fdb_entry *fdb;  /* BR_FDB_POOL entries */
    uint32_t        fdb_free;
    uint32_t        hash[BR_HASH_SIZE];
};

static inline struct bridge *br_of(const struct netdev *br_dev) { return br_dev->priv; }
static inline struct br_port *br_port_get(const struct netdev *dev)
{ return netif_is_bridge_port(dev) ? dev->rx_handler_data : NULL; }

/* br_fdb.c */
int  br_fdb_init(struct bridge *br);
void br_fdb_fini(struct bridge *br);
struct net_bridge_fdb_entry *br_fdb_find(struct bridge *br, const struct eth_addr *addr);
/* Learn addr behind port p (Linux br_fdb_update); says what it did (for the trace). */
enum br_fdb_learn { BR_LEARN_NEW, BR_LEARN_REFRESHED, BR_LEARN_MOVED, BR_LEARN_OWN, BR_LEARN_REFUSED };
enum br_fdb_learn br_fdb_update(struct bridge *br, struct br_port *p, const struct eth_addr *addr);
/* A local (permanent) entry for a device's own MAC (Linux br_fdb_add_local / fdb_insert);
 * p NULL: the bridge's. */
int  br_fdb_insert_local(struct bridge *br, struct br_port *p, const struct eth_addr *addr);
/* Remove every entry pointing at p (Linux br_fdb_delete_by_port; do_all: statics too). */
void br_fdb_delete_by_port(struct bridge *br, struct br_port *p, bool do_all);
void br_fdb_delete_local(struct bridge *br, struct br_port *p, const struct eth_addr *addr);

/* br_forward.c */
bool br_should_deliver(const struct br_port *to, const struct pkt *p);
void br_forward(struct br_port *to, struct pkt *p, bool local_rcv, bool local_orig);
void br_flood(struct bridge *br, struct pkt *p, bool local_rcv, bool local_orig);
void br_pass_frame_up(struct bridge *br, struct pkt *p);

/* br_input.c */
rx_handler_result_t br_handle_frame(struct pkt **pp);

/* A new ageing_time: expire and reschedule at once. */
void br_fdb_ageing_changed(struct bridge *br);

/* br_if.c */
void br_carrier_update(struct bridge *br, const struct netdev *going_down);
int  br_if_init(struct stack *st);

#endif
