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
    uint16_t        port_no;         /* 1..BR_MAX_PORTS-1, the lowest free (find_portno) */
    uint32_t        path_cost;       /* Linux port_cost(): from the link speed */
};

/* STP's numbers as Linux keeps them with STP off (br_dev_setup's defaults): they are
 * shown by `ip -d link`, and the bridge and port ids are made from them. */
#define BR_PRIORITY_DEFAULT   0x8000        /* bridge priority 32768 */
#define BR_PORT_PRIORITY      0x20          /* port priority 32 */
#define BR_PORT_BITS          10            /* port id = priority << 10 | port_no */

struct bridge {
    struct netdev  *dev;
    struct br_port *ports;
    unsigned        n_ports;
    uint64_t        ageing_us;       /* ageing_time (Linux br->ageing_time) */
    unsigned        fdb_max_learned;
    bool            mtu_set_by_user; /* Linux BROPT_MTU_SET_BY_USER */
    bool            mtu_auto_adjusting;
    /* The bridge's MAC: the lowest of its ports' unless the user set one (Linux
     * addr_assign_type NET_ADDR_SET). bridge_id_addr is the MAC of the bridge id (Linux
     * br->bridge_id.addr: zero until the first port or the user sets one); own_addr is
     * the device's MAC as the bridge last saw it, the one its own FDB entry is for. */
    bool            addr_set_by_user;
    bool            addr_changing;   /* the bridge itself is changing it */
    struct eth_addr bridge_id_addr;
    struct eth_addr own_addr;
    uint8_t         port_nos[BR_MAX_PORTS / 8];   /* port numbers in use (bitmap) */
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
/* A local (permanent) entry for a device's own MAC (Linux br_fdb_add_local); p NULL:
 * the bridge's. -EINVAL for a MAC no station can have (zero, multicast). */
int  br_fdb_insert_local(struct bridge *br, struct br_port *p, const struct eth_addr *addr);
/* Remove every entry pointing at p (Linux br_fdb_delete_by_port; do_all: statics too).
 * p must already be off the port list. */
void br_fdb_delete_by_port(struct bridge *br, struct br_port *p, bool do_all);
/* Port p's MAC changed to addr (Linux br_fdb_changeaddr). */
void br_fdb_changeaddr(struct bridge *br, struct br_port *p, const struct eth_addr *addr);
/* The bridge's MAC changes from old to addr (Linux br_fdb_change_mac_address). */
void br_fdb_change_mac_address(struct bridge *br, const struct eth_addr *old, const struct eth_addr *addr);
/* The gc timer's time left, in microseconds (0: not armed), for `ip -d link`. */
uint64_t br_fdb_gc_left_us(const struct bridge *br);

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
/* Linux with STP off: a port forwards while it is up with carrier on a bridge that is
 * up, else it is disabled (BR_STATE_FORWARDING / BR_STATE_DISABLED). */
bool br_port_forwarding(const struct br_port *p);

/* br_stp_if.c */
/* The bridge's MAC is the lowest of its ports' unless the user chose one; true if it
 * changed (Linux br_stp_recalculate_bridge_id). */
bool br_stp_recalculate_bridge_id(struct bridge *br);
/* The user set the bridge's MAC (Linux br_set_mac_address + NET_ADDR_SET). */
void br_stp_set_mac_by_user(struct bridge *br);

/* br_netlink.c */
void br_fill_info(const struct netdev *dev, char *buf, size_t n);
void br_port_fill_slave_info(const struct netdev *dev, char *buf, size_t n);

#endif
