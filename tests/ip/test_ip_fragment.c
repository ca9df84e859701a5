/*
 * tests/ip/test_ip_fragment.c — unit tests for IPv4 reassembly (ip/ip_fragment.c).
 *
 * Each test builds a stack with a virtual clock, one namespace with ipfrag_net_init() and
 * one registered device (held fragments name it by ifindex, and ip_expire looks it up to
 * send the ICMP error), then feeds hand-built fragments to ip_defrag(). Time passes by
 * setting st->now_us and calling stack_poll(). icmp_send() is wrapped at link time
 * and only records its calls while this suite runs. Every test ends by checking that nothing is held and no
 * packet leaked (pkt_pool_live == 0).
 */
#include "ip/ip.h"
#include "icmp/icmp.h"
#include "net/csum.h"
#include "net/netdev.h"
#include "net/stack.h"
#include "net/trace.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define SRC_A IP(192, 0, 2, 1)
#define SRC_B IP(192, 0, 2, 2)
#define DST   IP(198, 51, 100, 7)

/* ------------------------------------------------------------------ fake icmp_send */

static struct {
    int      n;
    int      type, code;
    uint32_t info;
    uint32_t quoted_src;        /* source address of the quoted header */
    unsigned quoted_off;        /* its fragment offset: icmp_send wants fragment zero */
    bool     had_dev;
} icmp_log;

/*
 * The unit-test binary links the real icmp/ too, so this is a link-time wrapper
 * (-Wl,--wrap=icmp_send): while a test of this suite runs (fake_icmp set by setup) it
 * only records; in every other suite it passes the call to the real icmp_send.
 */
static bool fake_icmp;
void __real_icmp_send(struct pkt *orig, int type, int code, uint32_t info);
void __wrap_icmp_send(struct pkt *orig, int type, int code, uint32_t info);
void __wrap_icmp_send(struct pkt *orig, int type, int code, uint32_t info)
{
    if (!fake_icmp) { __real_icmp_send(orig, type, code, info); return; }
    ck_assert_int_ge(orig->nh_off, 0);
    const uint8_t *ih = pkt_network_header(orig);
    ck_assert_ptr_eq(ih, orig->data);
    icmp_log.n++;
    icmp_log.type = type;
    icmp_log.code = code;
    icmp_log.info = info;
    icmp_log.quoted_src = ip4_src(ih);
    icmp_log.quoted_off = ip4_frag_off(ih);
    icmp_log.had_dev = orig->dev != NULL;
}

/* ------------------------------------------------------------------ fixture */

static struct stack *st;
static struct net *net;
static struct netdev *dev;
static const struct netdev_ops dummy_ops = { .kind = "dummy" };

static char log_lines[64][768];
static int n_log;
static void log_sink(void *arg, const char *line)
{
    if (n_log < (int)ARRAY_SIZE(log_lines))
        snprintf(log_lines[n_log], sizeof(log_lines[0]), "%s", line);
    n_log++;
}

static void setup_slots(unsigned slots)
{
    st = stack_new(&(struct stack_cfg){ .seed = 1, .virtual_clock = true, .pool_max = (size_t)slots * 4096 });
    ck_assert_ptr_nonnull(st);
    st->log = log_sink;
    ck_assert_int_eq(ipfrag_init(st), 0);           /* the layer under test, alone */
    net = net_new(st, "");
    ck_assert_ptr_nonnull(net);
    dev = netdev_alloc(net, "eth0", &dummy_ops, 0);
    ck_assert_ptr_nonnull(dev);
    ck_assert_int_eq(netdev_register(dev), 0);
    memset(&icmp_log, 0, sizeof(icmp_log));
    n_log = 0;
    fake_icmp = true;
}

static void setup(void) { setup_slots(0); }

static void teardown(void)
{
    if (!st) return;
    stack_free(st);
    st = NULL; net = NULL; dev = NULL;
}

/* Nothing held, nothing leaked. */
static void assert_clean(void)
{
    ck_assert_uint_eq(ipfrag_queues(net), 0);
    ck_assert_uint_eq(ipfrag_mem(net), 0);
    ck_assert_uint_eq(pkt_pool_live(&st->pool), 0);
}

static uint64_t mib(enum mib_id id) { return net->mib.v[id]; }
static uint64_t drops(enum drop d) { return net->drops[d]; }

static void advance_to_us(uint64_t t)
{
    st->now_us = t;
    stack_poll(st);
}

/* Let every queue time out, then check that nothing is left. */
static void expire_all_and_check(void)
{
    advance_to_us(st->now_us + 3600 * US_PER_S);
    assert_clean();
}

/* ------------------------------------------------------------------ fragments */

/* Byte i of a test datagram's payload: varies with i so misplaced data shows. */
static uint8_t pat(unsigned i) { return (uint8_t)(i * 7u + i / 251u + 3u); }

struct fopt {
    uint32_t src, dst;
    uint16_t id;
    uint8_t  proto, tos;
    unsigned off, len;          /* payload offset (a multiple of 8) and length, bytes */
    bool     mf, df;
    unsigned optlen;            /* bytes of IP options (NOPs), a multiple of 4 */
};

/* A fragment as ip_rcv would pass it: header checked, p->len == tot_len, data at it. */
static struct pkt *mkfrag(struct fopt o)
{
    if (!o.src) o.src = SRC_A;
    if (!o.dst) o.dst = DST;
    if (!o.id) o.id = 0x1234;
    if (!o.proto) o.proto = IPPROTO_UDP;
    unsigned hlen = IP4_HLEN + o.optlen;
    struct pkt *p = pkt_alloc(&st->pool, hlen + o.len);
    ck_assert_ptr_nonnull(p);
    uint8_t *h = pkt_put(p, hlen + o.len);
    ck_assert_ptr_nonnull(h);
    h[IP4_OFF_VHL] = (uint8_t)(0x40 | hlen / 4);
    h[IP4_OFF_TOS] = o.tos;
    put_be16(h + IP4_OFF_LEN, (uint16_t)(hlen + o.len));
    put_be16(h + IP4_OFF_ID, o.id);
    put_be16(h + IP4_OFF_FRAG, (uint16_t)((o.off / 8) | (o.mf ? IP_MF : 0) | (o.df ? IP_DF : 0)));
    h[IP4_OFF_TTL] = 64;
    h[IP4_OFF_PROTO] = o.proto;
    put_be16(h + IP4_OFF_CSUM, 0);
    put_be32(h + IP4_OFF_SRC, o.src);
    put_be32(h + IP4_OFF_DST, o.dst);
    memset(h + IP4_HLEN, 1 /* NOP */, o.optlen);
    for (unsigned i = 0; i < o.len; i++) h[hlen + i] = pat(o.off + i);
    put_be16(h + IP4_OFF_CSUM, inet_csum(h, hlen));
    p->dev = dev;
    p->iif = dev->ifindex;
    p->protocol = ETH_P_IP;
    p->pkt_type = PACKET_HOST;
    p->tstamp_us = st->now_us;
    p->dst.flags = RTCF_LOCAL;
    pkt_reset_network_header(p);
    trace_begin_rx(p, dev);
    return p;
}
#define FRAG(...) ip_defrag(net, mkfrag((struct fopt){ __VA_ARGS__ }))

/* The reassembled datagram is well formed and carries payload [0, plen) of pat. */
static void assert_datagram(const struct pkt *r, unsigned hlen, unsigned plen)
{
    ck_assert_ptr_nonnull(r);
    const uint8_t *h = r->data;
    ck_assert_uint_eq(r->len, hlen + plen);
    ck_assert_int_eq(r->nh_off, (int32_t)(r->data - r->head));
    ck_assert_uint_eq(ip4_version(h), 4);
    ck_assert_uint_eq(ip4_hlen(h), hlen);
    ck_assert_uint_eq(ip4_tot_len(h), hlen + plen);
    ck_assert_uint_eq(ip4_frag(h) & (IP_MF | IP_OFFMASK), 0);
    ck_assert_uint_eq(inet_csum(h, hlen), 0);
    for (unsigned i = 0; i < plen; i++)
        if (h[hlen + i] != pat(i)) ck_abort_msg("payload byte %u is %u, want %u", i, h[hlen + i], pat(i));
}

/* ------------------------------------------------------------------ tests: reassembly */

START_TEST(test_in_order_three_fragments)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_gt(ipfrag_mem(net), 1480);
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    struct pkt *r = FRAG(.off = 2960, .len = 1000);
    assert_datagram(r, IP4_HLEN, 3960);
    ck_assert_ptr_eq(r->dev, dev);
    ck_assert_int_eq(r->iif, dev->ifindex);
    ck_assert_uint_eq(r->protocol, ETH_P_IP);
    ck_assert_uint_eq(r->dst.flags, RTCF_LOCAL);
    ck_assert_uint_eq(mib(MIB_IpReasmReqds), 3);
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 0);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_reverse_order)
{
    ck_assert_ptr_null(FRAG(.off = 2960, .len = 1000));
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    struct pkt *r = FRAG(.off = 0, .len = 1480, .mf = true);
    assert_datagram(r, IP4_HLEN, 3960);
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 1);
    pkt_free(r);
    assert_clean();
}
END_TEST

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

START_TEST(test_random_order_65000_byte_datagram)
{
    const unsigned total = 65000, plen = total - IP4_HLEN, piece = 1480;
    unsigned n = (plen + piece - 1) / piece, order[64];
    ck_assert_uint_le(n, ARRAY_SIZE(order));
    for (unsigned i = 0; i < n; i++) order[i] = i;
    for (unsigned i = n - 1; i > 0; i--) {          /* Fisher-Yates, fixed seed */
        unsigned j = rnd() % (i + 1), tmp = order[i];
        order[i] = order[j]; order[j] = tmp;
    }
    struct pkt *r = NULL;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = order[k], off = i * piece, len = MIN(piece, plen - off);
        r = FRAG(.off = off, .len = len, .mf = i != n - 1);
        if (k < n - 1) ck_assert_ptr_null(r);
    }
    assert_datagram(r, IP4_HLEN, plen);
    ck_assert_uint_eq(r->buf->cls, PKT_CLASS_HUGE);    /* the 64 KiB class, no malloc */
    ck_assert_uint_eq(mib(MIB_IpReasmReqds), n);
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 1);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_reassembled_header_fields)
{
    /* Fragment zero carries 4 bytes of options; the others carry none (RFC 791 §3.1:
     * only options with the copy flag go in every fragment). All fragments have DF. */
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 800, .df = true));
    struct pkt *r = FRAG(.off = 0, .len = 1480, .mf = true, .df = true, .optlen = 4, .tos = 0x10);
    assert_datagram(r, IP4_HLEN + 4, 2280);
    const uint8_t *h = r->data;
    ck_assert_uint_eq(ip4_frag(h), IP_DF);
    ck_assert_uint_eq(ip4_tos(h), 0x10);
    ck_assert_uint_eq(ip4_id(h), 0x1234);
    ck_assert_uint_eq(ip4_ttl(h), 64);
    ck_assert_uint_eq(ip4_proto(h), IPPROTO_UDP);
    ck_assert_uint_eq(ip4_src(h), SRC_A);
    ck_assert_uint_eq(ip4_dst(h), DST);
    ck_assert_uint_eq(h[IP4_HLEN], 1);              /* the options came along */
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_df_kept_only_if_largest_fragment_had_it)
{
    /* Linux ip_frag_reasm: DF only when the largest fragment had it. */
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    struct pkt *r = FRAG(.off = 1480, .len = 8, .df = true);
    assert_datagram(r, IP4_HLEN, 1488);
    ck_assert_uint_eq(ip4_frag(r->data), 0);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_ecn_ce_on_one_fragment_marks_datagram)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true, .tos = 0x02 /* ECT(0) */));
    struct pkt *r = FRAG(.off = 8, .len = 8, .tos = 0x03 /* CE */);
    assert_datagram(r, IP4_HLEN, 16);
    ck_assert_uint_eq(ip4_tos(r->data) & 3, 3);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_ecn_not_ect_mixed_with_ect_discards)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true, .tos = 0x00 /* Not-ECT */));
    ck_assert_ptr_null(FRAG(.off = 8, .len = 8, .tos = 0x02 /* ECT(0) */));
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 0);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    assert_clean();
}
END_TEST

START_TEST(test_fragments_of_different_datagrams_kept_apart)
{
    /* Same id, other source / protocol: other queues (RFC 791 §3.2 key). */
    ck_assert_ptr_null(FRAG(.off = 0, .len = 16, .mf = true));
    ck_assert_ptr_null(FRAG(.src = SRC_B, .off = 16, .len = 8));
    ck_assert_ptr_null(FRAG(.proto = IPPROTO_TCP, .off = 16, .len = 8));
    ck_assert_uint_eq(ipfrag_queues(net), 3);
    struct pkt *r = FRAG(.off = 16, .len = 8);
    assert_datagram(r, IP4_HLEN, 24);
    pkt_free(r);
    ck_assert_uint_eq(ipfrag_queues(net), 2);
    expire_all_and_check();
}
END_TEST

/* ------------------------------------------------------------------ tests: duplicates, overlaps */

START_TEST(test_duplicate_fragment_ignored)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_eq(drops(DROP_DUP_FRAG), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 0);
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    struct pkt *r = FRAG(.off = 2960, .len = 100);
    assert_datagram(r, IP4_HLEN, 3060);
    ck_assert_uint_eq(drops(DROP_DUP_FRAG), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 0);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_fragment_inside_held_run_is_duplicate)
{
    /* Linux inet_frag_queue_insert: bytes all inside a run of contiguous held fragments
     * are a duplicate (IPFRAG_DUP), even across a fragment boundary. */
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 1000, .len = 1000, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_eq(drops(DROP_DUP_FRAG), 1);
    struct pkt *r = FRAG(.off = 2960, .len = 40);
    assert_datagram(r, IP4_HLEN, 3000);
    pkt_free(r);
    assert_clean();
}
END_TEST

START_TEST(test_partial_overlap_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 2960, .len = 1000));
    /* Overlaps the end of [0, 1480) and reaches into the hole: RFC 5722 discard. */
    ck_assert_ptr_null(FRAG(.off = 1000, .len = 1480, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 0);
    ck_assert_uint_eq(ipfrag_mem(net), 0);
    ck_assert_uint_eq(drops(DROP_FRAG_OVERLAP), 3);         /* two held + the overlapping one */
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(pkt_pool_live(&st->pool), 0);
    /* Later fragments of the same datagram start a new queue, which can complete. */
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    struct pkt *r = FRAG(.off = 2960, .len = 1000);
    assert_datagram(r, IP4_HLEN, 3960);
    pkt_free(r);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
}
END_TEST

START_TEST(test_overlap_at_tail_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 1472, .len = 16, .mf = true));   /* 8 bytes over the end */
    ck_assert_uint_eq(drops(DROP_FRAG_OVERLAP), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
}
END_TEST

START_TEST(test_overlap_spanning_a_hole_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 16, .len = 8, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 32, .len = 8));
    ck_assert_ptr_null(FRAG(.off = 8, .len = 16, .mf = true));     /* fills [8,16), overlaps [16,24) */
    ck_assert_uint_eq(drops(DROP_FRAG_OVERLAP), 4);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
}
END_TEST

/* ------------------------------------------------------------------ tests: bad fragments */

START_TEST(test_mf_fragment_length_not_multiple_of_8_rejected)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1001, .mf = true));
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(ipfrag_queues(net), 0);
    /* The last fragment may have any length. */
    ck_assert_ptr_null(FRAG(.off = 1000, .len = 1001));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 1);
    expire_all_and_check();
}
END_TEST

START_TEST(test_oversized_fragment_rejected)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    /* 20 + 65528 + 16 > 65535: the datagram can never be whole; the queue goes too. */
    ck_assert_ptr_null(FRAG(.off = 65528, .len = 16));
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
    /* The boundary: 20 + 65512 + 3 == 65535 is a legal end. */
    ck_assert_ptr_null(FRAG(.id = 7, .off = 65512, .len = 3));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    expire_all_and_check();
}
END_TEST

START_TEST(test_oversized_with_options_fails_at_reassembly)
{
    /* Each fragment fits, but fragment zero's 40 bytes of options make the whole
     * 40 + 20 + 65480 > 65535: Linux's "Oversized IP packet". */
    ck_assert_ptr_null(FRAG(.off = 65472, .len = 43));             /* 20 + 65515 = 65535 */
    ck_assert_ptr_null(FRAG(.off = 0, .len = 65472, .mf = true, .optlen = 40));
    ck_assert_uint_eq(mib(MIB_IpReasmOKs), 0);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    assert_clean();
}
END_TEST

START_TEST(test_second_last_fragment_with_other_end_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 100));
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 200));               /* another end */
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 3);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
}
END_TEST

START_TEST(test_data_past_known_end_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 100));               /* end 1580 */
    ck_assert_ptr_null(FRAG(.off = 1600, .len = 8, .mf = true));     /* past it */
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
    /* And a last fragment ending before data already held. */
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 800, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 0, .len = 100));
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 4);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 2);
    assert_clean();
}
END_TEST

START_TEST(test_empty_fragment_kills_queue)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 8, .len = 0, .mf = true));
    ck_assert_uint_eq(drops(DROP_FRAG_BAD), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    assert_clean();
}
END_TEST

START_TEST(test_inconsistent_header_rejected)
{
    /* ip_rcv's contract broken (tot_len != len): counted, never read past the end. */
    struct pkt *p = mkfrag((struct fopt){ .off = 0, .len = 16, .mf = true });
    pkt_trim(p, 30);
    ck_assert_ptr_null(ip_defrag(net, p));
    p = mkfrag((struct fopt){ .off = 0, .len = 16, .mf = true });
    pkt_trim(p, 10);
    ck_assert_ptr_null(ip_defrag(net, p));
    ck_assert_uint_eq(drops(DROP_IP_INHDR), 2);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 2);
    assert_clean();
}
END_TEST

/* ------------------------------------------------------------------ tests: timeout */

START_TEST(test_timeout_with_first_fragment_sends_icmp_time_exceeded)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 2960, .len = 100));
    advance_to_us(30 * US_PER_S);
    ck_assert_int_eq(icmp_log.n, 1);
    ck_assert_int_eq(icmp_log.type, ICMP_TIME_EXCEEDED);
    ck_assert_int_eq(icmp_log.code, ICMP_EXC_FRAGTIME);
    ck_assert_uint_eq(icmp_log.info, 0);
    ck_assert_uint_eq(icmp_log.quoted_src, SRC_A);
    ck_assert_uint_eq(icmp_log.quoted_off, 0);
    ck_assert(icmp_log.had_dev);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_REASM_TIMEOUT), 2);
    assert_clean();
}
END_TEST

START_TEST(test_timeout_without_first_fragment_sends_no_icmp)
{
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 1480, .mf = true));
    ck_assert_ptr_null(FRAG(.off = 2960, .len = 100));
    advance_to_us(30 * US_PER_S);
    ck_assert_int_eq(icmp_log.n, 0);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(drops(DROP_FRAG_REASM_TIMEOUT), 2);
    assert_clean();
}
END_TEST

START_TEST(test_no_timeout_at_29_9_s)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 1480, .mf = true));
    advance_to_us(29900 * US_PER_MS);
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 0);
    ck_assert_int_eq(icmp_log.n, 0);
    advance_to_us(30 * US_PER_S);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    ck_assert_int_eq(icmp_log.n, 1);
    assert_clean();
}
END_TEST

START_TEST(test_timeout_counts_from_first_fragment)
{
    /* Linux: the queue's timer starts with the fragment that created it; later
     * fragments do not push it back. */
    advance_to_us(5 * US_PER_S);
    ck_assert_ptr_null(FRAG(.off = 1480, .len = 8));
    advance_to_us(30 * US_PER_S);
    ck_assert_ptr_null(FRAG(.off = 8, .len = 8, .mf = true));
    advance_to_us(35 * US_PER_S - 1);
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    advance_to_us(35 * US_PER_S);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    assert_clean();
}
END_TEST

START_TEST(test_timeout_follows_ipfrag_time)
{
    net->ipv4.ipfrag_time = 2000;
    ck_assert_ptr_null(FRAG(.off = 8, .len = 8));
    advance_to_us(2 * US_PER_S - 1);
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    advance_to_us(2 * US_PER_S);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    assert_clean();
}
END_TEST

START_TEST(test_timeout_device_gone_sends_no_icmp)
{
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    netdev_unregister(dev);
    dev = NULL;
    advance_to_us(30 * US_PER_S);
    ck_assert_int_eq(icmp_log.n, 0);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 1);
    assert_clean();
}
END_TEST

/* ------------------------------------------------------------------ tests: limits */

START_TEST(test_memory_bound_refuses_fragments)
{
    const int thresh = 100000;
    net->ipv4.ipfrag_high_thresh = thresh;
    unsigned accepted = 0;
    for (unsigned i = 0; i < 200; i++) {
        /* First fragments of 200 different datagrams, then a second one for the first. */
        ck_assert_ptr_null(FRAG(.id = (uint16_t)(i + 1), .off = 0, .len = 1480, .mf = true));
        ck_assert_uint_le(ipfrag_mem(net), (size_t)thresh);
        if (drops(DROP_FRAG_MEM) == 0) accepted++;
    }
    ck_assert_uint_gt(accepted, 0);
    ck_assert_uint_lt(accepted, 200);
    ck_assert_uint_eq(ipfrag_queues(net), accepted);
    ck_assert_uint_eq(drops(DROP_FRAG_MEM), 200 - accepted);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 200 - accepted);
    /* A fragment for a datagram already queued is refused too. */
    ck_assert_ptr_null(FRAG(.id = 1, .off = 1480, .len = 1480, .mf = true));
    ck_assert_uint_eq(drops(DROP_FRAG_MEM), 201 - accepted);
    ck_assert_uint_le(ipfrag_mem(net), (size_t)thresh);
    ck_assert_uint_eq(pkt_pool_live(&st->pool), accepted);
    /* Memory comes back when the queues expire; then fragments are accepted again. */
    advance_to_us(30 * US_PER_S);
    assert_clean();
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 1480, .mf = true));
    ck_assert_uint_eq(ipfrag_queues(net), 1);
    expire_all_and_check();
}
END_TEST

START_TEST(test_high_thresh_zero_disables_reassembly)
{
    net->ipv4.ipfrag_high_thresh = 0;
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    ck_assert_uint_eq(drops(DROP_FRAG_MEM), 1);
    assert_clean();
}
END_TEST

START_TEST(test_queue_count_bounded)
{
    /* More single-fragment datagrams than the queue bound; memory is not the limit. */
    teardown();
    setup_slots(5000);
    unsigned refused_at = 0;
    for (unsigned i = 0; i < 4500 && !refused_at; i++) {
        ck_assert_ptr_null(FRAG(.src = IP(10, 0, (i >> 8) & 0xff, i & 0xff), .off = 0, .len = 8, .mf = true));
        if (drops(DROP_FRAG_MEM)) refused_at = i;
    }
    ck_assert_uint_gt(refused_at, 0);
    ck_assert_uint_eq(ipfrag_queues(net), refused_at);
    ck_assert_uint_le(ipfrag_mem(net), (size_t)net->ipv4.ipfrag_high_thresh);
    expire_all_and_check();
}
END_TEST

/* ------------------------------------------------------------------ tests: ipfrag_max_dist */

/* n fragments from src, each of its own datagram, in between. */
static void others_from(uint32_t src, unsigned n, uint16_t id0)
{
    for (unsigned i = 0; i < n; i++)
        ck_assert_ptr_null(FRAG(.src = src, .id = (uint16_t)(id0 + i), .off = 8, .len = 8, .mf = true));
}

START_TEST(test_max_dist_resets_queue_too_far_behind)
{
    net->ipv4.ipfrag_max_dist = 4;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    others_from(SRC_A, 5, 100);
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 0);
    /* Its next fragment finds the queue too far behind: what it held is dropped and
     * the datagram starts over with this fragment. */
    ck_assert_ptr_null(FRAG(.id = 1, .off = 8, .len = 8));
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 1);
    ck_assert_uint_eq(mib(MIB_IpReasmFails), 1);
    ck_assert_uint_eq(ipfrag_queues(net), 6);
    /* Resending fragment zero now completes it. */
    struct pkt *r = FRAG(.id = 1, .off = 0, .len = 8, .mf = true);
    assert_datagram(r, IP4_HLEN, 16);
    pkt_free(r);
    expire_all_and_check();
}
END_TEST

START_TEST(test_max_dist_boundary)
{
    /* Linux ip_frag_too_far: reset when (this rid - the queue's last rid) > max_dist,
     * i.e. when max_dist or more other fragments from the source came in between. */
    net->ipv4.ipfrag_max_dist = 4;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    others_from(SRC_A, 3, 100);
    struct pkt *r = FRAG(.id = 1, .off = 8, .len = 8);
    assert_datagram(r, IP4_HLEN, 16);                /* 3 in between: kept */
    pkt_free(r);
    ck_assert_ptr_null(FRAG(.id = 2, .off = 0, .len = 8, .mf = true));
    others_from(SRC_A, 4, 200);
    ck_assert_ptr_null(FRAG(.id = 2, .off = 8, .len = 8));
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 1);  /* 4 in between: reset */
    expire_all_and_check();
}
END_TEST

START_TEST(test_max_dist_reset_restarts_timer)
{
    /* Linux ip_frag_reinit re-arms the queue's timer: the datagram starts over. */
    net->ipv4.ipfrag_max_dist = 4;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    advance_to_us(20 * US_PER_S);
    others_from(SRC_A, 5, 100);
    ck_assert_ptr_null(FRAG(.id = 1, .off = 16, .len = 8));
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 1);
    advance_to_us(30 * US_PER_S);                   /* id 1 would have expired now */
    ck_assert_uint_eq(ipfrag_queues(net), 6);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 0);
    advance_to_us(50 * US_PER_S - 1);
    ck_assert_uint_eq(ipfrag_queues(net), 6);
    advance_to_us(50 * US_PER_S);
    ck_assert_uint_eq(mib(MIB_IpReasmTimeout), 6);
    assert_clean();
}
END_TEST

START_TEST(test_max_dist_counts_only_same_source)
{
    net->ipv4.ipfrag_max_dist = 4;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    others_from(SRC_B, 20, 100);
    struct pkt *r = FRAG(.id = 1, .off = 8, .len = 8);
    assert_datagram(r, IP4_HLEN, 16);
    pkt_free(r);
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 0);
    expire_all_and_check();
}
END_TEST

START_TEST(test_max_dist_zero_disables)
{
    net->ipv4.ipfrag_max_dist = 0;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    others_from(SRC_A, 100, 100);
    struct pkt *r = FRAG(.id = 1, .off = 8, .len = 8);
    assert_datagram(r, IP4_HLEN, 16);
    pkt_free(r);
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 0);
    expire_all_and_check();
}
END_TEST

START_TEST(test_max_dist_survives_source_table_eviction)
{
    /* More sources than the table remembers: A's entry is recycled, which must not make
     * A's queue look too far (or crash): A's counter restarts below the mark the queue
     * kept, so the difference would wrap if compared across incarnations. */
    net->ipv4.ipfrag_max_dist = 4;
    others_from(SRC_A, 3, 50);
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    for (unsigned i = 0; i < 300; i++)
        ck_assert_ptr_null(FRAG(.src = IP(10, 1, i >> 8, i & 0xff), .id = 9, .off = 8, .len = 8, .mf = true));
    struct pkt *r = FRAG(.id = 1, .off = 8, .len = 8);
    assert_datagram(r, IP4_HLEN, 16);
    pkt_free(r);
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 0);
    expire_all_and_check();
}
END_TEST

START_TEST(test_max_dist_active_source_stays_remembered)
{
    /* Eviction takes the least recently used source: A, busy all along, keeps its
     * counter while 300 one-off sources come and go, so its stale queue is still reset. */
    net->ipv4.ipfrag_max_dist = 4;
    ck_assert_ptr_null(FRAG(.id = 1, .off = 0, .len = 8, .mf = true));
    for (unsigned i = 0; i < 300; i++) {
        ck_assert_ptr_null(FRAG(.src = IP(10, 1, i >> 8, i & 0xff), .id = 9, .off = 8, .len = 8, .mf = true));
        if (i % 50 == 49) others_from(SRC_A, 1, (uint16_t)(100 + i));
    }
    ck_assert_ptr_null(FRAG(.id = 1, .off = 8, .len = 8));
    ck_assert_uint_eq(drops(DROP_FRAG_TOO_FAR), 1);
    expire_all_and_check();
}
END_TEST

/* ------------------------------------------------------------------ tests: trace, teardown */

START_TEST(test_trace_queued_fragment_prints_and_last_hands_over)
{
    st->tracing = true;
    dev->trace = true;
    ck_assert_ptr_null(FRAG(.off = 0, .len = 8, .mf = true));
    ck_assert_int_eq(n_log, 2);                     /* a journey: its summary, then its device line */
    ck_assert_ptr_nonnull(strstr(log_lines[1], "  eth0 rx: "));
    ck_assert_ptr_nonnull(strstr(log_lines[1], "ip_defrag(queued 0-8"));
    struct pkt *r = FRAG(.off = 8, .len = 8);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(n_log, 2);                     /* the journey goes on in r */
    ck_assert(r->tr != NULL);
    pkt_consume(r);
    ck_assert_int_eq(n_log, 4);
    ck_assert_str_eq(log_lines[3], "  eth0 rx:");
    assert_clean();
}
END_TEST

START_TEST(test_exit_frees_held_fragments)
{
    for (unsigned i = 0; i < 10; i++)
        ck_assert_ptr_null(FRAG(.id = (uint16_t)i, .off = 0, .len = 1480, .mf = true));
    ck_assert_uint_eq(pkt_pool_live(&st->pool), 10);
    ipfrag_net_exit(net);
    ck_assert_uint_eq(ipfrag_queues(net), 0);
    ck_assert_uint_eq(pkt_pool_live(&st->pool), 0);
    ck_assert_uint_eq(drops(DROP_NETNS_GONE), 10);
    ck_assert_uint_eq(st->timers.n, 0);             /* no timer left pointing at freed memory */
    ipfrag_net_exit(net);                           /* twice is harmless */
    ck_assert_int_eq(ipfrag_net_init(net), 0);
    assert_clean();
}
END_TEST

/* ------------------------------------------------------------------ suite */

Suite *ip_fragment_suite(void)
{
    Suite *s = suite_create("ip_fragment");
    TCase *tc = tcase_create("reassembly");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_in_order_three_fragments);
    tcase_add_test(tc, test_reverse_order);
    tcase_add_test(tc, test_random_order_65000_byte_datagram);
    tcase_add_test(tc, test_reassembled_header_fields);
    tcase_add_test(tc, test_df_kept_only_if_largest_fragment_had_it);
    tcase_add_test(tc, test_ecn_ce_on_one_fragment_marks_datagram);
    tcase_add_test(tc, test_ecn_not_ect_mixed_with_ect_discards);
    tcase_add_test(tc, test_fragments_of_different_datagrams_kept_apart);
    suite_add_tcase(s, tc);

    tc = tcase_create("overlap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_duplicate_fragment_ignored);
    tcase_add_test(tc, test_fragment_inside_held_run_is_duplicate);
    tcase_add_test(tc, test_partial_overlap_kills_queue);
    tcase_add_test(tc, test_overlap_at_tail_kills_queue);
    tcase_add_test(tc, test_overlap_spanning_a_hole_kills_queue);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_mf_fragment_length_not_multiple_of_8_rejected);
    tcase_add_test(tc, test_oversized_fragment_rejected);
    tcase_add_test(tc, test_oversized_with_options_fails_at_reassembly);
    tcase_add_test(tc, test_second_last_fragment_with_other_end_kills_queue);
    tcase_add_test(tc, test_data_past_known_end_kills_queue);
    tcase_add_test(tc, test_empty_fragment_kills_queue);
    tcase_add_test(tc, test_inconsistent_header_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("timeout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_timeout_with_first_fragment_sends_icmp_time_exceeded);
    tcase_add_test(tc, test_timeout_without_first_fragment_sends_no_icmp);
    tcase_add_test(tc, test_no_timeout_at_29_9_s);
    tcase_add_test(tc, test_timeout_counts_from_first_fragment);
    tcase_add_test(tc, test_timeout_follows_ipfrag_time);
    tcase_add_test(tc, test_timeout_device_gone_sends_no_icmp);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_memory_bound_refuses_fragments);
    tcase_add_test(tc, test_high_thresh_zero_disables_reassembly);
    tcase_add_test(tc, test_queue_count_bounded);
    tcase_add_test(tc, test_max_dist_resets_queue_too_far_behind);
    tcase_add_test(tc, test_max_dist_boundary);
    tcase_add_test(tc, test_max_dist_reset_restarts_timer);
    tcase_add_test(tc, test_max_dist_counts_only_same_source);
    tcase_add_test(tc, test_max_dist_zero_disables);
    tcase_add_test(tc, test_max_dist_survives_source_table_eviction);
    tcase_add_test(tc, test_max_dist_active_source_stays_remembered);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_trace_queued_fragment_prints_and_last_hands_over);
    tcase_add_test(tc, test_exit_frees_held_fragments);
    suite_add_tcase(s, tc);
    return s;
}

#ifdef TEST_STANDALONE
int main(void)
{
    SRunner *sr = srunner_create(ip_fragment_suite());
    srunner_run_all(sr, CK_ENV);   /* CK_VERBOSITY=verbose lists each test */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
