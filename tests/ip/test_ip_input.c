/*
 * tests/ip/test_ip_input.c — IPv4 receive, forwarding and output through the whole stack
 * (ip/ip_input.c, ip/ip_forward.c, ip/ip_output.c, ip/route.c).
 *
 * ip_rcv's checks come one test each, in the order ip_rcv_core makes them, each with
 * its counter and drop reason. Forwarding tests add "eth1" 192.168.1.2/24; packets from
 * afar (172.16.0.9) arrive on eth0 from the default gateway 10.0.0.1, whose neighbour
 * entry is PERMANENT so answers go straight out.
 *
 * Tests marked LINUX_DIFF (tcase "linux_compat") assert Linux's behaviour where tapstack
 * differed when they were written; they guard the fixes.
 */
#include "tests/fx_check.h"
#include "ip/ip.h"
#include "net/csum.h"
#include <errno.h>

#define SEED       0x1b
#define PROTO_TEST 253
#define REMOTE     FX_IP(172, 16, 0, 9)
#define ETH1_ADDR  FX_IP(192, 168, 1, 2)
#define TARGET     FX_IP(192, 168, 1, 50)

static const struct eth_addr eth1_mac   = { { 0x02, 0, 0, 0, 1, 0x02 } };
static const struct eth_addr target_mac = { { 0x02, 0, 0, 0, 1, 0x50 } };

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
    eth1 = fx_add_dev(f, "eth1", &eth1_mac, ETH1_ADDR, 24, 0);
    ck_assert_ptr_nonnull(eth1);
    fx_tx_clear(f);
}

static uint8_t pattern(unsigned i) { return (uint8_t)(i * 13u + 7u); }

static size_t echo_request(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t seq, size_t plen)
{
    uint8_t data[64];
    for (unsigned i = 0; i < sizeof(data); i++) data[i] = pattern(i);
    return fx_build_icmp_echo(buf, FX_FRAME_MAX, src, dst, ICMP_ECHO, 0x77, seq, data, plen);
}

static uint8_t *iph(void) { return fxc_buf + ETH_HLEN; }

static void fix_ip_csum(uint8_t *h)
{
    put_be16(h + IP4_OFF_CSUM, 0);
    put_be16(h + IP4_OFF_CSUM, fx_csum(h, (size_t)(h[0] & 0xf) * 4));
}

/* Nothing answered, nothing delivered. */
static void assert_silent(void)
{
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_IpInDelivers), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpInMsgs), 0);
}

/* The next frame is an echo reply to the peer for seq. */
static void pop_echo_reply(uint16_t seq, size_t plen)
{
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ic.type, ICMP_ECHOREPLY);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ic.ident, 0x77);
    ck_assert_uint_eq(ic.seq, seq);
    ck_assert_uint_eq(ic.dlen, plen);
    for (unsigned i = 0; i < plen; i++) ck_assert_uint_eq(ic.data[i], pattern(i));
}

/* ------------------------------------------------------------------ ip_rcv checks, in order */

START_TEST(test_ip_rcv_too_short)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 0);
    (void)len;
    fx_inject(f, fxc_buf, ETH_HLEN + 19);
    ck_assert_uint_eq(MIB(MIB_IpInReceives), 1);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 1);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_version_6)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 8);
    iph()[0] = 0x65;
    fix_ip_csum(iph());
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 1);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_ihl_below_5)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 8);
    iph()[0] = 0x44;
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_CSUM), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_header_longer_than_frame)
{
    uint8_t zeros[20] = { 0 };
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, PROTO_TEST, 64, 1, 0, zeros, 20);
    ck_assert_uint_eq(len, ETH_HLEN + 40);
    iph()[0] = 0x4f;                                    /* 60-byte header in 40 bytes */
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_CSUM), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_bad_checksum)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 8);
    iph()[IP4_OFF_CSUM] ^= 0x01;
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_CSUM), 1);
    ck_assert_uint_eq(MIB(MIB_IpExtInCsumErrors), 1);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_tot_len_beyond_frame)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 8);
    put_be16(iph() + IP4_OFF_LEN, (uint16_t)(len - ETH_HLEN + 1));
    fix_ip_csum(iph());
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_TOOSHORT), 1);
    ck_assert_uint_eq(MIB(MIB_IpExtInTruncatedPkts), 1);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_rcv_tot_len_below_hlen)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 1, 8);
    put_be16(iph() + IP4_OFF_LEN, 19);
    fix_ip_csum(iph());
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_INHDR), 1);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    assert_silent();
}
END_TEST

/* Boundary: tot_len == hlen is a legal, empty datagram. */
START_TEST(test_ip_rcv_tot_len_equal_hlen_delivered)
{
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, PROTO_TEST, 64, 1, 0, NULL, 0);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 0);
    ck_assert_uint_eq(MIB(MIB_IpInUnknownProtos), 1);      /* it reached protocol dispatch */
    ck_assert_uint_eq(DROPS(DROP_IP_NOPROTO), 1);
}
END_TEST

START_TEST(test_ip_rcv_ethernet_padding_trimmed)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_ADDR, 3, 4);     /* IP: 32 bytes */
    ck_assert_uint_eq(len, ETH_HLEN + 32);
    memset(fxc_buf + len, 0xee, ETH_ZLEN - len);                     /* padded to 60 */
    fx_inject(f, fxc_buf, ETH_ZLEN);
    ck_assert_uint_eq(MIB(MIB_IpInDelivers), 1);
    ck_assert_uint_eq(DROPS(DROP_ICMP_CSUM), 0);
    pop_echo_reply(3, 4);                               /* the padding is not echoed */
}
END_TEST

START_TEST(test_ip_rcv_options_skipped)
{
    unsigned ihl = 6 + (unsigned)_i;                    /* 6 .. 15 */
    uint8_t opts[40];
    size_t optlen = (ihl - 5) * 4;
    memset(opts, 1, optlen);                            /* NOPs ... */
    opts[optlen - 1] = 0;                               /* ... End of Option List */
    uint8_t ic[8 + 16];
    uint8_t data[16];
    for (unsigned i = 0; i < sizeof(data); i++) data[i] = pattern(i);
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x77u << 16 | 5, data, sizeof(data));
    struct fx_ip h = { .src = FX_PEER, .dst = FX_ADDR, .proto = IPPROTO_ICMP, .ttl = 64, .id = 9,
                       .opts = opts, .optlen = optlen };
    size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, ic, iclen);
    ck_assert_uint_eq(iph()[0] & 0xf, ihl);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpInEchos), 1);
    pop_echo_reply(5, sizeof(data));
}
END_TEST

/* ------------------------------------------------------------------ delivery */

START_TEST(test_ip_unknown_protocol_unreachable)
{
    uint8_t payload[30];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, PROTO_TEST, 64, 0x1111, 0,
                               payload, sizeof(payload));
    uint8_t orig[64];
    memcpy(orig, iph(), len - ETH_HLEN);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInUnknownProtos), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_NOPROTO), 1);
    ck_assert_uint_eq(MIB(MIB_IpInDelivers), 0);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ip.ttl, 64);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ic.type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(ic.code, ICMP_PROT_UNREACH);
    ck_assert_uint_eq(ic.rest, 0);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ic.dlen, len - ETH_HLEN);         /* the whole (short) datagram */
    ck_assert_int_eq(memcmp(ic.data, orig, ic.dlen), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_ip_not_for_us_without_forwarding)
{
    static const uint32_t dsts[] = { FX_IP(10, 0, 0, 99), FX_IP(192, 168, 1, 50) };
    for (unsigned i = 0; i < ARRAY_SIZE(dsts); i++) {
        size_t len = echo_request(fxc_buf, FX_PEER, dsts[i], 1, 8);
        fx_inject(f, fxc_buf, len);
    }
    ck_assert_uint_eq(MIB(MIB_IpInAddrErrors), 2);
    ck_assert_uint_eq(DROPS(DROP_IP_INADDRERRORS), 2);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutMsgs), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_martian_source_dropped)
{
    static const uint32_t srcs[] = { FX_IP(224, 0, 0, 5), 0xffffffffu, FX_IP(127, 0, 0, 1), 0 };
    size_t len = echo_request(fxc_buf, srcs[_i], FX_ADDR, 1, 8);
    fx_inject(f, fxc_buf, len);
    /* Linux: martian_source -> -EINVAL: dropped, counted only in the route cache stats */
    ck_assert_uint_eq(DROPS(DROP_IP_INVALID_SOURCE), 1);
    ck_assert_uint_eq(MIB(MIB_IpInAddrErrors), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutMsgs), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_loopback_destination_from_wire_dropped)
{
    size_t len = echo_request(fxc_buf, FX_PEER, FX_IP(127, 0, 0, 1), 1, 8);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(DROPS(DROP_IP_INVALID_SOURCE), 1);    /* martian destination */
    assert_silent();
}
END_TEST

/* LINUX_DIFF: with ip_forward = 0, ip_route_input_slow turns a failed FIB lookup into
 * -EHOSTUNREACH ("if (!IN_DEV_FORWARD(in_dev)) err = -EHOSTUNREACH"), so ip_error counts
 * IpInAddrErrors / IP_INADDRERRORS, not InNoRoutes. */
START_TEST(test_ip_no_route_without_forwarding_counts_addr_error)
{
    ck_assert_int_eq(fx_route_del(f, 0, 0), 0);
    size_t len = echo_request(fxc_buf, FX_PEER, FX_IP(8, 8, 8, 8), 1, 8);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInAddrErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_IP_INADDRERRORS), 1);
    ck_assert_uint_eq(MIB(MIB_IpExtInNoRoutes), 0);
    assert_silent();
}
END_TEST

START_TEST(test_ip_no_route_with_forwarding_net_unreachable)
{
    forwarding_on();
    ck_assert_int_eq(fx_route_del(f, 0, 0), 0);
    size_t len = echo_request(fxc_buf, FX_PEER, FX_IP(8, 8, 8, 8), 1, 8);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpExtInNoRoutes), 1);
    ck_assert_uint_eq(DROPS(DROP_NO_ROUTE), 1);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ic.type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(ic.code, ICMP_NET_UNREACH);
}
END_TEST

/* ------------------------------------------------------------------ forwarding */

START_TEST(test_ip_forward_ttl1_time_exceeded)
{
    forwarding_on();
    uint8_t payload[12];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 1, 0x2222, 0,
                               payload, sizeof(payload));
    uint8_t orig[32];
    memcpy(orig, iph(), len - ETH_HLEN);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpInHdrErrors), 1);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 0);
    ck_assert_uint_eq(DROPS(DROP_IP_TTL_EXPIRED), 1);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    int ifindex;
    fxc_pop_ipv4(&ip, &ifindex);
    ck_assert(fx_parse_icmp(&ip, &ic));
    ck_assert_int_eq(ifindex, f->dev->ifindex);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);                 /* our address on the way back */
    ck_assert_uint_eq(ip.dst, REMOTE);
    ck_assert_uint_eq(ip.tos, 0xc0);                    /* IPTOS_PREC_INTERNETCONTROL */
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ic.type, ICMP_TIME_EXCEEDED);
    ck_assert_uint_eq(ic.code, ICMP_EXC_TTL);
    ck_assert(ic.csum_ok);
    ck_assert_uint_ge(ic.dlen, 28);
    ck_assert_int_eq(memcmp(ic.data, orig, 28), 0);     /* header as received, + 8 bytes */
    ck_assert_uint_eq(ip4_ttl(ic.data), 1);
    ck_assert_ptr_null(neigh_lookup(arp_table(f->net), TARGET, eth1));
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_ip_forward_decrements_ttl_via_arp)
{
    forwarding_on();
    uint8_t payload[40];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    struct fx_ip h = { .src = REMOTE, .dst = TARGET, .proto = PROTO_TEST, .ttl = 64, .tos = 0x10,
                       .id = 0x3333 };
    size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 1);
    ck_assert_uint_eq(MIB(MIB_IpInDelivers), 0);
    struct fx_arp a;
    int ifindex;
    fxc_pop_arp(&a, &ifindex);
    ck_assert_int_eq(ifindex, eth1->ifindex);
    fxc_assert_mac(&a.eth_dst, &fx_bcast_mac);
    fxc_assert_mac(&a.sha, &eth1_mac);
    ck_assert_uint_eq(a.spa, ETH1_ADDR);
    ck_assert_uint_eq(a.tpa, TARGET);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), 2, &target_mac, TARGET, &eth1_mac, ETH1_ADDR, &eth1_mac);
    fx_inject_dev(f, eth1, fxc_buf, n);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, &ifindex);
    ck_assert_int_eq(ifindex, eth1->ifindex);
    fxc_assert_mac(&ip.eth_dst, &target_mac);
    fxc_assert_mac(&ip.eth_src, &eth1_mac);
    ck_assert_uint_eq(ip.ttl, 63);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ip.src, REMOTE);
    ck_assert_uint_eq(ip.dst, TARGET);
    ck_assert_uint_eq(ip.id, 0x3333);
    ck_assert_uint_eq(ip.tos, 0x10);
    ck_assert_uint_eq(ip.proto, PROTO_TEST);
    ck_assert_uint_eq(ip.plen, sizeof(payload));
    ck_assert_int_eq(memcmp(ip.payload, payload, sizeof(payload)), 0);
}
END_TEST

/* RFC 1624: the TTL-updated checksum equals a full recomputation, for many headers,
 * including ones whose old or new checksum is 0x0000. */
START_TEST(test_ip_forward_checksum_incremental)
{
    forwarding_on();
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, TARGET, &target_mac, NUD_PERMANENT));
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned edge_old = 0, edge_new = 0;
    for (unsigned k = 0; k < 400; k++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        struct fx_ip h = { .src = (uint32_t)(x >> 32) % 0x1000000u + FX_IP(172, 0, 0, 0),
                           .dst = TARGET, .proto = PROTO_TEST,
                           .ttl = (uint8_t)(2 + (x >> 8) % 254), .tos = (uint8_t)(x & 0xfc),
                           .id = (uint16_t)(x >> 16) };
        if (k >= 380) {
            /* search an ID that makes the old (k even) or the new (k odd) checksum 0x0000 */
            for (uint32_t id = 0; id <= 0xffff; id++) {
                h.id = (uint16_t)id;
                fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, NULL, 0);
                uint16_t c = get_be16(iph() + IP4_OFF_CSUM);
                uint8_t t[20];
                memcpy(t, iph(), 20);
                t[IP4_OFF_TTL]--;
                put_be16(t + IP4_OFF_CSUM, 0);
                uint16_t c2 = fx_csum(t, 20);
                if ((k % 2 == 0 && c == 0) || (k % 2 == 1 && c2 == 0)) break;
            }
        }
        size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, NULL, 0);
        if (get_be16(iph() + IP4_OFF_CSUM) == 0) edge_old++;
        fx_inject(f, fxc_buf, len);
        struct fx_ipv4 ip;
        fxc_pop_ipv4(&ip, NULL);
        ck_assert_uint_eq(ip.ttl, h.ttl - 1);
        uint8_t t[20];
        memcpy(t, ip.hdr, 20);
        uint16_t got = get_be16(t + IP4_OFF_CSUM);
        put_be16(t + IP4_OFF_CSUM, 0);
        uint16_t want = fx_csum(t, 20);
        if (want == 0) edge_new++;
        ck_assert_msg(got == want, "ttl %u id 0x%04x: checksum 0x%04x, full recompute 0x%04x",
                      h.ttl, h.id, got, want);
    }
    ck_assert_uint_ge(edge_old, 1);
    ck_assert_uint_ge(edge_new, 1);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 400);
}
END_TEST

START_TEST(test_ip_forward_df_too_big_frag_needed)
{
    forwarding_on();
    ck_assert_int_eq(dev_set_mtu(f->dev, 9000), 0);
    static uint8_t payload[2000];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 64, 0x4444, IP_DF,
                               payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpFragFails), 1);
    ck_assert_uint_eq(DROPS(DROP_PKT_TOO_BIG), 1);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 0);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, REMOTE);
    ck_assert_uint_eq(ic.type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(ic.code, ICMP_FRAG_NEEDED);
    ck_assert_uint_eq(ic.rest & 0xffff, 1500);          /* next-hop MTU (RFC 1191) */
    ck_assert_uint_eq(ic.rest >> 16, 0);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ip4_id(ic.data), 0x4444);
    ck_assert_uint_eq(ip.tot_len, 576);                 /* quote limited to 576 bytes */
    ck_assert_ptr_null(neigh_lookup(arp_table(f->net), TARGET, eth1));
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* Collect count fragments from the FIFO, check each, and reassemble their payload. */
static size_t collect_fragments(unsigned count, uint16_t *id_out, uint8_t *ttl_out, uint8_t *out, size_t cap,
                                int ifindex, unsigned mtu)
{
    size_t total = 0;
    unsigned expect_off = 0;
    for (unsigned i = 0; i < count; i++) {
        struct fx_ipv4 ip;
        int ifi;
        fxc_pop_ipv4(&ip, &ifi);
        ck_assert_int_eq(ifi, ifindex);
        ck_assert_msg(ip.csum_ok, "fragment %u: bad header checksum", i);
        ck_assert_uint_le(ip.tot_len, mtu);
        unsigned off = (unsigned)(ip.frag & IP_OFFMASK) * 8;
        ck_assert_uint_eq(off, expect_off);
        ck_assert_uint_eq(ip.frag & IP_DF, 0);
        bool last = i + 1 == count;
        ck_assert_msg(!!(ip.frag & IP_MF) == !last, "fragment %u: MF %s", i, last ? "set" : "clear");
        if (!last) ck_assert_uint_eq(ip.plen % 8, 0);
        if (i == 0) { *id_out = ip.id; *ttl_out = ip.ttl; }
        ck_assert_uint_eq(ip.id, *id_out);
        ck_assert_uint_le(off + ip.plen, cap);
        memcpy(out + off, ip.payload, ip.plen);
        expect_off += (unsigned)ip.plen;
        total += ip.plen;
    }
    return total;
}

static void ping_reply_cb(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *data, size_t len) {}
static const struct ping_sock_ops quiet_ping_ops = { .reply = ping_reply_cb };

START_TEST(test_ip_output_fragments_local_ping)
{
    struct ping_sock *s = ping_sock_open(f->net, &quiet_ping_ops, NULL);
    ck_assert_ptr_nonnull(s);
    static uint8_t payload[4000], whole[4008];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    ck_assert_int_ge(ping_sock_send(s, FX_PEER, 1, payload, sizeof(payload), 0, 0), 0);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    uint16_t id;
    uint8_t ttl;
    size_t total = collect_fragments(3, &id, &ttl, whole, sizeof(whole), f->dev->ifindex, 1500);
    ck_assert_uint_eq(total, 8 + sizeof(payload));
    ck_assert_uint_eq(ttl, 64);
    ck_assert_uint_eq(fx_csum(whole, total), 0);        /* the ICMP checksum covers it all */
    ck_assert_uint_eq(whole[0], ICMP_ECHO);
    ck_assert_uint_eq(get_be16(whole + 4), ping_sock_ident(s));
    ck_assert_uint_eq(get_be16(whole + 6), 1);
    ck_assert_int_eq(memcmp(whole + 8, payload, sizeof(payload)), 0);
    ck_assert_uint_eq(MIB(MIB_IpFragCreates), 3);
    ck_assert_uint_eq(MIB(MIB_IpFragOKs), 1);
    ck_assert_uint_eq(MIB(MIB_IpOutRequests), 1);
    ping_sock_close(s);
}
END_TEST

START_TEST(test_ip_forward_fragments_big_datagram)
{
    forwarding_on();
    ck_assert_int_eq(dev_set_mtu(f->dev, 9000), 0);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, TARGET, &target_mac, NUD_PERMANENT));
    static uint8_t payload[4000], whole[4000];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = pattern(i);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, TARGET, PROTO_TEST, 64, 0x5555, 0,
                               payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 1);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    uint16_t id;
    uint8_t ttl;
    size_t total = collect_fragments(3, &id, &ttl, whole, sizeof(whole), eth1->ifindex, 1500);
    ck_assert_uint_eq(total, sizeof(payload));
    ck_assert_uint_eq(id, 0x5555);                      /* a router keeps the sender's ID */
    ck_assert_uint_eq(ttl, 63);
    ck_assert_int_eq(memcmp(whole, payload, sizeof(payload)), 0);
    ck_assert_uint_eq(MIB(MIB_IpFragCreates), 3);
    ck_assert_uint_eq(MIB(MIB_IpFragOKs), 1);
}
END_TEST

START_TEST(test_ip_forward_longest_prefix_match)
{
    static const struct eth_addr g1 = { { 0x02, 0, 0, 0, 1, 0x01 } }, g2 = { { 0x02, 0, 0, 0, 1, 0xfe } };
    forwarding_on();
    ck_assert_int_eq(fx_route_add(f, FX_IP(198, 51, 0, 0), 16, FX_IP(192, 168, 1, 1), eth1), 0);
    ck_assert_int_eq(fx_route_add(f, FX_IP(198, 51, 100, 0), 24, FX_IP(192, 168, 1, 254), eth1), 0);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, FX_IP(192, 168, 1, 1), &g1, NUD_PERMANENT));
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, FX_IP(192, 168, 1, 254), &g2, NUD_PERMANENT));
    static const struct { uint32_t dst; const struct eth_addr *mac; bool via_eth1; } cases[] = {
        { FX_IP(198, 51, 100, 7), &g2, true },          /* the /24 wins over the /16 */
        { FX_IP(198, 51, 7, 7), &g1, true },            /* only the /16 covers it */
        { FX_IP(203, 0, 113, 5), &fx_peer_mac, false }, /* default route */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), REMOTE, cases[i].dst, PROTO_TEST, 64, (uint16_t)i,
                                   0, NULL, 0);
        fx_inject(f, fxc_buf, len);
        struct fx_ipv4 ip;
        int ifindex;
        fxc_pop_ipv4(&ip, &ifindex);
        ck_assert_int_eq(ifindex, cases[i].via_eth1 ? eth1->ifindex : f->dev->ifindex);
        fxc_assert_mac(&ip.eth_dst, cases[i].mac);
        ck_assert_uint_eq(ip.dst, cases[i].dst);
    }
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 3);
}
END_TEST

/* ------------------------------------------------------------------ output routes */

START_TEST(test_ip_route_output_choices)
{
    struct rt_result r;
    ck_assert_int_eq(ip_route_output(f->net, FX_ADDR, 0, &r), 0);           /* local -> lo */
    ck_assert_int_eq(r.type, RTN_LOCAL);
    ck_assert_ptr_eq(r.dev, f->net->loopback);
    ck_assert_uint_eq(r.src, FX_ADDR);
    ck_assert_int_eq(ip_route_output(f->net, FX_IP(127, 0, 0, 1), 0, &r), 0);
    ck_assert_int_eq(r.type, RTN_LOCAL);
    ck_assert_ptr_eq(r.dev, f->net->loopback);
    ck_assert_int_eq(ip_route_output(f->net, FX_IP(10, 0, 0, 77), 0, &r), 0); /* on-link */
    ck_assert_int_eq(r.type, RTN_UNICAST);
    ck_assert_ptr_eq(r.dev, f->dev);
    ck_assert_uint_eq(r.nexthop, FX_IP(10, 0, 0, 77));
    ck_assert_uint_eq(r.src, FX_ADDR);
    ck_assert_int_eq(ip_route_output(f->net, FX_IP(8, 8, 8, 8), 0, &r), 0);   /* via gateway */
    ck_assert_ptr_eq(r.dev, f->dev);
    ck_assert_uint_eq(r.nexthop, FX_PEER);
    ck_assert_uint_eq(r.src, FX_ADDR);
    ck_assert_int_eq(fx_route_del(f, 0, 0), 0);
    ck_assert_int_eq(ip_route_output(f->net, FX_IP(8, 8, 8, 8), 0, &r), -ENETUNREACH);
    ck_assert_int_eq(ip_route_output(f->net, FX_IP(10, 0, 0, 77), 0, &r), 0);
    /* and a send to nowhere is counted */
    ck_assert_int_eq(fx_send_ip(f, FX_IP(8, 8, 8, 8), PROTO_TEST, 10, 0), -ENETUNREACH);
    ck_assert_uint_eq(MIB(MIB_IpOutNoRoutes), 1);
    ck_assert_uint_eq(DROPS(DROP_NO_ROUTE), 1);
}
END_TEST

Suite *ip_input_suite(void)
{
    Suite *s = suite_create("ip_input");

    TCase *rcv = tcase_create("ip_rcv");
    tcase_add_checked_fixture(rcv, setup, teardown);
    tcase_set_timeout(rcv, 10);
    tcase_add_test(rcv, test_ip_rcv_too_short);
    tcase_add_test(rcv, test_ip_rcv_version_6);
    tcase_add_test(rcv, test_ip_rcv_ihl_below_5);
    tcase_add_test(rcv, test_ip_rcv_header_longer_than_frame);
    tcase_add_test(rcv, test_ip_rcv_bad_checksum);
    tcase_add_test(rcv, test_ip_rcv_tot_len_beyond_frame);
    tcase_add_test(rcv, test_ip_rcv_tot_len_below_hlen);
    tcase_add_test(rcv, test_ip_rcv_tot_len_equal_hlen_delivered);
    tcase_add_test(rcv, test_ip_rcv_ethernet_padding_trimmed);
    tcase_add_loop_test(rcv, test_ip_rcv_options_skipped, 0, 10);
    suite_add_tcase(s, rcv);

    TCase *dlv = tcase_create("route_input");
    tcase_add_checked_fixture(dlv, setup, teardown);
    tcase_set_timeout(dlv, 10);
    tcase_add_test(dlv, test_ip_unknown_protocol_unreachable);
    tcase_add_test(dlv, test_ip_not_for_us_without_forwarding);
    tcase_add_loop_test(dlv, test_ip_martian_source_dropped, 0, 4);
    tcase_add_test(dlv, test_ip_loopback_destination_from_wire_dropped);
    tcase_add_test(dlv, test_ip_no_route_with_forwarding_net_unreachable);
    suite_add_tcase(s, dlv);

    TCase *fwd = tcase_create("forward");
    tcase_add_checked_fixture(fwd, setup, teardown);
    tcase_set_timeout(fwd, 30);
    tcase_add_test(fwd, test_ip_forward_ttl1_time_exceeded);
    tcase_add_test(fwd, test_ip_forward_decrements_ttl_via_arp);
    tcase_add_test(fwd, test_ip_forward_checksum_incremental);
    tcase_add_test(fwd, test_ip_forward_df_too_big_frag_needed);
    tcase_add_test(fwd, test_ip_forward_fragments_big_datagram);
    tcase_add_test(fwd, test_ip_forward_longest_prefix_match);
    suite_add_tcase(s, fwd);

    TCase *out = tcase_create("output");
    tcase_add_checked_fixture(out, setup, teardown);
    tcase_set_timeout(out, 10);
    tcase_add_test(out, test_ip_output_fragments_local_ping);
    tcase_add_test(out, test_ip_route_output_choices);
    suite_add_tcase(s, out);

    TCase *diff = tcase_create("linux_compat");
    tcase_add_checked_fixture(diff, setup, teardown);
    tcase_set_timeout(diff, 10);
    tcase_add_test(diff, test_ip_no_route_without_forwarding_counts_addr_error);
    suite_add_tcase(s, diff);
    return s;
}
