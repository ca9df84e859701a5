/*
 * arp/neigh.c — neighbour table and NUD state machine, after Linux net/core/neighbour.c.
 *
 * Ownership: the table owns its entries; an entry owns the packets in its arp_queue.
 * Entries are never freed while a caller holds them across a call into the table:
 * neigh_output/neigh_update may free *other* entries (forced GC) but never their own.
 * Times: the stack clock in microseconds; tunables in milliseconds.
 */
#include "neigh.h"
#include "arp.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/eth.h"
#include "net/trace.h"
#include <errno.h>
#include <stdlib.h>

#define MS(x) ((uint64_t)(x) * US_PER_MS)

static const char *const nud_names[] = {
    "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT",
};

const char *nud_state_name(uint8_t state)
{
    if (!state) return "NONE";
    for (int i = 0; i < 8; i++) if (state & (1u << i)) return nud_names[i];
    return "?";
}

static struct stack *tbl_st(const struct neigh_table *tbl) { return tbl->net->st; }
static uint64_t now_us(const struct neigh_table *tbl) { return tbl->net->st->now_us; }

/* Linux neigh_rand_reach_time: uniformly in [base/2, 3*base/2) so that hosts sharing a
 * link do not all re-probe in lockstep (RFC 4861 §6.3.2 gives the same rule for ND). */
int neigh_rand_reach_time(struct neigh_table *tbl, int base_ms)
{
    if (base_ms <= 0) return 0;
    return (int)(stack_rand32(tbl_st(tbl)) % (uint32_t)base_ms) + (base_ms >> 1);
}

static void neigh_defaults(struct neigh_parms *p)
{
    /* Linux arp_tbl.parms (net/ipv4/arp.c) */
    p->data[NEIGH_VAR_MCAST_PROBES] = 3;
    p->data[NEIGH_VAR_UCAST_PROBES] = 3;
    p->data[NEIGH_VAR_APP_PROBES] = 0;
    p->data[NEIGH_VAR_MCAST_REPROBES] = 0;
    p->data[NEIGH_VAR_RETRANS_TIME] = 1000;
    p->data[NEIGH_VAR_BASE_REACHABLE_TIME] = 30000;
    p->data[NEIGH_VAR_DELAY_PROBE_TIME] = 5000;
    p->data[NEIGH_VAR_GC_STALETIME] = 60000;
    p->data[NEIGH_VAR_QUEUE_LEN] = 101;        /* what unres_qlen shows for 212992 bytes */
    p->data[NEIGH_VAR_QUEUE_LEN_BYTES] = 212992;
    p->data[NEIGH_VAR_LOCKTIME] = 1000;
}

static void neigh_periodic_work(struct timer *t, void *arg);

struct neigh_table *neigh_table_new(struct net *net, const struct neigh_ops *ops)
{
    struct neigh_table *tbl = calloc(1, sizeof(*tbl));
    if (!tbl) return NULL;
    tbl->hash_mask = 255;
    tbl->hash = calloc(tbl->hash_mask + 1, sizeof(*tbl->hash));
    if (!tbl->hash) { free(tbl); return NULL; }
    tbl->net = net;
    tbl->ops = ops;
    neigh_defaults(&tbl->parms);
    tbl->parms.reachable_time = neigh_rand_reach_time(tbl, NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME));
    tbl->gc_thresh1 = 128;
    tbl->gc_thresh2 = 512;
    tbl->gc_thresh3 = 1024;
    tbl->gc_interval = 30000;
    tbl->last_flush = tbl->last_rand = now_us(tbl);
    timer_init(&tbl->gc_timer, neigh_periodic_work, tbl);
    timer_arm_in(tbl_st(tbl), &tbl->gc_timer, MS(NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME)) / 2);
    return tbl;
}

static void neigh_free_entry(struct neigh *n);

void neigh_table_free(struct neigh_table *tbl)
{
    if (!tbl) return;
    for (unsigned i = 0; i <= tbl->hash_mask; i++)
        while (tbl->hash[i]) {
            struct neigh *n = tbl->hash[i];
            tbl->hash[i] = n->next;
            neigh_free_entry(n);
        }
    timer_stop(tbl_st(tbl), &tbl->gc_timer);
    struct neigh_parms *p = tbl->parms.next;
    while (p) { struct neigh_parms *nx = p->next; free(p); p = nx; }
    free(tbl->hash);
    free(tbl);
}

void neigh_parms_init_dev(struct neigh_table *tbl, struct netdev *dev)
{
    struct neigh_parms *p = calloc(1, sizeof(*p));
    if (!p) return;
    *p = tbl->parms;
    p->dev = dev;
    p->data_set = 0;
    p->reachable_time = neigh_rand_reach_time(tbl, NEIGH_VAR(p, BASE_REACHABLE_TIME));
    p->next = tbl->parms.next;
    tbl->parms.next = p;
    dev->arp_parms = p;
}

void neigh_parms_release_dev(struct neigh_table *tbl, struct netdev *dev)
{
    for (struct neigh_parms **pp = &tbl->parms.next; *pp; pp = &(*pp)->next)
        if (*pp == dev->arp_parms) {
            struct neigh_parms *p = *pp;
            *pp = p->next;
            free(p);
            break;
        }
    dev->arp_parms = NULL;
}

void neigh_parms_default_changed(struct neigh_table *tbl, enum neigh_var v)
{
    /* Linux neigh_copy_dflt_parms: devices that never set v follow the default. */
    for (struct neigh_parms *p = tbl->parms.next; p; p = p->next)
        if (!(p->data_set & (1u << v))) {
            p->data[v] = tbl->parms.data[v];
            if (v == NEIGH_VAR_BASE_REACHABLE_TIME)
                p->reachable_time = neigh_rand_reach_time(tbl, p->data[v]);
        }
    if (v == NEIGH_VAR_BASE_REACHABLE_TIME)
        tbl->parms.reachable_time = neigh_rand_reach_time(tbl, tbl->parms.data[v]);
}

static unsigned neigh_hash(const struct neigh_table *tbl, uint32_t key, const struct netdev *dev)
{
    uint32_t h = key * 0x9e3779b1u ^ (uint32_t)dev->ifindex * 0x85ebca6bu;
    return (h ^ (h >> 16)) & tbl->hash_mask;
}

struct neigh *neigh_lookup(struct neigh_table *tbl, uint32_t key, const struct netdev *dev)
{
    tbl->lookups++;
    for (struct neigh *n = tbl->hash[neigh_hash(tbl, key, dev)]; n; n = n->next)
        if (n->key == key && n->dev == dev) { tbl->hits++; return n; }
    return NULL;
}

static void neigh_timer(struct timer *t, void *arg);

static void neigh_purge_queue(struct neigh *n)
{
    while (n->arp_queue) {
        struct pkt *p = n->arp_queue;
        n->arp_queue = p->next;
        pkt_drop(n->tbl->net, p, DROP_NEIGH_DEAD);
    }
    n->arp_queue_tail = NULL;
    n->arp_queue_len = n->arp_queue_bytes = 0;
}

static void neigh_free_entry(struct neigh *n)
{
    timer_stop(tbl_st(n->tbl), &n->timer);
    neigh_purge_queue(n);
    n->tbl->destroys++;
    rt_cache_flush(n->tbl->net);        /* a socket may have cached it (ip/dst.h) */
    free(n);
}

static void neigh_unlink(struct neigh *n)
{
    struct neigh_table *tbl = n->tbl;
    for (struct neigh **pp = &tbl->hash[neigh_hash(tbl, n->key, n->dev)]; *pp; pp = &(*pp)->next)
        if (*pp == n) { *pp = n->next; tbl->entries--; return; }
}

void neigh_destroy(struct neigh *n)
{
    neigh_unlink(n);
    neigh_free_entry(n);
}

/*
 * Linux neigh_forced_gc: when the table is at gc_thresh3, or at gc_thresh2 and the last
 * flush is more than 5 s old, evict entries nobody is waiting on — FAILED, STALE, NONE,
 * never PERMANENT/NOARP, never one with queued packets or a probe in flight — least
 * recently used first, down to gc_thresh2. Returns how many were evicted.
 */
static int neigh_forced_gc(struct neigh_table *tbl, struct neigh *keep)
{
    int shrunk = 0;
    int target = (int)tbl->entries - tbl->gc_thresh2;
    tbl->forced_gc_runs++;
    while (target > 0) {
        struct neigh *victim = NULL;
        for (unsigned i = 0; i <= tbl->hash_mask; i++)
            for (struct neigh *n = tbl->hash[i]; n; n = n->next) {
                if (n == keep || n->arp_queue || n->refcnt) continue;
                if (n->nud_state & (NUD_PERMANENT | NUD_NOARP | NUD_IN_TIMER)) continue;
                /* Linux spares what changed in the last 5 s, unless it has FAILED */
                if (n->nud_state != NUD_FAILED && n->updated + 5 * US_PER_S > now_us(tbl)) continue;
                if (!victim || n->used < victim->used) victim = n;
            }
        if (!victim) break;
        neigh_destroy(victim);
        shrunk++; target--;
    }
    tbl->last_flush = now_us(tbl);
    return shrunk;
}

struct neigh *neigh_create(struct neigh_table *tbl, uint32_t key, struct netdev *dev)
{
    struct neigh *n = neigh_lookup(tbl, key, dev);
    if (n) return n;
    uint64_t now = now_us(tbl);
    if ((int)tbl->entries >= tbl->gc_thresh3 ||
        ((int)tbl->entries >= tbl->gc_thresh2 && now > tbl->last_flush + 5 * US_PER_S)) {
        if (!neigh_forced_gc(tbl, NULL) && (int)tbl->entries >= tbl->gc_thresh3) {
            /* gc_thresh3 is a hard cap: refuse and count ("neighbour table overflow"). */
            tbl->table_fulls++;
            mib_inc(tbl->net, MIB_ArpTableFull);
            return NULL;
        }
    }
    n = calloc(1, sizeof(*n));
    if (!n) return NULL;
    n->tbl = tbl;
    n->dev = dev;
    n->parms = dev->arp_parms ? dev->arp_parms : &tbl->parms;
    n->key = key;
    n->nud_state = NUD_NONE;
    n->created = n->updated = n->used = now;
    /* Never confirmed: make "confirmed" look old, as neigh_alloc does. */
    n->confirmed = now > MS(NEIGH_VAR(n->parms, BASE_REACHABLE_TIME)) * 2
                 ? now - MS(NEIGH_VAR(n->parms, BASE_REACHABLE_TIME)) * 2 : 0;
    timer_init(&n->timer, neigh_timer, n);
    if (dev->flags & (IFF_NOARP | IFF_LOOPBACK)) {
        n->nud_state = NUD_NOARP;
        n->ha = dev->addr;
    }
    unsigned h = neigh_hash(tbl, key, dev);
    n->next = tbl->hash[h];
    tbl->hash[h] = n;
    tbl->entries++;
    tbl->allocs++;
    rt_cache_flush(tbl->net);
    return n;
}

/* The only writer of nud_state: moves the timer with the state. */
static void neigh_set_state(struct neigh *n, uint8_t state, uint64_t deadline)
{
    n->nud_state = state;
    if (state & NUD_IN_TIMER) timer_arm_at(tbl_st(n->tbl), &n->timer, deadline);
    else                      timer_stop(tbl_st(n->tbl), &n->timer);
}

static int neigh_max_probes(const struct neigh *n)
{
    const struct neigh_parms *p = n->parms;
    int max = NEIGH_VAR(p, UCAST_PROBES) + NEIGH_VAR(p, APP_PROBES);
    max += (n->nud_state & NUD_PROBE) ? NEIGH_VAR(p, MCAST_REPROBES) : NEIGH_VAR(p, MCAST_PROBES);
    return max;
}

static void neigh_probe(struct neigh *n)
{
    n->tbl->ops->solicit(n, n->arp_queue_tail);
    n->probes++;
    n->probes_sent++;
}

static struct pkt *neigh_dequeue(struct neigh *n)
{
    struct pkt *p = n->arp_queue;
    if (!p) return NULL;
    n->arp_queue = p->next;
    if (!n->arp_queue) n->arp_queue_tail = NULL;
    n->arp_queue_len--;
    n->arp_queue_bytes -= p->len;
    p->next = NULL;
    return p;
}

/* Resolution failed: every queued packet gets an error report (ICMP host unreachable
 * back to its sender), as neigh_invalidate does. The report itself (an ICMP error to a
 * sender behind this same neighbour) may restart resolution and queue anew: then stop
 * and purge what is left, as Linux does (it loops only while the state is FAILED). */
static void neigh_invalidate(struct neigh *n)
{
    n->tbl->res_failed++;
    n->updated = now_us(n->tbl);
    struct pkt *p;
    n->refcnt++;        /* the report may create entries and force GC: not this one */
    while (n->nud_state == NUD_FAILED && (p = neigh_dequeue(n))) {
        if (n->tbl->ops->error_report) n->tbl->ops->error_report(n, p);
        pkt_drop(n->tbl->net, p, DROP_NEIGH_FAILED);
    }
    while ((p = neigh_dequeue(n))) pkt_drop(n->tbl->net, p, DROP_NEIGH_FAILED);
    n->refcnt--;
}

static void neigh_timer(struct timer *t, void *arg)
{
    (void)t;
    struct neigh *n = arg;
    struct neigh_parms *p = n->parms;
    uint64_t now = now_us(n->tbl);
    uint64_t next = now + US_PER_S;
    uint8_t state = n->nud_state;

    if (!(state & NUD_IN_TIMER)) return;
    if (state & NUD_REACHABLE) {
        if (now < n->confirmed + MS(p->reachable_time)) {
            next = n->confirmed + MS(p->reachable_time);        /* confirmed meanwhile */
        } else if (now <= n->used + MS(NEIGH_VAR(p, DELAY_PROBE_TIME))) {
            /* used recently: give upper layers delay_first_probe_time to confirm */
            state = NUD_DELAY;
            n->updated = now;
            next = now + MS(NEIGH_VAR(p, DELAY_PROBE_TIME));
        } else {
            state = NUD_STALE;
            n->updated = now;
        }
    } else if (state & NUD_DELAY) {
        if (now <= n->confirmed + MS(NEIGH_VAR(p, DELAY_PROBE_TIME))) {
            state = NUD_REACHABLE;                             /* an upper layer confirmed */
            n->updated = now;
            next = n->confirmed + MS(p->reachable_time);
        } else {
            state = NUD_PROBE;
            n->updated = now;
            n->probes = 0;
            next = now + MS(MAX(NEIGH_VAR(p, RETRANS_TIME), 10));
        }
    } else {
        /* INCOMPLETE or PROBE: the next solicitation */
        next = now + MS(MAX(NEIGH_VAR(p, RETRANS_TIME), 10));
    }
    if ((state & (NUD_INCOMPLETE | NUD_PROBE)) && (int)n->probes >= neigh_max_probes(n)) {
        if (state == NUD_PROBE && NEIGH_VAR(p, MCAST_REPROBES)) {
            neigh_set_state(n, NUD_INCOMPLETE, next);
        } else {
            neigh_set_state(n, NUD_FAILED, 0);
            neigh_invalidate(n);
            return;
        }
    } else {
        if (next < now + 10 * US_PER_MS) next = now + 10 * US_PER_MS;
        neigh_set_state(n, state, next);
    }
    if (n->nud_state & (NUD_INCOMPLETE | NUD_PROBE)) neigh_probe(n);
}

int neigh_event_send(struct neigh *n, struct pkt *p)
{
    struct neigh_parms *parms = n->parms;
    uint64_t now = now_us(n->tbl);
    bool immediate_probe = false;

    n->used = now;
    if (n->nud_state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return 0;
    if (n->dead) { if (p) pkt_drop(n->tbl->net, p, DROP_NEIGH_DEAD); return -1; }

    if (!(n->nud_state & (NUD_STALE | NUD_INCOMPLETE))) {
        if (NEIGH_VAR(parms, MCAST_PROBES) + NEIGH_VAR(parms, APP_PROBES)) {
            /* probes starts at ucast_solicit so that arp_solicit broadcasts (no lladdr yet) */
            n->probes = (uint32_t)NEIGH_VAR(parms, UCAST_PROBES);
            n->updated = now;
            neigh_set_state(n, NUD_INCOMPLETE, now + MS(MAX(NEIGH_VAR(parms, RETRANS_TIME), 10)));
            immediate_probe = true;
        } else {
            neigh_set_state(n, NUD_FAILED, 0);
            n->updated = now;
            if (p) pkt_drop(n->tbl->net, p, DROP_NEIGH_FAILED);
            return -1;
        }
    } else if (n->nud_state & NUD_STALE) {
        /* A packet used a STALE entry: it goes out, and we wait for a confirmation. */
        n->updated = now;
        neigh_set_state(n, NUD_DELAY, now + MS(NEIGH_VAR(parms, DELAY_PROBE_TIME)));
        return 0;
    }

    if (n->nud_state == NUD_INCOMPLETE) {
        if (p) {
            /* RFC 1122 §2.3.2.2: keep at least the latest packet; drop the oldest when the
             * queue (unres_qlen packets / unres_qlen_bytes) is full. */
            while (n->arp_queue &&
                   (n->arp_queue_len + 1 > (unsigned)NEIGH_VAR(parms, QUEUE_LEN) ||
                    n->arp_queue_bytes + p->len > (unsigned)NEIGH_VAR(parms, QUEUE_LEN_BYTES))) {
                struct pkt *old = neigh_dequeue(n);
                n->tbl->unres_discards++;
                mib_inc(n->tbl->net, MIB_ArpUnresDiscards);
                pkt_drop(n->tbl->net, old, DROP_NEIGH_QUEUEFULL);
            }
            if ((unsigned)NEIGH_VAR(parms, QUEUE_LEN) == 0) {
                n->tbl->unres_discards++;
                mib_inc(n->tbl->net, MIB_ArpUnresDiscards);
                pkt_drop(n->tbl->net, p, DROP_NEIGH_QUEUEFULL);
            } else {
                TRACEF(p, "neigh_output", "__neigh_event_send", "queued INCOMPLETE");
                p->next = NULL;
                if (n->arp_queue_tail) n->arp_queue_tail->next = p; else n->arp_queue = p;
                n->arp_queue_tail = p;
                n->arp_queue_len++;
                n->arp_queue_bytes += p->len;
            }
        }
        if (immediate_probe) neigh_probe(n);
        return 1;
    }
    if (immediate_probe) neigh_probe(n);
    return 0;
}

static int neigh_xmit(struct neigh *n, struct pkt *p)
{
    TRACEF(p, "neigh_output", NULL, "%s", nud_state_name(n->nud_state));
    if (eth_header(p, &n->ha, &n->dev->addr, p->protocol ? p->protocol : ETH_P_IP) < 0) {
        pkt_drop(n->tbl->net, p, DROP_NOMEM);
        return -1;
    }
    return dev_queue_xmit(n->dev, p);
}

int neigh_output(struct neigh *n, struct pkt *p)
{
    int rc = neigh_event_send(n, p);
    if (rc != 0) return rc;               /* queued or dropped */
    return neigh_xmit(n, p) < 0 ? -1 : 0;
}

int neigh_update(struct neigh *n, const struct eth_addr *lladdr, uint8_t new_state, unsigned flags)
{
    uint8_t old = n->nud_state;
    uint64_t now = now_us(n->tbl);
    struct eth_addr newha;
    bool ha_changed = false;

    if (!(flags & NEIGH_UPDATE_F_ADMIN) && (old & (NUD_NOARP | NUD_PERMANENT))) return -EPERM;
    if (n->dead) return -ENOENT;

    if (!(new_state & NUD_VALID)) {
        neigh_set_state(n, new_state, 0);
        if ((old & (NUD_INCOMPLETE | NUD_PROBE)) && (new_state & NUD_FAILED)) neigh_invalidate(n);
        return 0;
    }
    /* Compare the proposed address with the cached one. */
    if (lladdr) {
        newha = *lladdr;
        ha_changed = !((old & NUD_VALID) && eth_addr_eq(lladdr, &n->ha));
    } else {
        if (!(old & NUD_VALID)) return -EINVAL;   /* nothing known and nothing supplied */
        newha = n->ha;
    }
    /* Any ARP from the neighbour confirms it, even with the binding unchanged. */
    if (new_state & NUD_CONNECTED) n->confirmed = now;

    if (old & NUD_VALID) {
        if (ha_changed && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
            if ((flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) && (old & NUD_CONNECTED)) {
                newha = n->ha; ha_changed = false;
                new_state = NUD_STALE;
            } else {
                return 0;                   /* locked: keep the first answer */
            }
        } else if (!ha_changed && new_state == NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN)) {
            /* Same address announced again (a request from it): don't demote. */
            new_state = old;
        }
    }
    /* Move "updated" only for real changes, or noop updates would slide the locktime window. */
    if (new_state != old || ha_changed) n->updated = now;
    if (new_state != old) {
        if (new_state & NUD_PROBE) n->probes = 0;
        neigh_set_state(n, new_state,
                        now + ((new_state & NUD_REACHABLE) ? MS(n->parms->reachable_time) : 0));
    }
    if (ha_changed) {
        n->ha = newha;
        rt_cache_flush(n->tbl->net);
        if (!(new_state & NUD_CONNECTED))
            n->confirmed = now > MS(NEIGH_VAR(n->parms, BASE_REACHABLE_TIME)) * 2
                         ? now - MS(NEIGH_VAR(n->parms, BASE_REACHABLE_TIME)) * 2 : 0;
    }
    if (new_state == old) return 0;
    if (!(old & NUD_VALID)) {
        /* Resolved: send what was waiting, in order. */
        struct pkt *q = n->arp_queue;
        n->arp_queue = n->arp_queue_tail = NULL;
        n->arp_queue_len = n->arp_queue_bytes = 0;
        n->refcnt++;                     /* forced GC must not free us meanwhile */
        while (q) {
            struct pkt *p = q;
            q = q->next;
            p->next = NULL;
            /* through the entry's output, as Linux's n->output: a STALE entry moves
             * to DELAY when the first waiting packet uses it */
            neigh_output(n, p);
        }
        n->refcnt--;
    }
    return 0;
}

void neigh_confirm(struct neigh *n)
{
    uint64_t now = now_us(n->tbl);
    if (n->confirmed != now) n->confirmed = now;
}

void neigh_confirm_addr(struct net *net, struct netdev *dev, uint32_t key)
{
    struct neigh *n = neigh_lookup(arp_table(net), key, dev);
    if (n) neigh_confirm(n);
}

void neigh_flush_dev(struct neigh_table *tbl, struct netdev *dev, bool all)
{
    for (unsigned i = 0; i <= tbl->hash_mask; i++)
        for (struct neigh **pp = &tbl->hash[i]; *pp;) {
            struct neigh *n = *pp;
            if ((!dev || n->dev == dev) && (all || !(n->nud_state & NUD_PERMANENT))) {
                *pp = n->next;
                tbl->entries--;
                n->dead = true;
                neigh_free_entry(n);
            } else pp = &n->next;
        }
}

/*
 * Linux neigh_periodic_work: re-draw reachable_time every 300 s; below gc_thresh1 do
 * nothing else; otherwise remove entries that are FAILED or unused for gc_stale_time.
 */
static void neigh_periodic_work(struct timer *t, void *arg)
{
    (void)t;
    struct neigh_table *tbl = arg;
    uint64_t now = now_us(tbl);
    tbl->periodic_gc_runs++;
    if (now >= tbl->last_rand + 300 * US_PER_S) {
        tbl->last_rand = now;
        tbl->parms.reachable_time = neigh_rand_reach_time(tbl, NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME));
        for (struct neigh_parms *p = tbl->parms.next; p; p = p->next)
            p->reachable_time = neigh_rand_reach_time(tbl, NEIGH_VAR(p, BASE_REACHABLE_TIME));
    }
    if ((int)tbl->entries >= tbl->gc_thresh1) {
        for (unsigned i = 0; i <= tbl->hash_mask; i++)
            for (struct neigh **pp = &tbl->hash[i]; *pp;) {
                struct neigh *n = *pp;
                bool gone = false;
                /* a confirmation counts as use (neigh_periodic_work) */
                if (n->used < n->confirmed && n->confirmed <= now) n->used = n->confirmed;
                if (!(n->nud_state & (NUD_PERMANENT | NUD_IN_TIMER | NUD_NOARP)) && !n->arp_queue && !n->refcnt) {
                    if (n->nud_state == NUD_FAILED ||
                        now > n->used + MS(NEIGH_VAR(n->parms, GC_STALETIME)))
                        gone = true;
                }
                if (gone) {
                    *pp = n->next;
                    tbl->entries--;
                    n->dead = true;
                    neigh_free_entry(n);
                } else pp = &n->next;
            }
    }
    /* Linux: cycle through all hash buckets every base_reachable_time/2 ticks. */
    timer_arm_in(tbl_st(tbl), &tbl->gc_timer, MS(NEIGH_VAR(&tbl->parms, BASE_REACHABLE_TIME)) / 2 + 1);
}

static int cmp_neigh(const void *a, const void *b)
{
    const struct neigh *x = *(struct neigh *const *)a, *y = *(struct neigh *const *)b;
    if (x->dev->ifindex != y->dev->ifindex) return x->dev->ifindex - y->dev->ifindex;
    return x->key < y->key ? -1 : x->key > y->key;
}

void neigh_for_each(struct neigh_table *tbl, void (*fn)(struct neigh *n, void *arg), void *arg)
{
    if (!tbl->entries) return;
    struct neigh **v = malloc(tbl->entries * sizeof(*v));
    if (!v) return;
    unsigned k = 0;
    for (unsigned i = 0; i <= tbl->hash_mask; i++)
        for (struct neigh *n = tbl->hash[i]; n && k < tbl->entries; n = n->next) v[k++] = n;
    qsort(v, k, sizeof(*v), cmp_neigh);
    for (unsigned i = 0; i < k; i++) fn(v[i], arg);
    free(v);
}

bool neigh_next_transition(const struct neigh *n, uint64_t *at_us, const char **what)
{
    if (!timer_pending(&n->timer)) return false;
    *at_us = n->timer.expires_us;
    const struct neigh_parms *p = n->parms;
    switch (n->nud_state) {
    case NUD_REACHABLE:
        *what = n->used + MS(NEIGH_VAR(p, DELAY_PROBE_TIME)) >= n->timer.expires_us ? "DELAY" : "STALE";
        break;
    case NUD_DELAY:
        /* confirmed since entering DELAY: back to REACHABLE at the deadline */
        *what = n->timer.expires_us <= n->confirmed + MS(NEIGH_VAR(p, DELAY_PROBE_TIME)) ? "REACHABLE" : "PROBE";
        break;
    case NUD_INCOMPLETE:
    case NUD_PROBE:
        *what = (int)n->probes >= neigh_max_probes(n) ? "FAILED" : "probe";
        break;
    default: *what = "?";
    }
    return true;
}
