/*
 * arp/neigh.h — the neighbour table and Linux's NUD state machine
 * (net/core/neighbour.c, include/net/neighbour.h).
 *
 * Every transition comes through one of three doors, as in Linux:
 *   neigh_event_send()   a packet wants out      NONE/FAILED -> INCOMPLETE, STALE -> DELAY
 *   neigh_update()       new evidence            ARP received, confirmation, `ip neigh add`
 *   neigh_timer()        a deadline passed       REACHABLE -> DELAY/STALE, DELAY -> REACHABLE/
 *                                                PROBE, INCOMPLETE/PROBE -> FAILED
 * neigh_set_state() is the only writer of nud_state.
 */
#ifndef TS_NEIGH_H
#define TS_NEIGH_H
#include "net/types.h"
#include "net/timer.h"

enum nud {
    NUD_NONE = 0x00, NUD_INCOMPLETE = 0x01, NUD_REACHABLE = 0x02, NUD_STALE = 0x04,
    NUD_DELAY = 0x08, NUD_PROBE = 0x10, NUD_FAILED = 0x20, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80,
};
#define NUD_IN_TIMER  (NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE)
#define NUD_VALID     (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NUD_CONNECTED (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE)

/* neigh_update flags (Linux NEIGH_UPDATE_F_*) */
#define NEIGH_UPDATE_F_OVERRIDE        0x01  /* a different lladdr replaces the cached one */
#define NEIGH_UPDATE_F_WEAK_OVERRIDE   0x02  /* ... only if the entry is not CONNECTED */
#define NEIGH_UPDATE_F_ADMIN           0x80  /* from `ip neigh`: may touch PERMANENT/NOARP */

/* Tunables: one set per device plus "default" (net.ipv4.neigh.{DEV,default}.*). Times ms. */
enum neigh_var {
    NEIGH_VAR_MCAST_PROBES, NEIGH_VAR_UCAST_PROBES, NEIGH_VAR_APP_PROBES, NEIGH_VAR_MCAST_REPROBES,
    NEIGH_VAR_RETRANS_TIME, NEIGH_VAR_BASE_REACHABLE_TIME, NEIGH_VAR_DELAY_PROBE_TIME,
    NEIGH_VAR_GC_STALETIME, NEIGH_VAR_QUEUE_LEN, NEIGH_VAR_QUEUE_LEN_BYTES, NEIGH_VAR_LOCKTIME,
    NEIGH_VAR_MAX
};
struct neigh_parms {
    struct neigh_parms *next;
    struct netdev *dev;                 /* NULL: the default set */
    int  data[NEIGH_VAR_MAX];
    uint32_t data_set;                  /* bit i: set explicitly for this device */
    int  reachable_time;                /* ms: random in [0.5, 1.5) x base */
};
#define NEIGH_VAR(p, v) ((p)->data[NEIGH_VAR_##v])

struct neigh_table;
struct neigh {
    struct neigh       *next;           /* hash chain */
    struct neigh_table *tbl;
    struct netdev      *dev;
    struct neigh_parms *parms;
    uint32_t            key;            /* IPv4 address, host order */
    struct eth_addr     ha;
    uint8_t             nud_state;
    uint8_t             flags;
    bool                dead;
    unsigned            refcnt;         /* in use across a call that may force GC */
    uint32_t            probes;         /* as Linux: counts solicitations in this round */
    uint64_t            probes_sent;    /* all solicitations ever sent for this entry */
    uint64_t            confirmed, updated, used, created;  /* us */
    struct timer        timer;
    struct pkt         *arp_queue, *arp_queue_tail;
    unsigned            arp_queue_len, arp_queue_bytes;
};

/* What the table needs from the protocol that uses it (ARP). */
struct neigh_ops {
    void (*solicit)(struct neigh *n, struct pkt *p);    /* send a request */
    void (*error_report)(struct neigh *n, struct pkt *p);/* resolution failed for queued p */
};

struct neigh_table {
    struct net        *net;
    const struct neigh_ops *ops;
    struct neigh     **hash;
    unsigned           hash_mask;
    unsigned           entries;
    struct neigh_parms parms;           /* default */
    int                gc_thresh1, gc_thresh2, gc_thresh3, gc_interval; /* gc_interval ms */
    uint64_t           last_flush, last_rand;
    struct timer       gc_timer;        /* neigh_periodic_work */
    /* statistics (Linux: /proc/net/stat/arp_cache) */
    uint64_t           allocs, destroys, lookups, hits, res_failed, forced_gc_runs,
                       periodic_gc_runs, table_fulls, unres_discards;
};

struct neigh_table *neigh_table_new(struct net *net, const struct neigh_ops *ops);
void neigh_table_free(struct neigh_table *tbl);
void neigh_parms_init_dev(struct neigh_table *tbl, struct netdev *dev);   /* per-device copy */
void neigh_parms_release_dev(struct neigh_table *tbl, struct netdev *dev);
/* A newly set default propagates to devices that have not set their own. */
void neigh_parms_default_changed(struct neigh_table *tbl, enum neigh_var v);
int  neigh_rand_reach_time(struct neigh_table *tbl, int base_ms);

struct neigh *neigh_lookup(struct neigh_table *tbl, uint32_t key, const struct netdev *dev);
/* Lookup or create (may force garbage collection; NULL when the table is full). */
struct neigh *neigh_create(struct neigh_table *tbl, uint32_t key, struct netdev *dev);
void neigh_destroy(struct neigh *n);

/* Output through the entry: transmit now when the state allows it, else queue (or drop,
 * counted) and start or continue resolution. Consumes p. Returns 0 sent, 1 queued, <0 dropped. */
int  neigh_output(struct neigh *n, struct pkt *p);
int  neigh_event_send(struct neigh *n, struct pkt *p);
int  neigh_update(struct neigh *n, const struct eth_addr *lladdr, uint8_t new_state, unsigned flags);
/* An upper layer saw forward progress (TCP ACK of new data): Linux dst_confirm_neigh. */
void neigh_confirm(struct neigh *n);
/* Confirm by address (for callers that hold no entry). */
void neigh_confirm_addr(struct net *net, struct netdev *dev, uint32_t key);
/* Remove entries of dev (link down / flush); permanent ones survive unless all. */
void neigh_flush_dev(struct neigh_table *tbl, struct netdev *dev, bool all);
/* Visit entries in a stable order (by device, then address). */
void neigh_for_each(struct neigh_table *tbl, void (*fn)(struct neigh *n, void *arg), void *arg);

const char *nud_state_name(uint8_t state);
/* When the entry's timer next fires, and to which state it would lead (for `ip -s neigh`). */
bool neigh_next_transition(const struct neigh *n, uint64_t *at_us, const char **what);

#endif
