/*
 * tests/net/test_sch.c — the transmit seam (net/sch_generic.c, net/sch_fifo.c) and netem
 * (net/sch_netem.c) on the virtual clock.
 *
 * A recording device ("q0") stands in for a driver: it notes each frame (its sequence
 * number, length, time, netdev_xmit_more), counts ops->flush, and can answer
 * NETDEV_TX_BUSY or stop its queue on demand. Frames are Ethernet frames with a private
 * ethertype whose first payload word is a sequence number and the rest a fixed pattern.
 *
 * netem's distributions are checked under fixed seeds with bands of four standard
 * deviations (a wrong probability, e.g. 25% for 30%, is more than ten away), and its
 * times to the microsecond: the clock is virtual, so a delay is exact.
 */
#include "net/sch_generic.h"
#include "net/sch_netem.h"
#include "tests/fx_check.h"
#include <math.h>

#define SEED     0x5c4ed
#define TREC_MAX 32768
#define FRAME    100
#define ETH_P_TEST 0x88b5               /* IEEE local experimental */

struct trec { uint32_t seq, len; uint64_t at_us; bool more; unsigned flips; };

static struct {
    struct trec rec[TREC_MAX];
    unsigned n, flushes;
    unsigned calls;                     /* xmit calls so far */
    unsigned refuse_call;               /* answer NETDEV_TX_BUSY to this call (1-based) */
    bool stop_when_busy;                /* ... and stop the queue as a driver should */
    unsigned destructor_calls;
} T;

static void build_frame(uint8_t *b, size_t len, uint32_t seq)
{
    memcpy(b, fx_peer_mac.b, 6);
    memcpy(b + 6, fx_mac.b, 6);
    put_be16(b + 12, ETH_P_TEST);
    put_be32(b + 14, seq);
    for (size_t i = 18; i < len; i++) b[i] = (uint8_t)(i * 7);
}

/* Bits that differ from the frame build_frame would make for the same length and seq. */
static unsigned bit_flips(const uint8_t *b, size_t len, uint32_t seq)
{
    uint8_t want[2048];
    build_frame(want, len, seq);
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) n += (unsigned)__builtin_popcount(b[i] ^ want[i]);
    return n;
}

static int tdev_xmit(struct netdev *dev, struct pkt *p)
{
    if (++T.calls == T.refuse_call) {
        if (T.stop_when_busy) netif_stop_queue(dev);
        return NETDEV_TX_BUSY;                  /* not consumed */
    }
    ck_assert_uint_lt(T.n, TREC_MAX);
    struct trec *r = &T.rec[T.n++];
    r->len = p->len;
    r->seq = p->len >= 18 ? get_be32(p->data + 14) : 0;
    r->at_us = dev->net->st->now_us;
    r->more = netdev_xmit_more(dev);
    r->flips = p->len >= 18 && p->len <= 2048 ? bit_flips(p->data, p->len, T.n - 1) : 0;
    pkt_free(p);
    return 0;
}

static void tdev_flush(struct netdev *dev) { T.flushes++; }

static const struct netdev_ops tdev_ops = {
    .kind = "test", .xmit = tdev_xmit, .flush = tdev_flush, .xmit_name = "tdev_xmit",
};

static struct netdev *tdev(unsigned txqlen)
{
    struct netdev *d = netdev_alloc(f->net, "q0", &tdev_ops, 0);
    ck_assert_ptr_nonnull(d);
    d->addr = fx_mac;
    d->txqlen = txqlen;
    ck_assert_int_eq(netdev_register(d), 0);
    netif_carrier_on(d);
    ck_assert_int_eq(dev_open(d), 0);
    return d;
}

static int send_frame(struct netdev *d, uint32_t seq, size_t len)
{
    struct pkt *p = net_pkt_alloc(d->net, len);
    ck_assert_ptr_nonnull(p);
    build_frame(pkt_put(p, len), len, seq);
    return dev_queue_xmit(d, p);
}

static const struct qdisc_stats *stats(const struct netdev *d) { return &d->qdisc->stats; }

static uint32_t pct(double p) { return (uint32_t)rint(p / 100. * UINT32_MAX); }

static void netem(struct netdev *d, const struct netem_opts *o)
{
    const char *extack = NULL;
    int err = qdisc_modify_root(d, "netem", 0, o, sizeof(*o), QDISC_F_CREATE | QDISC_F_REPLACE, &extack);
    ck_assert_msg(err == 0, "netem: %d %s", err, extack ? extack : "");
}

static void setup(void)
{
    memset(&T, 0, sizeof(T));
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
}

static void teardown(void) { fxc_teardown(); }

/* ------------------------------------------------------------------ the default qdisc */

START_TEST(test_default_is_pfifo_fast_and_bypasses)
{
    struct netdev *d = tdev(1000);
    ck_assert_str_eq(qdisc_kind(d), "pfifo_fast");
    ck_assert_str_eq(qdisc_kind(f->net->loopback), "noqueue");
    uint64_t t0 = fx_now_us(f);
    for (uint32_t i = 0; i < 3; i++) ck_assert_int_eq(send_frame(d, i, FRAME + i), 0);
    /* sent at once, inside dev_queue_xmit: no queue, no delay, nothing held */
    ck_assert_uint_eq(T.n, 3);
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(T.rec[i].seq, i);
        ck_assert_uint_eq(T.rec[i].at_us, t0);
        ck_assert(!T.rec[i].more);
    }
    ck_assert_uint_eq(T.flushes, 3);            /* each transmit ends a run */
    ck_assert_uint_eq(stats(d)->packets, 3);
    ck_assert_uint_eq(stats(d)->bytes, 3 * FRAME + 3);
    ck_assert_uint_eq(stats(d)->qlen + stats(d)->backlog + stats(d)->drops + stats(d)->requeues, 0);
    ck_assert_uint_eq(d->stats.tx_packets, 3);
}
END_TEST

START_TEST(test_pfifo_fast_bound_and_drops)
{
    struct netdev *d = tdev(5);
    netif_stop_queue(d);                        /* the driver's ring is full */
    int enobufs = 0;
    for (uint32_t i = 0; i < 10; i++)
        if (send_frame(d, i, FRAME) == -ENOBUFS) enobufs++;
    ck_assert_uint_eq(T.n, 0);
    /* the first frame found the queue stopped and was requeued; 5 fit in the band */
    ck_assert_uint_eq(stats(d)->requeues, 1);
    ck_assert_uint_eq(stats(d)->qlen, 6);
    ck_assert_uint_eq(stats(d)->backlog, 6 * FRAME);
    ck_assert_uint_eq(stats(d)->drops, 4);
    ck_assert_int_eq(enobufs, 4);
    ck_assert_uint_eq(DROPS(DROP_QDISC_DROP), 4);
    netif_wake_queue(d);
    ck_assert_uint_eq(T.n, 0);                  /* from the "softirq": the next poll */
    fx_advance_us(f, 0);
    ck_assert_uint_eq(T.n, 6);
    for (unsigned i = 0; i < 6; i++) ck_assert_uint_eq(T.rec[i].seq, i);
    /* the requeued frame goes alone, the band's five as one batch */
    const bool more[6] = { false, true, true, true, true, false };
    for (unsigned i = 0; i < 6; i++) ck_assert_msg(T.rec[i].more == more[i], "frame %u more=%d", i, T.rec[i].more);
    ck_assert_uint_eq(T.flushes, 1);
    ck_assert_uint_eq(stats(d)->packets, 6);
    ck_assert_uint_eq(stats(d)->bytes, 6 * FRAME);
    ck_assert_uint_eq(stats(d)->qlen + stats(d)->backlog, 0);
    /* ip link set DEV txqueuelen 2: the bound follows at once */
    d->txqlen = 2;
    netif_stop_queue(d);
    for (uint32_t i = 0; i < 5; i++) send_frame(d, 100 + i, FRAME);
    ck_assert_uint_eq(stats(d)->qlen, 3);       /* 1 requeued + 2 */
    ck_assert_uint_eq(stats(d)->drops, 6);
    dev_close(d);                               /* what is held is dropped, counters stay */
    ck_assert_uint_eq(stats(d)->qlen + stats(d)->backlog, 0);
    ck_assert_uint_eq(DROPS(DROP_DEV_READY), 3);
    ck_assert_uint_eq(stats(d)->drops, 6);
    ck_assert_str_eq(qdisc_kind(d), "pfifo_fast");
}
END_TEST

START_TEST(test_xmit_more_batches_and_quota)
{
    struct netdev *d = tdev(1000);
    netif_stop_queue(d);
    for (uint32_t i = 0; i < 100; i++) send_frame(d, i, FRAME);
    netif_wake_queue(d);
    fx_advance_us(f, 0);
    ck_assert_uint_eq(T.n, 100);
    for (unsigned i = 0; i < 100; i++) ck_assert_uint_eq(T.rec[i].seq, i);
    /* frame 0 was requeued (alone); then batches of QDISC_BULK: more on all but the last */
    ck_assert(!T.rec[0].more);
    for (unsigned i = 1; i < 100; i++) {
        bool last = (i % QDISC_BULK) == 0 || i == 99;
        ck_assert_msg(T.rec[i].more == !last, "frame %u more=%d", i, T.rec[i].more);
    }
    /* 64 frames per run: the rest went in a second run, from the timer at "now" */
    ck_assert_uint_eq(T.flushes, 2);
    ck_assert_uint_eq(T.rec[99].at_us, T.rec[0].at_us);
}
END_TEST

START_TEST(test_busy_driver_requeue)
{
    struct netdev *d = tdev(1000);
    netif_stop_queue(d);
    for (uint32_t i = 0; i < 3; i++) send_frame(d, i, FRAME);
    T.refuse_call = 2;                          /* frame 0 goes; the batch [1, 2] is refused */
    uint64_t t0 = fx_now_us(f);
    netif_wake_queue(d);
    fx_advance_us(f, 0);
    ck_assert_uint_eq(T.n, 1);
    ck_assert_uint_eq(stats(d)->requeues, 1 + 2);   /* the stopped first one, then 1 and 2 */
    ck_assert_uint_eq(stats(d)->qlen, 2);
    ck_assert_uint_eq(d->stats.tx_errors, 0);       /* busy is not an error */
    ck_assert_uint_eq(d->stats.tx_packets, 1);
    /* the queue was not stopped: tried again QDISC_BUSY_RETRY_US later, in order */
    fx_advance_us(f, QDISC_BUSY_RETRY_US - 1);
    ck_assert_uint_eq(T.n, 1);
    fx_advance_us(f, 1);
    ck_assert_uint_eq(T.n, 3);
    ck_assert_uint_eq(T.rec[1].seq, 1);
    ck_assert_uint_eq(T.rec[2].seq, 2);
    ck_assert_uint_eq(T.rec[2].at_us, t0 + QDISC_BUSY_RETRY_US);
    ck_assert_uint_eq(stats(d)->packets, 3);        /* Sent counts each frame once */
    ck_assert_uint_eq(d->stats.tx_packets, 3);
    /* a driver that stops its queue when busy is woken, not polled */
    T.refuse_call = T.calls + 1;
    T.stop_when_busy = true;
    send_frame(d, 3, FRAME);
    fx_advance_ms(f, 100);
    ck_assert_uint_eq(T.n, 3);
    netif_wake_queue(d);
    fx_advance_us(f, 0);
    ck_assert_uint_eq(T.n, 4);
    ck_assert_uint_eq(T.rec[3].seq, 3);
}
END_TEST

static unsigned loop_calls;
static int loop_xmit(struct netdev *dev, struct pkt *p)
{
    loop_calls++;
    return dev_queue_xmit(dev, p);              /* a virtual device that sends to itself */
}
static const struct netdev_ops loop_ops = { .kind = "loop", .xmit = loop_xmit };

START_TEST(test_noqueue_direct_busy_and_loops)
{
    struct netdev *d = tdev(0);                 /* txqueuelen 0 at the first up: noqueue */
    ck_assert_str_eq(qdisc_kind(d), "noqueue");
    send_frame(d, 1, FRAME);
    ck_assert_uint_eq(T.n, 1);
    T.refuse_call = T.calls + 1;                /* nowhere to keep it: dropped */
    ck_assert_int_eq(send_frame(d, 2, FRAME), -ENETDOWN);
    ck_assert_uint_eq(DROPS(DROP_TX_QUEUE_FULL), 1);
    ck_assert_uint_eq(d->stats.tx_dropped, 1);
    ck_assert_uint_eq(stats(d)->packets, 0);    /* noqueue counts nothing, as Linux's */

    struct netdev *l = netdev_alloc(f->net, "loop0", &loop_ops, 0);
    l->priv_flags |= IFF_NO_QUEUE;
    ck_assert_int_eq(netdev_register(l), 0);
    ck_assert_int_eq(dev_open(l), 0);
    struct pkt *p = net_pkt_alloc(f->net, 64);
    build_frame(pkt_put(p, 64), 64, 0);
    dev_queue_xmit(l, p);
    ck_assert_uint_eq(loop_calls, 8);           /* XMIT_RECURSION_LIMIT nested sends */
    ck_assert_uint_eq(DROPS(DROP_RECURSION_LIMIT), 1);
}
END_TEST

START_TEST(test_loop_through_a_qdisc_does_not_hang)
{
    /* a device with a queue that sends every frame back to itself: each poll round sends
     * one quota and leaves the rest for the next, so stack_poll returns */
    struct netdev *l = netdev_alloc(f->net, "loop1", &loop_ops, 0);
    ck_assert_int_eq(netdev_register(l), 0);
    ck_assert_int_eq(dev_open(l), 0);
    ck_assert_str_eq(qdisc_kind(l), "pfifo_fast");
    struct pkt *p = net_pkt_alloc(f->net, 64);
    build_frame(pkt_put(p, 64), 64, 0);
    dev_queue_xmit(l, p);
    ck_assert_uint_eq(loop_calls, QDISC_TX_WEIGHT + 1);    /* the bypass, then one quota */
    stack_poll(f->st);
    ck_assert_uint_le(loop_calls, (QDISC_TX_WEIGHT + 1) * 1001);
    ck_assert_uint_eq(stats(l)->qlen, 1);       /* still going round */
    netdev_unregister(l);                       /* the frame goes with the device */
    ck_assert_ptr_null(f->st->tx_sched_head);
}
END_TEST

/* ------------------------------------------------------------------ netem */

START_TEST(test_netem_loss_30)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .loss = pct(30) });
    for (uint32_t i = 0; i < 10000; i++) ck_assert_int_eq(send_frame(d, i, FRAME), 0);
    unsigned lost = 10000 - T.n;
    /* n p = 3000, sigma = 45.8 */
    ck_assert_msg(lost >= 2817 && lost <= 3183, "lost %u of 10000", lost);
    ck_assert_uint_eq(stats(d)->drops, lost);
    ck_assert_uint_eq(DROPS(DROP_QDISC_DROP), lost);
    ck_assert_uint_eq(stats(d)->packets, T.n);
    for (unsigned i = 1; i < T.n; i++) ck_assert_uint_gt(T.rec[i].seq, T.rec[i - 1].seq);
}
END_TEST

/* The frames a run loses, as a bitmap of sequence numbers. */
static void lost_set(uint64_t seed, uint8_t *lost, unsigned n)
{
    fxc_teardown();
    memset(&T, 0, sizeof(T));
    f = fx_new(seed);
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .loss = pct(30), .has_corr = true, .loss_corr = pct(25) });
    for (uint32_t i = 0; i < n; i++) send_frame(d, i, FRAME);
    memset(lost, 1, n);
    for (unsigned i = 0; i < T.n; i++) lost[T.rec[i].seq] = 0;
}

START_TEST(test_netem_is_deterministic)
{
    static uint8_t a[2000], b[2000], c[2000];
    lost_set(SEED, a, 2000);
    lost_set(SEED, b, 2000);
    lost_set(SEED + 1, c, 2000);
    ck_assert(!memcmp(a, b, sizeof(a)));        /* same seed: the same frames lost */
    ck_assert(memcmp(a, c, sizeof(a)));         /* another seed: others */
    unsigned n = 0;
    for (unsigned i = 0; i < 2000; i++) n += a[i];
    ck_assert_msg(n >= 450 && n <= 750, "correlated loss %u of 2000", n);
}
END_TEST

START_TEST(test_netem_duplicate)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .duplicate = pct(10) });
    for (uint32_t i = 0; i < 10000; i++) send_frame(d, i, FRAME);
    unsigned dups = T.n - 10000;                /* n p = 1000, sigma = 30 */
    ck_assert_msg(dups >= 880 && dups <= 1120, "%u duplicates", dups);
    /* every frame once or twice (a duplicate is not duplicated again), in order */
    unsigned twice = 0;
    for (unsigned i = 1; i < T.n; i++) {
        ck_assert_uint_ge(T.rec[i].seq, T.rec[i - 1].seq);
        if (T.rec[i].seq == T.rec[i - 1].seq) {
            twice++;
            ck_assert(i < 2 || T.rec[i - 2].seq != T.rec[i].seq);
        }
    }
    ck_assert_uint_eq(twice, dups);
    ck_assert_uint_eq(stats(d)->packets, T.n);
}
END_TEST

START_TEST(test_netem_corrupt_one_bit_copy_on_write)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .has_corrupt = true, .corrupt = pct(10) });
    for (uint32_t i = 0; i < 10000; i++) send_frame(d, i, FRAME);
    ck_assert_uint_eq(T.n, 10000);
    unsigned bad = 0;
    for (unsigned i = 0; i < T.n; i++) {
        ck_assert_uint_le(T.rec[i].flips, 1);   /* one bit of one byte, never more */
        bad += T.rec[i].flips;
    }
    ck_assert_msg(bad >= 880 && bad <= 1120, "%u corrupted", bad);
    /* corruption writes only into the frame's own bytes: a sender's clone keeps its own */
    netem(d, &(struct netem_opts){ .limit = 1000, .has_corrupt = true, .corrupt = UINT32_MAX });
    struct pkt *p = net_pkt_alloc(f->net, FRAME);
    build_frame(pkt_put(p, FRAME), FRAME, 10000);
    struct pkt *kept = pkt_clone(p);
    ck_assert_ptr_nonnull(kept);
    dev_queue_xmit(d, p);
    ck_assert_uint_eq(T.rec[T.n - 1].flips, 1);
    ck_assert_uint_eq(bit_flips(kept->data, kept->len, 10000), 0);
    pkt_free(kept);
}
END_TEST

START_TEST(test_netem_reorder)
{
    struct netdev *d = tdev(1000);
    /* tc's "delay 10ms reorder 25%" (tc adds gap 1): a quarter go at once */
    netem(d, &(struct netem_opts){ .limit = 1000, .latency_ns = 10000000, .gap = 1,
                                   .has_reorder = true, .reorder = pct(25) });
    uint64_t t0 = fx_now_us(f);
    for (uint32_t i = 0; i < 4000; i++) {
        send_frame(d, i, FRAME);
        fx_advance_us(f, 1000);
    }
    fx_advance_ms(f, 20);
    ck_assert_uint_eq(T.n, 4000);
    unsigned now = 0;
    for (unsigned i = 0; i < T.n; i++) {
        uint64_t sent = t0 + (uint64_t)T.rec[i].seq * 1000;
        if (T.rec[i].at_us == sent) now++;
        else ck_assert_uint_eq(T.rec[i].at_us, sent + 10000);
    }
    ck_assert_msg(now >= 890 && now <= 1110, "%u reordered of 4000", now);   /* n p = 1000, sigma 27 */
    ck_assert_uint_eq(stats(d)->requeues, now);     /* Linux counts them as requeues */
}
END_TEST

START_TEST(test_netem_delay_jitter)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .latency_ns = 100000000, .jitter_ns = 10000000 });
    uint64_t t0 = fx_now_us(f);
    for (uint32_t i = 0; i < 2000; i++) {
        send_frame(d, i, FRAME);
        fx_advance_us(f, 1000);
    }
    fx_advance_ms(f, 200);
    ck_assert_uint_eq(T.n, 2000);
    double sum = 0;
    unsigned overtaken = 0;
    for (unsigned i = 0; i < T.n; i++) {
        uint64_t sent = t0 + (uint64_t)T.rec[i].seq * 1000;
        int64_t delay = (int64_t)(T.rec[i].at_us - sent);
        ck_assert_msg(delay >= 90000 && delay <= 110000, "frame %u delayed %lld us", T.rec[i].seq, (long long)delay);
        sum += (double)delay;
        /* tfifo: frames leave in time order, so jitter larger than the spacing reorders */
        if (i) ck_assert_uint_ge(T.rec[i].at_us, T.rec[i - 1].at_us);
        if (i && T.rec[i].seq < T.rec[i - 1].seq) overtaken++;
    }
    double mean = sum / T.n;                     /* uniform: sigma of the mean 129 us */
    ck_assert_msg(fabs(mean - 100000) < 600, "mean delay %.0f us", mean);
    ck_assert_uint_gt(overtaken, 100);
    ck_assert_uint_eq(stats(d)->qlen, 0);
}
END_TEST

START_TEST(test_netem_rate_paces_exactly)
{
    struct netdev *d = tdev(1000);
    /* 1 Mbit/s: a 1000-byte frame holds the wire 8 ms */
    netem(d, &(struct netem_opts){ .limit = 1000, .has_rate = true, .rate = 125000 });
    uint64_t t0 = fx_now_us(f);
    for (uint32_t i = 0; i < 5; i++) send_frame(d, i, 1000);
    ck_assert_uint_eq(T.n, 0);
    ck_assert_uint_eq(stats(d)->qlen, 5);
    ck_assert_uint_eq(stats(d)->backlog, 5000);
    fx_advance_ms(f, 100);
    ck_assert_uint_eq(T.n, 5);
    for (unsigned i = 0; i < 5; i++) ck_assert_uint_eq(T.rec[i].at_us, t0 + 8000 * (i + 1));
    /* with a delay: the first after delay + 8 ms, then one every 8 ms (the delay is
     * covered by the head start of the frame before) */
    netem(d, &(struct netem_opts){ .limit = 1000, .latency_ns = 10000000, .has_rate = true, .rate = 125000,
                                   .packet_overhead = 24 });
    t0 = fx_now_us(f);
    for (uint32_t i = 0; i < 3; i++) send_frame(d, 10 + i, 976);
    fx_advance_ms(f, 100);
    ck_assert_uint_eq(T.n, 8);
    for (unsigned i = 0; i < 3; i++) ck_assert_uint_eq(T.rec[5 + i].at_us, t0 + 10000 + 8000 * (i + 1));
}
END_TEST

START_TEST(test_netem_limit)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 5, .latency_ns = 1000000000 });
    int enobufs = 0;
    for (uint32_t i = 0; i < 8; i++)
        if (send_frame(d, i, FRAME) == -ENOBUFS) enobufs++;
    ck_assert_int_eq(enobufs, 3);
    ck_assert_uint_eq(stats(d)->drops, 3);
    ck_assert_uint_eq(stats(d)->qlen, 5);
    ck_assert_uint_eq(stats(d)->backlog, 5 * FRAME);
    fx_advance_ms(f, 999);
    ck_assert_uint_eq(T.n, 0);
    fx_advance_ms(f, 1);
    ck_assert_uint_eq(T.n, 5);
    ck_assert_uint_eq(stats(d)->qlen, 0);
    /* replaced while holding frames: they are dropped, counted, not leaked */
    for (uint32_t i = 0; i < 3; i++) send_frame(d, 20 + i, FRAME);
    const char *extack = NULL;
    ck_assert_int_eq(qdisc_delete_root(d, "netem", 0, &extack), 0);
    ck_assert_uint_eq(DROPS(DROP_QDISC_DROP), 3 + 3);
    ck_assert_str_eq(qdisc_kind(d), "pfifo_fast");
}
END_TEST

static void count_destructor(struct pkt *p) { T.destructor_calls++; }

START_TEST(test_netem_delay_orphans_and_shutdown)
{
    struct netdev *d = tdev(1000);
    netem(d, &(struct netem_opts){ .limit = 1000, .latency_ns = 50000000 });
    struct pkt *p = net_pkt_alloc(f->net, FRAME);
    build_frame(pkt_put(p, FRAME), FRAME, 0);
    p->destructor = count_destructor;           /* the sender's charge */
    dev_queue_xmit(d, p);
    ck_assert_uint_eq(T.destructor_calls, 1);   /* given back when held, not at departure */
    ck_assert_uint_eq(T.n, 0);
    fx_advance_ms(f, 50);
    ck_assert_uint_eq(T.n, 1);
    ck_assert_uint_eq(T.destructor_calls, 1);
    /* frames still held when the device goes away are freed with it */
    for (uint32_t i = 0; i < 4; i++) send_frame(d, i, FRAME);
    netdev_unregister(d);
    ck_assert_uint_eq(DROPS(DROP_DEV_READY), 4);
}
END_TEST

Suite *sch_suite(void)
{
    Suite *s = suite_create("sch");
    TCase *t = tcase_create("qdisc");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, test_default_is_pfifo_fast_and_bypasses);
    tcase_add_test(t, test_pfifo_fast_bound_and_drops);
    tcase_add_test(t, test_xmit_more_batches_and_quota);
    tcase_add_test(t, test_busy_driver_requeue);
    tcase_add_test(t, test_noqueue_direct_busy_and_loops);
    tcase_add_test(t, test_loop_through_a_qdisc_does_not_hang);
    suite_add_tcase(s, t);
    TCase *n = tcase_create("netem");
    tcase_add_checked_fixture(n, setup, teardown);
    tcase_set_timeout(n, 60);
    tcase_add_test(n, test_netem_loss_30);
    tcase_add_test(n, test_netem_is_deterministic);
    tcase_add_test(n, test_netem_duplicate);
    tcase_add_test(n, test_netem_corrupt_one_bit_copy_on_write);
    tcase_add_test(n, test_netem_reorder);
    tcase_add_test(n, test_netem_delay_jitter);
    tcase_add_test(n, test_netem_rate_paces_exactly);
    tcase_add_test(n, test_netem_limit);
    tcase_add_test(n, test_netem_delay_orphans_and_shutdown);
    suite_add_tcase(s, n);
    return s;
}
