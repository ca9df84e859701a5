/*
 * tests/net/test_pkt.c — the packet buffer (net/pkt.c): size classes, clones sharing
 * bytes with their own metadata, copy-on-write before writing shared bytes, the
 * destructor, scrub, pool growth up to its cap and what it refuses, and no leaks.
 */
#include "net/pkt.h"
#include <check.h>
#include <stdlib.h>

static struct pkt_pool pool;

static void setup(void) { ck_assert_int_eq(pkt_pool_init(&pool, 0), 0); }
static void teardown(void)
{
    ck_assert_uint_eq(pkt_pool_live(&pool), 0);
    ck_assert_uint_eq(pkt_pool_bufs_live(&pool), 0);
    pkt_pool_free(&pool);
}

static struct pkt *filled(size_t n, uint8_t seed)
{
    struct pkt *p = pkt_alloc(&pool, n);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, n);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(seed + i);
    return p;
}

static bool holds(const struct pkt *p, size_t n, uint8_t seed)
{
    if (p->len != n) return false;
    for (size_t i = 0; i < n; i++) if (p->data[i] != (uint8_t)(seed + i)) return false;
    return true;
}

START_TEST(test_pkt_alloc_headroom_and_classes)
{
    struct pkt *s = pkt_alloc(&pool, PKT_SMALL_DATA);
    struct pkt *b = pkt_alloc(&pool, PKT_SMALL_DATA + 1);
    struct pkt *h = pkt_alloc(&pool, 65535 + 14);
    struct pkt *m16 = pkt_alloc(&pool, 16412), *m32 = pkt_alloc(&pool, 20000);
    ck_assert(s && b && h && m16 && m32);
    ck_assert_uint_eq(m16->buf->cls, PKT_CLASS_16K);   /* truesize near the size */
    ck_assert_uint_eq(m32->buf->cls, PKT_CLASS_32K);
    ck_assert_uint_lt(pkt_truesize(m16), 16412 + 1024 + sizeof(struct pkt));
    pkt_free(m16); pkt_free(m32);
    ck_assert_uint_eq(s->buf->cls, PKT_CLASS_SMALL);
    ck_assert_uint_eq(b->buf->cls, PKT_CLASS_BIG);
    ck_assert_uint_eq(h->buf->cls, PKT_CLASS_HUGE);
    ck_assert_uint_eq(pkt_headroom(s), PKT_HEADROOM);
    ck_assert_uint_eq(s->len, 0);
    ck_assert_uint_ge(pkt_tailroom(h), 65535 + 14);
    ck_assert_ptr_null(s->tr);                      /* no trace record unless tracing */
    ck_assert_uint_eq(pkt_truesize(s), PKT_HEADROOM + PKT_SMALL_DATA + sizeof(struct pkt));
    ck_assert_uint_eq(pkt_pool_live(&pool), 3);
    /* Larger than any class: refused and counted, never malloc'd one by one. */
    uint64_t refused = pool.refused;
    ck_assert_ptr_null(pkt_alloc(&pool, PKT_MAX_DATA + 1));
    ck_assert_uint_eq(pool.refused, refused + 1);
    pkt_free(s); pkt_free(b); pkt_free(h);
}
END_TEST

START_TEST(test_pkt_header_is_small)
{
    /* The journey trace lives off the packet: the header is a few cache lines. */
    ck_assert_uint_le(sizeof(struct pkt), 192);
}
END_TEST

START_TEST(test_pkt_clone_shares_bytes_not_metadata)
{
    struct pkt *p = filled(1000, 7);
    pkt_reset_network_header(p);
    p->cb[0] = 11;
    struct pkt *c = pkt_clone(p);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_eq(c->data, p->data);             /* same bytes */
    ck_assert(pkt_shared(p) && pkt_shared(c));
    ck_assert_uint_eq(p->buf->refs, 2);
    ck_assert_int_eq(c->nh_off, p->nh_off);
    ck_assert_uint_eq(c->cb[0], 11);
    /* Own metadata: pulling or re-tagging the clone leaves the original alone. */
    pkt_pull(c, 20);
    c->cb[0] = 12;
    ck_assert_uint_eq(p->len, 1000);
    ck_assert_uint_eq(p->cb[0], 11);
    ck_assert_uint_eq(pkt_pool_bufs_live(&pool), 1);
    ck_assert_uint_eq(pkt_pool_live(&pool), 2);
    /* The bytes outlive the original while the clone holds them. */
    pkt_free(p);
    ck_assert(!pkt_shared(c));
    ck_assert_uint_eq(pkt_pool_bufs_live(&pool), 1);
    ck_assert_uint_eq(c->data[0], (uint8_t)(7 + 20));
    pkt_free(c);
    ck_assert_uint_eq(pkt_pool_bufs_live(&pool), 0);
}
END_TEST

START_TEST(test_pkt_make_writable_copies_only_when_shared)
{
    struct pkt *p = filled(300, 1);
    uint8_t *before = p->data;
    ck_assert_int_eq(pkt_make_writable(p), 0);      /* unshared: nothing to do */
    ck_assert_ptr_eq(p->data, before);
    struct pkt *c = pkt_clone(p);
    pkt_reset_mac_header(c);
    pkt_pull(c, 14);
    pkt_reset_network_header(c);
    ck_assert_int_eq(pkt_make_writable(c), 0);
    ck_assert_ptr_ne(c->data, p->data);             /* its own bytes now */
    ck_assert(!pkt_shared(p) && !pkt_shared(c));
    ck_assert_uint_eq(pkt_headroom(c), PKT_HEADROOM + 14);
    /* Offsets still point at the same bytes in the new buffer. */
    ck_assert_uint_eq(pkt_mac_header(c)[0], 1);
    ck_assert_uint_eq(pkt_network_header(c)[0], (uint8_t)(1 + 14));
    c->data[0] = 0xee;                              /* the write the rule protects */
    ck_assert(holds(p, 300, 1));
    pkt_free(p);
    pkt_free(c);
}
END_TEST

START_TEST(test_pkt_cow_head_grows_and_unshares)
{
    struct pkt *p = filled(100, 3);
    ck_assert_int_eq(pkt_cow_head(p, 64), 0);
    ck_assert_uint_eq(pkt_headroom(p), PKT_HEADROOM);
    struct pkt *c = pkt_clone(p);
    ck_assert_int_eq(pkt_cow_head(c, 64), 0);       /* shared: a private head first */
    ck_assert(!pkt_shared(p));
    uint8_t *h = pkt_push(c, 50);
    memset(h, 0xaa, 50);
    ck_assert(holds(p, 100, 3));
    /* More headroom than a buffer has by default: moved, data intact. */
    ck_assert_int_eq(pkt_cow_head(p, PKT_HEADROOM + 100), 0);
    ck_assert_uint_ge(pkt_headroom(p), PKT_HEADROOM + 100);
    ck_assert(holds(p, 100, 3));
    pkt_free(p);
    pkt_free(c);
}
END_TEST

START_TEST(test_pkt_copy_is_independent)
{
    struct pkt *p = filled(5000, 9);
    p->protocol = 0x800;
    struct pkt *c = pkt_copy(p);
    ck_assert_ptr_nonnull(c);
    ck_assert(!pkt_shared(p));
    ck_assert(holds(c, 5000, 9));
    ck_assert_uint_eq(c->protocol, 0x800);
    c->data[0] = 0;
    ck_assert(holds(p, 5000, 9));
    pkt_free(p);
    pkt_free(c);
}
END_TEST

static int destructed;
static void count_destructor(struct pkt *p) { destructed++; p->sk = NULL; }

START_TEST(test_pkt_destructor_once_and_not_on_clones)
{
    destructed = 0;
    struct pkt *p = filled(10, 0);
    p->destructor = count_destructor;
    struct pkt *c = pkt_clone(p);
    ck_assert_ptr_null(c->destructor);              /* a clone has no owner (skb_clone) */
    pkt_free(c);
    ck_assert_int_eq(destructed, 0);
    pkt_free(p);
    ck_assert_int_eq(destructed, 1);
}
END_TEST

START_TEST(test_pkt_scrub)
{
    destructed = 0;
    struct pkt *p = filled(10, 0);
    p->destructor = count_destructor;
    p->pkt_type = PACKET_BROADCAST;
    p->dst.nexthop = 1;
    p->tstamp_us = 5;
    pkt_reset_network_header(p);
    pkt_scrub(p, false);                            /* same namespace: the owner stays */
    ck_assert_uint_eq(p->pkt_type, PACKET_HOST);
    ck_assert_uint_eq(p->dst.nexthop, 0);
    ck_assert_int_eq(p->nh_off, -1);
    ck_assert_int_eq(destructed, 0);
    ck_assert_uint_eq(p->tstamp_us, 5);
    pkt_scrub(p, true);                             /* another namespace: orphaned */
    ck_assert_int_eq(destructed, 1);
    ck_assert_ptr_null(p->destructor);
    ck_assert_uint_eq(p->tstamp_us, 0);
    pkt_free(p);
    ck_assert_int_eq(destructed, 1);
}
END_TEST

START_TEST(test_pkt_pool_grows_in_chunks_then_reuses)
{
    size_t mem0 = pool.mem;
    struct pkt *ps[1000];
    for (int i = 0; i < 1000; i++) ck_assert_ptr_nonnull(ps[i] = pkt_alloc(&pool, 1500));
    ck_assert_uint_gt(pool.mem, mem0);              /* grew */
    uint64_t grown = pool.grown;
    ck_assert_uint_lt(grown, 20);                   /* in chunks, not per packet */
    size_t mem1 = pool.mem;
    for (int i = 0; i < 1000; i++) pkt_free(ps[i]);
    for (int round = 0; round < 3; round++) {       /* reuse: no new memory */
        for (int i = 0; i < 1000; i++) ps[i] = pkt_alloc(&pool, 1500);
        for (int i = 0; i < 1000; i++) pkt_free(ps[i]);
    }
    ck_assert_uint_eq(pool.mem, mem1);
    ck_assert_uint_eq(pool.grown, grown);
}
END_TEST

START_TEST(test_pkt_pool_cap_refuses_and_recovers)
{
    pkt_pool_free(&pool);
    ck_assert_int_eq(pkt_pool_init(&pool, 2u << 20), 0);   /* 2 MiB */
    struct pkt *held[4096];
    int n = 0;
    while (n < 4096 && (held[n] = pkt_alloc(&pool, 1500))) n++;
    ck_assert_int_gt(n, 100);
    ck_assert_int_lt(n, 4096);                      /* the cap stopped it */
    ck_assert_uint_le(pool.mem, 2u << 20);
    ck_assert_uint_eq(pool.refused, 1);
    /* Other classes grow into what is left under the cap, then are refused too. */
    struct pkt *huge[64];
    int nh = 0;
    while (nh < 64 && (huge[nh] = pkt_alloc(&pool, 60000))) nh++;
    ck_assert_int_lt(nh, 64);
    ck_assert_uint_eq(pool.refused, 2);
    ck_assert_uint_le(pool.mem, 2u << 20);
    while (nh) pkt_free(huge[--nh]);
    /* Memory freed is memory available again. */
    pkt_free(held[--n]);
    struct pkt *again = pkt_alloc(&pool, 100);
    ck_assert_ptr_nonnull(again);
    pkt_free(again);
    while (n) pkt_free(held[--n]);
}
END_TEST

START_TEST(test_pkt_random_clone_copy_free_no_leak)
{
    /* A random mix of operations over tagged packets: every live header must still see
     * its tag (no buffer reused while referenced), and nothing leaks at the end. */
    struct pkt *live[64] = { 0 };
    uint8_t tag[64] = { 0 };
    srand(42);
    for (int step = 0; step < 20000; step++) {
        int i = rand() % 64, j = rand() % 64;
        switch (rand() % 5) {
        case 0: if (!live[i]) { tag[i] = (uint8_t)rand(); live[i] = filled(64 + (size_t)(rand() % 3000), tag[i]); } break;
        case 1: if (live[i] && !live[j]) { live[j] = pkt_clone(live[i]); tag[j] = tag[i]; } break;
        case 2: if (live[i] && !live[j]) { live[j] = pkt_copy(live[i]); tag[j] = tag[i]; } break;
        case 3: if (live[i]) { pkt_free(live[i]); live[i] = NULL; } break;
        case 4: if (live[i]) { ck_assert_int_eq(pkt_make_writable(live[i]), 0);
                    live[i]->data[0] = tag[i]; } break;
        }
        if (live[i]) ck_assert_uint_eq(live[i]->data[1], (uint8_t)(tag[i] + 1));
    }
    for (int i = 0; i < 64; i++) pkt_free(live[i]);
}
END_TEST

Suite *pkt_suite(void)
{
    Suite *s = suite_create("pkt");
    TCase *tc = tcase_create("pkt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pkt_alloc_headroom_and_classes);
    tcase_add_test(tc, test_pkt_header_is_small);
    tcase_add_test(tc, test_pkt_clone_shares_bytes_not_metadata);
    tcase_add_test(tc, test_pkt_make_writable_copies_only_when_shared);
    tcase_add_test(tc, test_pkt_cow_head_grows_and_unshares);
    tcase_add_test(tc, test_pkt_copy_is_independent);
    tcase_add_test(tc, test_pkt_destructor_once_and_not_on_clones);
    tcase_add_test(tc, test_pkt_scrub);
    tcase_add_test(tc, test_pkt_pool_grows_in_chunks_then_reuses);
    tcase_add_test(tc, test_pkt_pool_cap_refuses_and_recovers);
    tcase_add_test(tc, test_pkt_random_clone_copy_free_no_leak);
    suite_add_tcase(s, tc);
    return s;
}
