/*
 * tests/ip/test_fib.c — unit tests for the FIB trie (ip/fib.h, ip/fib_trie.c).
 *
 * The hand-written cases pin down each rule stated in fib.h; the randomized cases compare
 * the trie against a brute-force linear longest-prefix match that applies the same rules,
 * so any structural bug (bad split, bad prune, wrong branch bit) shows up as a mismatch.
 * Randomness is a fixed-seed xorshift, so failures reproduce.
 */
#include "ip/fib.h"
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static struct fib_route mkroute(uint32_t prefix, int plen, uint8_t type, uint32_t metric,
                                uint32_t gateway, int ifindex)
{
    struct fib_route r;
    memset(&r, 0, sizeof(r));
    r.prefix = prefix;
    r.plen = (uint8_t)plen;
    r.type = type;
    r.scope = type == RTN_LOCAL ? RT_SCOPE_HOST : gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    r.protocol = RTPROT_STATIC;
    r.gateway = gateway;
    r.ifindex = ifindex;
    r.metric = metric;
    return r;
}

/* Insert a unicast route and assert it went in; ifindex doubles as the route's identity. */
static void add(struct fib_table *t, uint32_t prefix, int plen, uint32_t metric, int ifindex)
{
    struct fib_route r = mkroute(prefix, plen, RTN_UNICAST, metric, 0, ifindex);
    ck_assert_int_eq(fib_insert(t, &r), 0);
}

/* ifindex of the route fib_lookup picks, or -1 for no route. */
static int lookup_if(const struct fib_table *t, uint32_t addr)
{
    const struct fib_route *r = fib_lookup(t, addr);
    return r ? r->ifindex : -1;
}

/* ---------------------------------------------------------------- xorshift + brute force */

static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s ? s : 0x9E3779B97F4A7C15ull; }
static uint32_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 32);
}

static uint32_t mask_of(unsigned plen) { return plen ? ~(uint32_t)0 << (32 - plen) : 0; }

/* Same preference as fib.h documents: local/broadcast, then unicast, then the rest. */
static int type_rank(uint8_t type)
{
    return type == RTN_LOCAL || type == RTN_BROADCAST ? 0 : type == RTN_UNICAST ? 1 : 2;
}

struct model {
    struct fib_route *r;
    bool *alive;
    size_t n, cap;
};

static void model_init(struct model *m, size_t cap)
{
    m->r = calloc(cap, sizeof(*m->r));
    m->alive = calloc(cap, sizeof(*m->alive));
    ck_assert(m->r && m->alive);
    m->n = 0;
    m->cap = cap;
}

static void model_free(struct model *m) { free(m->r); free(m->alive); }

/* Is a preferred over b? Longer prefix, then lower metric, then type, then the older route
 * (the model's index order is insertion order). */
static bool model_better(const struct model *m, size_t a, size_t b)
{
    const struct fib_route *x = &m->r[a], *y = &m->r[b];
    if (x->plen != y->plen) return x->plen > y->plen;
    if (x->metric != y->metric) return x->metric < y->metric;
    if (type_rank(x->type) != type_rank(y->type)) return type_rank(x->type) < type_rank(y->type);
    return a < b;
}

static long model_lookup(const struct model *m, uint32_t addr)
{
    long best = -1;
    for (size_t i = 0; i < m->n; i++) {
        if (!m->alive[i] || ((addr ^ m->r[i].prefix) & mask_of(m->r[i].plen))) continue;
        if (best < 0 || model_better(m, i, (size_t)best)) best = (long)i;
    }
    return best;
}

/* The route fib_delete(prefix, plen, NULL) must remove: the best of that exact prefix. */
static long model_first_of(const struct model *m, uint32_t prefix, unsigned plen)
{
    long best = -1;
    for (size_t i = 0; i < m->n; i++) {
        if (!m->alive[i] || m->r[i].prefix != prefix || m->r[i].plen != plen) continue;
        if (best < 0 || model_better(m, i, (size_t)best)) best = (long)i;
    }
    return best;
}

static bool model_has_dup(const struct model *m, const struct fib_route *r)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->alive[i] && m->r[i].prefix == r->prefix && m->r[i].plen == r->plen &&
            m->r[i].type == r->type && m->r[i].metric == r->metric)
            return true;
    return false;
}

static unsigned model_count(const struct model *m)
{
    unsigned c = 0;
    for (size_t i = 0; i < m->n; i++) c += m->alive[i];
    return c;
}

/* Compare one lookup; routes are identified by their (unique) gateway. */
static void check_addr(const struct fib_table *t, const struct model *m, uint32_t addr)
{
    const struct fib_route *got = fib_lookup(t, addr);
    long want = model_lookup(m, addr);
    if (want < 0) {
        ck_assert_msg(got == NULL, "addr %08x: expected no route, got %08x/%u gw %08x",
                      addr, got ? got->prefix : 0, got ? got->plen : 0, got ? got->gateway : 0);
        return;
    }
    const struct fib_route *w = &m->r[want];
    ck_assert_msg(got != NULL, "addr %08x: expected %08x/%u, got none", addr, w->prefix, w->plen);
    ck_assert_msg(got->gateway == w->gateway,
                  "addr %08x: expected %08x/%u metric %u type %u gw %08x, got %08x/%u metric %u type %u gw %08x",
                  addr, w->prefix, w->plen, w->metric, w->type, w->gateway,
                  got->prefix, got->plen, got->metric, got->type, got->gateway);
}

/* fib_walk must yield fib_count routes in ascending (prefix, plen) order, every one of
 * them alive in the model, and the first of each (prefix, plen) group the one fib_find
 * returns. */
struct walk_check {
    const struct fib_table *t;
    const struct model *m;
    unsigned seen;
    bool have_prev;
    uint32_t prev_prefix;
    unsigned prev_plen;
};

static int walk_check_fn(const struct fib_route *r, void *arg)
{
    struct walk_check *w = arg;
    bool new_group = true;
    if (w->have_prev) {
        ck_assert_msg(r->prefix > w->prev_prefix ||
                      (r->prefix == w->prev_prefix && r->plen >= w->prev_plen),
                      "walk order: %08x/%u after %08x/%u", r->prefix, r->plen,
                      w->prev_prefix, w->prev_plen);
        new_group = r->prefix != w->prev_prefix || r->plen != w->prev_plen;
    }
    if (new_group) ck_assert_ptr_eq(fib_find(w->t, r->prefix, r->plen), r);
    ck_assert_uint_eq(r->prefix & ~mask_of(r->plen), 0);
    bool found = false;
    for (size_t i = 0; i < w->m->n && !found; i++)
        found = w->m->alive[i] && w->m->r[i].gateway == r->gateway;
    ck_assert_msg(found, "walk yielded %08x/%u gw %08x not in model", r->prefix, r->plen, r->gateway);
    w->have_prev = true;
    w->prev_prefix = r->prefix;
    w->prev_plen = r->plen;
    w->seen++;
    return 0;
}

static void check_walk(const struct fib_table *t, const struct model *m)
{
    struct walk_check w = { .t = t, .m = m };
    fib_walk(t, walk_check_fn, &w);
    ck_assert_uint_eq(w.seen, fib_count(t));
    ck_assert_uint_eq(fib_count(t), model_count(m));
}

/* ---------------------------------------------------------------- hand-written cases */

START_TEST(test_default_route_matches_everything)
{
    struct fib_table *t = fib_table_new();
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_null(fib_lookup(t, IP(1, 2, 3, 4)));       /* empty table: nothing */
    struct fib_route r = mkroute(0, 0, RTN_UNICAST, 0, IP(192, 168, 1, 1), 2);
    ck_assert_int_eq(fib_insert(t, &r), 0);
    const uint32_t probes[] = { 0, 1, IP(10, 0, 0, 1), IP(127, 0, 0, 1), IP(128, 0, 0, 0),
                                IP(192, 168, 1, 1), IP(255, 255, 255, 255), 0x7FFFFFFFu };
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        const struct fib_route *got = fib_lookup(t, probes[i]);
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(got->plen, 0);
        ck_assert_uint_eq(got->gateway, IP(192, 168, 1, 1));
    }
    ck_assert_uint_eq(fib_count(t), 1);
    fib_table_free(t);
}
END_TEST

START_TEST(test_longest_prefix_wins)
{
    struct fib_table *t = fib_table_new();
    /* Insert out of order so the trie has to splice nodes above and below each other. */
    add(t, IP(10, 1, 2, 0), 24, 0, 24);
    add(t, 0, 0, 0, 100);
    add(t, IP(10, 1, 2, 3), 32, 0, 32);
    add(t, IP(10, 0, 0, 0), 8, 0, 8);

    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 32);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 4)), 24);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 2)), 24);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 3, 3)), 8);
    ck_assert_int_eq(lookup_if(t, IP(10, 255, 255, 255)), 8);
    ck_assert_int_eq(lookup_if(t, IP(11, 1, 2, 3)), 100);
    ck_assert_int_eq(lookup_if(t, IP(9, 255, 255, 255)), 100);

    /* Peel them off most-specific first: each removal exposes the next shorter one. */
    ck_assert_int_eq(fib_delete(t, IP(10, 1, 2, 3), 32, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 24);
    ck_assert_int_eq(fib_delete(t, IP(10, 1, 2, 0), 24, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 8);
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 8, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 100);
    ck_assert_int_eq(fib_delete(t, 0, 0, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), -1);
    ck_assert_uint_eq(fib_count(t), 0);
    fib_table_free(t);
}
END_TEST

START_TEST(test_insert_duplicate_eexist)
{
    struct fib_table *t = fib_table_new();
    struct fib_route r = mkroute(IP(192, 168, 0, 0), 16, RTN_UNICAST, 10, IP(10, 0, 0, 1), 1);
    ck_assert_int_eq(fib_insert(t, &r), 0);
    ck_assert_int_eq(fib_insert(t, &r), -EEXIST);

    /* Same prefix/plen/type/metric via another gateway and device is still a duplicate. */
    struct fib_route r2 = mkroute(IP(192, 168, 0, 0), 16, RTN_UNICAST, 10, IP(10, 0, 0, 2), 2);
    ck_assert_int_eq(fib_insert(t, &r2), -EEXIST);
    /* ...and so is one whose prefix only differs in host bits. */
    struct fib_route r3 = mkroute(IP(192, 168, 7, 7), 16, RTN_UNICAST, 10, 0, 3);
    ck_assert_int_eq(fib_insert(t, &r3), -EEXIST);
    ck_assert_uint_eq(fib_count(t), 1);

    /* Any of type, metric or plen differing makes it a different route. */
    struct fib_route other_type = mkroute(IP(192, 168, 0, 0), 16, RTN_BLACKHOLE, 10, 0, 0);
    struct fib_route other_metric = mkroute(IP(192, 168, 0, 0), 16, RTN_UNICAST, 11, 0, 1);
    struct fib_route other_plen = mkroute(IP(192, 168, 0, 0), 17, RTN_UNICAST, 10, 0, 1);
    ck_assert_int_eq(fib_insert(t, &other_type), 0);
    ck_assert_int_eq(fib_insert(t, &other_metric), 0);
    ck_assert_int_eq(fib_insert(t, &other_plen), 0);
    ck_assert_uint_eq(fib_count(t), 4);
    ck_assert_int_eq(fib_insert(t, &other_type), -EEXIST);
    ck_assert_uint_eq(fib_count(t), 4);

    /* The failed inserts changed nothing: the original route still answers. */
    const struct fib_route *got = fib_lookup(t, IP(192, 168, 200, 1));
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got->gateway, IP(10, 0, 0, 1));
    fib_table_free(t);
}
END_TEST

START_TEST(test_same_prefix_metric)
{
    struct fib_table *t = fib_table_new();
    add(t, IP(172, 16, 0, 0), 12, 200, 2);
    add(t, IP(172, 16, 0, 0), 12, 100, 1);   /* better one added second */
    add(t, IP(172, 16, 0, 0), 12, 300, 3);
    ck_assert_uint_eq(fib_count(t), 3);
    ck_assert_int_eq(lookup_if(t, IP(172, 20, 1, 1)), 1);

    struct fib_route m = mkroute(0, 0, 0, 100, 0, 0);   /* match on metric only */
    ck_assert_int_eq(fib_delete(t, IP(172, 16, 0, 0), 12, &m), 0);
    ck_assert_int_eq(lookup_if(t, IP(172, 20, 1, 1)), 2);
    ck_assert_uint_eq(fib_count(t), 2);
    ck_assert_int_eq(fib_delete(t, IP(172, 16, 0, 0), 12, &m), -ESRCH);

    /* No match given: the first route, i.e. the preferred one, goes. */
    ck_assert_int_eq(fib_delete(t, IP(172, 16, 0, 0), 12, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(172, 20, 1, 1)), 3);
    ck_assert_int_eq(fib_delete(t, IP(172, 16, 0, 0), 12, NULL), 0);
    ck_assert_int_eq(lookup_if(t, IP(172, 20, 1, 1)), -1);
    ck_assert_uint_eq(fib_count(t), 0);
    fib_table_free(t);
}
END_TEST

START_TEST(test_type_tiebreak)
{
    struct fib_table *t = fib_table_new();
    struct fib_route uni = mkroute(IP(10, 0, 0, 5), 32, RTN_UNICAST, 0, 0, 1);
    struct fib_route loc = mkroute(IP(10, 0, 0, 5), 32, RTN_LOCAL, 0, 0, 2);
    struct fib_route bh = mkroute(IP(10, 0, 0, 5), 32, RTN_BLACKHOLE, 0, 0, 3);
    ck_assert_int_eq(fib_insert(t, &bh), 0);
    ck_assert_int_eq(fib_insert(t, &uni), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 0, 0, 5)), 1);      /* unicast before blackhole */
    ck_assert_int_eq(fib_insert(t, &loc), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 0, 0, 5)), 2);      /* local before unicast */

    struct fib_route bc = mkroute(IP(10, 0, 0, 255), 32, RTN_BROADCAST, 0, 0, 4);
    struct fib_route uni2 = mkroute(IP(10, 0, 0, 255), 32, RTN_UNICAST, 0, 0, 5);
    ck_assert_int_eq(fib_insert(t, &uni2), 0);
    ck_assert_int_eq(fib_insert(t, &bc), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 0, 0, 255)), 4);    /* broadcast before unicast */

    /* Metric is compared first: a cheaper unicast beats a dearer local route. */
    struct fib_route loc_dear = mkroute(IP(10, 9, 0, 0), 16, RTN_LOCAL, 50, 0, 6);
    struct fib_route uni_cheap = mkroute(IP(10, 9, 0, 0), 16, RTN_UNICAST, 10, 0, 7);
    ck_assert_int_eq(fib_insert(t, &loc_dear), 0);
    ck_assert_int_eq(fib_insert(t, &uni_cheap), 0);
    ck_assert_int_eq(lookup_if(t, IP(10, 9, 1, 1)), 7);
    fib_table_free(t);
}
END_TEST

/* fib_lookup_local sees only table local's routes (local, broadcast): the most specific
 * of those, past a main-table route that is more specific or cheaper. */
START_TEST(test_lookup_local_table_only)
{
    struct fib_table *t = fib_table_new();
    struct fib_route lo8 = mkroute(IP(127, 0, 0, 0), 8, RTN_LOCAL, 0, 0, 1);
    struct fib_route uni16 = mkroute(IP(127, 1, 0, 0), 16, RTN_UNICAST, 0, 0, 2);
    struct fib_route net24 = mkroute(IP(10, 0, 0, 0), 24, RTN_UNICAST, 0, 0, 3);
    struct fib_route addr = mkroute(IP(10, 0, 0, 2), 32, RTN_LOCAL, 20, 0, 4);
    struct fib_route host = mkroute(IP(10, 0, 0, 2), 32, RTN_UNICAST, 10, 0, 5);
    struct fib_route bc = mkroute(IP(10, 0, 0, 255), 32, RTN_BROADCAST, 0, 0, 6);
    const struct fib_route *all[] = { &lo8, &uni16, &net24, &addr, &host, &bc };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) ck_assert_int_eq(fib_insert(t, all[i]), 0);
    ck_assert_ptr_null(fib_lookup_local(t, IP(10, 0, 0, 5)));     /* main only: none */
    ck_assert_int_eq(lookup_if(t, IP(10, 0, 0, 2)), 5);            /* the cheaper unicast ... */
    ck_assert_int_eq(fib_lookup_local(t, IP(10, 0, 0, 2))->ifindex, 4);   /* ... is not local's */
    ck_assert_int_eq(fib_lookup_local(t, IP(10, 0, 0, 255))->type, RTN_BROADCAST);
    ck_assert_int_eq(lookup_if(t, IP(127, 1, 2, 3)), 2);
    ck_assert_int_eq(fib_lookup_local(t, IP(127, 1, 2, 3))->ifindex, 1);  /* the /8 behind it */
    ck_assert_ptr_null(fib_lookup_local(t, IP(192, 168, 0, 1)));
    ck_assert_ptr_null(fib_lookup_local(NULL, IP(127, 0, 0, 1)));
    fib_table_free(t);
}
END_TEST

START_TEST(test_delete_matching)
{
    struct fib_table *t = fib_table_new();
    struct fib_route a = mkroute(IP(10, 2, 0, 0), 16, RTN_UNICAST, 5, IP(192, 168, 1, 1), 1);
    struct fib_route b = mkroute(IP(10, 2, 0, 0), 16, RTN_UNICAST, 6, IP(192, 168, 1, 2), 2);
    struct fib_route c = mkroute(IP(10, 2, 0, 0), 16, RTN_BLACKHOLE, 7, 0, 0);
    ck_assert_int_eq(fib_insert(t, &a), 0);
    ck_assert_int_eq(fib_insert(t, &b), 0);
    ck_assert_int_eq(fib_insert(t, &c), 0);

    /* Gateway that no route has: nothing removed. */
    struct fib_route m = mkroute(0, 0, 0, 0, IP(192, 168, 1, 9), 0);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), -ESRCH);
    /* Right gateway, wrong device: every non-zero field has to match. */
    m = mkroute(0, 0, 0, 0, IP(192, 168, 1, 2), 1);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), -ESRCH);
    ck_assert_uint_eq(fib_count(t), 3);

    /* By gateway: removes b even though a is first in the list. */
    m = mkroute(0, 0, 0, 0, IP(192, 168, 1, 2), 0);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), 0);
    ck_assert_uint_eq(fib_count(t), 2);
    ck_assert_int_eq(lookup_if(t, IP(10, 2, 3, 4)), 1);

    /* By type. */
    m = mkroute(0, 0, RTN_BLACKHOLE, 0, 0, 0);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), 0);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), -ESRCH);

    /* By ifindex, with the prefix given with host bits set. */
    m = mkroute(0, 0, 0, 0, 0, 2);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 0, 0), 16, &m), -ESRCH);
    m = mkroute(0, 0, 0, 0, 0, 1);
    ck_assert_int_eq(fib_delete(t, IP(10, 2, 99, 99), 16, &m), 0);
    ck_assert_uint_eq(fib_count(t), 0);
    ck_assert_ptr_null(fib_lookup(t, IP(10, 2, 3, 4)));
    fib_table_free(t);
}
END_TEST

START_TEST(test_delete_nonexistent_esrch)
{
    struct fib_table *t = fib_table_new();
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 8, NULL), -ESRCH);   /* empty table */
    add(t, IP(10, 0, 0, 0), 8, 0, 1);
    add(t, IP(10, 1, 0, 0), 16, 0, 2);
    add(t, IP(10, 2, 0, 0), 16, 0, 3);   /* 10.1/16 and 10.2/16 share a branching node */
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 9, NULL), -ESRCH);   /* other plen */
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 7, NULL), -ESRCH);
    ck_assert_int_eq(fib_delete(t, IP(11, 0, 0, 0), 8, NULL), -ESRCH);   /* other prefix */
    ck_assert_int_eq(fib_delete(t, IP(10, 3, 0, 0), 16, NULL), -ESRCH);
    ck_assert_int_eq(fib_delete(t, IP(10, 1, 0, 0), 24, NULL), -ESRCH);  /* below a leaf */
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 14, NULL), -ESRCH);  /* the branch point */
    ck_assert_int_eq(fib_delete(t, 0, 0, NULL), -ESRCH);
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), 33, NULL), -EINVAL);
    ck_assert_int_eq(fib_delete(t, IP(10, 0, 0, 0), -1, NULL), -EINVAL);
    ck_assert_uint_eq(fib_count(t), 3);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 1, 1)), 2);
    ck_assert_int_eq(lookup_if(t, IP(10, 2, 1, 1)), 3);
    ck_assert_int_eq(lookup_if(t, IP(10, 3, 1, 1)), 1);
    fib_table_free(t);
}
END_TEST

START_TEST(test_flush_dev)
{
    struct fib_table *t = fib_table_new();
    add(t, 0, 0, 0, 1);
    add(t, IP(10, 0, 0, 0), 8, 0, 2);
    add(t, IP(10, 0, 0, 0), 8, 5, 1);
    add(t, IP(10, 1, 0, 0), 16, 0, 2);
    add(t, IP(10, 1, 2, 0), 24, 0, 2);
    add(t, IP(10, 1, 3, 0), 24, 0, 3);
    add(t, IP(192, 168, 0, 0), 16, 0, 2);
    add(t, IP(192, 168, 0, 1), 32, 0, 1);
    ck_assert_uint_eq(fib_count(t), 8);

    ck_assert_int_eq(fib_flush_dev(t, 2), 4);
    ck_assert_uint_eq(fib_count(t), 4);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 1);      /* the 10/8 metric 5 one */
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 3, 3)), 3);
    ck_assert_int_eq(lookup_if(t, IP(192, 168, 0, 1)), 1);
    ck_assert_int_eq(lookup_if(t, IP(192, 168, 0, 2)), 1);   /* default route */
    ck_assert_ptr_null(fib_find(t, IP(10, 1, 0, 0), 16));
    ck_assert_int_eq(fib_flush_dev(t, 2), 0);                /* nothing left on dev 2 */
    ck_assert_int_eq(fib_flush_dev(t, 42), 0);

    /* The trie must still be sound for later inserts into the pruned area. */
    add(t, IP(10, 1, 2, 0), 24, 0, 4);
    ck_assert_int_eq(lookup_if(t, IP(10, 1, 2, 3)), 4);

    ck_assert_int_eq(fib_flush_dev(t, 1), 3);
    ck_assert_int_eq(fib_flush_dev(t, 3), 1);
    ck_assert_int_eq(fib_flush_dev(t, 4), 1);
    ck_assert_uint_eq(fib_count(t), 0);
    ck_assert_ptr_null(fib_lookup(t, IP(10, 1, 2, 3)));
    fib_table_free(t);
}
END_TEST

struct walk_log {
    uint32_t prefix[16];
    uint8_t plen[16];
    uint32_t metric[16];
    int n, stop_after;
};

static int walk_log_fn(const struct fib_route *r, void *arg)
{
    struct walk_log *w = arg;
    ck_assert_int_lt(w->n, 16);
    w->prefix[w->n] = r->prefix;
    w->plen[w->n] = r->plen;
    w->metric[w->n] = r->metric;
    w->n++;
    return w->stop_after && w->n >= w->stop_after;
}

START_TEST(test_walk_order)
{
    struct fib_table *t = fib_table_new();
    struct walk_log w = { .n = 0 };
    fib_walk(t, walk_log_fn, &w);            /* empty table: no calls */
    ck_assert_int_eq(w.n, 0);

    add(t, IP(10, 0, 0, 1), 32, 0, 1);
    add(t, IP(192, 168, 1, 0), 24, 0, 1);
    add(t, IP(10, 0, 0, 0), 24, 0, 1);
    add(t, 0, 0, 0, 1);
    add(t, IP(10, 0, 0, 0), 8, 20, 1);
    add(t, IP(10, 0, 0, 0), 8, 10, 1);
    add(t, IP(9, 255, 255, 255), 32, 0, 1);
    add(t, IP(10, 128, 0, 0), 9, 0, 1);
    add(t, IP(128, 0, 0, 0), 1, 0, 1);

    static const struct { uint32_t prefix; uint8_t plen; uint32_t metric; } want[] = {
        { 0, 0, 0 },
        { IP(9, 255, 255, 255), 32, 0 },
        { IP(10, 0, 0, 0), 8, 10 },          /* same prefix: shorter plen first, */
        { IP(10, 0, 0, 0), 8, 20 },          /* same plen: preferred route first */
        { IP(10, 0, 0, 0), 24, 0 },
        { IP(10, 0, 0, 1), 32, 0 },
        { IP(10, 128, 0, 0), 9, 0 },
        { IP(128, 0, 0, 0), 1, 0 },
        { IP(192, 168, 1, 0), 24, 0 },
    };
    const int nwant = (int)(sizeof(want) / sizeof(want[0]));
    fib_walk(t, walk_log_fn, &w);
    ck_assert_int_eq(w.n, nwant);
    for (int i = 0; i < nwant; i++) {
        ck_assert_msg(w.prefix[i] == want[i].prefix && w.plen[i] == want[i].plen &&
                      w.metric[i] == want[i].metric,
                      "walk[%d] = %08x/%u metric %u, want %08x/%u metric %u", i, w.prefix[i],
                      w.plen[i], w.metric[i], want[i].prefix, want[i].plen, want[i].metric);
    }

    /* A non-zero return stops the walk right there. */
    struct walk_log w2 = { .n = 0, .stop_after = 3 };
    fib_walk(t, walk_log_fn, &w2);
    ck_assert_int_eq(w2.n, 3);
    ck_assert_uint_eq(w2.metric[2], 10);
    fib_table_free(t);
}
END_TEST

START_TEST(test_find_exact)
{
    struct fib_table *t = fib_table_new();
    ck_assert_ptr_null(fib_find(t, 0, 0));
    add(t, IP(10, 0, 0, 0), 8, 0, 1);
    add(t, IP(10, 1, 0, 0), 16, 7, 2);
    add(t, IP(10, 1, 0, 0), 16, 3, 3);
    add(t, IP(10, 2, 0, 0), 16, 0, 4);

    const struct fib_route *r = fib_find(t, IP(10, 0, 0, 0), 8);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->ifindex, 1);
    r = fib_find(t, IP(10, 1, 0, 0), 16);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->ifindex, 3);                          /* preferred (metric 3) */
    ck_assert_uint_eq(r->metric, 3);
    r = fib_find(t, IP(10, 1, 200, 1), 16);                   /* host bits ignored */
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->ifindex, 3);

    /* Exact means exact: covering or covered prefixes don't count. */
    ck_assert_ptr_null(fib_find(t, IP(10, 0, 0, 0), 9));
    ck_assert_ptr_null(fib_find(t, IP(10, 0, 0, 0), 7));
    ck_assert_ptr_null(fib_find(t, IP(10, 1, 0, 0), 24));
    ck_assert_ptr_null(fib_find(t, IP(10, 0, 0, 0), 14));    /* branching node of 10.1 & 10.2 */
    ck_assert_ptr_null(fib_find(t, IP(10, 3, 0, 0), 16));
    ck_assert_ptr_null(fib_find(t, 0, 0));
    ck_assert_ptr_null(fib_find(t, IP(10, 0, 0, 0), 33));
    ck_assert_ptr_null(fib_find(t, IP(10, 0, 0, 0), -1));
    fib_table_free(t);
}
END_TEST

START_TEST(test_plen_edges)
{
    struct fib_table *t = fib_table_new();
    /* /32 at the very bottom and top of the address space, next to a /0. */
    add(t, IP(0, 0, 0, 0), 32, 0, 1);
    add(t, IP(255, 255, 255, 255), 32, 0, 2);
    add(t, IP(255, 255, 255, 254), 32, 0, 3);
    ck_assert_int_eq(lookup_if(t, 0), 1);
    ck_assert_int_eq(lookup_if(t, 1), -1);
    ck_assert_int_eq(lookup_if(t, 0xFFFFFFFFu), 2);
    ck_assert_int_eq(lookup_if(t, 0xFFFFFFFEu), 3);
    ck_assert_int_eq(lookup_if(t, 0xFFFFFFFDu), -1);

    /* A /0 inserted after the /32s must become their ancestor. */
    add(t, 0, 0, 0, 4);
    ck_assert_int_eq(lookup_if(t, 0), 1);
    ck_assert_int_eq(lookup_if(t, 1), 4);
    ck_assert_int_eq(lookup_if(t, 0xFFFFFFFDu), 4);
    ck_assert_int_eq(lookup_if(t, 0xFFFFFFFFu), 2);
    ck_assert_ptr_nonnull(fib_find(t, 0, 32));
    ck_assert_ptr_nonnull(fib_find(t, 0, 0));
    ck_assert_int_eq(fib_find(t, 0, 0)->ifindex, 4);
    ck_assert_int_eq(fib_find(t, 0, 32)->ifindex, 1);

    /* 0.0.0.0/0 and 0.0.0.0/32 share a key; deleting one must leave the other. */
    ck_assert_int_eq(fib_delete(t, 0, 0, NULL), 0);
    ck_assert_int_eq(lookup_if(t, 0), 1);
    ck_assert_int_eq(lookup_if(t, 1), -1);
    add(t, 0, 0, 0, 4);
    ck_assert_int_eq(fib_delete(t, 0, 32, NULL), 0);
    ck_assert_int_eq(lookup_if(t, 0), 4);

    /* Out-of-range plen is refused, not truncated. */
    struct fib_route bad = mkroute(IP(10, 0, 0, 0), 33, RTN_UNICAST, 0, 0, 9);
    ck_assert_int_eq(fib_insert(t, &bad), -EINVAL);
    bad.plen = 255;
    ck_assert_int_eq(fib_insert(t, &bad), -EINVAL);
    ck_assert_uint_eq(fib_count(t), 3);

    /* A /0 with a non-zero "prefix" is still the default route. */
    ck_assert_int_eq(fib_delete(t, IP(1, 2, 3, 4), 0, NULL), 0);
    struct fib_route def = mkroute(IP(1, 2, 3, 4), 0, RTN_UNICAST, 0, 0, 5);
    ck_assert_int_eq(fib_insert(t, &def), 0);
    ck_assert_uint_eq(fib_find(t, 0, 0)->prefix, 0);
    ck_assert_int_eq(lookup_if(t, IP(99, 0, 0, 1)), 5);
    fib_table_free(t);
}
END_TEST

START_TEST(test_prefix_masked)
{
    struct fib_table *t = fib_table_new();
    struct fib_route r = mkroute(IP(192, 168, 1, 77), 24, RTN_UNICAST, 0, 0, 1);
    ck_assert_int_eq(fib_insert(t, &r), 0);
    ck_assert_uint_eq(r.prefix, IP(192, 168, 1, 77));         /* caller's copy untouched */

    const struct fib_route *got = fib_lookup(t, IP(192, 168, 1, 1));
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got->prefix, IP(192, 168, 1, 0));       /* stored masked */
    ck_assert_uint_eq(got->plen, 24);
    ck_assert_ptr_eq(fib_find(t, IP(192, 168, 1, 0), 24), got);
    ck_assert_ptr_eq(fib_find(t, IP(192, 168, 1, 255), 24), got);

    /* An odd plen, host bits all ones. */
    struct fib_route r2 = mkroute(IP(172, 31, 255, 255), 11, RTN_UNICAST, 0, 0, 2);
    ck_assert_int_eq(fib_insert(t, &r2), 0);
    got = fib_find(t, IP(172, 0, 0, 0), 11);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got->prefix, IP(172, 0, 0, 0));
    ck_assert_int_eq(lookup_if(t, IP(172, 31, 0, 1)), 2);
    ck_assert_int_eq(lookup_if(t, IP(172, 32, 0, 1)), -1);

    ck_assert_int_eq(fib_delete(t, IP(192, 168, 1, 200), 24, NULL), 0);
    ck_assert_int_eq(fib_delete(t, IP(172, 30, 1, 2), 11, NULL), 0);
    ck_assert_uint_eq(fib_count(t), 0);
    fib_table_free(t);
}
END_TEST

/* ---------------------------------------------------------------- randomized cases */

/* Prefixes are drawn mostly from a narrow region so that routes nest, share prefixes,
 * and collide (exercising EEXIST and multi-route nodes); a few are anywhere at all. */
static uint32_t random_addr(void)
{
    uint32_t a = rnd();
    if (rnd() % 8 == 0) return a;
    return IP(10, 0, 0, 0) | (a & 0x000F0F3Fu);
}

static const uint8_t random_types[] = { RTN_UNICAST, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST,
                                        RTN_BLACKHOLE, RTN_UNREACHABLE };

static void random_insert(struct fib_table *t, struct model *m, uint32_t gw)
{
    unsigned plen = rnd() % 33;
    struct fib_route r = mkroute(random_addr(), (int)plen,
                                 random_types[rnd() % sizeof(random_types)], rnd() % 4, gw,
                                 (int)(1 + rnd() % 8));
    struct fib_route stored = r;
    stored.prefix &= mask_of(plen);
    bool dup = model_has_dup(m, &stored);
    int err = fib_insert(t, &r);
    ck_assert_msg(err == (dup ? -EEXIST : 0), "insert %08x/%u type %u metric %u: %d (dup=%d)",
                  r.prefix, plen, r.type, r.metric, err, dup);
    if (!dup) {
        ck_assert_uint_lt(m->n, m->cap);
        m->r[m->n] = stored;
        m->alive[m->n++] = true;
    }
}

static void random_check(const struct fib_table *t, const struct model *m, int probes)
{
    for (int i = 0; i < probes; i++) check_addr(t, m, random_addr());
    /* Every stored prefix's first and last address are the likeliest off-by-one spots. */
    for (size_t i = 0; i < m->n; i++) {
        if (!m->alive[i]) continue;
        check_addr(t, m, m->r[i].prefix);
        check_addr(t, m, m->r[i].prefix | ~mask_of(m->r[i].plen));
    }
    check_walk(t, m);
}

START_TEST(test_random_vs_bruteforce)
{
    rng_seed(0x243F6A8885A308D3ull);
    struct model m;
    model_init(&m, 8000);
    struct fib_table *t = fib_table_new();
    uint32_t gw = 1;                        /* unique gateway = route identity */

    for (int i = 0; i < 4000; i++) random_insert(t, &m, gw++);
    ck_assert_uint_gt(m.n, 1000);           /* the collisions didn't swallow everything */
    random_check(t, &m, 20000);

    /* Delete about half, mixing the three ways a caller identifies a route. */
    for (size_t i = 0; i < m.n; i++) {
        if (!m.alive[i] || rnd() % 2) continue;
        const struct fib_route *r = &m.r[i];
        uint32_t host = rnd() & ~mask_of(r->plen);   /* callers may pass host bits */
        switch (rnd() % 3) {
        case 0: {                                   /* no match: the preferred route goes */
            long victim = model_first_of(&m, r->prefix, r->plen);
            ck_assert_int_ge(victim, 0);
            ck_assert_int_eq(fib_delete(t, r->prefix | host, r->plen, NULL), 0);
            m.alive[victim] = false;
            break;
        }
        case 1: {                                   /* by gateway, which is unique */
            struct fib_route mt = mkroute(0, 0, 0, 0, r->gateway, 0);
            ck_assert_int_eq(fib_delete(t, r->prefix | host, r->plen, &mt), 0);
            ck_assert_int_eq(fib_delete(t, r->prefix, r->plen, &mt), -ESRCH);
            m.alive[i] = false;
            break;
        }
        default: {                                  /* by type + metric + ifindex + gw */
            struct fib_route mt = mkroute(0, 0, r->type, r->metric, r->gateway, r->ifindex);
            ck_assert_int_eq(fib_delete(t, r->prefix | host, r->plen, &mt), 0);
            m.alive[i] = false;
            break;
        }
        }
    }
    random_check(t, &m, 20000);

    /* Flush two devices and compare counts and contents. */
    for (int dev = 3; dev <= 4; dev++) {
        int expect = 0;
        for (size_t i = 0; i < m.n; i++)
            if (m.alive[i] && m.r[i].ifindex == dev) {
                m.alive[i] = false;
                expect++;
            }
        ck_assert_int_eq(fib_flush_dev(t, dev), expect);
    }
    random_check(t, &m, 20000);

    /* Refill into the pruned trie, then check once more. */
    for (int i = 0; i < 3000; i++) random_insert(t, &m, gw++);
    random_check(t, &m, 20000);

    fib_table_free(t);
    model_free(&m);
}
END_TEST

static double elapsed_s(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

START_TEST(test_100k_routes)
{
    enum { NROUTES = 100000, NLOOKUPS = 1000000, NSPOT = 300 };
    rng_seed(0xB7E151628AED2A6Bull);
    struct model m;
    model_init(&m, NROUTES);
    struct fib_table *t = fib_table_new();

    /* Random prefixes with plen 8..32, weighted towards the /16../24 of real tables. */
    while (m.n < NROUTES) {
        unsigned plen = rnd() % 4 ? 16 + rnd() % 9 : 8 + rnd() % 25;
        struct fib_route r = mkroute(rnd() & mask_of(plen), (int)plen, RTN_UNICAST, rnd() % 4,
                                     (uint32_t)m.n + 1, (int)(1 + rnd() % 16));
        int err = fib_insert(t, &r);
        if (err == -EEXIST) continue;
        ck_assert_int_eq(err, 0);
        m.r[m.n] = r;
        m.alive[m.n++] = true;
    }
    ck_assert_uint_eq(fib_count(t), NROUTES);

    /* Half the probes fully random, half inside a stored prefix (deep paths). */
    uint32_t *addrs = malloc(NLOOKUPS * sizeof(*addrs));
    ck_assert_ptr_nonnull(addrs);
    for (int i = 0; i < NLOOKUPS; i++) {
        if (i % 2) {
            addrs[i] = rnd();
        } else {
            const struct fib_route *r = &m.r[rnd() % NROUTES];
            addrs[i] = r->prefix | (rnd() & ~mask_of(r->plen));
        }
    }

    struct timespec t0, t1;
    unsigned hits = 0;
    /* CPU time, not wall time: a loaded machine (other builds, a parallel test run)
     * must not fail the bound, only a slower lookup. */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (int i = 0; i < NLOOKUPS; i++) hits += fib_lookup(t, addrs[i]) != NULL;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double secs = elapsed_s(&t0, &t1);
#ifdef TEST_STANDALONE
    fprintf(stderr, "fib: %d lookups on %d routes: %.3f s (%.0f ns/lookup), %u hits\n",
            NLOOKUPS, NROUTES, secs, secs * 1e9 / NLOOKUPS, hits);
#endif
    ck_assert_uint_ge(hits, NLOOKUPS / 2);        /* the in-prefix half always hits */
    ck_assert_msg(secs < 2.0, "1M lookups took %.3f s", secs);

    for (int i = 0; i < NSPOT; i++) check_addr(t, &m, addrs[rnd() % NLOOKUPS]);
    free(addrs);

    /* Delete in a shuffled order so pruning happens all over the trie. */
    size_t *order = malloc(NROUTES * sizeof(*order));
    ck_assert_ptr_nonnull(order);
    for (size_t i = 0; i < NROUTES; i++) order[i] = i;
    for (size_t i = NROUTES - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (size_t k = 0; k < NROUTES; k++) {
        const struct fib_route *r = &m.r[order[k]];
        struct fib_route mt = mkroute(0, 0, 0, 0, r->gateway, 0);
        ck_assert_int_eq(fib_delete(t, r->prefix, r->plen, &mt), 0);
        if (k == NROUTES / 2) {
            for (size_t i = 0; i < NROUTES / 2; i++) m.alive[order[i]] = false;
            m.alive[order[k]] = false;
            for (int i = 0; i < NSPOT; i++) check_addr(t, &m, rnd());
        }
    }
    free(order);
    ck_assert_uint_eq(fib_count(t), 0);
    ck_assert_ptr_null(fib_lookup(t, rnd()));
    ck_assert_ptr_null(fib_lookup(t, m.r[0].prefix));
    fib_table_free(t);
    model_free(&m);
}
END_TEST

Suite *fib_suite(void)
{
    Suite *s = suite_create("fib");

    TCase *basic = tcase_create("basic");
    tcase_add_test(basic, test_default_route_matches_everything);
    tcase_add_test(basic, test_longest_prefix_wins);
    tcase_add_test(basic, test_insert_duplicate_eexist);
    tcase_add_test(basic, test_same_prefix_metric);
    tcase_add_test(basic, test_type_tiebreak);
    tcase_add_test(basic, test_lookup_local_table_only);
    tcase_add_test(basic, test_delete_matching);
    tcase_add_test(basic, test_delete_nonexistent_esrch);
    tcase_add_test(basic, test_flush_dev);
    tcase_add_test(basic, test_walk_order);
    tcase_add_test(basic, test_find_exact);
    tcase_add_test(basic, test_plen_edges);
    tcase_add_test(basic, test_prefix_masked);
    suite_add_tcase(s, basic);

    TCase *random = tcase_create("random");
    tcase_set_timeout(random, 30);
    tcase_add_test(random, test_random_vs_bruteforce);
    suite_add_tcase(s, random);

    TCase *big = tcase_create("big");
    tcase_set_timeout(big, 30);
    tcase_add_test(big, test_100k_routes);
    suite_add_tcase(s, big);

    return s;
}

#ifdef TEST_STANDALONE
int main(void)
{
    SRunner *sr = srunner_create(fib_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
