/*
 * bridge/br.h — the learning bridge (Linux: net/bridge/), as `ip link add br0 type
 * bridge` makes it, and the calls the shell's `bridge fdb` and `ip link set X master`
 * use.
 *
 * A bridge is a device (br0) plus ports: devices whose received frames the bridge takes
 * on the rx_handler hook (br_handle_frame). It learns which port each source MAC lives
 * behind (the forwarding database, FDB), forwards a unicast frame to the learned port
 * only, floods unknown unicast, broadcast and multicast to every other port, and passes
 * frames for itself (its own MAC, broadcast, multicast) up the stack on br0, which can
 * hold an address like docker0 or cni0. No STP, no VLAN filtering, no multicast
 * snooping: every port forwards as soon as it is up (Linux with stp_state 0).
 */
#ifndef TS_BRIDGE_H
#define TS_BRIDGE_H
#include "net/netdev.h"

struct extack;

#define BR_AGEING_TIME_DEFAULT_CS 30000     /* 300 s, Linux BR_DEFAULT_AGEING_TIME */
#define BR_FDB_POOL               4096      /* entries a bridge can hold (all kinds) */
#define BR_FDB_MAX_LEARNED_DEFAULT 4000     /* learned entries (Linux fdb_max_learned) */
#define BR_MAX_PORTS              1024      /* Linux BR_MAX_PORTS */

/* Register the "bridge" link kind and the device-event hook. */
int  br_init(struct stack *st);

bool netif_is_bridge_master(const struct netdev *dev);
bool netif_is_bridge_port(const struct netdev *dev);

/* Make dev a port of br (Linux br_add_if) / release it (br_del_if). -errno with
 * Linux's messages: a bridge in a bridge (-ELOOP), lo (-EINVAL), a device already
 * claimed by another master or rx_handler (-EBUSY). */
int  br_add_if(struct netdev *br, struct netdev *dev, struct extack *ext);
int  br_del_if(struct netdev *br, struct netdev *dev);

/* One FDB entry as `bridge fdb show` reports it (Linux fdb_fill_info). */
struct br_fdb_view {
    struct eth_addr addr;
    struct netdev  *dev;        /* the port, or the bridge itself for its own entries */
    struct netdev  *br;
    uint8_t         state;      /* NUD_PERMANENT (local), NUD_NOARP (static),
                                 * NUD_STALE (older than 10 s), NUD_REACHABLE */
};
/* Call fn for every entry of bridge br, in table order. */
void br_fdb_walk(struct netdev *br, void (*fn)(void *arg, const struct br_fdb_view *v), void *arg);

/* `bridge fdb add|replace MAC dev DEV master [permanent|static|dynamic]` (Linux
 * br_fdb_add): dev is a port or the bridge itself (then only permanent); state is the
 * ndm_state iproute2 sends. nlf_excl: add (-EEXIST if present), else replace. */
int  br_fdb_add(struct netdev *dev, const struct eth_addr *addr, unsigned state, bool nlf_excl,
                struct extack *ext);
/* `bridge fdb del MAC dev DEV master` (Linux br_fdb_delete): -ENOENT if no entry for
 * MAC points at DEV. */
int  br_fdb_delete(struct netdev *dev, const struct eth_addr *addr, struct extack *ext);

/* The bridge's counters (for tests and `ip -d link`). */
struct br_counters {
    unsigned fdb_n_learned;         /* learned entries now (Linux fdb_n_learned) */
    unsigned fdb_n_entries;         /* all entries now */
    uint64_t fdb_learn_refused;     /* new stations not learned: the table was full */
    uint64_t fdb_aged;              /* entries removed by ageing */
    uint64_t flood_clone_fail;      /* flood copies not made: no packet header free */
};
bool br_get_counters(const struct netdev *br, struct br_counters *c);

#endif
