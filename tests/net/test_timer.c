/*
 * tests/net/test_timer.c — the timer heap (net/timer.c): deadline order, first-armed-first
 * among equal deadlines, cancel and re-arm, timers armed or cancelled from inside a
 * callback, and a large random run checked against the rules.
 */
#include "net/timer.h"
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXLOG 20000

static struct timer_heap heap;
static int fired[MAXLOG];
static uint64_t fired_at[MAXLOG];
static int nfired;
static uint64_t now;

static void setup(void)
{
    memset(&heap, 0, sizeof(heap));
    nfired = 0;
    now = 0;
}

static void teardown(void) { timer_heap_free(&heap); }

static void record(struct timer *t, void *arg)
{
    if (nfired < MAXLOG) {
        fired[nfired] = (int)(intptr_t)arg;
        fired_at[nfired] = t->expires_us;
    }
    nfired++;
    ck_assert(!timer_pending(t));                       /* disarmed before it runs */
}

static int run_until(uint64_t t)
{
    now = t;
    return timers_run(&heap, t);
}

START_TEST(test_timer_fires_in_deadline_order)
{
    static const uint64_t at[] = { 50, 10, 40, 20, 30 };
    struct timer t[5];
    for (int i = 0; i < 5; i++) {
        timer_init(&t[i], record, (void *)(intptr_t)i);
        ck_assert(!timer_pending(&t[i]));
        timer_arm(&heap, &t[i], at[i]);
        ck_assert(timer_pending(&t[i]));
    }
    ck_assert_uint_eq(timer_next_deadline(&heap), 10);
    ck_assert_int_eq(run_until(100), 5);
    static const int want[] = { 1, 3, 4, 2, 0 };
    ck_assert_int_eq(nfired, 5);
    for (int i = 0; i < 5; i++) ck_assert_int_eq(fired[i], want[i]);
    ck_assert_uint_eq(timer_next_deadline(&heap), UINT64_MAX);
    for (int i = 0; i < 5; i++) ck_assert(!timer_pending(&t[i]));
}
END_TEST

START_TEST(test_timer_not_before_deadline)
{
    struct timer t;
    timer_init(&t, record, (void *)(intptr_t)7);
    timer_arm(&heap, &t, 100);
    ck_assert_int_eq(run_until(99), 0);
    ck_assert(timer_pending(&t));
    ck_assert_int_eq(run_until(100), 1);                /* due when now == deadline */
    ck_assert_int_eq(nfired, 1);
    ck_assert_int_eq(run_until(1000), 0);               /* once */
}
END_TEST

START_TEST(test_timer_equal_deadlines_fire_in_arming_order)
{
    struct timer t[10];
    for (int i = 0; i < 10; i++) {
        timer_init(&t[i], record, (void *)(intptr_t)i);
        timer_arm(&heap, &t[i], 500);
    }
    timer_arm(&heap, &t[3], 500);                       /* re-arming counts as arming anew */
    ck_assert_int_eq(run_until(500), 10);
    static const int want[] = { 0, 1, 2, 4, 5, 6, 7, 8, 9, 3 };
    for (int i = 0; i < 10; i++) ck_assert_int_eq(fired[i], want[i]);
}
END_TEST

START_TEST(test_timer_cancel_and_rearm)
{
    struct timer a, b, c;
    timer_init(&a, record, (void *)(intptr_t)0);
    timer_init(&b, record, (void *)(intptr_t)1);
    timer_init(&c, record, (void *)(intptr_t)2);
    timer_cancel(&heap, &a);                            /* not armed: no-op */
    timer_arm(&heap, &a, 10);
    timer_arm(&heap, &b, 20);
    timer_arm(&heap, &c, 30);
    ck_assert_int_eq(heap.n, 3);
    timer_cancel(&heap, &a);
    timer_cancel(&heap, &a);                            /* twice: no-op */
    ck_assert(!timer_pending(&a));
    ck_assert_int_eq(heap.n, 2);
    ck_assert_uint_eq(timer_next_deadline(&heap), 20);
    timer_arm(&heap, &c, 5);                            /* move earlier */
    ck_assert_uint_eq(timer_next_deadline(&heap), 5);
    timer_arm(&heap, &b, 50);                           /* move later */
    ck_assert_int_eq(heap.n, 2);
    ck_assert_int_eq(run_until(40), 1);
    ck_assert_int_eq(fired[0], 2);
    ck_assert_uint_eq(fired_at[0], 5);
    timer_arm(&heap, &a, 45);                           /* re-arm after cancel */
    ck_assert_int_eq(run_until(100), 2);
    ck_assert_int_eq(fired[1], 0);
    ck_assert_int_eq(fired[2], 1);
    ck_assert_int_eq(heap.n, 0);
}
END_TEST

/* Callbacks that arm, re-arm and cancel. */
static struct timer cb_a, cb_b, cb_c, cb_d;

static void arm_b_now(struct timer *t, void *arg)
{
    record(t, arg);
    timer_arm(&heap, &cb_b, now);                       /* due at once: runs in this call */
    timer_cancel(&heap, &cb_d);                         /* due too, but cancelled: never runs */
}

static void rearm_self_later(struct timer *t, void *arg)
{
    record(t, arg);
    timer_arm(&heap, t, t->expires_us + 10);            /* periodic, from its own deadline */
}

START_TEST(test_timer_arm_inside_callback)
{
    timer_init(&cb_a, arm_b_now, (void *)(intptr_t)0);
    timer_init(&cb_b, record, (void *)(intptr_t)1);
    timer_init(&cb_c, rearm_self_later, (void *)(intptr_t)2);
    timer_init(&cb_d, record, (void *)(intptr_t)3);
    timer_arm(&heap, &cb_a, 100);
    timer_arm(&heap, &cb_c, 100);
    timer_arm(&heap, &cb_d, 100);
    ck_assert_int_eq(run_until(100), 3);                /* a, c, then b; not d; c once */
    ck_assert_int_eq(nfired, 3);
    ck_assert_int_eq(fired[0], 0);
    ck_assert_int_eq(fired[1], 2);
    ck_assert_int_eq(fired[2], 1);
    ck_assert(!timer_pending(&cb_d));
    ck_assert(timer_pending(&cb_c));
    ck_assert_uint_eq(timer_next_deadline(&heap), 110);
    ck_assert_int_eq(run_until(130), 3);                /* 110, 120, 130: catching up */
    ck_assert_int_eq(nfired, 6);
    ck_assert_uint_eq(fired_at[5], 130);
    timer_cancel(&heap, &cb_c);
}
END_TEST

/* 10,000 timers with random (and often equal) deadlines, some cancelled, some moved: each
 * live one fires exactly once, in (deadline, arming order) order, in the first run whose
 * now has reached its deadline. */
START_TEST(test_timer_random_10000_fire_sorted)
{
    enum { N = 10000 };
    static struct timer t[N];
    static uint64_t seq_at_arm[N];
    static bool live[N];
    static int count[N];
    uint64_t x = 0x853c49e6748fea9bull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (int i = 0; i < N; i++) {
        timer_init(&t[i], record, (void *)(intptr_t)i);
        timer_arm(&heap, &t[i], 1 + RND() % 5000);      /* ~2 per deadline: many ties */
        live[i] = true;
    }
    for (int k = 0; k < N / 5; k++) {
        int i = (int)(RND() % N);
        if (RND() % 2) { timer_cancel(&heap, &t[i]); live[i] = false; }
        else { timer_arm(&heap, &t[i], 1 + RND() % 5000); live[i] = true; }
    }
    int nlive = 0;
    for (int i = 0; i < N; i++) {
        seq_at_arm[i] = t[i].seq;
        nlive += live[i];
    }
    ck_assert_int_eq(heap.n, nlive);
    uint64_t prev_now = 0;
    int total = 0, prev = -1;
    while (heap.n) {
        uint64_t step = 1 + RND() % 97;
        int before = nfired;
        total += run_until(prev_now + step);
        for (int k = before; k < nfired; k++) {
            int i = fired[k];
            ck_assert(live[i]);
            count[i]++;
            ck_assert_uint_le(t[i].expires_us, now);            /* not early */
            ck_assert_uint_gt(t[i].expires_us, prev_now);       /* not late */
            if (prev >= 0) {
                bool ordered = t[prev].expires_us < t[i].expires_us ||
                               (t[prev].expires_us == t[i].expires_us && seq_at_arm[prev] < seq_at_arm[i]);
                ck_assert_msg(ordered, "timer %d (at %llu) fired before timer %d (at %llu)", prev,
                              (unsigned long long)t[prev].expires_us, i, (unsigned long long)t[i].expires_us);
            }
            prev = i;
        }
        prev_now = now;
    }
    ck_assert_int_eq(total, nlive);
    ck_assert_int_eq(nfired, nlive);
    for (int i = 0; i < N; i++) ck_assert_int_eq(count[i], live[i] ? 1 : 0);
#undef RND
}
END_TEST

START_TEST(test_timer_heap_free_resets)
{
    struct timer a;
    timer_init(&a, record, NULL);
    timer_arm(&heap, &a, 1);
    timer_heap_free(&heap);
    ck_assert_int_eq(heap.n, 0);
    ck_assert_ptr_null(heap.v);
    ck_assert_uint_eq(timer_next_deadline(&heap), UINT64_MAX);
}
END_TEST

Suite *timer_suite(void)
{
    Suite *s = suite_create("timer");
    TCase *tc = tcase_create("heap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, test_timer_fires_in_deadline_order);
    tcase_add_test(tc, test_timer_not_before_deadline);
    tcase_add_test(tc, test_timer_equal_deadlines_fire_in_arming_order);
    tcase_add_test(tc, test_timer_cancel_and_rearm);
    tcase_add_test(tc, test_timer_arm_inside_callback);
    tcase_add_test(tc, test_timer_random_10000_fire_sorted);
    tcase_add_test(tc, test_timer_heap_free_resets);
    suite_add_tcase(s, tc);
    return s;
}
