/*
 * tests/icmp/test_icmp.c — ICMP (icmp/icmp.c) and ping sockets (icmp/ping.c) through the
 * whole stack: echo, the "never about" rules of RFC 1122 §3.2.2, rate limiting (Linux's
 * icmpv4_xrlim_allow / inet_peer_xrlim_allow), errors handed to the quoted protocol's
 * err hook, and ping sockets.
 *
 * The peer 10.0.0.1 is a PERMANENT neighbour so answers go straight out. Tests marked
 * LINUX_DIFF (tcase "linux_compat") assert Linux's behaviour where tapstack differed when
 * they were written; they guard the fixes.
 */
#include "tests/fx_check.h"
#include "ip/ip.h"
#include "icmp/icmp.h"
#include <errno.h>

#define SEED       0x1c
#define PROTO_TEST 253
#define REMOTE     FX_IP(172, 16, 0, 9)
#define TARGET     FX_IP(192, 168, 1, 50)

static const struct eth_addr eth1_mac   = { { 0x02, 0, 0, 0, 1, 0x02 } };
static const struct eth_addr target_mac = { { 0x02, 0, 0, 0, 1, 0x50 } };
static const struct eth_addr req_mac    = { { 0x02, 0, 0, 0, 0, 0x05 } };

static struct netdev *eth1;

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    eth1 = NULL;
}

static void teardown(void) { fxc_teardown(); }

static void forwarding_on(void)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.ip_forward", "1"), 0);
    eth1 = fx_add_dev(f, "eth1", &eth1_mac, FX_IP(192, 168, 1, 2), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, TARGET, &target_mac, NUD_PERMANENT));
    fx_tx_clear(f);
}

static uint8_t pattern(unsigned i) { return (uint8_t)(i * 31u + 3u); }

static void inject_echo(uint32_t src, uint32_t dst, const struct eth_addr *eth_dst, uint16_t seq, size_t plen)
{
    static uint8_t data[4096];
    for (unsigned i = 0; i < plen; i++) data[i] = pattern(i);
    size_t len = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), src, dst, ICMP_ECHO, 0x4d2, seq, data, plen);
    ck_assert_uint_gt(len, 0);
    if (eth_dst) memcpy(fxc_buf, eth_dst->b, ETH_ALEN);
    fx_inject(f, fxc_buf, len);
}

/* A datagram of an unhandled protocol from src to dst: each one earns an ICMP error. */
static void inject_unknown_proto(uint32_t src, uint32_t dst, const struct eth_addr *eth_dst, uint16_t id)
{
    uint8_t payload[16] = { 0 };
    struct fx_ip h = { .src = src, .dst = dst, .proto = PROTO_TEST, .ttl = 64, .id = id, .eth_dst = eth_dst };
    size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
}

/* ------------------------------------------------------------------ echo */

START_TEST(test_icmp_echo_reply_fields)
{
    inject_echo(FX_PEER, FX_ADDR, NULL, 17, 56);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    fxc_assert_mac(&ip.eth_src, &fx_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ip.proto, IPPROTO_ICMP);
    ck_assert_uint_eq(ip.ttl, 64);
    ck_assert_uint_eq(ip.hlen, 20);
    ck_assert_uint_eq(ip.frag & (IP_MF | IP_OFFMASK), 0);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ic.type, ICMP_ECHOREPLY);
    ck_assert_uint_eq(ic.code, 0);
    ck_assert_uint_eq(ic.ident, 0x4d2);
    ck_assert_uint_eq(ic.seq, 17);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ic.dlen, 56);
    for (unsigned i = 0; i < 56; i++) ck_assert_uint_eq(ic.data[i], pattern(i));
    ck_assert_uint_eq(MIB(MIB_IcmpInMsgs), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchos), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpOutMsgs), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchoReps), 1);
}
END_TEST

START_TEST(test_icmp_echo_reply_to_requester_mac)
{
    const uint32_t requester = FX_IP(10, 0, 0, 5);
    struct fx_ip h = { .src = requester, .dst = FX_ADDR, .proto = IPPROTO_ICMP, .ttl = 64, .id = 1,
                       .eth_src = &req_mac };
    uint8_t ic[8 + 8];
    uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x00090001, data, sizeof(data));
    size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, ic, iclen);
    fx_inject(f, fxc_buf, len);
    struct fx_arp a;                                    /* Linux learns nothing from IP: it asks */
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(a.tpa, requester);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    fxc_inject_arp(2, &req_mac, requester, &fx_mac, FX_ADDR, &fx_mac);
    struct fx_ipv4 ip;
    struct fx_icmp icr;
    fxc_pop_icmp(&ip, &icr);
    fxc_assert_mac(&ip.eth_dst, &req_mac);
    ck_assert_uint_eq(ip.dst, requester);
    ck_assert_uint_eq(icr.type, ICMP_ECHOREPLY);
    ck_assert_uint_eq(icr.ident, 9);
    ck_assert_uint_eq(icr.seq, 1);
    ck_assert(icr.csum_ok);
}
END_TEST

START_TEST(test_icmp_echo_reassembled_answered_fragmented)
{
    enum { PLEN = 4000 };
    static uint8_t ic[8 + PLEN], data[PLEN], whole[8 + PLEN];
    for (unsigned i = 0; i < PLEN; i++) data[i] = pattern(i);
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x4d20003, data, PLEN);
    ck_assert_uint_eq(iclen, 4008);
    static const unsigned offs[] = { 0, 1480, 2960, 4008 };
    for (unsigned k = 0; k < 3; k++) {
        uint16_t frag = (uint16_t)(offs[k] / 8) | (k < 2 ? IP_MF : 0);
        size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 0x6666, frag,
                                   ic + offs[k], offs[k + 1] - offs[k]);
        fx_inject(f, fxc_buf, len);
    }
    ck_assert_uint_eq(MIB(MIB_IpReasmOKs), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchos), 1);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    size_t total = 0;
    uint16_t id = 0;
    for (unsigned k = 0; k < 3; k++) {
        struct fx_ipv4 ip;
        fxc_pop_ipv4(&ip, NULL);
        ck_assert(ip.csum_ok);
        ck_assert_uint_eq(ip.src, FX_ADDR);
        ck_assert_uint_eq(ip.dst, FX_PEER);
        ck_assert_uint_le(ip.tot_len, 1500);
        if (k == 0) id = ip.id;
        ck_assert_uint_eq(ip.id, id);
        unsigned off = (unsigned)(ip.frag & IP_OFFMASK) * 8;
        ck_assert_uint_eq(off, total);
        ck_assert_uint_eq(!!(ip.frag & IP_MF), k < 2);
        memcpy(whole + off, ip.payload, ip.plen);
        total += ip.plen;
    }
    ck_assert_uint_eq(total, 4008);
    ck_assert_uint_eq(whole[0], ICMP_ECHOREPLY);
    ck_assert_uint_eq(get_be16(whole + 4), 0x4d2);
    ck_assert_uint_eq(get_be16(whole + 6), 3);
    ck_assert_uint_eq(fx_csum(whole, total), 0);
    ck_assert_int_eq(memcmp(whole + 8, data, PLEN), 0);
}
END_TEST

START_TEST(test_icmp_broadcast_echo_ignored_by_default)
{
    inject_echo(FX_PEER, FX_BCAST, &fx_bcast_mac, 1, 8);
    inject_echo(FX_PEER, 0xffffffffu, &fx_bcast_mac, 2, 8);
    inject_echo(FX_PEER, FX_BCAST, NULL, 3, 8);         /* IP broadcast in a unicast frame */
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(DROPS(DROP_ICMP_BCAST_ECHO), 3);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchoReps), 0);
}
END_TEST

START_TEST(test_icmp_broadcast_echo_answered_when_enabled)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.icmp_echo_ignore_broadcasts", "0"), 0);
    inject_echo(FX_PEER, FX_BCAST, &fx_bcast_mac, 1, 8);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ip.src, FX_ADDR);                 /* our address, not the broadcast */
    ck_assert_uint_eq(ip.dst, FX_PEER);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    ck_assert_uint_eq(ic.type, ICMP_ECHOREPLY);
    ck_assert_uint_eq(ic.seq, 1);
    ck_assert(ic.csum_ok);
}
END_TEST

START_TEST(test_icmp_echo_ignore_all)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.icmp_echo_ignore_all", "1"), 0);
    inject_echo(FX_PEER, FX_ADDR, NULL, 1, 8);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchoReps), 0);
}
END_TEST

START_TEST(test_icmp_bad_checksum)
{
    uint8_t ic[16];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x10001, "abcdefgh", 8);
    ic[9] ^= 0x40;
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_ICMP_CSUM), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInCsumErrors), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInErrors), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchos), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_icmp_truncated)
{
    uint8_t ic[4] = { ICMP_ECHO, 0, 0, 0 };
    put_be16(ic + 2, fx_csum(ic, 4));                   /* checksum right, header short */
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, 4);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_ICMP_TOOSHORT), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInErrors), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchos), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_icmp_echo_traced)
{
    fx_trace(f, true);
    inject_echo(FX_PEER, FX_ADDR, NULL, 1, 8);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    ck_assert_msg(fx_log_contains(f, "eth0 rx: "), "log: %s", f->log ? f->log : "(none)");
    ck_assert(fx_log_contains(f, "ip_rcv"));
    ck_assert(fx_log_contains(f, "icmp_rcv"));
    ck_assert(fx_log_contains(f, "fx_xmit"));
    unsigned lines = f->log_lines;
    uint8_t ic[16];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x10001, "abcdefgh", 8);
    ic[9] ^= 0x40;
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(f->log_lines, lines + 2);         /* a summary and one device line */
    ck_assert(fx_log_contains(f, "ICMP_CSUM"));
    fx_log_clear(f);
    ck_assert(!fx_log_contains(f, "icmp_rcv"));
    fx_trace(f, false);
    inject_echo(FX_PEER, FX_ADDR, NULL, 2, 8);
    ck_assert_uint_eq(f->log_lines, 0);
}
END_TEST

/* ------------------------------------------------------------------ never about ... */

START_TEST(test_icmp_no_error_about_icmp_error)
{
    forwarding_on();
    /* A destination-unreachable passing through with TTL 1: no time exceeded about it. */
    uint8_t quoted[28] = { 0x45 };
    uint8_t ic[8 + 28];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quoted, sizeof(quoted));
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, IPPROTO_ICMP, 1, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_TTL_EXPIRED), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutTimeExcds), 0);
    /* An echo request in the same situation does get one (the control case). */
    iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x10001, NULL, 0);
    len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, IPPROTO_ICMP, 1, 2, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
    struct fx_ipv4 ip;
    struct fx_icmp icr;
    fxc_pop_icmp(&ip, &icr);
    ck_assert_uint_eq(icr.type, ICMP_TIME_EXCEEDED);
    ck_assert_uint_eq(ip.dst, REMOTE);
    ck_assert_uint_eq(MIB(MIB_IcmpOutTimeExcds), 1);
}
END_TEST

START_TEST(test_icmp_no_error_about_broadcast)
{
    inject_unknown_proto(FX_PEER, FX_BCAST, NULL, 1);           /* IP broadcast */
    inject_unknown_proto(FX_PEER, FX_ADDR, &fx_bcast_mac, 2);   /* link-layer broadcast */
    inject_unknown_proto(FX_PEER, 0xffffffffu, &fx_bcast_mac, 3);
    ck_assert_uint_eq(MIB(MIB_IpInUnknownProtos), 3);
    ck_assert_uint_eq(MIB(MIB_IcmpOutMsgs), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    inject_unknown_proto(FX_PEER, FX_ADDR, NULL, 4);            /* control: unicast */
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 1);
    ck_assert_uint_eq(fx_tx_count(f), 1);
}
END_TEST

START_TEST(test_icmp_no_error_about_non_first_fragment)
{
    forwarding_on();
    uint8_t payload[16] = { 0 };
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 1, 7, IP_MF | 185,
                               payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_TTL_EXPIRED), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 1, 7, IP_MF | 0, payload,
                        sizeof(payload));
    fx_inject(f, fxc_buf, len);                                  /* fragment zero: yes */
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.type, ICMP_TIME_EXCEEDED);
    ck_assert_uint_eq(ip4_frag(ic.data), IP_MF);
}
END_TEST

/* ------------------------------------------------------------------ rate limiting */

START_TEST(test_icmp_ratelimit_burst_then_one_per_second)
{
    for (uint16_t i = 0; i < 10; i++) inject_unknown_proto(FX_PEER, FX_ADDR, NULL, i);
    ck_assert_uint_eq(fx_tx_count(f), 6);                       /* XRLIM_BURST_FACTOR */
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 4);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 6);
    fx_tx_clear(f);
    fx_advance_ms(f, 999);
    inject_unknown_proto(FX_PEER, FX_ADDR, NULL, 20);
    ck_assert_uint_eq(fx_tx_count(f), 0);                       /* not yet a whole token */
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 5);
    fx_advance_ms(f, 1000);
    inject_unknown_proto(FX_PEER, FX_ADDR, NULL, 21);
    ck_assert_uint_eq(fx_tx_count(f), 1);                       /* icmp_ratelimit later: one */
    inject_unknown_proto(FX_PEER, FX_ADDR, NULL, 22);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 6);
    /* another destination has its own bucket */
    static const struct eth_addr h7 = { { 0x02, 0, 0, 0, 0, 0x07 } };
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_IP(10, 0, 0, 7), &h7, NUD_PERMANENT));
    for (uint16_t i = 0; i < 8; i++) inject_unknown_proto(FX_IP(10, 0, 0, 7), FX_ADDR, NULL, (uint16_t)(30 + i));
    ck_assert_uint_eq(fx_tx_count(f), 1 + 6);
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 8);
}
END_TEST

START_TEST(test_icmp_ratelimit_not_applied_to_ourselves)
{
    for (int i = 0; i < 10; i++) ck_assert_int_ge(fx_send_ip(f, FX_ADDR, PROTO_TEST, 8, (uint8_t)i), 0);
    ck_assert_uint_eq(MIB(MIB_IpInUnknownProtos), 10);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 10);
    ck_assert_uint_eq(MIB(MIB_IcmpInDestUnreachs), 10);         /* all came back over lo */
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_icmp_echo_replies_not_rate_limited)
{
    for (uint16_t i = 0; i < 10; i++) inject_echo(FX_PEER, FX_ADDR, NULL, i, 8);
    ck_assert_uint_eq(fx_tx_count(f), 10);
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 0);
}
END_TEST

/* LINUX_DIFF: icmpv4_mask_allow: "Don't limit PMTU discovery" — DEST_UNREACH /
 * FRAG_NEEDED is never rate-limited, whatever icmp_ratemask says. */
START_TEST(test_icmp_frag_needed_not_rate_limited)
{
    forwarding_on();
    ck_assert_int_eq(dev_set_mtu(f->dev, 9000), 0);
    static uint8_t payload[1600];
    for (uint16_t i = 0; i < 10; i++) {
        size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 64, i, IP_DF, payload,
                                   sizeof(payload));
        fx_inject(f, fxc_buf, len);
    }
    ck_assert_uint_eq(MIB(MIB_IcmpOutRateLimitHost), 0);
    ck_assert_uint_eq(fx_tx_count(f), 10);
}
END_TEST

/* ------------------------------------------------------------------ errors to protocols */

static struct {
    int calls, type, code;
    uint32_t info, qdst;
    uint16_t dport;
    size_t qlen;
} udp_err;

static void test_udp_rcv(struct pkt *p) { pkt_free(p); }
static void test_udp_err(struct net *net, int type, int code, uint32_t info, const uint8_t *quoted, size_t qlen)
{
    udp_err.calls++;
    udp_err.type = type;
    udp_err.code = code;
    udp_err.info = info;
    udp_err.qlen = qlen;
    udp_err.qdst = ip4_dst(quoted);
    udp_err.dport = get_be16(quoted + ip4_hlen(quoted) + 2);
}
static const struct ip_proto test_udp = { .rcv = test_udp_rcv, .err = test_udp_err, .name = "udp-test" };

static void register_test_udp(void)
{
    memset(&udp_err, 0, sizeof(udp_err));
    if (ip_proto_register(f->st, IPPROTO_UDP, &test_udp) == -EEXIST)
        f->st->ip_protos[IPPROTO_UDP] = &test_udp;      /* UDP is built: stand in for it */
    ck_assert_ptr_eq(f->st->ip_protos[IPPROTO_UDP], &test_udp);
}

/* An ICMP error from the peer quoting a UDP datagram we sent to it (qextra: bytes of UDP). */
static void inject_error_about_udp(uint8_t type, uint8_t code, uint32_t rest, size_t qextra)
{
    uint8_t udp[8];
    put_be16(udp, 40000);
    put_be16(udp + 2, 53);
    put_be16(udp + 4, 8 + 12);
    put_be16(udp + 6, 0);
    uint8_t q[64];
    size_t qn = fx_build_ipv4(q, sizeof(q), FX_ADDR, FX_PEER, IPPROTO_UDP, 64, 0x7777, 0, udp, 8);
    uint8_t ic[8 + 28];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), type, code, rest, q + ETH_HLEN, qn - ETH_HLEN - 8 + qextra);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
}

START_TEST(test_icmp_port_unreach_to_udp_err_hook)
{
    register_test_udp();
    inject_error_about_udp(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, 8);
    ck_assert_int_eq(udp_err.calls, 1);
    ck_assert_int_eq(udp_err.type, ICMP_DEST_UNREACH);
    ck_assert_int_eq(udp_err.code, ICMP_PORT_UNREACH);
    ck_assert_uint_eq(udp_err.info, 0);
    ck_assert_uint_eq(udp_err.qdst, FX_PEER);
    ck_assert_uint_eq(udp_err.dport, 53);
    ck_assert_uint_eq(udp_err.qlen, 28);
    ck_assert_uint_eq(MIB(MIB_IcmpInDestUnreachs), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* never an error about an error */
    /* fragmentation needed carries the MTU as info */
    inject_error_about_udp(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400, 8);
    ck_assert_int_eq(udp_err.calls, 2);
    ck_assert_int_eq(udp_err.code, ICMP_FRAG_NEEDED);
    ck_assert_uint_eq(udp_err.info, 1400);
    /* time exceeded goes the same way */
    inject_error_about_udp(ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0, 8);
    ck_assert_int_eq(udp_err.calls, 3);
    ck_assert_int_eq(udp_err.type, ICMP_TIME_EXCEEDED);
}
END_TEST

START_TEST(test_icmp_error_with_short_quote_dropped)
{
    register_test_udp();
    inject_error_about_udp(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, 4);   /* header + 4 bytes */
    ck_assert_int_eq(udp_err.calls, 0);
    ck_assert_uint_eq(DROPS(DROP_ICMP_TOOSHORT), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInErrors), 1);
}
END_TEST

/* ------------------------------------------------------------------ ping sockets */

#define MAX_EVENTS 16
struct ping_log {
    int replies, errors;
    struct { uint32_t from; uint16_t seq; uint8_t ttl; size_t len; uint8_t first; } r[MAX_EVENTS];
    struct { uint32_t from; int type, code; uint16_t seq; } e[MAX_EVENTS];
};

static void log_reply(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *data, size_t len)
{
    struct ping_log *l = arg;
    if (l->replies < MAX_EVENTS) {
        l->r[l->replies].from = from;
        l->r[l->replies].seq = seq;
        l->r[l->replies].ttl = ttl;
        l->r[l->replies].len = len;
        l->r[l->replies].first = len ? data[0] : 0;
    }
    l->replies++;
}

static void log_error(void *arg, uint32_t from, int type, int code, uint16_t seq)
{
    struct ping_log *l = arg;
    if (l->errors < MAX_EVENTS) {
        l->e[l->errors].from = from;
        l->e[l->errors].type = type;
        l->e[l->errors].code = code;
        l->e[l->errors].seq = seq;
    }
    l->errors++;
}

static const struct ping_sock_ops log_ops = { .reply = log_reply, .error = log_error };

static void inject_reply(uint32_t from, uint16_t ident, uint16_t seq, uint8_t first, size_t len)
{
    uint8_t data[64];
    memset(data, first, sizeof(data));
    size_t n = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), from, FX_ADDR, ICMP_ECHOREPLY, ident, seq, data, len);
    fx_inject(f, fxc_buf, n);
}

START_TEST(test_ping_socket_reply_by_identifier)
{
    struct ping_log la = { 0 }, lb = { 0 };
    struct ping_sock *a = ping_sock_open(f->net, &log_ops, &la), *b = ping_sock_open(f->net, &log_ops, &lb);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    uint16_t ia = ping_sock_ident(a), ib = ping_sock_ident(b);
    ck_assert_uint_ne(ia, ib);
    uint8_t payload[24];
    memset(payload, 0x61, sizeof(payload));
    ck_assert_int_ge(ping_sock_send(a, FX_PEER, 7, payload, sizeof(payload), 0, 0), 0);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.type, ICMP_ECHO);
    ck_assert_uint_eq(ic.ident, ia);
    ck_assert_uint_eq(ic.seq, 7);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchos), 1);

    inject_reply(FX_PEER, ia, 7, 0x61, 24);
    ck_assert_int_eq(la.replies, 1);
    ck_assert_int_eq(lb.replies, 0);
    ck_assert_uint_eq(la.r[0].from, FX_PEER);
    ck_assert_uint_eq(la.r[0].seq, 7);
    ck_assert_uint_eq(la.r[0].ttl, 64);
    ck_assert_uint_eq(la.r[0].len, 24);
    ck_assert_uint_eq(la.r[0].first, 0x61);
    inject_reply(FX_PEER, ib, 8, 0x62, 4);
    ck_assert_int_eq(la.replies, 1);
    ck_assert_int_eq(lb.replies, 1);
    ck_assert_uint_eq(lb.r[0].seq, 8);
    uint16_t nobody = (uint16_t)(ia ^ ib ^ 0x5555);
    if (nobody == ia || nobody == ib || !nobody) nobody = 0x1357;
    inject_reply(FX_PEER, nobody, 9, 0, 4);
    ck_assert_int_eq(la.replies + lb.replies, 2);
    ck_assert_uint_eq(DROPS(DROP_NO_SOCKET), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchoReps), 3);
    ping_sock_close(a);
    inject_reply(FX_PEER, ia, 10, 0, 4);                 /* closed: no delivery, no crash */
    ck_assert_int_eq(la.replies, 1);
    ping_sock_close(b);
}
END_TEST

START_TEST(test_ping_socket_error_host_unreachable_from_router)
{
    struct ping_log l = { 0 };
    struct ping_sock *s = ping_sock_open(f->net, &log_ops, &l);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_ge(ping_sock_send(s, FX_IP(198, 51, 100, 1), 42, NULL, 0, 0, 0), 0);
    size_t flen;
    const uint8_t *fr = fxc_pop(&flen, NULL);
    struct fx_ipv4 ip;
    ck_assert(fx_parse_ipv4(fr, flen, &ip));
    ck_assert_uint_eq(ip.dst, FX_IP(198, 51, 100, 1));
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);          /* via the gateway */
    uint8_t ic[8 + 28];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0, ip.hdr, 28);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
    ck_assert_int_eq(l.errors, 1);
    ck_assert_uint_eq(l.e[0].from, FX_PEER);
    ck_assert_int_eq(l.e[0].type, ICMP_DEST_UNREACH);
    ck_assert_int_eq(l.e[0].code, ICMP_HOST_UNREACH);
    ck_assert_uint_eq(l.e[0].seq, 42);
    ck_assert_int_eq(l.replies, 0);
    ping_sock_close(s);
}
END_TEST

START_TEST(test_ping_socket_error_on_neighbour_failure)
{
    struct ping_log l = { 0 };
    struct ping_sock *s = ping_sock_open(f->net, &log_ops, &l);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_ge(ping_sock_send(s, FX_IP(10, 0, 0, 50), 5, NULL, 0, 0, 0), 0);
    fx_advance_ms(f, 2999);
    ck_assert_int_eq(l.errors, 0);
    fx_advance_ms(f, 1);
    ck_assert_int_eq(l.errors, 1);                      /* "From 10.0.0.2 ... Host Unreachable" */
    ck_assert_uint_eq(l.e[0].from, FX_ADDR);
    ck_assert_int_eq(l.e[0].type, ICMP_DEST_UNREACH);
    ck_assert_int_eq(l.e[0].code, ICMP_HOST_UNREACH);
    ck_assert_uint_eq(l.e[0].seq, 5);
    ck_assert_uint_eq(fxc_count_type(ETH_P_ARP), 3);
    ck_assert_uint_eq(fxc_count_type(ETH_P_IP), 0);
    ping_sock_close(s);
}
END_TEST

Suite *icmp_suite(void)
{
    Suite *s = suite_create("icmp");

    TCase *echo = tcase_create("echo");
    tcase_add_checked_fixture(echo, setup, teardown);
    tcase_set_timeout(echo, 10);
    tcase_add_test(echo, test_icmp_echo_reply_fields);
    tcase_add_test(echo, test_icmp_echo_reply_to_requester_mac);
    tcase_add_test(echo, test_icmp_echo_reassembled_answered_fragmented);
    tcase_add_test(echo, test_icmp_broadcast_echo_ignored_by_default);
    tcase_add_test(echo, test_icmp_broadcast_echo_answered_when_enabled);
    tcase_add_test(echo, test_icmp_echo_ignore_all);
    tcase_add_test(echo, test_icmp_bad_checksum);
    tcase_add_test(echo, test_icmp_truncated);
    tcase_add_test(echo, test_icmp_echo_traced);
    suite_add_tcase(s, echo);

    TCase *never = tcase_create("never_about");
    tcase_add_checked_fixture(never, setup, teardown);
    tcase_set_timeout(never, 10);
    tcase_add_test(never, test_icmp_no_error_about_icmp_error);
    tcase_add_test(never, test_icmp_no_error_about_broadcast);
    tcase_add_test(never, test_icmp_no_error_about_non_first_fragment);
    suite_add_tcase(s, never);

    TCase *rl = tcase_create("ratelimit");
    tcase_add_checked_fixture(rl, setup, teardown);
    tcase_set_timeout(rl, 10);
    tcase_add_test(rl, test_icmp_ratelimit_burst_then_one_per_second);
    tcase_add_test(rl, test_icmp_ratelimit_not_applied_to_ourselves);
    tcase_add_test(rl, test_icmp_echo_replies_not_rate_limited);
    suite_add_tcase(s, rl);

    TCase *err = tcase_create("errors");
    tcase_add_checked_fixture(err, setup, teardown);
    tcase_set_timeout(err, 10);
    tcase_add_test(err, test_icmp_port_unreach_to_udp_err_hook);
    tcase_add_test(err, test_icmp_error_with_short_quote_dropped);
    suite_add_tcase(s, err);

    TCase *ping = tcase_create("ping");
    tcase_add_checked_fixture(ping, setup, teardown);
    tcase_set_timeout(ping, 10);
    tcase_add_test(ping, test_ping_socket_reply_by_identifier);
    tcase_add_test(ping, test_ping_socket_error_host_unreachable_from_router);
    tcase_add_test(ping, test_ping_socket_error_on_neighbour_failure);
    suite_add_tcase(s, ping);

    TCase *diff = tcase_create("linux_compat");
    tcase_add_checked_fixture(diff, setup, teardown);
    tcase_set_timeout(diff, 10);
    tcase_add_test(diff, test_icmp_frag_needed_not_rate_limited);
    suite_add_tcase(s, diff);
    return s;
}
