/*
 * tests/udp/test_udp.c — UDP (udp/udp.c) and the socket layer under it (net/sock.c, and
 * the BSD face net/socket.c) through the whole stack: checksums and lengths on receive
 * (RFC 768), Linux's socket lookup (__udp4_lib_lookup's scoring, bind conflicts),
 * ephemeral ports, buffer limits, ICMP errors both ways, fragmentation, the encapsulation
 * hook, readiness callbacks, and the errno values of ts_*.
 *
 * The peers 10.0.0.1 and 10.0.0.9 are PERMANENT neighbours, so answers go straight out;
 * 10.0.0.7 (FAR) has no entry, so what is sent to it waits for ARP. Every test ends with
 * the fixture's teardown, which fails on a leaked packet; ASan finds leaked sockets.
 *
 * Counters: Linux counts UdpInDatagrams when the application reads a datagram
 * (udp_recvmsg), so outside linux_compat the tests look at it only after reading.
 * Tests marked LINUX_DIFF (tcase "linux_compat") assert Linux's behaviour where tapstack
 * differed when they were written.
 */
#include "net/socket.h"             /* first: its <netinet/in.h> must precede ip/ip_wire.h */
/* <netinet/in.h> and ip/ip_wire.h both define the IP protocol numbers: keep tapstack's. */
#undef IPPROTO_ICMP
#undef IPPROTO_TCP
#undef IPPROTO_UDP
#include "tests/fx_check.h"
#include "tests/udp/udp_frames.h"
#include "udp/udp.h"
#include "net/netdev.h"
#include <errno.h>

#define SEED      0x0d9
#define PEER2     FX_IP(10, 0, 0, 9)
#define FAR       FX_IP(10, 0, 0, 7)        /* on-link, no neighbour entry */
#define FAR2      FX_IP(10, 0, 0, 8)        /* on-link, never answers */
#define LOOPBACK  FX_IP(127, 0, 0, 1)
#define LBCAST    0xffffffffu
#define MIN_RCVBUF 2304                     /* Linux SOCK_MIN_RCVBUF */
#define MIN_SNDBUF 4608                     /* Linux SOCK_MIN_SNDBUF */

static const struct eth_addr peer2_mac = { { 0x02, 0, 0, 0, 0, 0x09 } };
static const struct eth_addr far_mac   = { { 0x02, 0, 0, 0, 0, 0x07 } };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, PEER2, &peer2_mac, NUD_PERMANENT));
}

static void teardown(void) { fxc_teardown(); }

/* ------------------------------------------------------------------ helpers */

static struct sock *sk_new(void)
{
    int err = 1;
    struct sock *sk = sock_create(f->net, SOCK_DGRAM, IPPROTO_UDP, &err);
    ck_assert_msg(sk && err == 0, "sock_create: %d", err);
    return sk;
}

static struct sock *sk_bound(uint32_t addr, uint16_t port, bool reuse)
{
    struct sock *sk = sk_new();
    if (reuse) ck_assert_int_eq(sock_setsockopt(sk, SO_REUSEADDR, 1), 0);
    ck_assert_int_eq(sock_bind(sk, addr, port), 0);
    return sk;
}

static long send_to(struct sock *sk, uint32_t addr, uint16_t port, const void *buf, size_t len)
{
    struct sock_addr to = { addr, port };
    long n = sock_sendto(sk, buf, len, &to);
    stack_poll(f->st);
    return n;
}

static long send_conn(struct sock *sk, const void *buf, size_t len)
{
    long n = sock_sendto(sk, buf, len, NULL);
    stack_poll(f->st);
    return n;
}

static void inject(const struct udpf *s)
{
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), s);
    ck_assert_uint_gt(n, 0);
    fx_inject(f, fxc_buf, n);
}

static bool is_bcast(uint32_t a) { return a == FX_BCAST || a == LBCAST; }

static void inject_from(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const char *text)
{
    struct udpf s = { .src = src, .dst = dst, .sport = sport, .dport = dport, .data = text, .len = strlen(text),
                      .eth_dst = is_bcast(dst) ? &fx_bcast_mac : NULL };
    inject(&s);
}

/* A frame reaches eth0's driver poll, and the loop does NOT run afterwards. */
static void inject_no_poll(const uint8_t *frame, size_t len)
{
    struct pkt *p = net_pkt_alloc(f->net, len);
    ck_assert_ptr_nonnull(p);
    memcpy(pkt_put(p, len), frame, len);
    netif_receive(f->dev, p);
}

static void expect_rx_bytes(struct sock *sk, const void *want, size_t wlen, uint32_t from, uint16_t fport)
{
    static uint8_t buf[70000];
    struct sock_addr a = { 0, 0 };
    long n = sock_recvfrom(sk, buf, sizeof(buf), &a);
    ck_assert_msg(n == (long)wlen, "sock_recvfrom: %ld, want %zu bytes", n, wlen);
    if (wlen) ck_assert_mem_eq(buf, want, wlen);
    ck_assert_uint_eq(a.addr, from);
    ck_assert_uint_eq(a.port, fport);
}

static void expect_rx(struct sock *sk, const char *want, uint32_t from, uint16_t fport)
{
    expect_rx_bytes(sk, want, strlen(want), from, fport);
}

static void expect_empty(struct sock *sk)
{
    char buf[16];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -EAGAIN);
}

static void pop_udp(struct fx_ipv4 *ip, struct udpf_rx *u)
{
    fxc_pop_ipv4(ip, NULL);
    ck_assert_msg(udpf_parse(ip, u), "transmitted IPv4 frame is not UDP (proto %u)", ip->proto);
}

/* The far end answers with an ICMP error quoting `quote` (an IP header + 8 bytes we sent). */
static void inject_icmp_error(const uint8_t *quote, size_t qlen, uint8_t type, uint8_t code, uint32_t rest)
{
    uint8_t ic[8 + 64];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), type, code, rest, quote, qlen);
    uint32_t them = get_be32(quote + 16), us = get_be32(quote + 12);
    size_t n = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), them, us, IPPROTO_ICMP, 64, 0x4444, 0, ic, iclen);
    fx_inject(f, fxc_buf, n);
}

/* Records readiness reports. */
struct rec { int calls; unsigned events, last; };
static void rec_cb(struct sock *sk, unsigned events, void *arg)
{
    struct rec *r = arg;
    r->calls++;
    r->events |= events;
    r->last = events;
}
static const struct sock_cb rec_ops = { .ready = rec_cb };

static void watch(struct sock *sk, struct rec *r)
{
    sock_set_cb(sk, &rec_ops, r);
    stack_poll(f->st);                  /* the initial report (writable) */
    memset(r, 0, sizeof(*r));
}

/* Two payload bytes that make the datagram's checksum compute to zero. */
static void zero_sum_payload(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t out[2])
{
    uint8_t u[10] = { 0 };
    put_be16(u, sport);
    put_be16(u + 2, dport);
    put_be16(u + 4, sizeof(u));
    uint16_t c0 = udpf_csum_of(src, dst, u, sizeof(u), sizeof(u));   /* ~(sum of the rest) */
    put_be16(out, c0);                                                 /* sum + ~sum = -0 */
}

static uint8_t pattern(unsigned i) { return (uint8_t)(i * 7u + 1u); }

/* ------------------------------------------------------------------ checksum */

START_TEST(test_udp_rx_zero_checksum_means_none)
{
    struct sock *sk = sk_bound(0, 7000, false);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "no checksum",
                      .len = 11, .csum = UDPF_CSUM_NONE };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    ck_assert_uint_eq(get_be16(fxc_buf + ETH_HLEN + 20 + 6), 0);
    fx_inject(f, fxc_buf, n);
    expect_rx(sk, "no checksum", FX_PEER, 4000);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 0);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_rx_all_ones_checksum_is_zero)
{
    struct sock *sk = sk_bound(0, 7000, false);
    uint8_t pl[2];
    zero_sum_payload(FX_PEER, FX_ADDR, 4000, 7000, pl);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = pl, .len = 2 };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    ck_assert_uint_eq(get_be16(fxc_buf + ETH_HLEN + 20 + 6), 0xffff);     /* computed 0, sent as ones */
    fx_inject(f, fxc_buf, n);
    expect_rx_bytes(sk, pl, 2, FX_PEER, 4000);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_tx_computed_zero_checksum_sent_as_ffff)
{
    struct sock *sk = sk_bound(0, 5000, false);
    uint8_t pl[2];
    zero_sum_payload(FX_ADDR, FX_PEER, 5000, 6000, pl);
    ck_assert_int_eq(send_to(sk, FX_PEER, 6000, pl, 2), 2);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(u.sport, 5000);
    ck_assert_uint_eq(u.dport, 6000);
    ck_assert_uint_eq(u.ulen, 10);
    ck_assert_uint_eq(u.csum, 0xffff);                  /* RFC 768: never 0, which means "none" */
    ck_assert(u.csum_ok);
    ck_assert_mem_eq(u.data, pl, 2);
    /* control: an ordinary payload carries its ordinary checksum */
    ck_assert_int_eq(send_to(sk, FX_PEER, 6000, "ab", 2), 2);
    pop_udp(&ip, &u);
    ck_assert_uint_ne(u.csum, 0xffff);
    ck_assert(u.csum_ok);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_rx_bad_checksum_dropped_no_icmp)
{
    struct sock *sk = sk_bound(0, 7000, false);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "corrupt", .len = 7,
                      .csum = UDPF_CSUM_BAD };
    inject(&s);
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_UDP_CSUM), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    /* to a closed port: a checksum error still, never a port unreachable (__udp4_lib_rcv) */
    s.dport = 7001;
    inject(&s);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 2);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 2);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_odd_length_checksum)
{
    struct sock *sk = sk_bound(0, 7000, false);
    ck_assert_int_eq(send_to(sk, FX_PEER, 6000, "odd", 3), 3);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    ck_assert_uint_eq(u.ulen, 11);
    ck_assert_uint_eq(u.dlen, 3);
    ck_assert(u.csum_ok);                               /* the last byte counts as a high byte */
    /* receive: the right checksum of an odd datagram is accepted ... */
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "hello", .len = 5 };
    inject(&s);
    expect_rx(sk, "hello", FX_PEER, 4000);
    /* ... and a change in the odd last byte is caught */
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    fxc_buf[n - 1] ^= 0x01;
    fx_inject(f, fxc_buf, n);
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 1);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ length */

START_TEST(test_udp_len_longer_than_ip_payload_dropped)
{
    struct sock *sk = sk_bound(0, 7000, false);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "0123456789",
                      .len = 10, .set_ulen = true, .ulen = 19 };
    inject(&s);
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_UDP_BADLEN), 1);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_len_below_header_dropped)
{
    struct sock *sk = sk_bound(0, 7000, false);
    static const uint16_t lens[] = { 7, 0, 1 };
    for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
        struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "abcd", .len = 4,
                          .set_ulen = true, .ulen = lens[i] };
        inject(&s);
    }
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 3);
    ck_assert_uint_eq(DROPS(DROP_UDP_BADLEN), 3);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_len_shorter_than_ip_payload_trimmed)
{
    struct sock *sk = sk_bound(0, 7000, false);
    /* the length field says 4 bytes of data; 6 more follow inside the IP payload */
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "0123456789",
                      .len = 10, .set_ulen = true, .ulen = 8 + 4 };
    inject(&s);
    expect_rx(sk, "0123", FX_PEER, 4000);
    /* zero padding after a whole datagram (Ethernet minimum frames) is trimmed too */
    struct udpf p = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "xy", .len = 2,
                      .pad = 6 };
    inject(&p);
    expect_rx(sk, "xy", FX_PEER, 4000);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 0);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 2);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_shorter_than_header_dropped)
{
    struct sock *sk = sk_bound(0, 7000, false);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000, .data = "abcd", .len = 4,
                      .cut = true, .ip_plen = 5 };
    inject(&s);
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_UDP_BADLEN), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    /* boundary: exactly a header is an empty datagram */
    struct udpf e = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7000 };
    inject(&e);
    expect_rx_bytes(sk, NULL, 0, FX_PEER, 4000);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ demultiplexing */

START_TEST(test_udp_demux_most_specific_wins)
{
    /* Bound in the order a first-match lookup would get wrong (the chain is LIFO). */
    struct sock *c = sk_bound(0, 7000, true);
    ck_assert_int_eq(sock_connect(c, FX_PEER, 5000), 0);
    ck_assert_uint_eq(c->local.addr, FX_ADDR);          /* connect fixes the local address */
    struct sock *s = sk_bound(FX_ADDR, 7000, true);
    struct sock *w = sk_bound(0, 7000, true);
    ck_assert_ptr_eq(udp_lookup(f->net, FX_PEER, 5000, FX_ADDR, 7000), c);
    ck_assert_ptr_eq(udp_lookup(f->net, FX_PEER, 5001, FX_ADDR, 7000), s);
    ck_assert_ptr_eq(udp_lookup(f->net, FX_PEER, 5000, LOOPBACK, 7000), w);
    inject_from(FX_PEER, 5000, FX_ADDR, 7000, "to-connected");
    inject_from(FX_PEER, 5001, FX_ADDR, 7000, "to-specific-1");
    inject_from(PEER2, 5000, FX_ADDR, 7000, "to-specific-2");
    expect_rx(c, "to-connected", FX_PEER, 5000);
    expect_empty(c);
    expect_rx(s, "to-specific-1", FX_PEER, 5001);
    expect_rx(s, "to-specific-2", PEER2, 5000);
    expect_empty(s);
    expect_empty(w);
    sock_close(s);
    inject_from(FX_PEER, 5001, FX_ADDR, 7000, "to-wildcard");
    inject_from(FX_PEER, 5000, FX_ADDR, 7000, "still-connected");
    expect_rx(w, "to-wildcard", FX_PEER, 5001);
    expect_empty(w);
    expect_rx(c, "still-connected", FX_PEER, 5000);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 0);
    sock_close(c);
    sock_close(w);
}
END_TEST

START_TEST(test_udp_demux_equal_scores_last_bound_wins)
{
    /* udp_lib_get_port adds to the head of the chain; the first best score wins */
    struct sock *a = sk_bound(0, 7001, true);
    struct sock *b = sk_bound(0, 7001, true);
    inject_from(FX_PEER, 5000, FX_ADDR, 7001, "one");
    expect_rx(b, "one", FX_PEER, 5000);
    expect_empty(a);
    sock_close(a);
    sock_close(b);
}
END_TEST

START_TEST(test_udp_connected_ignores_other_peers)
{
    struct sock *c = sk_new();
    ck_assert_int_eq(sock_connect(c, FX_PEER, 5000), 0);
    uint16_t port = c->local.port;
    ck_assert(c->bound);
    inject_from(FX_PEER, 5001, FX_ADDR, port, "wrong port");
    inject_from(PEER2, 5000, FX_ADDR, port, "wrong host");
    expect_empty(c);
    /* nobody else is on the port: port unreachable, as for a closed one */
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 2);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 2);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ip.dst, PEER2);
    inject_from(FX_PEER, 5000, FX_ADDR, port, "right");
    expect_rx(c, "right", FX_PEER, 5000);
    sock_close(c);
}
END_TEST

START_TEST(test_udp_bind_reuseaddr)
{
    struct sock *a = sk_bound(0, 7002, false);
    struct sock *b = sk_new();
    ck_assert_int_eq(sock_bind(b, 0, 7002), -EADDRINUSE);
    ck_assert(!b->bound);
    ck_assert_int_eq(sock_bind(b, 0, 7003), 0);         /* a failed bind leaves it usable */
    /* one side asking is not enough (udp_lib_lport_inuse: both need sk_reuse) */
    struct sock *c = sk_new();
    ck_assert_int_eq(sock_setsockopt(c, SO_REUSEADDR, 1), 0);
    ck_assert_int_eq(sock_bind(c, 0, 7002), -EADDRINUSE);
    struct sock *d = sk_bound(0, 7004, true);
    struct sock *e = sk_bound(0, 7004, true);           /* both asking is */
    int v = 0;
    ck_assert_int_eq(sock_getsockopt(e, SO_REUSEADDR, &v), 0);
    ck_assert_int_eq(v, 1);
    /* a closed socket frees its port at once (UDP has no TIME_WAIT) */
    sock_close(a);
    ck_assert_int_eq(sock_bind(c, 0, 7002), 0);
    sock_close(b);
    sock_close(c);
    sock_close(d);
    sock_close(e);
}
END_TEST

START_TEST(test_udp_bind_specific_vs_wildcard)
{
    struct sock *s = sk_bound(FX_ADDR, 7010, false);
    struct sock *w = sk_new();
    ck_assert_int_eq(sock_bind(w, 0, 7010), -EADDRINUSE);
    struct sock *w2 = sk_bound(0, 7011, false);
    struct sock *s2 = sk_new();
    ck_assert_int_eq(sock_bind(s2, FX_ADDR, 7011), -EADDRINUSE);
    /* different specific addresses do not overlap */
    struct sock *a = sk_bound(FX_ADDR, 7012, false);
    struct sock *b = sk_bound(LOOPBACK, 7012, false);
    inject_from(FX_PEER, 5000, FX_ADDR, 7012, "for-a");
    expect_rx(a, "for-a", FX_PEER, 5000);
    expect_empty(b);
    sock_close(s);
    sock_close(w);
    sock_close(w2);
    sock_close(s2);
    sock_close(a);
    sock_close(b);
}
END_TEST

START_TEST(test_udp_bind_address_checks)
{
    struct sock *sk = sk_new();
    ck_assert_int_eq(sock_bind(sk, FX_IP(10, 0, 0, 99), 7020), -EADDRNOTAVAIL);
    ck_assert_int_eq(sock_bind(sk, FX_IP(192, 0, 2, 1), 7020), -EADDRNOTAVAIL);
    ck_assert(!sk->bound);
    ck_assert_int_eq(sock_bind(sk, FX_BCAST, 7020), 0);  /* RTN_BROADCAST is allowed (inet_bind) */
    ck_assert_int_eq(sock_bind(sk, FX_ADDR, 7021), -EINVAL);   /* bound already */
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_broadcast_to_every_match)
{
    struct sock *w1 = sk_bound(0, 7030, true);
    struct sock *w2 = sk_bound(0, 7030, true);
    struct sock *b = sk_bound(FX_BCAST, 7030, true);
    struct sock *s = sk_bound(FX_ADDR, 7030, true);
    struct sock *c = sk_bound(0, 7030, true);
    ck_assert_int_eq(sock_connect(c, PEER2, 9), 0);
    inject_from(FX_PEER, 5000, FX_BCAST, 7030, "subnet");
    expect_rx(w1, "subnet", FX_PEER, 5000);
    expect_rx(w2, "subnet", FX_PEER, 5000);
    expect_rx(b, "subnet", FX_PEER, 5000);
    expect_empty(s);                                    /* bound to another address */
    expect_empty(c);                                    /* connected to someone else */
    inject_from(FX_PEER, 5000, LBCAST, 7030, "limited");
    expect_rx(w1, "limited", FX_PEER, 5000);
    expect_rx(w2, "limited", FX_PEER, 5000);
    expect_empty(b);
    expect_empty(s);
    expect_empty(c);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    /* unicast still goes to exactly one: the most specific */
    inject_from(FX_PEER, 5000, FX_ADDR, 7030, "unicast");
    expect_rx(s, "unicast", FX_PEER, 5000);
    expect_empty(w1);
    expect_empty(w2);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 6);
    sock_close(w1);
    sock_close(w2);
    sock_close(b);
    sock_close(s);
    sock_close(c);
}
END_TEST

START_TEST(test_udp_broadcast_send_needs_so_broadcast)
{
    struct sock *sk = sk_bound(0, 7031, false);
    ck_assert_int_eq(send_to(sk, FX_BCAST, 9, "all", 3), -EACCES);
    ck_assert_int_eq(send_to(sk, LBCAST, 9, "all", 3), -EACCES);
    ck_assert_int_eq(sock_connect(sk, FX_BCAST, 9), -EACCES);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_int_eq(sock_setsockopt(sk, SO_BROADCAST, 1), 0);
    ck_assert_int_eq(send_to(sk, FX_BCAST, 9, "all", 3), 3);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    fxc_assert_mac(&ip.eth_dst, &fx_bcast_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_BCAST);
    ck_assert(u.csum_ok);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ ephemeral ports */

/* The port an unbound socket gets for its first sendto in a fresh stack of this seed. */
static uint16_t first_port(uint64_t seed)
{
    struct fx *g = fx_new(seed);
    ck_assert_ptr_nonnull(g);
    int err;
    struct sock *sk = sock_create(g->net, SOCK_DGRAM, IPPROTO_UDP, &err);
    ck_assert_ptr_nonnull(sk);
    ck_assert(!sk->bound);
    struct sock_addr to = { FX_PEER, 9 };
    ck_assert_int_eq(sock_sendto(sk, "x", 1, &to), 1);
    ck_assert(sk->bound);
    ck_assert_uint_eq(sk->local.addr, 0);               /* sendto does not fix the address */
    uint16_t port = sk->local.port;
    sock_close(sk);
    ck_assert_uint_eq(fx_free(g), 0);
    return port;
}

START_TEST(test_udp_ephemeral_port_in_range)
{
    for (uint64_t seed = 1; seed <= 24; seed++) {
        uint16_t p = first_port(seed);
        ck_assert_msg(p >= 32768 && p <= 60999, "seed %llu: port %u outside ip_local_port_range",
                      (unsigned long long)seed, p);
    }
    /* and it is the source port on the wire */
    struct sock *sk = sk_new();
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, "x", 1), 1);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    ck_assert_uint_eq(u.sport, sk->local.port);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_ephemeral_port_follows_seed)
{
    ck_assert_uint_eq(first_port(0x5eed), first_port(0x5eed));
    ck_assert_uint_ne(first_port(1), first_port(2));
}
END_TEST

START_TEST(test_udp_ephemeral_range_exhausted)
{
    f->net->ipv4.ip_local_port_lo = 40000;
    f->net->ipv4.ip_local_port_hi = 40001;
    struct sock *a = sk_new();
    ck_assert_int_eq(sock_bind(a, 0, 0), 0);
    ck_assert(a->local.port == 40000 || a->local.port == 40001);
    struct sock *b = sk_new();
    ck_assert_int_eq(send_to(b, FX_PEER, 9, "x", 1), 1);
    ck_assert_uint_eq(b->local.port, 40000 + 40001 - a->local.port);
    fx_tx_clear(f);
    struct sock *c = sk_new();
    ck_assert_int_eq(sock_bind(c, 0, 0), -EADDRINUSE);   /* inet_bind -> get_port failed */
    ck_assert(!c->bound);
    ck_assert_int_lt(send_to(c, FX_PEER, 9, "x", 1), 0);
    ck_assert_int_lt(sock_connect(c, FX_PEER, 9), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    uint16_t freed = a->local.port;
    sock_close(a);
    ck_assert_int_eq(sock_bind(c, 0, 0), 0);
    ck_assert_uint_eq(c->local.port, freed);
    sock_close(b);
    sock_close(c);
}
END_TEST

/* ------------------------------------------------------------------ buffers */

/* What a received datagram of a 1500-MTU frame is charged: its packet's real memory
 * (pkt_truesize, Linux's skb->truesize): a 2 KiB slot and the packet header. */
#define SMALL_TRUESIZE (PKT_HEADROOM + PKT_SMALL_DATA + (unsigned)sizeof(struct pkt))

START_TEST(test_udp_rcvbuf_full_drops_and_reading_frees)
{
    struct sock *sk = sk_bound(0, 7040, false);
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, 1), 0);
    int v = 0;
    ck_assert_int_eq(sock_getsockopt(sk, SO_RCVBUF, &v), 0);
    ck_assert_int_eq(v, MIN_RCVBUF);                    /* doubled, then floored (sock_setsockopt) */
    /* room for exactly two: rcvbuf = one truesize, and a datagram is refused only once
     * what is queued exceeds rcvbuf */
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, SMALL_TRUESIZE / 2), 0);
    ck_assert_int_eq(sk->rcvbuf, MAX((int)SMALL_TRUESIZE, MIN_RCVBUF));   /* < 2 truesizes */
    ck_assert_int_lt(sk->rcvbuf, 2 * (int)SMALL_TRUESIZE);
    static char d[4][1000];
    for (int k = 0; k < 4; k++) memset(d[k], 'a' + k, sizeof(d[k]));
    for (int k = 0; k < 3; k++) {
        struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7040, .data = d[k], .len = 1000 };
        inject(&s);
    }
    ck_assert_uint_eq(sk->rq_len, 2);
    ck_assert_uint_eq(sk->rmem, 2 * SMALL_TRUESIZE);
    ck_assert_uint_eq(MIB(MIB_UdpRcvbufErrors), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 1);
    ck_assert_uint_eq(DROPS(DROP_SOCKET_RCVBUFF), 1);
    ck_assert_uint_eq(sk->drops, 1);
    expect_rx_bytes(sk, d[0], 1000, FX_PEER, 4000);     /* reading makes room */
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7040, .data = d[3], .len = 1000 };
    inject(&s);
    ck_assert_uint_eq(MIB(MIB_UdpRcvbufErrors), 1);
    expect_rx_bytes(sk, d[1], 1000, FX_PEER, 4000);
    expect_rx_bytes(sk, d[3], 1000, FX_PEER, 4000);
    expect_empty(sk);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 3);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_sndbuf_held_by_neighbour_queue)
{
    enum { DLEN = 888 };
    static uint8_t d[DLEN];
    struct sock *sk = sk_bound(0, 7050, false);
    ck_assert_int_eq(sock_setsockopt(sk, SO_SNDBUF, 1), 0);
    int v = 0;
    ck_assert_int_eq(sock_getsockopt(sk, SO_SNDBUF, &v), 0);
    ck_assert_int_eq(v, MIN_SNDBUF);
    /* sock_alloc_send_pskb admits a send while what is in flight is below sndbuf: with
     * each datagram charged SMALL_TRUESIZE, that is ceil(sndbuf / truesize) of them */
    int fit = (MIN_SNDBUF + (int)SMALL_TRUESIZE - 1) / (int)SMALL_TRUESIZE;
    ck_assert_int_ge(fit, 1);
    struct rec r;
    watch(sk, &r);
    for (int k = 0; k < fit; k++) ck_assert_int_eq(send_to(sk, FAR, 9, d, DLEN), DLEN);
    ck_assert_uint_eq(fx_neigh_state(f, FAR), NUD_INCOMPLETE);
    ck_assert_uint_eq(fxc_count_type(ETH_P_IP), 0);     /* they all wait for ARP ... */
    ck_assert_uint_eq(fxc_count_type(ETH_P_ARP), 1);
    ck_assert(!(sock_poll(sk) & SK_WRITABLE));          /* ... holding the whole send buffer */
    ck_assert_int_eq(send_to(sk, FAR, 9, d, DLEN), -EAGAIN);
    ck_assert_uint_eq(MIB(MIB_UdpSndbufErrors), 1);
    ck_assert_uint_eq(MIB(MIB_UdpOutDatagrams), (unsigned)fit);
    ck_assert_int_eq(r.calls, 0);
    fx_tx_clear(f);
    /* The reply reaches the driver poll; the loop has not run yet. */
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), 2, &far_mac, FAR, &fx_mac, FX_ADDR, &fx_mac);
    inject_no_poll(fxc_buf, n);
    ck_assert_uint_eq(fxc_count_type(ETH_P_IP), (unsigned)fit);     /* the queue left at once */
    ck_assert(sock_poll(sk) & SK_WRITABLE);
    ck_assert_int_eq(r.calls, 0);                       /* but nobody was called from in there */
    stack_poll(f->st);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(r.events & SK_WRITABLE);
    for (int k = 0; k < fit; k++) {
        struct fx_ipv4 ip;
        struct udpf_rx u;
        pop_udp(&ip, &u);
        fxc_assert_mac(&ip.eth_dst, &far_mac);
        ck_assert_uint_eq(ip.dst, FAR);
        ck_assert_uint_eq(u.dport, 9);
        ck_assert_uint_eq(u.dlen, DLEN);
        ck_assert(u.csum_ok);
    }
    ck_assert_int_eq(send_to(sk, FAR, 9, d, DLEN), DLEN);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_close_with_datagrams_in_flight)
{
    struct sock *a = sk_bound(0, 7051, false);
    struct sock *b = sk_bound(0, 7052, false);
    ck_assert_int_eq(send_to(a, FAR, 9, "late", 4), 4);
    ck_assert_int_eq(send_to(b, FAR2, 9, "never", 5), 5);
    sock_close(a);                      /* both datagrams still wait in neighbour queues */
    sock_close(b);
    fx_tx_clear(f);
    fxc_inject_arp(2, &far_mac, FAR, &fx_mac, FX_ADDR, &fx_mac);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);                   /* the skb does not need its socket any more */
    ck_assert_uint_eq(ip.dst, FAR);
    ck_assert_mem_eq(u.data, "late", 4);
    fx_advance_ms(f, 5000);             /* FAR2 never answers: resolution fails, the datagram goes */
    ck_assert_uint_eq(fx_neigh_state(f, FAR2), NUD_FAILED);
}
END_TEST

/* ------------------------------------------------------------------ ICMP */

START_TEST(test_udp_closed_port_unreachable)
{
    const char *msg = "is anybody there?";
    inject_from(FX_PEER, 4444, FX_ADDR, 7999, msg);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ic.type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(ic.code, ICMP_PORT_UNREACH);
    ck_assert_uint_eq(ic.rest, 0);
    ck_assert(ic.csum_ok);
    /* the quote: the datagram as it arrived, IP header first */
    ck_assert_uint_eq(ic.dlen, 20 + 8 + strlen(msg));
    ck_assert_uint_eq(get_be32(ic.data + 12), FX_PEER);
    ck_assert_uint_eq(get_be32(ic.data + 16), FX_ADDR);
    ck_assert_uint_eq(ic.data[9], IPPROTO_UDP);
    ck_assert_uint_eq(get_be16(ic.data + 20), 4444);
    ck_assert_uint_eq(get_be16(ic.data + 22), 7999);
    ck_assert_mem_eq(ic.data + 28, msg, strlen(msg));
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInErrors), 0);
    ck_assert_uint_eq(DROPS(DROP_NO_SOCKET), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_udp_no_unreachable_for_broadcast)
{
    inject_from(FX_PEER, 4444, FX_BCAST, 7999, "subnet");
    inject_from(FX_PEER, 4444, LBCAST, 7999, "limited");
    /* a unicast IP datagram in a link-layer broadcast frame: not either (RFC 1122 3.2.2) */
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4444, .dport = 7999, .data = "l2", .len = 2,
                      .eth_dst = &fx_bcast_mac };
    inject(&s);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutMsgs), 0);
    /* __udp4_lib_mcast_deliver: an unclaimed broadcast is UdpIgnoredMulti, not NoPorts;
     * the unicast datagram is an ordinary NoPorts (icmp_send refuses the frame type) */
    ck_assert_uint_eq(MIB(MIB_UdpIgnoredMulti), 2);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
}
END_TEST

START_TEST(test_udp_connected_gets_econnrefused_once)
{
    struct sock *sk = sk_new();
    ck_assert_int_eq(sock_connect(sk, FX_PEER, 9999), 0);
    struct rec r;
    watch(sk, &r);
    ck_assert_int_eq(send_conn(sk, "knock", 5), 5);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    uint8_t q[28];
    memcpy(q, ip.hdr, sizeof(q));
    memset(&r, 0, sizeof(r));
    /* 1: the next send reports it, once */
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(r.events & SK_ERROR);
    ck_assert(sock_poll(sk) & SK_ERROR);
    ck_assert_int_eq(send_conn(sk, "again", 5), -ECONNREFUSED);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert(!(sock_poll(sk) & SK_ERROR));
    ck_assert_int_eq(send_conn(sk, "again", 5), 5);
    fx_tx_clear(f);
    /* 2: SO_ERROR reads and clears it */
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    int v = 0;
    ck_assert_int_eq(sock_getsockopt(sk, SO_ERROR, &v), 0);
    ck_assert_int_eq(v, ECONNREFUSED);
    ck_assert_int_eq(sock_getsockopt(sk, SO_ERROR, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(send_conn(sk, "more", 4), 4);
    fx_tx_clear(f);
    /* 3: an empty receive reports it, once */
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    char buf[8];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -ECONNREFUSED);
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -EAGAIN);
    ck_assert_uint_eq(MIB(MIB_IcmpInDestUnreachs), 3);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_unconnected_not_told)
{
    struct sock *sk = sk_bound(0, 7060, false);
    struct rec r;
    watch(sk, &r);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9999, "knock", 5), 5);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    uint8_t q[28];
    memcpy(q, ip.hdr, sizeof(q));
    memset(&r, 0, sizeof(r));
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    ck_assert_uint_eq(MIB(MIB_IcmpInDestUnreachs), 1);
    ck_assert_int_eq(r.calls, 0);
    int v = -1;
    ck_assert_int_eq(sock_getsockopt(sk, SO_ERROR, &v), 0);
    ck_assert_int_eq(v, 0);
    expect_empty(sk);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9999, "knock", 5), 5);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ fragmentation */

/* Pop `count` IP fragments of one datagram and put the payload together. */
static size_t collect_fragments(unsigned count, uint8_t *whole, size_t cap)
{
    size_t total = 0;
    uint16_t id = 0;
    for (unsigned k = 0; k < count; k++) {
        struct fx_ipv4 ip;
        fxc_pop_ipv4(&ip, NULL);
        ck_assert(ip.csum_ok);
        ck_assert_uint_eq(ip.proto, IPPROTO_UDP);
        ck_assert_uint_le(ip.tot_len, 1500);
        ck_assert_msg(!(ip.frag & IP_DF), "fragment %u has DF", k);
        if (k == 0) id = ip.id;
        ck_assert_uint_eq(ip.id, id);
        unsigned off = (unsigned)(ip.frag & IP_OFFMASK) * 8;
        ck_assert_uint_eq(off, total);
        ck_assert_uint_eq(!!(ip.frag & IP_MF), k + 1 < count);
        ck_assert_uint_le(total + ip.plen, cap);
        memcpy(whole + off, ip.payload, ip.plen);
        total += ip.plen;
    }
    return total;
}

START_TEST(test_udp_large_sendto_fragments_without_df)
{
    enum { LEN = 8000 };
    static uint8_t d[LEN], whole[LEN + 8];
    for (unsigned i = 0; i < LEN; i++) d[i] = pattern(i);
    struct sock *sk = sk_bound(0, 7070, false);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, LEN), LEN);
    ck_assert_uint_eq(fx_tx_count(f), 6);               /* 8008 bytes in 1480-byte pieces */
    size_t total = collect_fragments(6, whole, sizeof(whole));
    ck_assert_uint_eq(total, LEN + 8);
    ck_assert_uint_eq(get_be16(whole), 7070);
    ck_assert_uint_eq(get_be16(whole + 2), 9);
    ck_assert_uint_eq(get_be16(whole + 4), LEN + 8);
    ck_assert_uint_eq(udpf_csum_of(FX_ADDR, FX_PEER, whole, total, (uint16_t)total), 0);
    ck_assert_mem_eq(whole + 8, d, LEN);
    ck_assert_uint_eq(MIB(MIB_IpFragCreates), 6);
    ck_assert_uint_eq(MIB(MIB_IpFragOKs), 1);
    ck_assert_uint_eq(MIB(MIB_UdpOutDatagrams), 1);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_mtu_sized_sendto_one_frame_with_df)
{
    static uint8_t d[1473];
    struct sock *sk = sk_bound(0, 7071, false);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, 1472), 1472);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    ck_assert_uint_eq(ip.tot_len, 1500);
    ck_assert(ip.frag & IP_DF);                         /* IP_PMTUDISC_WANT: DF when it fits */
    ck_assert_uint_eq(ip.frag & (IP_MF | IP_OFFMASK), 0);
    ck_assert(u.csum_ok);
    /* one byte more: two fragments, neither with DF */
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, 1473), 1473);
    static uint8_t whole[1481];
    ck_assert_uint_eq(collect_fragments(2, whole, sizeof(whole)), 1481);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_max_datagram_size)
{
    enum { MAXLEN = 65507 };            /* 65535 - 20 - 8 */
    static uint8_t d[MAXLEN + 1], whole[MAXLEN + 8];
    for (unsigned i = 0; i < sizeof(d); i++) d[i] = pattern(i);
    struct sock *sk = sk_bound(0, 7072, false);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, MAXLEN), MAXLEN);
    ck_assert_uint_eq(fx_tx_count(f), 45);
    size_t total = collect_fragments(45, whole, sizeof(whole));
    ck_assert_uint_eq(total, MAXLEN + 8);
    ck_assert_uint_eq(udpf_csum_of(FX_ADDR, FX_PEER, whole, total, (uint16_t)total), 0);
    ck_assert_mem_eq(whole + 8, d, MAXLEN);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, MAXLEN + 1), -EMSGSIZE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_UdpOutDatagrams), 1);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ encapsulation */

/* A test-only encapsulation: "ENC0" + data is consumed (counted), "ENC1" + data is
 * stripped of its magic and handed back to UDP, anything else is plain UDP. */
static struct { int calls, consumed, stripped; struct sock *sk; void *user; } encap;
static int encap_user_cookie;

static int test_encap_rcv(struct sock *sk, struct pkt *p)
{
    encap.calls++;
    encap.sk = sk;
    encap.user = sk->user;
    if (p->len >= 12 && !memcmp(p->data + 8, "ENC0", 4)) {
        encap.consumed++;
        pkt_free(p);
        return 0;
    }
    if (p->len >= 12 && !memcmp(p->data + 8, "ENC1", 4)) {
        encap.stripped++;
        memmove(p->data + 4, p->data, 8);               /* the UDP header moves over the magic */
        pkt_pull(p, 4);
        put_be16(p->data + 4, (uint16_t)p->len);
        return 1;
    }
    return 1;
}

START_TEST(test_udp_encap_consumes)
{
    memset(&encap, 0, sizeof(encap));
    struct sock *sk = sk_new();
    udp_set_encap(sk, test_encap_rcv, NULL, &encap_user_cookie);      /* before bind */
    ck_assert_int_eq(sock_bind(sk, 0, 4789), 0);
    struct rec r;
    watch(sk, &r);
    inject_from(FX_PEER, 5000, FX_ADDR, 4789, "ENC0inner frame");
    ck_assert_int_eq(encap.calls, 1);
    ck_assert_int_eq(encap.consumed, 1);
    ck_assert_ptr_eq(encap.sk, sk);
    ck_assert_ptr_eq(encap.user, &encap_user_cookie);
    expect_empty(sk);                                   /* the reader sees nothing */
    ck_assert_int_eq(r.calls, 0);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 1);     /* udp_queue_rcv_one_skb counts it */
    ck_assert_uint_eq(fx_tx_count(f), 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_encap_passes_to_udp)
{
    memset(&encap, 0, sizeof(encap));
    struct sock *sk = sk_bound(0, 4789, false);
    udp_set_encap(sk, test_encap_rcv, NULL, &encap_user_cookie);      /* after bind */
    inject_from(FX_PEER, 5000, FX_ADDR, 4789, "plain datagram");
    inject_from(FX_PEER, 5000, FX_ADDR, 4789, "ENC1stripped");
    ck_assert_int_eq(encap.calls, 2);
    ck_assert_int_eq(encap.stripped, 1);
    expect_rx(sk, "plain datagram", FX_PEER, 5000);
    expect_rx(sk, "stripped", FX_PEER, 5000);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 2);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_encap_after_checksum)
{
    memset(&encap, 0, sizeof(encap));
    struct sock *sk = sk_bound(0, 4789, false);
    udp_set_encap(sk, test_encap_rcv, NULL, NULL);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 5000, .dport = 4789, .data = "ENC0bad", .len = 7,
                      .csum = UDPF_CSUM_BAD };
    inject(&s);
    ck_assert_int_eq(encap.calls, 0);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 0);
    s.csum = UDPF_CSUM_NONE;                            /* no checksum is fine for a tunnel */
    inject(&s);
    ck_assert_int_eq(encap.calls, 1);
    ck_assert_int_eq(encap.consumed, 1);
    sock_close(sk);
}
END_TEST

/* ------------------------------------------------------------------ readiness */

struct peek { struct sock *other; int calls; unsigned events; unsigned other_qlen; };
static void peek_cb(struct sock *sk, unsigned events, void *arg)
{
    struct peek *p = arg;
    p->calls++;
    p->events |= events;
    p->other_qlen = p->other ? p->other->rq_len : 0;
}
static const struct sock_cb peek_ops = { .ready = peek_cb };

START_TEST(test_udp_ready_callbacks_deferred)
{
    struct sock *a = sk_bound(0, 7080, true);
    struct sock *b = sk_bound(0, 7080, true);
    struct peek pa = { .other = b }, pb = { .other = a };
    sock_set_cb(a, &peek_ops, &pa);
    sock_set_cb(b, &peek_ops, &pb);
    stack_poll(f->st);
    pa.calls = pb.calls = 0;
    pa.events = pb.events = 0;
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 5000, .dport = 7080, .data = "u", .len = 1 };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    inject_no_poll(fxc_buf, n);
    ck_assert_uint_eq(b->rq_len, 1);                    /* queued by the receive path ... */
    ck_assert_int_eq(pb.calls, 0);                      /* ... which called nobody */
    stack_poll(f->st);
    ck_assert_int_eq(pb.calls, 1);
    ck_assert(pb.events & SK_READABLE);
    ck_assert_int_eq(pa.calls, 0);
    /* a broadcast queues for both before either hears of it */
    struct udpf bc = { .src = FX_PEER, .dst = FX_BCAST, .sport = 5000, .dport = 7080, .data = "b", .len = 1,
                       .eth_dst = &fx_bcast_mac };
    n = udpf_build(fxc_buf, sizeof(fxc_buf), &bc);
    inject_no_poll(fxc_buf, n);
    ck_assert_int_eq(pa.calls + pb.calls, 1);
    stack_poll(f->st);
    ck_assert_int_eq(pa.calls, 1);
    ck_assert_int_eq(pb.calls, 2);
    ck_assert_uint_eq(pa.other_qlen, 2);                /* b had both when a was told */
    ck_assert_uint_eq(pb.other_qlen, 1);
    sock_close(a);
    sock_close(b);
}
END_TEST

static int closes;
static void close_self_cb(struct sock *sk, unsigned events, void *arg)
{
    if (!(events & SK_READABLE)) return;
    closes++;
    sock_close(sk);                     /* with its datagram still unread */
}
static const struct sock_cb close_self_ops = { .ready = close_self_cb };

static void close_other_cb(struct sock *sk, unsigned events, void *arg)
{
    if (!(events & SK_READABLE)) return;
    closes++;
    sock_close(arg);                    /* a socket further down the ready list */
    sock_close(sk);
}
static const struct sock_cb close_other_ops = { .ready = close_other_cb };

START_TEST(test_udp_close_inside_own_callback)
{
    closes = 0;
    struct sock *sk = sk_bound(0, 7081, false);
    sock_set_cb(sk, &close_self_ops, NULL);
    stack_poll(f->st);
    inject_from(FX_PEER, 5000, FX_ADDR, 7081, "bye");
    ck_assert_int_eq(closes, 1);
    inject_from(FX_PEER, 5000, FX_ADDR, 7081, "anyone?");   /* the port is closed now */
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
    /* closing another socket that is waiting on the ready list: whichever of the two
     * is called first closes both, and the other must not be called */
    closes = 0;
    struct sock *a = sk_bound(0, 7082, true);
    struct sock *b = sk_bound(0, 7082, true);
    sock_set_cb(a, &close_other_ops, b);
    sock_set_cb(b, &close_other_ops, a);
    stack_poll(f->st);
    inject_from(FX_PEER, 5000, FX_BCAST, 7082, "both");      /* both are woken */
    ck_assert_int_eq(closes, 1);
    /* and a socket closed while it waits on the list */
    struct sock *c = sk_bound(0, 7083, false);
    struct peek pc = { 0 };
    sock_set_cb(c, &peek_ops, &pc);
    stack_poll(f->st);
    pc.calls = 0;
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 5000, .dport = 7083, .data = "x", .len = 1 };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    inject_no_poll(fxc_buf, n);
    sock_close(c);
    stack_poll(f->st);
    ck_assert_int_eq(pc.calls, 0);
}
END_TEST

static int ts_closes;
static void ts_close_cb(int fd, unsigned events, void *arg)
{
    if (!(events & SK_READABLE)) return;
    ts_closes++;
    ck_assert_int_eq(ts_close(arg, fd), 0);
}

START_TEST(test_udp_ts_close_inside_callback)
{
    ts_closes = 0;
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 3);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7084) };
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(ts_set_ready_cb(st, fd, ts_close_cb, st), 0);
    stack_poll(st);
    inject_from(FX_PEER, 5000, FX_ADDR, 7084, "bye");
    ck_assert_int_eq(ts_closes, 1);
    ck_assert_ptr_null(ts_sock(st, fd));
    char buf[4];
    ck_assert_int_eq(ts_recv(st, fd, buf, sizeof(buf), 0), -1);
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* ------------------------------------------------------------------ the BSD face */

START_TEST(test_bsd_errno_values)
{
    struct stack *st = f->st;
    char buf[8];
    errno = 0;
    ck_assert_int_eq(ts_socket(f->net, AF_INET6, SOCK_DGRAM, 0), -1);
    ck_assert_int_eq(errno, EAFNOSUPPORT);
    ck_assert_int_eq(ts_socket(f->net, AF_INET, SOCK_RAW, 0), -1);
    ck_assert_int_eq(errno, EPROTONOSUPPORT);
    ck_assert_int_eq(ts_socket(f->net, AF_INET, SOCK_DGRAM, IPPROTO_TCP), -1);
    ck_assert_int_eq(errno, EPROTONOSUPPORT);
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 3);                            /* 0-2 are never handed out */
    struct sockaddr_in sin = { .sin_family = AF_INET6, .sin_port = htons(7090) };
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
    ck_assert_int_eq(errno, EAFNOSUPPORT);
    sin.sin_family = AF_INET;
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin) - 1), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(ts_send(st, fd, "x", 1, 0), -1);
    ck_assert_int_eq(errno, EDESTADDRREQ);
    ck_assert_int_eq(ts_recv(st, fd, buf, sizeof(buf), 0), -1);
    ck_assert_int_eq(errno, EAGAIN);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_sendto(st, fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), -1);
    ck_assert_int_eq(errno, EINVAL);                    /* port 0 */
    int one = 1;
    ck_assert_int_eq(ts_setsockopt(st, fd, SOL_SOCKET, SO_REUSEADDR, &one, 2), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(ts_close(st, fd), 0);
    ck_assert_int_eq(ts_close(st, fd), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(ts_sendto(st, fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(ts_recvfrom(st, fd, buf, sizeof(buf), 0, NULL, NULL), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
    ck_assert_int_eq(errno, EBADF);
    static const int bad[] = { -1, 0, 1, 2, TS_MAX_FDS, 1 << 20 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        errno = 0;
        ck_assert_int_eq(ts_recv(st, bad[i], buf, sizeof(buf), 0), -1);
        ck_assert_int_eq(errno, EBADF);
    }
    /* the lowest free descriptor is reused, as a process's are */
    int a = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_eq(a, fd);
    ck_assert_int_eq(ts_close(st, a), 0);
}
END_TEST

START_TEST(test_bsd_recvfrom_truncates_and_discards)
{
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7100), .sin_addr.s_addr = htonl(INADDR_ANY) };
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    static uint8_t d[100];
    for (unsigned i = 0; i < sizeof(d); i++) d[i] = pattern(i);
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 5353, .dport = 7100, .data = d, .len = sizeof(d) };
    inject(&s);
    inject(&s);
    uint8_t buf[10];
    struct sockaddr_in from;
    memset(&from, 0xee, sizeof(from));
    socklen_t flen = sizeof(from);
    ck_assert_int_eq(ts_recvfrom(st, fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 10);
    ck_assert_mem_eq(buf, d, 10);
    ck_assert_int_eq(flen, sizeof(struct sockaddr_in));
    ck_assert_int_eq(from.sin_family, AF_INET);
    ck_assert_uint_eq(ntohs(from.sin_port), 5353);
    ck_assert_uint_eq(ntohl(from.sin_addr.s_addr), FX_PEER);
    /* the rest of the first datagram is gone: the next read is the second datagram */
    uint8_t all[200];
    flen = 4;                                           /* a short address buffer: cut, length told */
    memset(&from, 0, sizeof(from));
    ck_assert_int_eq(ts_recvfrom(st, fd, all, sizeof(all), 0, (struct sockaddr *)&from, &flen), 100);
    ck_assert_mem_eq(all, d, 100);
    ck_assert_int_eq(flen, sizeof(struct sockaddr_in));
    ck_assert_int_eq(from.sin_family, AF_INET);
    ck_assert_uint_eq(from.sin_addr.s_addr, 0);         /* not written past the 4 bytes */
    ck_assert_int_eq(ts_recv(st, fd, all, sizeof(all), 0), -1);
    ck_assert_int_eq(errno, EAGAIN);
    ck_assert_int_eq(ts_close(st, fd), 0);
}
END_TEST

START_TEST(test_bsd_sendto_getsockname)
{
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_sendto(st, fd, "hi", 2, 0, (struct sockaddr *)&to, sizeof(to)), 2);
    stack_poll(st);
    struct sockaddr_in me;
    socklen_t len = sizeof(me);
    ck_assert_int_eq(ts_getsockname(st, fd, (struct sockaddr *)&me, &len), 0);
    ck_assert_int_eq(me.sin_family, AF_INET);
    ck_assert_uint_eq(me.sin_addr.s_addr, htonl(INADDR_ANY));
    uint16_t port = ntohs(me.sin_port);
    ck_assert_uint_ge(port, 32768);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    ck_assert_uint_eq(u.sport, port);
    ck_assert_mem_eq(u.data, "hi", 2);
    ck_assert_int_eq(ts_connect(st, fd, (struct sockaddr *)&to, sizeof(to)), 0);
    len = sizeof(me);
    ck_assert_int_eq(ts_getsockname(st, fd, (struct sockaddr *)&me, &len), 0);
    ck_assert_uint_eq(ntohl(me.sin_addr.s_addr), FX_ADDR);      /* connect picked it */
    ck_assert_uint_eq(ntohs(me.sin_port), port);
    ck_assert_int_eq(ts_send(st, fd, "yo", 2, 0), 2);
    ck_assert_int_eq(ts_close(st, fd), 0);
}
END_TEST

/* ------------------------------------------------------------------ linux_compat */

/* LINUX_DIFF: __skb_recv_udp checks sock_error() before it looks at the queue, so a
 * pending ICMP error is reported by recv even when datagrams are waiting. tapstack
 * (net/sock.c sock_recvfrom) returns the queued datagram first. */
START_TEST(test_udp_recv_reports_error_before_queued_datagram)
{
    struct sock *sk = sk_new();
    ck_assert_int_eq(sock_connect(sk, FX_PEER, 9999), 0);
    ck_assert_int_eq(send_conn(sk, "knock", 5), 5);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    uint8_t q[28];
    memcpy(q, ip.hdr, sizeof(q));
    inject_from(FX_PEER, 9999, FX_ADDR, sk->local.port, "early reply");
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    char buf[32];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -ECONNREFUSED);
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), 11);
    sock_close(sk);
}
END_TEST

/* LINUX_DIFF: __udp4_lib_err treats FRAG_NEEDED as a hard error (EMSGSIZE) for a socket
 * with pmtudisc != IP_PMTUDISC_DONT (UDP's default is IP_PMTUDISC_WANT): a connected
 * socket's next call returns EMSGSIZE. tapstack's udp_icmp_errno uses the plain
 * icmp_err_convert[] entry (EMSGSIZE, not fatal) and drops it. */
START_TEST(test_udp_frag_needed_is_hard_error_when_connected)
{
    struct sock *sk = sk_new();
    ck_assert_int_eq(sock_connect(sk, FX_PEER, 9999), 0);
    ck_assert_int_eq(send_conn(sk, "knock", 5), 5);
    struct fx_ipv4 ip;
    struct udpf_rx u;
    pop_udp(&ip, &u);
    uint8_t q[28];
    memcpy(q, ip.hdr, sizeof(q));
    inject_icmp_error(q, sizeof(q), ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
    ck_assert_int_eq(send_conn(sk, "again", 5), -EMSGSIZE);
    sock_close(sk);
}
END_TEST


/* LINUX_DIFF: inet_autobind (af_inet.c) returns -EAGAIN when get_port finds no free
 * ephemeral port, for sendto (inet_send_prepare) and connect (inet_dgram_connect);
 * only bind(port 0) says EADDRINUSE. tapstack returns EADDRINUSE for all three. */
START_TEST(test_udp_autobind_exhausted_is_eagain)
{
    f->net->ipv4.ip_local_port_lo = 40000;
    f->net->ipv4.ip_local_port_hi = 40000;
    struct sock *a = sk_new();
    ck_assert_int_eq(sock_bind(a, 0, 0), 0);
    struct sock *b = sk_new();
    ck_assert_int_eq(send_to(b, FX_PEER, 9, "x", 1), -EAGAIN);
    ck_assert_int_eq(sock_connect(b, FX_PEER, 9), -EAGAIN);
    ck_assert_int_eq(sock_bind(b, 0, 0), -EADDRINUSE);
    sock_close(a);
    sock_close(b);
}
END_TEST

/* LINUX_DIFF: sock_alloc_send_pskb admits a send while sk_wmem_alloc < sk_sndbuf (and
 * ip_append_data lets the fragments of that one datagram use up to 2 * sndbuf), so a
 * socket with nothing in flight can always send one datagram. tapstack's sk_charge_tx
 * refuses when wmem + this datagram would pass sndbuf: with SO_SNDBUF at its minimum
 * (4608) a 4400-byte datagram returns EAGAIN forever, although poll says writable. */
START_TEST(test_udp_idle_socket_sends_datagram_over_sndbuf)
{
    static uint8_t d[4400];
    struct sock *sk = sk_bound(0, 7110, false);
    ck_assert_int_eq(sock_setsockopt(sk, SO_SNDBUF, 1), 0);
    ck_assert(sock_poll(sk) & SK_WRITABLE);
    ck_assert_int_eq(send_to(sk, FX_PEER, 9, d, sizeof(d)), sizeof(d));
    ck_assert_uint_eq(fx_tx_count(f), 3);
    sock_close(sk);
}
END_TEST

/* __udp_enqueue_schedule_skb drops only when sk_rmem_alloc > sk_rcvbuf ("always allow
 * at least a packet"), not at >= (the generic __sock_queue_rcv_skb rule, which UDP has
 * not used since Linux 4.10): two datagrams whose charge is exactly rcvbuf leave room for
 * a third, and only the fourth is refused. */
START_TEST(test_udp_rcvbuf_exactly_full_admits_one_more)
{
    static char d[896];
    struct sock *sk = sk_bound(0, 7111, false);
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, (int)SMALL_TRUESIZE), 0);
    ck_assert_int_eq(sk->rcvbuf, 2 * (int)SMALL_TRUESIZE);
    for (int k = 0; k < 4; k++) {
        struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 4000, .dport = 7111, .data = d, .len = sizeof(d) };
        inject(&s);
    }
    ck_assert_uint_eq(sk->rq_len, 3);
    ck_assert_uint_eq(MIB(MIB_UdpRcvbufErrors), 1);
    sock_close(sk);
}
END_TEST

/* LINUX_DIFF: Linux counts UdpInDatagrams in udp_recvmsg, when the application reads
 * the datagram (and for an encapsulation, when it consumes one); tapstack counts on
 * queueing (udp_queue_rcv). A datagram waiting unread, or purged by close, is not yet
 * counted on Linux. */
START_TEST(test_udp_indatagrams_counted_when_read)
{
    struct sock *sk = sk_bound(0, 7112, false);
    inject_from(FX_PEER, 4000, FX_ADDR, 7112, "one");
    inject_from(FX_PEER, 4000, FX_ADDR, 7112, "two");
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 0);
    expect_rx(sk, "one", FX_PEER, 4000);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 1);
    sock_close(sk);                                     /* "two" never read */
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 1);
}
END_TEST

/* LINUX_DIFF: __udp_disconnect (connect to AF_UNSPEC) resets the local address unless
 * it was bound explicitly (SOCK_BINDADDR_LOCK), so a socket bound to 0.0.0.0:port and
 * then connected receives on every address again after disconnecting. tapstack's
 * udp_connect keeps the address that connect chose. */
START_TEST(test_udp_disconnect_restores_wildcard)
{
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7113) };
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_connect(st, fd, (struct sockaddr *)&to, sizeof(to)), 0);
    struct sockaddr_in un = { .sin_family = AF_UNSPEC };
    ck_assert_int_eq(ts_connect(st, fd, (struct sockaddr *)&un, sizeof(un)), 0);
    struct sockaddr_in me;
    socklen_t len = sizeof(me);
    ck_assert_int_eq(ts_getsockname(st, fd, (struct sockaddr *)&me, &len), 0);
    ck_assert_uint_eq(me.sin_addr.s_addr, htonl(INADDR_ANY));
    ck_assert_uint_eq(ntohs(me.sin_port), 7113);
    inject_from(PEER2, 4000, FX_BCAST, 7113, "everyone");
    char buf[16];
    ck_assert_int_eq(ts_recv(st, fd, buf, sizeof(buf), 0), 8);
    ck_assert_int_eq(ts_close(st, fd), 0);
}
END_TEST

/* LINUX_DIFF: __inet_bind accepts AF_UNSPEC as AF_INET when the address is INADDR_ANY,
 * port included (EAFNOSUPPORT otherwise), and udp_sendmsg takes an AF_UNSPEC
 * destination's address and port as given. tapstack's from_sin (net/socket.c) turns
 * every AF_UNSPEC address into 0.0.0.0 port 0: bind picks an ephemeral port, bind with an
 * address succeeds, sendto fails with EINVAL. */
START_TEST(test_bsd_af_unspec_bind_and_sendto)
{
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_UNSPEC, .sin_port = htons(7114), .sin_addr.s_addr = htonl(INADDR_ANY) };
    ck_assert_int_eq(ts_bind(st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    struct sockaddr_in me;
    socklen_t len = sizeof(me);
    ck_assert_int_eq(ts_getsockname(st, fd, (struct sockaddr *)&me, &len), 0);
    ck_assert_uint_eq(ntohs(me.sin_port), 7114);
    int fd2 = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    sin.sin_addr.s_addr = htonl(FX_ADDR);
    sin.sin_port = htons(7115);
    errno = 0;
    ck_assert_int_eq(ts_bind(st, fd2, (struct sockaddr *)&sin, sizeof(sin)), -1);
    ck_assert_int_eq(errno, EAFNOSUPPORT);
    struct sockaddr_in to = { .sin_family = AF_UNSPEC, .sin_port = htons(9), .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_sendto(st, fd2, "u", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
    ck_assert_int_eq(ts_close(st, fd), 0);
    ck_assert_int_eq(ts_close(st, fd2), 0);
}
END_TEST

/* LINUX_DIFF: sk_setsockopt takes min_t(u32, val, rmem_max / wmem_max), so a negative
 * SO_RCVBUF / SO_SNDBUF means "as much as allowed" (2 * *mem_max). tapstack's
 * sock_setsockopt (net/sock.c) compares as int and floors it to the minimum. */
START_TEST(test_sock_negative_bufsize_means_max)
{
    struct sock *sk = sk_new();
    int v = 0;
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, -1), 0);
    ck_assert_int_eq(sock_getsockopt(sk, SO_RCVBUF, &v), 0);
    ck_assert_int_eq(v, 2 * f->st->rmem_max);
    ck_assert_int_eq(sock_setsockopt(sk, SO_SNDBUF, -1), 0);
    ck_assert_int_eq(sock_getsockopt(sk, SO_SNDBUF, &v), 0);
    ck_assert_int_eq(v, 2 * f->st->wmem_max);
    sock_close(sk);
}
END_TEST

/* LINUX_DIFF: __sock_set_rcvbuf / __sock_set_sndbuf cap the value at INT_MAX / 2 before
 * doubling it. tapstack computes 2 * MIN(val, rmem_max) in int: with net.core.rmem_max
 * at its sysctl maximum (1 GiB) that is 2^31, a signed overflow (UBSan aborts here). */
START_TEST(test_sock_huge_bufsize_no_overflow)
{
    struct sock *sk = sk_new();
    int v = 0;
    ck_assert_int_eq(fx_sysctl(f, "net.core.rmem_max", "1073741824"), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.core.wmem_max", "1073741824"), 0);
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, 0x7fffffff), 0);
    ck_assert_int_eq(sock_getsockopt(sk, SO_RCVBUF, &v), 0);
    ck_assert_int_eq(v, 2 * (0x7fffffff / 2));
    ck_assert_int_eq(sock_setsockopt(sk, SO_SNDBUF, 0x7fffffff), 0);
    ck_assert_int_eq(sock_getsockopt(sk, SO_SNDBUF, &v), 0);
    ck_assert_int_eq(v, 2 * (0x7fffffff / 2));
    sock_close(sk);
}
END_TEST

/* The README's example program (tests/udp/test_example.c). */
TCase *udp_example_tcase(void);

Suite *udp_suite(void)
{
    Suite *s = suite_create("udp");
    struct { const char *name; const TTest *tests[16]; } groups[] = {
        { "checksum", { test_udp_rx_zero_checksum_means_none, test_udp_rx_all_ones_checksum_is_zero,
                        test_udp_tx_computed_zero_checksum_sent_as_ffff, test_udp_rx_bad_checksum_dropped_no_icmp,
                        test_udp_odd_length_checksum } },
        { "length", { test_udp_len_longer_than_ip_payload_dropped, test_udp_len_below_header_dropped,
                      test_udp_len_shorter_than_ip_payload_trimmed, test_udp_shorter_than_header_dropped } },
        { "demux", { test_udp_demux_most_specific_wins, test_udp_demux_equal_scores_last_bound_wins,
                     test_udp_connected_ignores_other_peers, test_udp_bind_reuseaddr,
                     test_udp_bind_specific_vs_wildcard, test_udp_bind_address_checks,
                     test_udp_broadcast_to_every_match, test_udp_broadcast_send_needs_so_broadcast } },
        { "ephemeral", { test_udp_ephemeral_port_in_range, test_udp_ephemeral_port_follows_seed,
                         test_udp_ephemeral_range_exhausted } },
        { "buffers", { test_udp_rcvbuf_full_drops_and_reading_frees, test_udp_sndbuf_held_by_neighbour_queue,
                       test_udp_close_with_datagrams_in_flight } },
        { "icmp", { test_udp_closed_port_unreachable, test_udp_no_unreachable_for_broadcast,
                    test_udp_connected_gets_econnrefused_once, test_udp_unconnected_not_told } },
        { "fragment", { test_udp_large_sendto_fragments_without_df, test_udp_mtu_sized_sendto_one_frame_with_df,
                        test_udp_max_datagram_size } },
        { "encap", { test_udp_encap_consumes, test_udp_encap_passes_to_udp, test_udp_encap_after_checksum } },
        { "ready", { test_udp_ready_callbacks_deferred, test_udp_close_inside_own_callback,
                     test_udp_ts_close_inside_callback } },
        { "bsd", { test_bsd_errno_values, test_bsd_recvfrom_truncates_and_discards, test_bsd_sendto_getsockname } },
        { "linux_compat", { test_udp_recv_reports_error_before_queued_datagram,
                            test_udp_frag_needed_is_hard_error_when_connected,
                            test_udp_autobind_exhausted_is_eagain,
                            test_udp_idle_socket_sends_datagram_over_sndbuf,
                            test_udp_rcvbuf_exactly_full_admits_one_more, test_udp_indatagrams_counted_when_read,
                            test_udp_disconnect_restores_wildcard, test_bsd_af_unspec_bind_and_sendto,
                            test_sock_negative_bufsize_means_max, test_sock_huge_bufsize_no_overflow } },
    };
    for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
        TCase *tc = tcase_create(groups[g].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 20);
        for (size_t i = 0; i < ARRAY_SIZE(groups[g].tests) && groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(s, tc);
    }
    suite_add_tcase(s, udp_example_tcase());
    return s;
}
