/*
 * tests/udp/test_example.c — the example program (examples/udp_echo.c) compiles and
 * works: started in the fixture's stack on port 7, it answers a datagram from the peer
 * with the same bytes, and stops cleanly. A tcase of udp_suite (tests/udp/test_udp.c).
 *
 * The example is included rather than linked, so the Makefile does not need to know
 * about examples/. (If the examples ever join the build, include udp_echo.h instead.)
 */
#include "examples/udp_echo.c"      /* first: it brings <netinet/in.h> */
#include "tests/udp/udp_frames.h"
#include <check.h>

#define EX_SEED 0xec0

static struct fx *ex;

static void ex_setup(void)
{
    ex = fx_new(EX_SEED);
    ck_assert_ptr_nonnull(ex);
    ck_assert_ptr_nonnull(fx_neigh_set(ex, ex->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
}

static void ex_teardown(void)
{
    unsigned leaked = fx_free(ex);
    ex = NULL;
    ck_assert_msg(leaked == 0, "%u packet(s) leaked", leaked);
}

static void ex_inject(uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    static uint8_t frame[FX_FRAME_MAX];
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = sport, .dport = dport, .data = data, .len = len };
    size_t n = udpf_build(frame, sizeof(frame), &s);
    ck_assert_uint_gt(n, 0);
    fx_inject(ex, frame, n);
}

/* The one frame the stack sent, as UDP; the caller frees *frame. */
static void ex_pop_udp(uint8_t **frame, struct fx_ipv4 *ip, struct udpf_rx *u)
{
    size_t len;
    ck_assert_uint_eq(fx_tx_count(ex), 1);
    *frame = fx_tx_pop(ex, &len);
    ck_assert(fx_parse_ipv4(*frame, len, ip));
    ck_assert(udpf_parse(ip, u));
}

START_TEST(test_example_udp_echo)
{
    int fd = udp_echo_start(ex->net, 7);
    ck_assert_int_ge(fd, 3);
    const char *msg = "hello, echo";
    ex_inject(5555, 7, msg, strlen(msg));
    uint8_t *frame;
    struct fx_ipv4 ip;
    struct udpf_rx u;
    ex_pop_udp(&frame, &ip, &u);
    ck_assert(eth_addr_eq(&ip.eth_dst, &fx_peer_mac));
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(u.sport, 7);
    ck_assert_uint_eq(u.dport, 5555);
    ck_assert_uint_eq(u.dlen, strlen(msg));
    ck_assert_mem_eq(u.data, msg, strlen(msg));
    ck_assert(u.csum_ok);
    free(frame);
    /* the largest that fits eth0's MTU, then an empty one */
    static uint8_t big[1472];
    for (unsigned i = 0; i < sizeof(big); i++) big[i] = (uint8_t)i;
    ex_inject(5556, 7, big, sizeof(big));
    ex_pop_udp(&frame, &ip, &u);
    ck_assert_uint_eq(u.dlen, sizeof(big));
    ck_assert_mem_eq(u.data, big, sizeof(big));
    free(frame);
    ex_inject(5557, 7, NULL, 0);
    ex_pop_udp(&frame, &ip, &u);
    ck_assert_uint_eq(u.dport, 5557);
    ck_assert_uint_eq(u.dlen, 0);
    free(frame);
    /* the port is taken while it runs, free once it stops */
    errno = 0;
    ck_assert_int_eq(udp_echo_start(ex->net, 7), -1);
    ck_assert_int_eq(errno, EADDRINUSE);
    udp_echo_stop(ex->st, fd);
    ex_inject(5555, 7, msg, strlen(msg));               /* closed now: port unreachable */
    ck_assert_uint_eq(ex->net->mib.v[MIB_UdpNoPorts], 1);
    fx_tx_clear(ex);
    int fd2 = udp_echo_start(ex->net, 7);
    ck_assert_int_eq(fd2, fd);                          /* the lowest descriptor again */
    udp_echo_stop(ex->st, fd2);
}
END_TEST

TCase *udp_example_tcase(void);
TCase *udp_example_tcase(void)
{
    TCase *tc = tcase_create("example");
    tcase_add_checked_fixture(tc, ex_setup, ex_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_example_udp_echo);
    return tc;
}
