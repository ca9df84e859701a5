/*
 * tests/shell/test_decode.c — the tcpdump-style frame decoder (shell/decode.h).
 *
 * The frames are built here byte for byte; the expected lines are what tcpdump 4.99.3
 * (`tcpdump -n -S`, `-e`, `-v`, lines of -v output joined by one space) prints for the
 * same bytes. Robustness: every prefix of every frame is decoded from a heap buffer of
 * exactly that size (ASan reports any read past the end), into output buffers of every
 * size, and a fixed-seed stream of mutated frames is decoded the same way.
 */
#include "shell/decode.h"
#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ frame building */

struct frame { uint8_t b[2048]; size_t n; };

static const uint8_t MAC_A[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t MAC_BC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put(struct frame *f, const void *p, size_t n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void put8(struct frame *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct frame *f, unsigned v) { put8(f, v >> 8); put8(f, v & 0xff); }
static void put32(struct frame *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void ip4(uint8_t out[4], const char *s)
{
    unsigned a, b, c, d;
    ck_assert_int_eq(sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    out[0] = (uint8_t)a; out[1] = (uint8_t)b; out[2] = (uint8_t)c; out[3] = (uint8_t)d;
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (; n >= 2; p += 2, n -= 2) acc += (uint32_t)(p[0] << 8 | p[1]);
    if (n) acc += (uint32_t)p[0] << 8;
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}
static void set16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

static void eth(struct frame *f, const uint8_t dst[6], const uint8_t src[6], unsigned type)
{
    f->n = 0;
    put(f, dst, 6);
    put(f, src, 6);
    put16(f, type);
}

static void arp(struct frame *f, unsigned op, const uint8_t sha[6], const char *spa,
                const uint8_t tha[6], const char *tpa)
{
    uint8_t a[4];
    put16(f, 1); put16(f, 0x0800); put8(f, 6); put8(f, 4); put16(f, op);
    put(f, sha, 6); ip4(a, spa); put(f, a, 4);
    put(f, tha, 6); ip4(a, tpa); put(f, a, 4);
}

struct ipopt { unsigned id, frag, ttl, tos; int tot; bool badsum; };
#define IPDEF ((struct ipopt){ .id = 1, .frag = 0x4000, .ttl = 64, .tos = 0, .tot = -1, .badsum = false })

/* IPv4 header + payload at the end of f. */
static void ipv4(struct frame *f, const char *src, const char *dst, unsigned proto,
                 const uint8_t *pl, size_t plen, struct ipopt o)
{
    size_t h = f->n;
    uint8_t a[4];
    put8(f, 0x45); put8(f, o.tos); put16(f, o.tot >= 0 ? (unsigned)o.tot : (unsigned)(20 + plen));
    put16(f, o.id); put16(f, o.frag); put8(f, o.ttl); put8(f, proto); put16(f, 0);
    ip4(a, src); put(f, a, 4);
    ip4(a, dst); put(f, a, 4);
    uint16_t c = csum(f->b + h, 20, 0);
    set16(f->b + h + 10, o.badsum ? c ^ 0x1111 : c);
    put(f, pl, plen);
}

/* ICMP message: type, code, 4 bytes of "rest", data; checksum filled in. */
static size_t icmp(uint8_t *out, unsigned type, unsigned code, uint32_t rest, const uint8_t *data, size_t n)
{
    out[0] = (uint8_t)type; out[1] = (uint8_t)code; out[2] = out[3] = 0;
    out[4] = rest >> 24; out[5] = (rest >> 16) & 0xff; out[6] = (rest >> 8) & 0xff; out[7] = rest & 0xff;
    memcpy(out + 8, data, n);
    set16(out + 2, csum(out, 8 + n, 0));
    return 8 + n;
}

static uint32_t pseudo(const char *src, const char *dst, unsigned proto, size_t len)
{
    uint8_t ph[12];
    ip4(ph, src); ip4(ph + 4, dst);
    ph[8] = 0; ph[9] = (uint8_t)proto; set16(ph + 10, (uint16_t)len);
    uint32_t acc = 0;
    for (int i = 0; i < 12; i += 2) acc += (uint32_t)(ph[i] << 8 | ph[i + 1]);
    return acc;
}

static size_t udp(uint8_t *out, const char *src, const char *dst, unsigned sp, unsigned dp,
                  const void *data, size_t n)
{
    set16(out, (uint16_t)sp); set16(out + 2, (uint16_t)dp); set16(out + 4, (uint16_t)(8 + n)); set16(out + 6, 0);
    memcpy(out + 8, data, n);
    uint16_t c = csum(out, 8 + n, pseudo(src, dst, 17, 8 + n));
    set16(out + 6, c ? c : 0xffff);
    return 8 + n;
}

static size_t tcp(uint8_t *out, const char *src, const char *dst, unsigned sp, unsigned dp, uint32_t seq,
                  uint32_t ack, unsigned flags, unsigned win, const uint8_t *opts, size_t olen,
                  const void *data, size_t n)
{
    size_t hl = 20 + olen;
    set16(out, (uint16_t)sp); set16(out + 2, (uint16_t)dp);
    out[4] = seq >> 24; out[5] = (seq >> 16) & 0xff; out[6] = (seq >> 8) & 0xff; out[7] = seq & 0xff;
    out[8] = ack >> 24; out[9] = (ack >> 16) & 0xff; out[10] = (ack >> 8) & 0xff; out[11] = ack & 0xff;
    out[12] = (uint8_t)((hl / 4) << 4); out[13] = (uint8_t)flags;
    set16(out + 14, (uint16_t)win); set16(out + 16, 0); set16(out + 18, 0);
    if (olen) memcpy(out + 20, opts, olen);
    memcpy(out + hl, data, n);
    set16(out + 16, csum(out, hl + n, pseudo(src, dst, 6, hl + n)));
    return hl + n;
}

static uint8_t PAYLOAD[1600];          /* 0, 1, 2, ... as ping's pattern */

/* ---------------------------------------------------------------- the test frames */

enum { F_ARP_REQ, F_ARP_REPLY, F_ARP_GRAT, F_ARP_PROBE, F_ECHO, F_ECHO_REPLY, F_PORT_UNREACH,
       F_HOST_UNREACH, F_TIME_EXCEEDED, F_REASM_EXCEEDED, F_FRAG_NEEDED, F_FRAG1, F_FRAG2,
       F_UDP, F_TCP_SYN, F_TCP_SYNOPT, F_TCP_DATA, F_TCP_RST, F_VLAN, F_UNKNOWN, F_BADSUM,
       F_IP6_RS, F_COUNT };

static void build(int which, struct frame *f)
{
    uint8_t t[1600], q[256];
    size_t n, qn;
    struct ipopt o = IPDEF;
    for (size_t i = 0; i < sizeof(PAYLOAD); i++) PAYLOAD[i] = (uint8_t)i;
    switch (which) {
    case F_ARP_REQ:
        eth(f, MAC_BC, MAC_B, 0x0806);
        arp(f, 1, MAC_B, "10.0.0.2", (const uint8_t[6]){ 0 }, "10.0.0.1");
        break;
    case F_ARP_REPLY:
        eth(f, MAC_B, MAC_A, 0x0806);
        arp(f, 2, MAC_A, "10.0.0.1", MAC_B, "10.0.0.2");
        break;
    case F_ARP_GRAT:
        eth(f, MAC_BC, MAC_B, 0x0806);
        arp(f, 1, MAC_B, "10.0.0.2", (const uint8_t[6]){ 0 }, "10.0.0.2");
        break;
    case F_ARP_PROBE:                   /* a unicast re-probe names the known address */
        eth(f, MAC_A, MAC_B, 0x0806);
        arp(f, 1, MAC_B, "10.0.0.2", MAC_A, "10.0.0.1");
        break;
    case F_ECHO:
    case F_BADSUM:
        eth(f, MAC_A, MAC_B, 0x0800);
        n = icmp(t, 8, 0, 4660u << 16 | 1, PAYLOAD, 56);
        if (which == F_ECHO) o.id = 12345;
        o.badsum = which == F_BADSUM;
        ipv4(f, "10.0.0.2", "10.0.0.1", 1, t, n, o);
        break;
    case F_ECHO_REPLY:
        eth(f, MAC_B, MAC_A, 0x0800);
        n = icmp(t, 0, 0, 4660u << 16 | 1, PAYLOAD, 56);
        o.id = 999; o.frag = 0;
        ipv4(f, "10.0.0.1", "10.0.0.2", 1, t, n, o);
        break;
    case F_PORT_UNREACH: {
        struct frame in = { .n = 0 };
        uint8_t u[8];
        size_t un = udp(u, "10.0.0.2", "10.0.0.1", 5000, 9, "", 0);
        struct ipopt io = IPDEF;
        io.id = 7;
        ipv4(&in, "10.0.0.2", "10.0.0.1", 17, u, un, io);
        eth(f, MAC_B, MAC_A, 0x0800);
        n = icmp(t, 3, 3, 0, in.b, in.n);
        o.frag = 0;
        ipv4(f, "10.0.0.1", "10.0.0.2", 1, t, n, o);
        break;
    }
    case F_HOST_UNREACH:
    case F_TIME_EXCEEDED:
    case F_REASM_EXCEEDED:
    case F_FRAG_NEEDED: {
        struct frame in = { .n = 0 };
        qn = icmp(q, 8, 0, 1u << 16 | 1, PAYLOAD, 56);
        ipv4(&in, "10.0.0.2", "10.0.0.9", 1, q, qn, IPDEF);
        eth(f, MAC_B, MAC_A, 0x0800);
        if (which == F_HOST_UNREACH) n = icmp(t, 3, 1, 0, in.b, in.n);
        else if (which == F_TIME_EXCEEDED) n = icmp(t, 11, 0, 0, in.b, 28);
        else if (which == F_REASM_EXCEEDED) n = icmp(t, 11, 1, 0, in.b, 28);
        else n = icmp(t, 3, 4, 1400, in.b, 28);
        o.frag = 0;
        ipv4(f, "10.0.0.1", "10.0.0.2", 1, t, n, o);
        break;
    }
    case F_FRAG1:
    case F_FRAG2: {
        static uint8_t big[1600];
        memset(big + 8, 0, 1572);
        size_t bn = icmp(big, 8, 0, 1u << 16 | 1, big + 8, 1572);
        eth(f, MAC_A, MAC_B, 0x0800);
        o.id = 55;
        if (which == F_FRAG1) { o.frag = 0x2000; ipv4(f, "10.0.0.2", "10.0.0.1", 1, big, 1480, o); }
        else { o.frag = 1480 / 8; ipv4(f, "10.0.0.2", "10.0.0.1", 1, big + 1480, bn - 1480, o); }
        break;
    }
    case F_UDP:
        eth(f, MAC_A, MAC_B, 0x0800);
        n = udp(t, "10.0.0.2", "10.0.0.1", 5000, 7, "hello world!", 12);
        ipv4(f, "10.0.0.2", "10.0.0.1", 17, t, n, o);
        break;
    case F_TCP_SYN:
        eth(f, MAC_A, MAC_B, 0x0800);
        n = tcp(t, "10.0.0.2", "10.0.0.1", 40000, 80, 1000, 0, 0x02, 64240, NULL, 0, "", 0);
        ipv4(f, "10.0.0.2", "10.0.0.1", 6, t, n, o);
        break;
    case F_TCP_SYNOPT: {
        static const uint8_t opts[] = { 2, 4, 5, 0xb4, 1, 1, 4, 2 };
        eth(f, MAC_A, MAC_B, 0x0800);
        n = tcp(t, "10.0.0.2", "10.0.0.1", 40000, 80, 1000, 0, 0x02, 64240, opts, sizeof(opts), "", 0);
        ipv4(f, "10.0.0.2", "10.0.0.1", 6, t, n, o);
        break;
    }
    case F_TCP_DATA:
        eth(f, MAC_A, MAC_B, 0x0800);
        n = tcp(t, "10.0.0.2", "10.0.0.1", 40000, 5001, 1001, 5001, 0x18, 502, NULL, 0, "GET /\r\n", 7);
        ipv4(f, "10.0.0.2", "10.0.0.1", 6, t, n, o);
        break;
    case F_TCP_RST:
        eth(f, MAC_A, MAC_B, 0x0800);
        n = tcp(t, "10.0.0.2", "10.0.0.1", 40000, 80, 1008, 77, 0x14, 0, NULL, 0, "", 0);
        ipv4(f, "10.0.0.2", "10.0.0.1", 6, t, n, o);
        break;
    case F_VLAN:
        eth(f, MAC_A, MAC_B, 0x8100);
        put16(f, 5); put16(f, 0x0800);
        n = icmp(t, 8, 0, 1u << 16 | 2, PAYLOAD, 56);
        ipv4(f, "10.0.0.2", "10.0.0.1", 1, t, n, o);
        break;
    case F_UNKNOWN:
        eth(f, MAC_A, MAC_B, 0x1234);
        memset(f->b + f->n, 0, 46);
        f->n += 46;
        break;
    case F_IP6_RS: {
        static const uint8_t src[16] = { 0xfe, 0x80, [15] = 2 }, dst[16] = { 0xff, 0x02, [15] = 2 };
        eth(f, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 2 }, MAC_B, 0x86dd);
        put32(f, 0x60000000); put16(f, 16); put8(f, 58); put8(f, 255);
        put(f, src, 16); put(f, dst, 16);
        size_t h = f->n;
        put8(f, 133); put8(f, 0); put16(f, 0); put32(f, 0);
        put8(f, 1); put8(f, 1); put(f, MAC_B, 6);
        uint8_t ph[40];
        memcpy(ph, src, 16); memcpy(ph + 16, dst, 16);
        memset(ph + 32, 0, 8); ph[35] = 16; ph[39] = 58;
        uint32_t acc = 0;
        for (int i = 0; i < 40; i += 2) acc += (uint32_t)(ph[i] << 8 | ph[i + 1]);
        set16(f->b + h + 2, csum(f->b + h, 16, acc));
        break;
    }
    }
}

/* ------------------------------------------------------------------------- helpers */

static const char *dec(char *buf, size_t n, int which, size_t cut, unsigned flags)
{
    struct frame f;
    build(which, &f);
    size_t len = cut < f.n ? cut : f.n;
    uint8_t *exact = malloc(len ? len : 1);          /* exactly len bytes: ASan sees over-reads */
    memcpy(exact, f.b, len);
    size_t r = frame_decode_ex(buf, n, exact, len, len, flags);
    free(exact);
    ck_assert_uint_lt(r, n);
    ck_assert_uint_eq(r, strlen(buf));
    return buf;
}
#define FULL ((size_t)-1)
#define CHECK(which, flags, want) do { char b_[1024]; \
        ck_assert_str_eq(dec(b_, sizeof(b_), (which), FULL, (flags)), (want)); } while (0)
#define CHECK_CUT(which, cut, flags, want) do { char b_[1024]; \
        ck_assert_str_eq(dec(b_, sizeof(b_), (which), (cut), (flags)), (want)); } while (0)

/* ---------------------------------------------------------------------------- ARP */

START_TEST(test_arp)
{
    CHECK(F_ARP_REQ, 0, "ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28");
    CHECK(F_ARP_REPLY, 0, "ARP, Reply 10.0.0.1 is-at aa:bb:cc:dd:ee:ff, length 28");
    CHECK(F_ARP_GRAT, 0, "ARP, Request who-has 10.0.0.2 tell 10.0.0.2, length 28");
    CHECK(F_ARP_PROBE, 0, "ARP, Request who-has 10.0.0.1 (aa:bb:cc:dd:ee:ff) tell 10.0.0.2, length 28");
    CHECK(F_ARP_REQ, DECODE_LINK, "02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: "
          "Request who-has 10.0.0.1 tell 10.0.0.2, length 28");
    CHECK(F_ARP_REPLY, DECODE_VERBOSE,
          "ARP, Ethernet (len 6), IPv4 (len 4), Reply 10.0.0.1 is-at aa:bb:cc:dd:ee:ff, length 28");
}
END_TEST

/* --------------------------------------------------------------------------- ICMP */

START_TEST(test_echo)
{
    CHECK(F_ECHO, 0, "IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64");
    CHECK(F_ECHO_REPLY, 0, "IP 10.0.0.1 > 10.0.0.2: ICMP echo reply, id 4660, seq 1, length 64");
    CHECK(F_ECHO, DECODE_LINK, "02:00:00:00:00:02 > aa:bb:cc:dd:ee:ff, ethertype IPv4 (0x0800), length 98: "
          "10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64");
    CHECK(F_ECHO, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 12345, offset 0, flags [DF], proto ICMP (1), "
          "length 84) 10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64");
    CHECK(F_ECHO_REPLY, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 999, offset 0, flags [none], proto ICMP (1), "
          "length 84) 10.0.0.1 > 10.0.0.2: ICMP echo reply, id 4660, seq 1, length 64");
    CHECK(F_BADSUM, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), "
          "length 84, bad cksum 37b7 (->26a6)!) 10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64");
}
END_TEST

START_TEST(test_icmp_errors)
{
    CHECK(F_PORT_UNREACH, 0, "IP 10.0.0.1 > 10.0.0.2: ICMP 10.0.0.1 udp port 9 unreachable, length 36");
    CHECK(F_PORT_UNREACH, DECODE_VERBOSE,
          "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 56) "
          "10.0.0.1 > 10.0.0.2: ICMP 10.0.0.1 udp port 9 unreachable, length 36 "
          "IP (tos 0x0, ttl 64, id 7, offset 0, flags [DF], proto UDP (17), length 28) "
          "10.0.0.2.5000 > 10.0.0.1.9: UDP, length 0");
    CHECK(F_HOST_UNREACH, 0, "IP 10.0.0.1 > 10.0.0.2: ICMP host 10.0.0.9 unreachable, length 92");
    CHECK(F_TIME_EXCEEDED, 0, "IP 10.0.0.1 > 10.0.0.2: ICMP time exceeded in-transit, length 36");
    CHECK(F_TIME_EXCEEDED, DECODE_VERBOSE,
          "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 56) "
          "10.0.0.1 > 10.0.0.2: ICMP time exceeded in-transit, length 36 "
          "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 84) "
          "10.0.0.2 > 10.0.0.9: ICMP echo request, id 1, seq 1, length 64");
    CHECK(F_REASM_EXCEEDED, 0, "IP 10.0.0.1 > 10.0.0.2: ICMP ip reassembly time exceeded, length 36");
    CHECK(F_FRAG_NEEDED, 0,
          "IP 10.0.0.1 > 10.0.0.2: ICMP 10.0.0.9 unreachable - need to frag (mtu 1400), length 36");
}
END_TEST

START_TEST(test_fragments)
{
    CHECK(F_FRAG1, 0, "IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 1, length 1480");
    CHECK(F_FRAG2, 0, "IP 10.0.0.2 > 10.0.0.1: ip-proto-1");
    CHECK(F_FRAG1, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 55, offset 0, flags [+], proto ICMP (1), "
          "length 1500) 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 1, length 1480");
    CHECK(F_FRAG2, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 55, offset 1480, flags [none], proto ICMP (1), "
          "length 120) 10.0.0.2 > 10.0.0.1: ip-proto-1");
}
END_TEST

/* ------------------------------------------------------------------ UDP, TCP, other */

START_TEST(test_udp_tcp)
{
    CHECK(F_UDP, 0, "IP 10.0.0.2.5000 > 10.0.0.1.7: UDP, length 12");
    CHECK(F_UDP, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 40) "
          "10.0.0.2.5000 > 10.0.0.1.7: UDP, length 12");
    CHECK(F_TCP_SYN, 0, "IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [S], seq 1000, win 64240, length 0");
    CHECK(F_TCP_SYN, DECODE_VERBOSE, "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40) "
          "10.0.0.2.40000 > 10.0.0.1.80: Flags [S], cksum 0x0077 (correct), seq 1000, win 64240, length 0");
    CHECK(F_TCP_SYNOPT, 0, "IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [S], seq 1000, win 64240, "
          "options [mss 1460,nop,nop,sackOK], length 0");
    CHECK(F_TCP_DATA, 0, "IP 10.0.0.2.40000 > 10.0.0.1.5001: Flags [P.], seq 1001:1008, ack 5001, win 502, length 7");
    CHECK(F_TCP_RST, 0, "IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [R.], seq 1008, ack 77, win 0, length 0");
}
END_TEST

START_TEST(test_link)
{
    CHECK(F_VLAN, 0, "IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 2, length 64");
    CHECK(F_VLAN, DECODE_LINK, "02:00:00:00:00:02 > aa:bb:cc:dd:ee:ff, ethertype 802.1Q (0x8100), length 102: "
          "vlan 5, p 0, ethertype IPv4 (0x0800), 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 2, length 64");
    /* tcpdump adds a hex dump; the decoder stops at the link header */
    CHECK(F_UNKNOWN, 0, "02:00:00:00:00:02 > aa:bb:cc:dd:ee:ff, ethertype Unknown (0x1234), length 60:");
    CHECK(F_IP6_RS, 0, "IP6 fe80::2 > ff02::2: ICMP6, router solicitation, length 16");
    CHECK(F_IP6_RS, DECODE_VERBOSE, "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::2 > ff02::2: "
          "[icmp6 sum ok] ICMP6, router solicitation, length 16   "
          "source link-address option (1), length 8 (1): 02:00:00:00:00:02");
}
END_TEST

/* --------------------------------------------------------------------- truncation */

START_TEST(test_truncated_lines)
{
    CHECK_CUT(F_ECHO, 0, 0, "[Invalid header: caplen==0, len==0]");
    CHECK_CUT(F_ECHO, 10, 0, " [|ether]");
    CHECK_CUT(F_ECHO, 14, 0, " [|ip]");
    CHECK_CUT(F_ECHO, 20, 0, "IP  [|ip]");
    CHECK_CUT(F_ECHO, 34, 0, "IP truncated-ip - 64 bytes missing! 10.0.0.2 > 10.0.0.1:  [|icmp]");
    CHECK_CUT(F_ECHO, 42, 0, "IP truncated-ip - 56 bytes missing! 10.0.0.2 > 10.0.0.1: "
              "ICMP echo request, id 4660, seq 1, length 64");
    CHECK_CUT(F_ARP_REQ, 41, 0, " [|arp]");
    CHECK_CUT(F_ARP_REQ, 30, DECODE_LINK,
              "02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 30:  [|arp]");
    CHECK_CUT(F_UDP, 40, 0, "IP truncated-ip - 14 bytes missing! 10.0.0.2.5000 > 10.0.0.1.7:  [|udp]");
    CHECK_CUT(F_UDP, 42, 0, "IP truncated-ip - 12 bytes missing! 10.0.0.2.5000 > 10.0.0.1.7: UDP, length 12");
    CHECK_CUT(F_TCP_SYNOPT, 36, 0, "IP truncated-ip - 26 bytes missing! 10.0.0.2 > 10.0.0.1: [|tcp]");
    CHECK_CUT(F_TCP_SYNOPT, 56, 0, "IP truncated-ip - 6 bytes missing! 10.0.0.2.40000 > 10.0.0.1.80: "
              "Flags [S], seq 1000, win 64240, options [mss [|tcp]");
    CHECK_CUT(F_PORT_UNREACH, 60, 0,
              "IP truncated-ip - 10 bytes missing! 10.0.0.1 > 10.0.0.2:  [|icmp]");
    CHECK_CUT(F_VLAN, 16, DECODE_LINK, "02:00:00:00:00:02 > aa:bb:cc:dd:ee:ff,  [|vlan]");
}
END_TEST

/* Every prefix of every frame, in the four modes, from a buffer of exactly that size. */
START_TEST(test_every_prefix)
{
    for (int w = 0; w < F_COUNT; w++) {
        struct frame f;
        build(w, &f);
        for (size_t cut = 0; cut <= f.n; cut++)
            for (unsigned flags = 0; flags < 4; flags++) {
                char buf[2048];
                dec(buf, sizeof(buf), w, cut, flags);
                ck_assert_ptr_null(strchr(buf, '\n'));
                ck_assert(buf[0] != 0);
            }
    }
}
END_TEST

/* Output buffers of every size get a NUL-terminated prefix of the line, and the result
 * is always the length of the whole line (snprintf's contract). */
START_TEST(test_small_buffers)
{
    for (int w = 0; w < F_COUNT; w++) {
        struct frame f;
        build(w, &f);
        for (unsigned flags = 0; flags < 4; flags++) {
            char full[2048];
            size_t need = frame_decode_ex(full, sizeof(full), f.b, f.n, f.n, flags);
            ck_assert_uint_eq(need, strlen(full));
            ck_assert_uint_eq(frame_decode_ex(NULL, 0, f.b, f.n, f.n, flags), need);
            for (size_t n = 1; n <= need + 1; n++) {
                char *out = malloc(n);
                ck_assert_uint_eq(frame_decode_ex(out, n, f.b, f.n, f.n, flags), need);
                size_t got = strlen(out);
                ck_assert_uint_eq(got, need < n ? need : n - 1);
                ck_assert(memcmp(out, full, got) == 0);
                free(out);
            }
        }
        char a[1024], b[1024];
        frame_decode(a, sizeof(a), f.b, f.n, true);
        frame_decode_ex(b, sizeof(b), f.b, f.n, f.n, DECODE_LINK);
        ck_assert_str_eq(a, b);
        frame_decode_verbose(a, sizeof(a), f.b, f.n, false);
        frame_decode_ex(b, sizeof(b), f.b, f.n, f.n, DECODE_VERBOSE);
        ck_assert_str_eq(a, b);
    }
}
END_TEST

/* A fixed-seed stream of mutated and cut frames: no crash, no sanitizer report. */
START_TEST(test_mutations)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    static const uint8_t interesting[] = { 0, 1, 2, 4, 5, 6, 8, 17, 41, 44, 58, 60, 0x45, 0x46, 0x4f,
                                           0x60, 0x81, 0x86, 0xdd, 0xff };
    for (int i = 0; i < 30000; i++) {
        struct frame f;
        build((int)(RND() % F_COUNT), &f);
        int nmut = 1 + (int)(RND() % 4);
        for (int m = 0; m < nmut; m++) {
            size_t hi = f.n < 80 ? f.n : 80;
            size_t pos = RND() % hi;
            switch (RND() % 3) {
            case 0: f.b[pos] = (uint8_t)RND(); break;
            case 1: f.b[pos] ^= (uint8_t)(1u << (RND() % 8)); break;
            default: f.b[pos] = interesting[RND() % sizeof(interesting)]; break;
            }
        }
        size_t len = RND() % 4 ? f.n : RND() % (f.n + 1);
        size_t wire = RND() % 8 ? len : len + RND() % 100;
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, f.b, len);
        char out[4096];
        size_t r = frame_decode_ex(out, sizeof(out), exact, len, wire, (unsigned)(RND() % 4));
        ck_assert_uint_lt(r, sizeof(out));
        ck_assert_uint_eq(r, strlen(out));
        free(exact);
    }
#undef RND
}
END_TEST

/* ------------------------------------------------------------------------- pcap file */

START_TEST(test_pcap_file)
{
    char path[] = "/tmp/test_decode_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t *dp = pcap_dump_open(pd, path);
    ck_assert_ptr_nonnull(dp);
    static const int which[] = { F_ARP_REQ, F_ECHO, F_FRAG2 };
    for (int i = 0; i < 3; i++) {
        struct frame f;
        build(which[i], &f);
        struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000 + i, .tv_usec = 7 }, .caplen = (bpf_u_int32)f.n,
                                 .len = (bpf_u_int32)f.n };
        pcap_dump((u_char *)dp, &h, f.b);
    }
    pcap_dump_close(dp);
    pcap_close(pd);

    FILE *out = tmpfile();
    ck_assert_int_eq(decode_pcap_file(path, false, false, out), 0);
    rewind(out);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
    ck_assert_str_eq(line, "1 1700000000.000007 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
    ck_assert_str_eq(line, "2 1700000001.000007 IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
    ck_assert_str_eq(line, "3 1700000002.000007 IP 10.0.0.2 > 10.0.0.1: ip-proto-1\n");
    ck_assert_ptr_null(fgets(line, sizeof(line), out));
    fclose(out);

    out = tmpfile();
    ck_assert_int_eq(decode_pcap_file(path, true, true, out), 0);
    rewind(out);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
    ck_assert_str_eq(line, "1 1700000000.000007 02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), "
                     "length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n");
    fclose(out);
    unlink(path);

    out = tmpfile();
    ck_assert_int_eq(decode_pcap_file("/nonexistent/dir/x.pcap", false, false, out), 1);
    fclose(out);
}
END_TEST

Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *lines = tcase_create("lines");
    tcase_add_test(lines, test_arp);
    tcase_add_test(lines, test_echo);
    tcase_add_test(lines, test_icmp_errors);
    tcase_add_test(lines, test_fragments);
    tcase_add_test(lines, test_udp_tcp);
    tcase_add_test(lines, test_link);
    tcase_add_test(lines, test_truncated_lines);
    suite_add_tcase(s, lines);

    TCase *robust = tcase_create("robust");
    tcase_set_timeout(robust, 60);
    tcase_add_test(robust, test_every_prefix);
    tcase_add_test(robust, test_small_buffers);
    tcase_add_test(robust, test_mutations);
    suite_add_tcase(s, robust);

    TCase *file = tcase_create("pcap");
    tcase_add_test(file, test_pcap_file);
    suite_add_tcase(s, file);
    return s;
}

#ifdef TEST_STANDALONE
int main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
