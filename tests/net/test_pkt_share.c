/*
 * tests/net/test_pkt_share.c — the sharing rule across layers (net/pkt.h): a layer that
 * writes into received bytes in place must first make them its own, so a clone held
 * elsewhere (a capture, a bridge flood, a netem duplicate) still sees the frame as it
 * arrived. The three in-place writers: the ICMP echo reply (type and checksum), IP
 * forwarding (TTL and header checksum) and the 802.1p priority-tag strip.
 */
#include "tests/fixture.h"
#include "tests/fx_check.h"
#include "net/pkt.h"
#include <errno.h>

#define SEED 11
static const struct eth_addr eth1_mac   = { { 0x02, 0, 0, 0, 1, 0x02 } };
static const struct eth_addr target_mac = { { 0x02, 0, 0, 0, 1, 0x50 } };
#define TARGET FX_IP(192, 168, 1, 80)

/* A packet tap that keeps a clone of every received frame, as a capture could. */
static struct pkt *kept;
static void keep_rx(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir)
{
    if (dir != PTAP_RX || kept) return;
    kept = pkt_clone(p);
}
static struct ptap keeper = { .fn = keep_rx };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    kept = NULL;
    ptap_add(f->dev, &keeper);
}

static void teardown(void)
{
    ptap_del(f->dev, &keeper);
    pkt_free(kept);
    fxc_teardown();
}

/* The kept clone still holds exactly the injected bytes. */
static void assert_kept_unchanged(const uint8_t *frame, size_t len)
{
    ck_assert_ptr_nonnull(kept);
    ck_assert_uint_eq(kept->len, len);
    ck_assert_msg(memcmp(kept->data, frame, len) == 0, "a shared received frame was written in place");
}

START_TEST(test_echo_reply_does_not_write_a_shared_request)
{
    uint8_t frame[200];
    size_t n = fx_build_icmp_echo(frame, sizeof(frame), FX_PEER, FX_ADDR, 8, 0x77, 1, "shared", 6);
    fx_inject(f, frame, n);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.type, 0);                  /* the reply went out */
    assert_kept_unchanged(frame, n);                /* and the request is intact */
}
END_TEST

START_TEST(test_forward_does_not_write_a_shared_datagram)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.ip_forward", "1"), 0);
    struct netdev *eth1 = fx_add_dev(f, "eth1", &eth1_mac, FX_IP(192, 168, 1, 2), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, TARGET, &target_mac, NUD_PERMANENT));
    fx_tx_clear(f);
    uint8_t frame[200];
    size_t n = fx_build_icmp_echo(frame, sizeof(frame), FX_PEER, TARGET, 8, 0x78, 1, "fwd", 3);
    fx_inject(f, frame, n);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    ck_assert_uint_eq(ip.ttl, 63);                  /* forwarded with TTL - 1 */
    assert_kept_unchanged(frame, n);                /* the received copy still says 64 */
}
END_TEST

START_TEST(test_priority_tag_strip_does_not_write_a_shared_frame)
{
    uint8_t plain[200], tagged[204];
    size_t n = fx_build_icmp_echo(plain, sizeof(plain), FX_PEER, FX_ADDR, 8, 0x79, 1, "tag", 3);
    memcpy(tagged, plain, 12);
    tagged[12] = 0x81; tagged[13] = 0x00; tagged[14] = 0xe0; tagged[15] = 0x00;   /* PCP 7, VID 0 */
    memcpy(tagged + 16, plain + 12, n - 12);
    fx_inject(f, tagged, n + 4);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.type, 0);
    assert_kept_unchanged(tagged, n + 4);
}
END_TEST

/* net.core.pkt_pool_max_bytes is the pool's cap: growth stops there, refusals count. */
START_TEST(test_pool_cap_sysctl)
{
    ck_assert_int_eq(fx_sysctl(f, "net.core.pkt_pool_max_bytes", "2097152"), 0);
    ck_assert_uint_eq(f->st->pool.mem_max, 2097152);
    struct pkt *held[4096];
    int n = 0;
    uint64_t refused = f->st->pool.refused;
    while (n < 4096 && (held[n] = pkt_alloc(&f->st->pool, 1500))) n++;
    ck_assert_int_lt(n, 4096);
    ck_assert_uint_le(f->st->pool.mem, 2097152);
    ck_assert_uint_eq(f->st->pool.refused, refused + 1);
    ck_assert_int_lt(fx_sysctl(f, "net.core.pkt_pool_max_bytes", "1000"), 0);         /* < 1 MiB */
    while (n) pkt_free(held[--n]);
}
END_TEST

Suite *pkt_share_suite(void)
{
    Suite *s = suite_create("pkt_share");
    TCase *tc = tcase_create("in_place_writers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_echo_reply_does_not_write_a_shared_request);
    tcase_add_test(tc, test_forward_does_not_write_a_shared_datagram);
    tcase_add_test(tc, test_priority_tag_strip_does_not_write_a_shared_frame);
    tcase_add_test(tc, test_pool_cap_sysctl);
    suite_add_tcase(s, tc);
    return s;
}
