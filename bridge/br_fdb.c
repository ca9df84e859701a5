/*
 * bridge/br_fdb.c — the forwarding database (Linux: net/bridge/br_fdb.c).
 *
 * Each entry says behind which port a MAC lives. Learned entries (br_fdb_update) are
 * refreshed by every frame the station sends and removed when none came for
 * ageing_time (br_fdb_cleanup); local entries (the MACs of the bridge and of its ports:
 * frames for them go up the stack) and static ones (`bridge fdb add ... static`) never
 * age. The table is a fixed pool (BR_FDB_POOL) and learning stops at fdb_max_learned,
 * as Linux's fdb_max_learned: a refused station is counted and its frames are flooded.
 */
#include "br_private.h"
#include "net/netlink.h"
#include "arp/neigh.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t br_mac_hash(const struct eth_addr *a) { return eth_addr_hash(a) & (BR_HASH_SIZE - 1); }

static void br_fdb_gc(struct timer *t, void *arg);

int br_fdb_init(struct bridge *br)
{
    br->fdb = calloc(BR_FDB_POOL, sizeof(*br->fdb));
    if (!br->fdb) return -ENOMEM;
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) br->fdb[i].next = i + 1 < BR_FDB_POOL ? i + 1 : BR_FDB_NONE;
    br->fdb_free = 0;
    for (int i = 0; i < BR_HASH_SIZE; i++) br->hash[i] = BR_FDB_NONE;
    timer_init(&br->gc_timer, br_fdb_gc, br);
    return 0;
}

void br_fdb_fini(struct bridge *br)
{
    timer_stop(br->dev->net->st, &br->gc_timer);
    free(br->fdb);
    br->fdb = NULL;
}

struct net_bridge_fdb_entry *br_fdb_find(struct bridge *br, const struct eth_addr *addr)
{
    for (uint32_t i = br->hash[br_mac_hash(addr)]; i != BR_FDB_NONE; i = br->fdb[i].next)
        if (eth_addr_eq(&br->fdb[i].addr, addr)) return &br->fdb[i];
    return NULL;
}

/* Dynamic entries age; of them, the ones the bridge learned itself (not added by the
 * user) count against fdb_max_learned (Linux fdb_n_learned). */
static bool fdb_dynamic(const struct net_bridge_fdb_entry *f) { return !(f->flags & (BR_FDB_LOCAL | BR_FDB_STATIC)); }
static bool fdb_learned(const struct net_bridge_fdb_entry *f) { return !f->flags; }

/* Linux has_expired(): only learned (dynamic) entries age. */
static bool fdb_has_expired(const struct bridge *br, const struct net_bridge_fdb_entry *f, uint64_t now)
{
    return fdb_dynamic(f) && f->updated_us + br->ageing_us <= now;
}

static struct net_bridge_fdb_entry *fdb_create(struct bridge *br, struct br_port *p,
                                               const struct eth_addr *addr, uint8_t flags)
{
    if (br->fdb_free == BR_FDB_NONE) return NULL;
    uint32_t i = br->fdb_free, b = br_mac_hash(addr);
    struct net_bridge_fdb_entry *f = &br->fdb[i];
    br->fdb_free = f->next;
    *f = (struct net_bridge_fdb_entry){ .addr = *addr, .flags = flags, .in_use = true, .dst = p,
                                        .updated_us = br->dev->net->st->now_us, .next = br->hash[b] };
    br->hash[b] = i;
    br->cnt.fdb_n_entries++;
    if (fdb_learned(f)) br->cnt.fdb_n_learned++;
    return f;
}

static void fdb_delete(struct bridge *br, struct net_bridge_fdb_entry *f)
{
    uint32_t i = (uint32_t)(f - br->fdb);
    for (uint32_t *pp = &br->hash[br_mac_hash(&f->addr)]; *pp != BR_FDB_NONE; pp = &br->fdb[*pp].next) {
        if (*pp != i) continue;
        *pp = f->next;
        break;
    }
    if (fdb_learned(f)) br->cnt.fdb_n_learned--;
    br->cnt.fdb_n_entries--;
    *f = (struct net_bridge_fdb_entry){ .next = br->fdb_free };
    br->fdb_free = i;
}

/* Arm the collector for the earliest expiry, if it is not due sooner already. */
static void fdb_gc_schedule(struct bridge *br, uint64_t at_us)
{
    struct timer *t = &br->gc_timer;
    if (!timer_pending(t) || t->expires_us > at_us) timer_arm_at(br->dev->net->st, t, at_us);
}

/* Linux br_fdb_update: a frame from addr came in on p. A known station is refreshed and,
 * if it moved, now points at p (Linux moves static entries too, unless sticky); a local
 * address seen as a source is left alone (Linux warns: "received packet with own
 * address as source address"). A new station is learned while there is room. */
enum br_fdb_learn br_fdb_update(struct bridge *br, struct br_port *p, const struct eth_addr *addr)
{
    uint64_t now = br->dev->net->st->now_us;
    struct net_bridge_fdb_entry *f = br_fdb_find(br, addr);
    if (f) {
        if (f->flags & BR_FDB_LOCAL) return BR_LEARN_OWN;
        bool moved = f->dst != p;
        f->dst = p;
        f->updated_us = now;
        return moved ? BR_LEARN_MOVED : BR_LEARN_REFRESHED;
    }
    if (br->cnt.fdb_n_learned >= br->fdb_max_learned || !(f = fdb_create(br, p, addr, 0))) {
        br->cnt.fdb_learn_refused++;
        return BR_LEARN_REFUSED;
    }
    fdb_gc_schedule(br, now + br->ageing_us);
    return BR_LEARN_NEW;
}

/* Linux br_fdb_cleanup: remove what has expired, come back at the next expiry — but not
 * sooner than BR_GC_MIN_US, so stations learned a moment apart cost one scan of the
 * table, not one each (Linux's delayed work has the same slack). */
#define BR_GC_MIN_US (US_PER_S / 10)
static void br_fdb_gc(struct timer *t, void *arg)
{
    struct bridge *br = arg;
    uint64_t now = br->dev->net->st->now_us, next = UINT64_MAX;
    (void)t;
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) {
        struct net_bridge_fdb_entry *f = &br->fdb[i];
        if (!f->in_use || !fdb_dynamic(f)) continue;
        if (fdb_has_expired(br, f, now)) { fdb_delete(br, f); br->cnt.fdb_aged++; }
        else if (f->updated_us + br->ageing_us < next) next = f->updated_us + br->ageing_us;
    }
    if (next != UINT64_MAX) fdb_gc_schedule(br, next > now + BR_GC_MIN_US ? next : now + BR_GC_MIN_US);
}

/* A new ageing_time applies to the entries there are (Linux br_set_ageing_time
 * reschedules the collector). */
void br_fdb_ageing_changed(struct bridge *br)
{
    timer_stop(br->dev->net->st, &br->gc_timer);
    br_fdb_gc(&br->gc_timer, br);
}

/* Linux fdb_add_local: only a MAC a station can have (a bridge without ports has the
 * zero MAC and no entry for it). */
int br_fdb_insert_local(struct bridge *br, struct br_port *p, const struct eth_addr *addr)
{
    if (eth_is_multicast(addr) || eth_is_zero(addr)) return -EINVAL;
    struct net_bridge_fdb_entry *f = br_fdb_find(br, addr);
    if (f) {
        /* an existing local entry stays (another port or the bridge has the same MAC:
         * the first one keeps it); a learned or static one is replaced by the local one */
        if (f->flags & BR_FDB_LOCAL) return 0;
        fdb_delete(br, f);
    }
    return fdb_create(br, p, addr, BR_FDB_LOCAL | BR_FDB_STATIC) ? 0 : -ENOSPC;
}

/* Linux fdb_delete_local: a local entry that p (or the bridge, p NULL) gives up passes
 * to another port with the same MAC, or to the bridge if it has that MAC; else it goes. */
static void fdb_delete_local(struct bridge *br, const struct br_port *p, struct net_bridge_fdb_entry *f)
{
    for (struct br_port *op = br->ports; op; op = op->next) {
        if (op == p || !eth_addr_eq(&op->dev->addr, &f->addr)) continue;
        f->dst = op;
        f->flags &= (uint8_t)~BR_FDB_ADDED_BY_USER;
        return;
    }
    if (p && eth_addr_eq(&br->dev->addr, &f->addr)) {
        f->dst = NULL;
        f->flags &= (uint8_t)~BR_FDB_ADDED_BY_USER;
        return;
    }
    fdb_delete(br, f);
}

/* Linux br_fdb_delete_by_port: local entries through fdb_delete_local, so a MAC the
 * bridge or another port shares stays local. */
void br_fdb_delete_by_port(struct bridge *br, struct br_port *p, bool do_all)
{
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) {
        struct net_bridge_fdb_entry *f = &br->fdb[i];
        if (!f->in_use || f->dst != p) continue;
        if (!do_all && (f->flags & BR_FDB_STATIC)) continue;
        if (f->flags & BR_FDB_LOCAL) fdb_delete_local(br, p, f);
        else fdb_delete(br, f);
    }
}

/* Linux br_fdb_changeaddr: the port's own entry (unless the user added it) is given up
 * and one for its new MAC made. */
void br_fdb_changeaddr(struct bridge *br, struct br_port *p, const struct eth_addr *addr)
{
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) {
        struct net_bridge_fdb_entry *f = &br->fdb[i];
        if (f->in_use && f->dst == p && (f->flags & BR_FDB_LOCAL) && !(f->flags & BR_FDB_ADDED_BY_USER)) {
            fdb_delete_local(br, p, f);
            break;                      /* no VLANs: one entry per port */
        }
    }
    br_fdb_insert_local(br, p, addr);
}

/* Linux br_fdb_change_mac_address: the bridge's old entry goes if no port owns it (an
 * entry a port owns stays the port's), and one for the new MAC is made. */
void br_fdb_change_mac_address(struct bridge *br, const struct eth_addr *old, const struct eth_addr *addr)
{
    struct net_bridge_fdb_entry *f = br_fdb_find(br, old);
    if (f && (f->flags & BR_FDB_LOCAL) && !f->dst && !(f->flags & BR_FDB_ADDED_BY_USER))
        fdb_delete_local(br, NULL, f);
    br_fdb_insert_local(br, NULL, addr);
}

uint64_t br_fdb_gc_left_us(const struct bridge *br)
{
    uint64_t now = br->dev->net->st->now_us;
    if (!timer_pending(&br->gc_timer) || br->gc_timer.expires_us <= now) return 0;
    return br->gc_timer.expires_us - now;
}

/* Linux fdb_to_nud; NUD_STALE after 10 s without a frame, as Linux's has_expired-less
 * "hold time" check in fdb_fill_info (fdb->updated + 10 * HZ). */
static uint8_t fdb_to_nud(const struct net_bridge_fdb_entry *f, uint64_t now)
{
    if (f->flags & BR_FDB_LOCAL) return NUD_PERMANENT;
    if (f->flags & BR_FDB_STATIC) return NUD_NOARP;
    return f->updated_us + 10 * US_PER_S <= now ? NUD_STALE : NUD_REACHABLE;
}

void br_fdb_walk(struct netdev *br_dev, void (*fn)(void *arg, const struct br_fdb_view *v), void *arg)
{
    struct bridge *br = br_of(br_dev);
    uint64_t now = br_dev->net->st->now_us;
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) {
        const struct net_bridge_fdb_entry *f = &br->fdb[i];
        if (!f->in_use) continue;
        struct br_fdb_view v = { .addr = f->addr, .dev = f->dst ? f->dst->dev : br_dev, .br = br_dev,
                                 .state = fdb_to_nud(f, now) };
        fn(arg, &v);
    }
}

/* Linux __br_fdb_add / fdb_add_entry: the port (or the bridge, which needs permanent),
 * the state iproute2 asked for (NUD_PERMANENT: local; NUD_NOARP: static; else dynamic). */
int br_fdb_add(struct netdev *dev, const struct eth_addr *addr, unsigned state, bool nlf_excl,
               struct extack *ext)
{
    struct br_port *p = br_port_get(dev);
    struct bridge *br = p ? p->br : netif_is_bridge_master(dev) ? br_of(dev) : NULL;
    if (!br) return -EOPNOTSUPP;
    if (!(state & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE))) return -EINVAL;
    if (!p && !(state & NUD_PERMANENT)) {
        NL_SET_ERR_MSG(ext, "FDB entry towards bridge must be permanent");
        return -EINVAL;
    }
    if (eth_is_multicast(addr) || eth_is_zero(addr)) return -EINVAL;   /* no mdb here */
    uint8_t flags = (state & NUD_PERMANENT) ? BR_FDB_LOCAL | BR_FDB_STATIC :
                    (state & NUD_NOARP) ? BR_FDB_STATIC : 0;
    struct net_bridge_fdb_entry *f = br_fdb_find(br, addr);
    if (f && nlf_excl) return -EEXIST;
    if (f) fdb_delete(br, f);           /* replace: the new one takes its place */
    if (!(f = fdb_create(br, p, addr, flags | BR_FDB_ADDED_BY_USER))) return -ENOSPC;
    if (!flags) fdb_gc_schedule(br, f->updated_us + br->ageing_us);
    return 0;
}

int br_fdb_delete(struct netdev *dev, const struct eth_addr *addr, struct extack *ext)
{
    struct br_port *p = br_port_get(dev);
    struct bridge *br = p ? p->br : netif_is_bridge_master(dev) ? br_of(dev) : NULL;
    (void)ext;
    if (!br) return -EOPNOTSUPP;
    struct net_bridge_fdb_entry *f = br_fdb_find(br, addr);
    if (!f || f->dst != p) return -ENOENT;     /* Linux fdb_delete_by_addr_and_port */
    fdb_delete(br, f);
    return 0;
}
