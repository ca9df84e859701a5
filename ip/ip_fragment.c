/*
 * ip/ip_fragment.c — IPv4 reassembly (RFC 791 §3.2, RFC 1122 §3.3.2, RFC 815), after
 * Linux net/ipv4/ip_fragment.c and net/ipv4/inet_fragment.c. Output fragmentation
 * (ip_fragment) lives elsewhere.
 *
 * Ownership: ip_defrag() owns the fragment it is given. It returns either a newly
 * allocated datagram (then every fragment of it, the given one included, has been freed)
 * or NULL: the fragment is now held by a queue, or it was dropped with a reason.
 * Held fragments are the pkts themselves, linked through p->next in offset order, never
 * overlapping, each with data and nh_off at its IP header and p->len == tot_len, so their
 * offset and length are read back from their own header. While held, p->dev and
 * p->dst.dev are NULL: a device can be unregistered during the 30 s a fragment waits, and
 * p->iif names it (as Linux keeps qp->iif and looks the device up again in ip_expire).
 * Nothing here re-enters ip_defrag; the only call out is icmp_send() from the timer,
 * which does not consume the packet.
 *
 * The rules, each as Linux:
 *  - A queue is keyed by (saddr, daddr, id, protocol) (RFC 791 §3.2). It lives
 *    ipfrag_time from the fragment that created it; being reset for "too far" (below)
 *    re-arms it, as ip_frag_reinit's mod_timer does.
 *  - On timeout: IpReasmFails and IpReasmTimeout, and, when fragment zero has been
 *    received, ICMP time exceeded code 1 about it (RFC 1122 §3.3.2, RFC 792).
 *  - Memory: each held fragment costs p->len + sizeof(struct pkt). A fragment that would
 *    take the namespace over ipfrag_high_thresh is refused (DROP_FRAG_MEM, IpReasmFails):
 *    since 4.17 Linux no longer evicts old queues (an attacker could flush them) and
 *    ipfrag_low_thresh is unused. Queues are also capped in number (IPQ_MAX_QUEUES).
 *  - Overlaps (RFC 5722 §4 with Errata 3089, applied to IPv4 by Linux in 2018, "ip:
 *    discard IPv4 datagrams with overlapping segments"): a fragment whose bytes all lie
 *    inside a run of contiguous held fragments is a duplicate and dropped alone; any other
 *    overlap discards the whole datagram. Linux's inet_frag_queue_insert draws the line
 *    the same way (IPFRAG_DUP inside a run, IPFRAG_OVERLAP otherwise).
 *  - Consistency (ip_frag_queue): a second last fragment with a different end, data past
 *    the end a last fragment set, an empty fragment, or a datagram that would exceed
 *    65535 bytes ("Oversized IP packet") discard the whole datagram (DROP_FRAG_BAD).
 *  - ipfrag_max_dist (ip_frag_too_far): each source has a counter of fragments received
 *    (Linux: inet_peer.rid); a queue that saw more than max_dist of them go by since its
 *    own last fragment is reset (DROP_FRAG_TOO_FAR, IpReasmFails) before the new fragment
 *    goes in: with a fast sender, a fragment that old belongs to a datagram that will
 *    never complete, or worse, to an earlier use of the same IP ID.
 *  - ECN (RFC 3168 §5.3, ip_frag_ecn_table): CE on any fragment marks the datagram CE;
 *    mixing Not-ECT with ECT/CE fragments discards it.
 *  - The reassembled header carries DF only if the largest fragment had it (ip_frag_reasm:
 *    forwarding must not send a DF datagram larger than what the sender emitted).
 *
 * Departure from Linux: a fragment with MF set whose payload is not a multiple of 8
 * octets is dropped (DROP_FRAG_BAD) instead of trimmed to one. RFC 791 §3.2 requires the
 * multiple, so such a fragment was not made by a conforming sender, and trimming would
 * only pass damaged data up.
 */
#include "ip/ip.h"
#include "icmp/icmp.h"
#include "net/csum.h"
#include "net/netdev.h"
#include "net/stack.h"
#include "net/trace.h"
#include "net/sysctl.h"
#include <errno.h>
#include <stdlib.h>

#define IPQ_HASHSZ     1024     /* buckets; a power of two */
#define IPQ_MAX_QUEUES 4096     /* queues per namespace */
#define IPFRAG_PEERS   256      /* sources whose fragment counters we remember */

#define IPQ_FIRST_IN 0x1        /* fragment zero is held */
#define IPQ_LAST_IN  0x2        /* the fragment without MF came: len is the datagram's end */

/* ECN codepoints seen on the fragments, one bit each (Linux IPFRAG_ECN_*). */
#define IPFRAG_ECN_NOT_ECT 0x01
#define IPFRAG_ECN_ECT_1   0x02
#define IPFRAG_ECN_ECT_0   0x04
#define IPFRAG_ECN_CE      0x08
#define INET_ECN_CE        3
#define IPFRAG_ECN_INVALID 0xff

/* What to OR into the reassembled TOS for each set of codepoints seen (Linux
 * ip_frag_ecn_table, RFC 3168 §5.3); IPFRAG_ECN_INVALID discards the datagram. */
static const uint8_t ip_frag_ecn_table[16] = {
    [IPFRAG_ECN_CE | IPFRAG_ECN_ECT_0]                                       = INET_ECN_CE,
    [IPFRAG_ECN_CE | IPFRAG_ECN_ECT_1]                                       = INET_ECN_CE,
    [IPFRAG_ECN_CE | IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1]                    = INET_ECN_CE,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_CE]                                     = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_ECT_0]                                  = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_ECT_1]                                  = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1]               = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_CE | IPFRAG_ECN_ECT_0]                  = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_CE | IPFRAG_ECN_ECT_1]                  = IPFRAG_ECN_INVALID,
    [IPFRAG_ECN_NOT_ECT | IPFRAG_ECN_CE | IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1] = IPFRAG_ECN_INVALID,
};

struct ipq_table;

/* One datagram being reassembled (Linux: struct ipq around struct inet_frag_queue). */
struct ipq {
    struct ipq       *hnext;
    struct ipq_table *tbl;
    uint32_t          saddr, daddr;
    uint16_t          id;
    uint8_t           proto;
    uint8_t           flags;        /* IPQ_FIRST_IN | IPQ_LAST_IN */
    uint8_t           ecn;          /* IPFRAG_ECN_* seen */
    unsigned          bucket;
    uint32_t          len;          /* payload end: exact once LAST_IN, else the largest end seen */
    uint32_t          meat;         /* payload bytes held */
    uint32_t          max_size;     /* largest fragment (header included) */
    uint32_t          max_df_size;  /* largest fragment with DF */
    unsigned          nfrags;
    size_t            mem;          /* truesize of the fragments held */
    struct pkt       *frags, *tail; /* offset order, linked through p->next */
    uint32_t          rid;          /* the source's counter at our last fragment */
    uint64_t          peer_gen;     /* which incarnation of the source's entry rid is from */
    struct timer      timer;
};

/* A source's fragment counter (Linux: the rid of struct inet_peer). gen 0: free slot. */
struct ipfrag_peer {
    uint32_t addr;
    uint32_t rid;
    uint64_t gen;
    uint64_t used;                  /* peer_tick at last use, for LRU eviction */
};

/* The namespace's reassembly state (net_generic(net, ipfrag_net_id)). */
struct ipq_table {
    struct net        *net;         /* NULL until ipfrag_net_init */
    uint32_t           seed;        /* hash key: queue chains can't be aimed at from outside */
    unsigned           nqueues;
    size_t             mem;
    uint64_t           peer_tick, peer_gen;
    struct ipfrag_peer peers[IPFRAG_PEERS];
    struct ipq        *hash[IPQ_HASHSZ];
};

static unsigned ipfrag_net_id;

/* NULL in a namespace without reassembly (a stack built without ipfrag_init). */
static struct ipq_table *ipq_table_of(const struct net *net)
{
    struct ipq_table *t = net_generic(net, ipfrag_net_id);
    return t && t->net ? t : NULL;
}

/* ------------------------------------------------------------------ helpers */

/* What a held fragment costs: its whole buffer and header (Linux charges skb->truesize). */
static size_t frag_truesize(const struct pkt *p) { return pkt_truesize(p); }
/* Held fragments keep their IP header at data, checked when they came in. */
static uint32_t frag_off(const struct pkt *p) { return ip4_frag_off(p->data); }
static uint32_t frag_end(const struct pkt *p) { return frag_off(p) + p->len - ip4_hlen(p->data); }

static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16; h *= 0x85ebca6bu;
    h ^= h >> 13; h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static unsigned ipq_hash(const struct ipq_table *t, uint32_t saddr, uint32_t daddr, uint16_t id,
                         uint8_t proto)
{
    uint32_t h = fmix32(t->seed ^ saddr);
    h = fmix32(h ^ daddr);
    h = fmix32(h ^ ((uint32_t)id << 8 | proto));
    return h & (IPQ_HASHSZ - 1);
}

static uint64_t ipfrag_timeout_us(const struct net *net)
{
    return net->ipv4.ipfrag_time > 0 ? (uint64_t)net->ipv4.ipfrag_time * US_PER_MS : 0;
}

/* ------------------------------------------------------------------ queues */

static void ip_expire(struct timer *tm, void *arg);

static struct ipq *ipq_lookup(struct ipq_table *t, unsigned b, uint32_t saddr, uint32_t daddr,
                              uint16_t id, uint8_t proto)
{
    for (struct ipq *q = t->hash[b]; q; q = q->hnext)
        if (q->saddr == saddr && q->daddr == daddr && q->id == id && q->proto == proto) return q;
    return NULL;
}

static struct ipq *ipq_create(struct ipq_table *t, unsigned b, uint32_t saddr, uint32_t daddr,
                              uint16_t id, uint8_t proto)
{
    if (t->nqueues >= IPQ_MAX_QUEUES) return NULL;
    struct ipq *q = calloc(1, sizeof(*q));
    if (!q) return NULL;
    q->tbl = t;
    q->saddr = saddr; q->daddr = daddr; q->id = id; q->proto = proto;
    q->bucket = b;
    q->hnext = t->hash[b];
    t->hash[b] = q;
    t->nqueues++;
    timer_init(&q->timer, ip_expire, q);
    timer_arm_in(t->net->st, &q->timer, ipfrag_timeout_us(t->net));
    return q;
}

/* Let go of every held fragment: dropped with `why`, or freed (why == DROP_NONE). */
static void ipq_purge(struct ipq *q, enum drop why)
{
    struct ipq_table *t = q->tbl;
    struct pkt *f = q->frags;
    while (f) {
        struct pkt *next = f->next;
        f->next = NULL;
        if (why == DROP_NONE) pkt_free(f);
        else                  pkt_drop(t->net, f, why);
        f = next;
    }
    t->mem -= q->mem;
    q->mem = 0;
    q->frags = q->tail = NULL;
    q->nfrags = 0;
}

/* Unhash and free the queue (Linux inet_frag_kill + the last ipq_put). */
static void ipq_kill(struct ipq *q, enum drop why)
{
    struct ipq_table *t = q->tbl;
    ipq_purge(q, why);
    timer_stop(t->net->st, &q->timer);
    for (struct ipq **pp = &t->hash[q->bucket]; *pp; pp = &(*pp)->hnext)
        if (*pp == q) { *pp = q->hnext; break; }
    t->nqueues--;
    free(q);
}

/* ipfrag_time passed (Linux ip_expire). */
static void ip_expire(struct timer *tm, void *arg)
{
    struct ipq *q = arg;
    struct net *net = q->tbl->net;
    mib_inc(net, MIB_IpReasmFails);
    mib_inc(net, MIB_IpReasmTimeout);
    /* RFC 1122 §3.3.2: time exceeded "if fragment zero has been received" — without it
     * there is nothing to quote that identifies the datagram to the sender. icmp_send
     * needs the arrival device; if it is gone, so is the way back (Linux: no ICMP when
     * dev_get_by_index(qp->iif) fails). */
    struct pkt *head = q->frags;
    if ((q->flags & IPQ_FIRST_IN) && head && frag_off(head) == 0) {
        head->dev = netdev_by_index(net, head->iif);
        if (head->dev) icmp_send(head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
        head->dev = NULL;
    }
    ipq_kill(q, DROP_FRAG_REASM_TIMEOUT);
}

/* ------------------------------------------------------------------ max_dist */

/* The source's counter, created on first use; when the table is full the least recently
 * used source is forgotten (a new incarnation, so stale queue marks are not compared). */
static struct ipfrag_peer *peer_get(struct ipq_table *t, uint32_t addr)
{
    struct ipfrag_peer *victim = NULL;
    for (unsigned i = 0; i < IPFRAG_PEERS; i++) {
        struct ipfrag_peer *e = &t->peers[i];
        if (e->gen && e->addr == addr) { e->used = ++t->peer_tick; return e; }
        if (!victim || (victim->gen && (!e->gen || e->used < victim->used))) victim = e;
    }
    victim->addr = addr;
    victim->rid = 0;
    victim->gen = ++t->peer_gen;
    victim->used = ++t->peer_tick;
    return victim;
}

/* Linux ip_frag_too_far: counts this fragment for its source and tells whether more
 * than ipfrag_max_dist fragments from there arrived since this queue's last one. */
static bool ip_frag_too_far(struct ipq_table *t, struct ipq *q)
{
    int max = t->net->ipv4.ipfrag_max_dist;
    if (max <= 0) return false;
    struct ipfrag_peer *peer = peer_get(t, q->saddr);
    uint32_t start = q->rid, end = ++peer->rid;
    bool same_peer = q->peer_gen == peer->gen;
    q->rid = end;
    q->peer_gen = peer->gen;
    return same_peer && q->frags && end - start > (uint32_t)max;
}

/* Linux ip_frag_reinit: start the datagram over, with a fresh timeout. */
static void ip_frag_reinit(struct ipq *q)
{
    ipq_purge(q, DROP_FRAG_TOO_FAR);
    q->flags = 0;
    q->len = 0;
    q->meat = 0;
    q->ecn = 0;
    q->max_size = q->max_df_size = 0;
    timer_arm_in(q->tbl->net->st, &q->timer, ipfrag_timeout_us(q->tbl->net));
}

/* ------------------------------------------------------------------ insertion */

enum { FRAG_INSERTED, FRAG_DUP, FRAG_OVERLAP };

/* Put p ([off, end) of the payload) in offset order (Linux inet_frag_queue_insert). */
static int frag_insert(struct ipq *q, struct pkt *p, uint32_t off, uint32_t end)
{
    p->next = NULL;
    if (!q->tail) { q->frags = q->tail = p; return FRAG_INSERTED; }
    uint32_t tail_end = frag_end(q->tail);
    if (tail_end < end) {
        /* The common case, fragments in order: p goes last. */
        if (off < tail_end) return FRAG_OVERLAP;
        q->tail->next = p;
        q->tail = p;
        return FRAG_INSERTED;
    }
    struct pkt **pp = &q->frags;
    uint32_t run_start = 0, prev_end = 0;
    bool first = true;
    for (struct pkt *f; (f = *pp); pp = &f->next) {
        uint32_t fo = frag_off(f), fe = frag_end(f);
        if (first || fo != prev_end) run_start = fo;
        first = false;
        if (end <= fo) break;                       /* p goes before f; all before end <= off */
        if (off < fe) {
            /* p meets f: a duplicate if it lies within f's run of contiguous fragments. */
            uint32_t run_end = fe;
            for (struct pkt *g = f->next; g && frag_off(g) == run_end; g = g->next) run_end = frag_end(g);
            return off >= run_start && end <= run_end ? FRAG_DUP : FRAG_OVERLAP;
        }
        prev_end = fe;
    }
    p->next = *pp;
    *pp = p;
    if (!p->next) q->tail = p;                      /* can't happen: tail_end >= end */
    return FRAG_INSERTED;
}

/* ------------------------------------------------------------------ reassembly */

/* Glue the complete queue into one datagram (Linux ip_frag_reasm). `last` is the fragment
 * that completed it (already linked); dev and dst are what it arrived with. */
static struct pkt *ip_frag_reasm(struct ipq *q, struct pkt *last, struct netdev *dev,
                                 const struct pkt_dst *dst)
{
    struct ipq_table *t = q->tbl;
    struct net *net = t->net;
    struct pkt *head = q->frags, *r = NULL;
    enum drop why = DROP_FRAG_BAD;
    unsigned hlen = ip4_hlen(head->data);
    size_t total = hlen + (size_t)q->len;
    uint8_t ecn = ip_frag_ecn_table[q->ecn & 0x0f];

    if (frag_off(head) != 0) goto fail;             /* can't happen: FIRST_IN */
    if (total > IP4_MAX_LEN) goto fail;             /* Linux: "Oversized IP packet" */
    if (ecn == IPFRAG_ECN_INVALID) goto fail;
    r = pkt_alloc(&net->st->pool, total);
    if (!r) { why = DROP_NOMEM; goto fail; }
    uint8_t *d = pkt_put(r, total);
    if (!d) { why = DROP_NOMEM; goto fail; }
    memcpy(d, head->data, hlen);
    size_t at = hlen;
    for (struct pkt *f = head; f; f = f->next) {
        unsigned fh = ip4_hlen(f->data);
        size_t fl = f->len - fh;
        /* Can't happen (no overlaps, meat == len means no holes), but never copy blind. */
        if (hlen + (size_t)frag_off(f) != at || at + fl > total) goto fail;
        memcpy(d + at, f->data + fh, fl);
        at += fl;
    }
    if (at != total) goto fail;

    put_be16(d + IP4_OFF_LEN, (uint16_t)total);
    put_be16(d + IP4_OFF_FRAG, q->max_df_size == q->max_size ? IP_DF : 0);
    d[IP4_OFF_TOS] |= ecn;
    put_be16(d + IP4_OFF_CSUM, 0);
    put_be16(d + IP4_OFF_CSUM, inet_csum(d, hlen));

    r->dev = dev;
    r->iif = last->iif;
    r->pkt_type = last->pkt_type;
    r->protocol = last->protocol;
    r->tstamp_us = last->tstamp_us;
    r->dst = *dst;
    pkt_reset_network_header(r);
    trace_handover(last, r);                        /* the journey goes on as the datagram */
    mib_inc(net, MIB_IpReasmOKs);
    ipq_kill(q, DROP_NONE);                         /* frees the fragments: consumed */
    return r;

fail:
    pkt_free(r);
    mib_inc(net, MIB_IpReasmFails);
    ipq_kill(q, why);
    return NULL;
}

/* Add p to q (Linux ip_frag_queue). Returns the datagram if p completed it. */
static struct pkt *ip_frag_queue(struct ipq *q, struct pkt *p)
{
    struct ipq_table *t = q->tbl;
    struct net *net = t->net;
    const uint8_t *h = p->data;
    unsigned hlen = ip4_hlen(h);
    uint32_t plen = p->len - hlen;
    uint16_t frag = ip4_frag(h);
    uint32_t off = ip4_frag_off(h), end = off + plen;
    uint8_t ecn = (uint8_t)(1u << (ip4_tos(h) & 3));
    struct netdev *dev = p->dev;
    struct pkt_dst dst = p->dst;
    enum drop why;

    if (ip_frag_too_far(t, q)) {
        mib_inc(net, MIB_IpReasmFails);
        ip_frag_reinit(q);
    }

    if (!(frag & IP_MF)) {
        /* The last fragment: data already held past its end, or another last fragment
         * that ended elsewhere, means the datagram is corrupt. */
        if (end < q->len || ((q->flags & IPQ_LAST_IN) && end != q->len)) { why = DROP_FRAG_BAD; goto discard_qp; }
        q->flags |= IPQ_LAST_IN;
        q->len = end;
    } else if (end > q->len) {
        if (q->flags & IPQ_LAST_IN) { why = DROP_FRAG_BAD; goto discard_qp; }   /* past the end */
        q->len = end;
    }

    switch (frag_insert(q, p, off, end)) {
    case FRAG_DUP:
        /* Nothing new: drop it alone, the datagram can still complete. */
        TRACEF(p, "ip_defrag", NULL, "duplicate %u-%u", off, end);
        pkt_drop(net, p, DROP_DUP_FRAG);
        return NULL;
    case FRAG_OVERLAP:
        mib_inc(net, MIB_IpExtReasmOverlaps);
        why = DROP_FRAG_OVERLAP;
        goto discard_qp;
    default:
        break;
    }

    pkt_reset_network_header(p);
    p->dev = NULL;                                  /* see the file header: iif names it */
    p->dst.dev = NULL;
    size_t ts = frag_truesize(p);
    q->mem += ts;
    t->mem += ts;
    q->nfrags++;
    q->meat += plen;
    q->ecn |= ecn;
    if (off == 0) q->flags |= IPQ_FIRST_IN;
    if (p->len > q->max_size) q->max_size = p->len;
    if ((frag & IP_DF) && p->len > q->max_df_size) q->max_df_size = p->len;

    if (q->flags == (IPQ_FIRST_IN | IPQ_LAST_IN) && q->meat == q->len)
        return ip_frag_reasm(q, p, dev, &dst);

    /* Held: nothing else will print this fragment's journey, so end it here. */
    if (q->flags & IPQ_LAST_IN) TRACEF(p, "ip_defrag", NULL, "queued %u-%u, have %u of %u", off, end, q->meat, q->len);
    else                        TRACEF(p, "ip_defrag", NULL, "queued %u-%u, have %u", off, end, q->meat);
    trace_end(p);
    return NULL;

discard_qp:
    mib_inc(net, MIB_IpReasmFails);
    TRACEF(p, "ip_defrag", NULL, "datagram discarded");
    ipq_kill(q, why);
    pkt_drop(net, p, why);
    return NULL;
}

/* ------------------------------------------------------------------ API */

struct pkt *ip_defrag(struct net *net, struct pkt *p)
{
    struct ipq_table *t = ipq_table_of(net);
    struct ipq *q = NULL;
    enum drop why;
    bool kill = false;                              /* the datagram can never be whole */

    mib_inc(net, MIB_IpReasmReqds);
    if (!t) { why = DROP_FRAG_MEM; goto fail; }
    /* ip_rcv checked the header; check again, in order, what is read below. */
    if (p->len < IP4_HLEN) { why = DROP_IP_INHDR; goto fail; }
    const uint8_t *h = p->data;
    unsigned hlen = ip4_hlen(h);
    if (hlen < IP4_HLEN || hlen > p->len || ip4_tot_len(h) != p->len) { why = DROP_IP_INHDR; goto fail; }

    uint32_t plen = p->len - hlen;
    uint32_t off = ip4_frag_off(h), end = off + plen;
    unsigned b = ipq_hash(t, ip4_src(h), ip4_dst(h), ip4_id(h), ip4_proto(h));
    q = ipq_lookup(t, b, ip4_src(h), ip4_dst(h), ip4_id(h), ip4_proto(h));

    /* RFC 791 §3.2: every fragment but the last carries a multiple of 8 octets. */
    if ((ip4_frag(h) & IP_MF) && (plen & 7)) { why = DROP_FRAG_BAD; goto fail; }
    if (hlen + end > IP4_MAX_LEN) { why = DROP_FRAG_BAD; kill = true; goto fail; }  /* oversized */
    if (plen == 0) { why = DROP_FRAG_BAD; kill = true; goto fail; }   /* Linux: end == offset */

    int high = net->ipv4.ipfrag_high_thresh;
    if (high <= 0 || t->mem + frag_truesize(p) > (size_t)high) { why = DROP_FRAG_MEM; goto fail; }
    if (!q) {
        q = ipq_create(t, b, ip4_src(h), ip4_dst(h), ip4_id(h), ip4_proto(h));
        if (!q) { why = DROP_FRAG_MEM; goto fail; }
    }
    return ip_frag_queue(q, p);

fail:
    mib_inc(net, MIB_IpReasmFails);
    TRACE(p, "ip_defrag", NULL);
    if (kill && q) ipq_kill(q, why);
    pkt_drop(net, p, why);
    return NULL;
}

/* Linux ipv4_frags_init_net: the limits, then the sysctls that change them. */
int ipfrag_net_init(struct net *net)
{
    struct ipq_table *t = net_generic(net, ipfrag_net_id);
    if (!t) return -ENOENT;                         /* ipfrag_init was not called */
    if (t->net) return 0;
    t->net = net;
    t->seed = stack_rand32(net->st);
    struct ipv4_sysctl *s = &net->ipv4;
    s->ipfrag_high_thresh = 4 * 1024 * 1024;
    s->ipfrag_low_thresh = 3 * 1024 * 1024;
    s->ipfrag_time = 30 * 1000;
    s->ipfrag_max_dist = 64;
    sysctl_register(net, "net.ipv4.ipfrag_high_thresh", &s->ipfrag_high_thresh, SC_INT, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.ipfrag_low_thresh", &s->ipfrag_low_thresh, SC_INT, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.ipfrag_time", &s->ipfrag_time, SC_MS_AS_S, 1000, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.ipfrag_max_dist", &s->ipfrag_max_dist, SC_INT, 0, 1 << 30, NULL, t);
    return 0;
}

/* Every held fragment is dropped (DROP_NETNS_GONE); the memory goes with the namespace. */
void ipfrag_net_exit(struct net *net)
{
    struct ipq_table *t = ipq_table_of(net);
    if (!t) return;
    for (unsigned b = 0; b < IPQ_HASHSZ; b++)
        while (t->hash[b]) ipq_kill(t->hash[b], DROP_NETNS_GONE);
    sysctl_unregister_owner(net, t);
    memset(t, 0, sizeof(*t));
}

static const struct pernet_ops ipfrag_pernet = {
    .name = "ipfrag", .init = ipfrag_net_init, .exit = ipfrag_net_exit,
    .id = &ipfrag_net_id, .size = sizeof(struct ipq_table),
};

int ipfrag_init(struct stack *st) { return pernet_register(st, &ipfrag_pernet); }

size_t ipfrag_mem(const struct net *net)
{
    const struct ipq_table *t = ipq_table_of(net);
    return t ? t->mem : 0;
}

unsigned ipfrag_queues(const struct net *net)
{
    const struct ipq_table *t = ipq_table_of(net);
    return t ? t->nqueues : 0;
}
