/*
 * tests/vxlan/test_vxlan.c — VXLAN devices (vxlan/): the header (RFC 7348 §5), every drop
 * of vxlan_rcv and vxlan_xmit under its named counter, the FDB (learning, migration,
 * ageing on the virtual clock, replace, append/del, bounds), head-end replication by
 * clones with the outer headers Linux writes, the MTU, a vxlan device as a bridge port,
 * and the device's life with its namespace, its underlay and its port's socket.
 *
 * The lab: eth0 10.0.0.2/24 is the underlay; the VTEPs 10.0.0.1 (the fixture's peer),
 * .3, .4 and .5 are resolved neighbours on it. vxlan0 (MAC 02:00:00:00:42:02) holds
 * 192.168.42.2/24 in the overlay; the station R (192.168.42.1, 02:00:00:00:42:01) lives
 * behind a VTEP. Frames from the tunnel are built here (outer IPv4/UDP/VXLAN around an
 * inner frame) and injected on eth0; frames into the tunnel are what eth0 transmitted.
 * Devices are made and changed through the shell (`ip link add ... type vxlan ...`,
 * `bridge fdb ...`), as a user would.
 */
#include "tests/fx_check.h"
#include "vxlan/vxlan.h"
#include "vxlan/vxlan_wire.h"
#include "bridge/br.h"
#include "arp/arp_wire.h"
#include "arp/neigh.h"
#include "net/link.h"
#include "net/netlink.h"
#include "shell/cmd.h"
#include "udp/udp.h"
#include "ip/ip.h"
#include "net/csum.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define SEED 42
#define VX_IP   FX_IP(192, 168, 42, 2)
#define R_IP    FX_IP(192, 168, 42, 1)
#define VTEP1   FX_PEER
#define VTEP3   FX_IP(10, 0, 0, 3)
#define VTEP4   FX_IP(10, 0, 0, 4)
#define VTEP5   FX_IP(10, 0, 0, 5)
#define VNI     42u

static const struct eth_addr vx_mac = { { 0x02, 0, 0, 0, 0x42, 0x02 } };
static const struct eth_addr r_mac  = { { 0x02, 0, 0, 0, 0x42, 0x01 } };
static const struct eth_addr s_mac  = { { 0x02, 0, 0, 0, 0x42, 0x03 } };   /* another station */
static const struct eth_addr vtep_mac[6] = {
    [1] = { { 0x02, 0, 0, 0, 0x0e, 1 } }, [3] = { { 0x02, 0, 0, 0, 0x0e, 3 } },
    [4] = { { 0x02, 0, 0, 0, 0x0e, 4 } }, [5] = { { 0x02, 0, 0, 0, 0x0e, 5 } },
};

/* ------------------------------------------------------------------ clones, counted */

/* The unit binary is linked with --wrap=pkt_clone,--wrap=pkt_copy (Makefile): every call
 * from another file comes through here, so a test can tell replication by clones from
 * copies. */
static unsigned n_clones, n_copies;
struct pkt *__real_pkt_clone(const struct pkt *p);
struct pkt *__real_pkt_copy(const struct pkt *p);
struct pkt *__wrap_pkt_clone(const struct pkt *p);
struct pkt *__wrap_pkt_copy(const struct pkt *p);
struct pkt *__wrap_pkt_clone(const struct pkt *p) { n_clones++; return __real_pkt_clone(p); }
struct pkt *__wrap_pkt_copy(const struct pkt *p) { n_copies++; return __real_pkt_copy(p); }

/* ------------------------------------------------------------------ the shell */

static struct cmd_ctx sh_ctx;
static char sh_out[16384];
static size_t sh_len;

static void sh_write(void *io, int fd, const char *buf, size_t n)
{
    (void)io; (void)fd;
    if (sh_len + n >= sizeof(sh_out)) n = sizeof(sh_out) - 1 - sh_len;
    memcpy(sh_out + sh_len, buf, n);
    sh_len += n;
    sh_out[sh_len] = 0;
}

/* Run one command line in the default namespace; its output (stdout and stderr) is in
 * sh_out. Returns the status. */
static int sh_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh_status(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    sh_len = 0;
    sh_out[0] = 0;
    sh_ctx = (struct cmd_ctx){ .st = f->st, .net = f->net, .write = sh_write, .out_fd = -1, .in_fd = -1 };
    return cmd_run_line(&sh_ctx, line);
}

/* ... which must succeed. */
#define sh(...) do { int st_ = sh_status(__VA_ARGS__); \
    ck_assert_msg(st_ == 0, "command failed (%d): %s", st_, sh_out); } while (0)

/* The named counter: DROPS(d) went up by n since the last call, and `nstat` prints it
 * under its name (TsDrop<REASON>) with that delta. */
static void expect_drop(enum drop d, uint64_t n)
{
    char line[64];
    snprintf(line, sizeof(line), "TsDrop%s", drop_name(d));
    snprintf(line + strlen(line), sizeof(line) - strlen(line), "%*s%-16llu",
             (int)(32 - strlen(line)), "", (unsigned long long)n);
    sh("nstat");
    ck_assert_msg(strstr(sh_out, line), "nstat has no \"%s\":\n%s", line, sh_out);
}

/* Nothing dropped since the last nstat. */
static void expect_no_drop(void)
{
    sh("nstat");
    ck_assert_msg(!strstr(sh_out, "TsDrop"), "unexpected drops:\n%s", sh_out);
}

/* ------------------------------------------------------------------ the lab */

static struct netdev *vx;

static void setup(void)
{
    n_clones = n_copies = 0;
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    const uint32_t vteps[] = { VTEP1, VTEP3, VTEP4, VTEP5 };
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, vteps[i], &vtep_mac[vteps[i] & 0xff], NUD_PERMANENT));
    vx = NULL;
}

static void teardown(void) { fxc_teardown(); }

/* ip link add vxlan0 type vxlan OPTS; its MAC and overlay address; up. */
static struct netdev *vx_up(const char *opts)
{
    sh("ip link add vxlan0 type vxlan %s", opts);
    sh("ip link set vxlan0 address 02:00:00:00:42:02");
    sh("ip addr add 192.168.42.2/24 dev vxlan0");
    sh("ip link set vxlan0 up");
    vx = netdev_by_name(f->net, "vxlan0");
    ck_assert_ptr_nonnull(vx);
    sh("nstat");                                        /* counters from here on */
    fx_tx_clear(f);
    return vx;
}

static struct vxlan_counters vcnt(struct netdev *d)
{
    struct vxlan_counters c;
    ck_assert(vxlan_get_counters(d, &c));
    return c;
}

/* br0 with two ports: vxlan0 and a wire p1 (returned). */
static struct netdev *bridge_vxlan0_and_p1(void)
{
    static const struct eth_addr p1_mac = { { 0x02, 0, 0, 0, 0x01, 0x01 } };
    struct netdev *p1 = fx_add_dev(f, "p1", &p1_mac, 0, 0, 0);
    ck_assert_ptr_nonnull(p1);
    sh("ip link add br0 type bridge");
    sh("ip link set br0 up");
    sh("ip link set vxlan0 master br0");
    sh("ip link set p1 master br0");
    return p1;
}

/* ------------------------------------------------------------------ frames from the tunnel */

/* The outer headers of a frame from a VTEP: IPv4 from src to eth0 (tos), UDP 40000 ->
 * dport (checksum 0: none, as RFC 7348 allows), the VXLAN header's two words. */
struct outer { uint32_t src; uint8_t tos; uint16_t dport; uint32_t w0, w1; };
#define OUTER(vni) { .src = VTEP1, .dport = 4789, .w0 = VXLAN_HF_VNI, .w1 = (vni) << 8 }

static uint8_t inner[2048], outer_buf[4096];

/* When nonzero, the next frames come from the device CHECKSUM_PARTIAL (a TAP's
 * virtio-net header with NEEDS_CSUM), the sum starting this many bytes before the end. */
static size_t rx_partial_tail;

static void rx_inject(const uint8_t *frame, size_t n)
{
    if (!rx_partial_tail) { fx_inject(f, frame, n); return; }
    struct pkt *p = net_pkt_alloc(f->net, n);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, n);
    memcpy(d, frame, n);
    pkt_partial_csum_set(p, d + n - rx_partial_tail, UDP_OFF_CSUM);
    netif_receive(f->dev, p);
    stack_poll(f->st);
}

/* A UDP datagram to eth0 with this payload (the VXLAN header and the inner frame). */
static void rx_udp(uint32_t src, uint8_t tos, uint16_t dport, const uint8_t *payload, size_t len)
{
    static uint8_t u[4096];
    ck_assert_uint_le(8 + len, sizeof(u));
    put_be16(u, 40000);
    put_be16(u + 2, dport);
    put_be16(u + 4, (uint16_t)(8 + len));
    put_be16(u + 6, 0);
    memcpy(u + 8, payload, len);
    struct fx_ip h = { .src = src, .dst = FX_ADDR, .proto = IPPROTO_UDP, .ttl = 64, .tos = tos, .id = 7 };
    size_t n = fx_build_ip(outer_buf, sizeof(outer_buf), &h, u, 8 + len);
    ck_assert_uint_gt(n, 0);
    rx_inject(outer_buf, n);
}

static void rx_outer(const struct outer *o, const uint8_t *frame, size_t len)
{
    static uint8_t v[4096];
    put_be32(v, o->w0);
    put_be32(v + 4, o->w1);
    memcpy(v + 8, frame, len);
    rx_udp(o->src, o->tos, o->dport, v, 8 + len);
}

/* The inner frames. */
static size_t inner_arp_request(const struct eth_addr *sha, uint32_t spa, uint32_t tpa)
{
    return fx_build_arp(inner, sizeof(inner), ARP_OP_REQUEST, sha, spa, NULL, tpa, &fx_bcast_mac);
}

static size_t inner_ip(const struct eth_addr *src, const struct eth_addr *dst, uint32_t saddr, uint32_t daddr,
                       uint8_t proto, uint8_t tos, const void *payload, size_t len)
{
    struct fx_ip h = { .src = saddr, .dst = daddr, .proto = proto, .ttl = 64, .tos = tos, .id = 0x4242,
                       .eth_dst = dst, .eth_src = src };
    return fx_build_ip(inner, sizeof(inner), &h, payload, len);
}

static size_t inner_echo(const struct eth_addr *src, uint32_t saddr, uint8_t tos, uint16_t seq)
{
    uint8_t icmp[64];
    size_t n = fx_build_icmp(icmp, sizeof(icmp), 8, 0, (0x5151u << 16) | seq, "overlay!", 8);
    return inner_ip(src, &vx_mac, saddr, VX_IP, IPPROTO_ICMP, tos, icmp, n);
}

/* ------------------------------------------------------------------ frames into the tunnel */

struct vx_out {
    struct fx_ipv4 ip;              /* the outer IPv4 header (and Ethernet) */
    uint16_t sport, dport, ulen;
    bool     ucsum_ok;              /* the UDP checksum verifies (and is not 0) */
    uint32_t w0, w1;
    const uint8_t *inner;           /* the inner frame */
    size_t   ilen;
};

static bool udp4_csum_ok(uint32_t src, uint32_t dst, const uint8_t *u, size_t len)
{
    static uint8_t b[4096 + 12];
    put_be32(b, src);
    put_be32(b + 4, dst);
    b[8] = 0;
    b[9] = IPPROTO_UDP;
    put_be16(b + 10, (uint16_t)len);
    memcpy(b + 12, u, len);
    return get_be16(u + 6) != 0 && fx_csum(b, 12 + len) == 0;
}

/* Pop the oldest transmitted frame: it must be a VXLAN datagram on eth0. */
static void pop_outer(struct vx_out *o)
{
    int ifindex;
    fxc_pop_ipv4(&o->ip, &ifindex);
    ck_assert_int_eq(ifindex, f->dev->ifindex);
    ck_assert_uint_eq(o->ip.proto, IPPROTO_UDP);
    ck_assert_uint_ge(o->ip.plen, UDP_HLEN + VXLAN_HLEN_HDR);
    const uint8_t *u = o->ip.payload;
    o->sport = get_be16(u);
    o->dport = get_be16(u + 2);
    o->ulen = get_be16(u + 4);
    o->ucsum_ok = udp4_csum_ok(o->ip.src, o->ip.dst, u, o->ip.plen);
    o->w0 = get_be32(u + 8);
    o->w1 = get_be32(u + 12);
    o->inner = u + 16;
    o->ilen = o->ip.plen - 16;
}

/* Everything Linux writes around one encapsulated frame for vni to the VTEP dst. */
static void check_outer(const struct vx_out *o, uint32_t dst, uint32_t vni)
{
    fxc_assert_mac(&o->ip.eth_dst, &vtep_mac[dst & 0xff]);
    fxc_assert_mac(&o->ip.eth_src, &fx_mac);
    ck_assert_uint_eq(o->ip.src, FX_ADDR);
    ck_assert_uint_eq(o->ip.dst, dst);
    ck_assert(o->ip.csum_ok);
    ck_assert_uint_eq(o->ip.ttl, 64);                   /* ttl auto: ip_default_ttl */
    ck_assert_uint_eq(o->ip.frag & 0x4000, 0);          /* df unset (Linux's default) */
    ck_assert_uint_eq(o->dport, 4789);
    ck_assert_uint_ge(o->sport, (unsigned)f->net->ipv4.ip_local_port_lo);
    ck_assert_uint_lt(o->sport, (unsigned)f->net->ipv4.ip_local_port_hi);
    ck_assert_uint_eq(o->ulen, o->ip.plen);
    ck_assert(o->ucsum_ok);                             /* udpcsum: on for IPv4 */
    ck_assert_uint_eq(o->w0, VXLAN_HF_VNI);
    ck_assert_uint_eq(o->w1, vni << 8);
}

/* The inner frame of an outer one is an ARP packet: parse it. */
static void inner_arp(const struct vx_out *o, struct fx_arp *a)
{
    ck_assert(fx_parse_arp(o->inner, o->ilen, a));
}

/* ------------------------------------------------------------------ the header */

START_TEST(test_hdr_build_and_parse)
{
    uint8_t h[VXLAN_HLEN_HDR];
    memset(h, 0xff, sizeof(h));
    vxlan_hdr_build(h, 0xabcdef);
    static const uint8_t want[] = { 0x08, 0, 0, 0, 0xab, 0xcd, 0xef, 0x00 };
    ck_assert_mem_eq(h, want, sizeof(want));            /* I flag, VNI, every reserved bit 0 */
    struct vxlan_hdr_info info;
    ck_assert(vxlan_hdr_parse(h, &info));
    ck_assert_uint_eq(info.vni, 0xabcdef);
    ck_assert_uint_eq(info.flags, VXLAN_HF_VNI);
    ck_assert_uint_eq(info.reserved, 0);
    for (uint32_t vni = 0; vni <= VXLAN_VNI_MAX; vni += 0x10101) {    /* round trip */
        vxlan_hdr_build(h, vni);
        ck_assert(vxlan_hdr_parse(h, &info) && info.vni == vni && !info.reserved);
    }
    vxlan_hdr_build(h, 0x1000001);                      /* 24 bits: the 25th cannot be written */
    ck_assert(vxlan_hdr_parse(h, &info));
    ck_assert_uint_eq(info.vni, 1);
    ck_assert_uint_eq(h[7], 0);
    ck_assert_uint_eq(VXLAN_HEADROOM, 50);              /* outer Ethernet + IPv4 + UDP + VXLAN */
}
END_TEST

START_TEST(test_hdr_flags_and_reserved_bits)
{
    struct vxlan_hdr_info info;
    static const uint8_t no_i[] = { 0x00, 0, 0, 0, 0, 0, 42, 0 };
    ck_assert(!vxlan_hdr_parse(no_i, &info));           /* the I flag says the VNI is valid */
    static const uint8_t r_flag[] = { 0x0c, 0, 0, 0, 0, 0, 42, 0 };    /* I and a reserved flag */
    ck_assert(vxlan_hdr_parse(r_flag, &info));
    ck_assert_uint_eq(info.reserved, 0x04000000);
    ck_assert_uint_eq(info.vni, 42);
    static const uint8_t r_low[] = { 0x08, 0, 0, 0x01, 0, 0, 42, 0 };  /* first word's low bits */
    ck_assert(vxlan_hdr_parse(r_low, &info));
    ck_assert_uint_eq(info.reserved, 1);
    static const uint8_t r_last[] = { 0x08, 0, 0, 0, 0, 0, 42, 0x80 };  /* the byte after the VNI */
    ck_assert(vxlan_hdr_parse(r_last, &info));
    ck_assert_uint_eq(info.reserved, 0x80);
    ck_assert_uint_eq(info.vni, 42);
}
END_TEST

/* ------------------------------------------------------------------ receive */

/* A ping through the tunnel: R asks for 192.168.42.2 and pings it; the answers go back
 * encapsulated to the VTEP R was learned behind; nothing is dropped. */
START_TEST(test_rcv_arp_and_ping_answered)
{
    vx_up("id 42 dev eth0");                            /* no remote: learning alone */
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP1, VNI);
    struct fx_arp a;
    inner_arp(&out, &a);
    ck_assert_uint_eq(a.op, ARP_OP_REPLY);
    fxc_assert_mac(&a.sha, &vx_mac);
    fxc_assert_mac(&a.eth_dst, &r_mac);
    ck_assert_uint_eq(a.spa, VX_IP);
    ck_assert_uint_eq(a.tpa, R_IP);
    rx_outer(&o, inner, inner_echo(&r_mac, R_IP, 0, 1));
    pop_outer(&out);
    check_outer(&out, VTEP1, VNI);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    ck_assert(fx_parse_ipv4(out.inner, out.ilen, &ip) && fx_parse_icmp(&ip, &ic));
    ck_assert_uint_eq(ic.type, 0);
    ck_assert_uint_eq(ip.src, VX_IP);
    ck_assert_uint_eq(ip.dst, R_IP);
    ck_assert(ip.csum_ok && ic.csum_ok);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(vx->stats.rx_packets, 2);
    ck_assert_uint_eq(vx->stats.tx_packets, 2);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 2);     /* each outer datagram counts as UDP */
    expect_no_drop();
}
END_TEST

/* A frame the kernel's vxlan sent with local checksum offload comes from the TAP
 * CHECKSUM_PARTIAL: the outer UDP sum is complete, the inner UDP field holds only the
 * pseudo-header sum and csum_start points at the inner UDP header. Linux's
 * skb_csum_unnecessary takes it as good through the decapsulation, so the inner
 * datagram reaches UDP's port lookup (a closed port: UdpNoPorts), not dropped as a bad
 * checksum; the same frame without the partial mark is one (UdpInCsumErrors). */
START_TEST(test_rcv_inner_partial_checksum)
{
    vx_up("id 42 dev eth0");
    uint8_t udp[12] = { 0x15, 0xb3, 0, 9, 0, 12, 0, 0, 'l', 'c', 'o', '!' };   /* 5555 -> 9 */
    put_be16(udp + 6, (uint16_t)~csum_fold(csum_pseudo(R_IP, VX_IP, IPPROTO_UDP, sizeof(udp))));
    size_t n = inner_ip(&r_mac, &vx_mac, R_IP, VX_IP, IPPROTO_UDP, 0, udp, sizeof(udp));
    struct outer o = OUTER(VNI);
    rx_partial_tail = sizeof(udp);
    rx_outer(&o, inner, n);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 0);
    rx_partial_tail = 0;
    rx_outer(&o, inner, n);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 1);
}
END_TEST

START_TEST(test_drop_short_vxlan_header)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    static const uint8_t half[4] = { 0x08, 0, 0, 0 };
    rx_udp(VTEP1, 0, 4789, half, sizeof(half));         /* UDP + 4 bytes: no whole VXLAN header */
    rx_udp(VTEP1, 0, 4789, half, 0);                    /* an empty datagram */
    expect_drop(DROP_PKT_TOO_SMALL, 2);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_drop_inner_shorter_than_ethernet)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    memset(inner, 0x02, ETH_HLEN - 1);
    rx_outer(&o, inner, ETH_HLEN - 1);
    rx_outer(&o, inner, 0);                             /* a VXLAN header and nothing after it */
    expect_drop(DROP_PKT_TOO_SMALL, 2);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 0);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
}
END_TEST

/* An IPv4 inner frame must hold its IP header (Linux pskb_inet_may_pull, after
 * vxlan_set_mac has learned the source: the station is learned, the frame dropped). */
START_TEST(test_drop_inner_ipv4_shorter_than_its_header)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    uint8_t ip[19];
    memset(ip, 0x45, sizeof(ip));
    rx_outer(&o, inner, fx_build_eth(inner, sizeof(inner), &vx_mac, &r_mac, ETH_P_IP, ip, sizeof(ip)));
    expect_drop(DROP_PKT_TOO_SMALL, 1);
    ck_assert_uint_eq(vx->stats.rx_errors, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 1);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
    /* the same bytes as ARP are no IPv4: they go on (and ARP finds them too short) */
    rx_outer(&o, inner, fx_build_eth(inner, sizeof(inner), &vx_mac, &r_mac, ETH_P_ARP, ip, sizeof(ip)));
    ck_assert_uint_eq(vx->stats.rx_packets, 1);
}
END_TEST

START_TEST(test_drop_invalid_hdr_i_flag_clear)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    o.w0 = 0;
    size_t n = inner_arp_request(&r_mac, R_IP, VX_IP);
    rx_outer(&o, inner, n);
    o.w0 = 0x04000000;                                  /* a reserved flag but not I */
    rx_outer(&o, inner, n);
    o.w1 = 43u << 8;                                    /* no I flag: the VNI is not even read */
    rx_outer(&o, inner, n);
    expect_drop(DROP_VXLAN_INVALID_HDR, 3);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 0);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
}
END_TEST

/* Reserved bits: RFC 7348 says ignore them, Linux (and tapstack) drop; but the VNI is
 * looked up first, so a frame for an unknown VNI is VNI_NOT_FOUND whatever its bits. */
START_TEST(test_drop_invalid_hdr_reserved_bits)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    size_t n = inner_arp_request(&r_mac, R_IP, VX_IP);
    const uint32_t w0s[] = { VXLAN_HF_VNI | 0x80000000u, VXLAN_HF_VNI | 0x01000000u, VXLAN_HF_VNI | 1, VXLAN_HF_VNI };
    const uint32_t w1s[] = { VNI << 8, VNI << 8, VNI << 8, VNI << 8 | 0x01 };
    for (int i = 0; i < 4; i++) {
        struct outer o = OUTER(VNI);
        o.w0 = w0s[i];
        o.w1 = w1s[i];
        rx_outer(&o, inner, n);
    }
    expect_drop(DROP_VXLAN_INVALID_HDR, 4);
    struct outer o = OUTER(43u);
    o.w0 |= 0x01000000u;
    rx_outer(&o, inner, n);
    expect_drop(DROP_VXLAN_VNI_NOT_FOUND, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
}
END_TEST

START_TEST(test_drop_vni_not_found)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    size_t n = inner_arp_request(&r_mac, R_IP, VX_IP);
    struct outer o = OUTER(43u);
    rx_outer(&o, inner, n);
    o.w1 = 0;                                           /* VNI 0 is a VNI like any other */
    rx_outer(&o, inner, n);
    expect_drop(DROP_VXLAN_VNI_NOT_FOUND, 2);
    /* a device that is down has left its port's list (Linux vxlan_stop -> vxlan_vs_del_dev):
     * its frames find no VNI either; the port's socket is gone, so the datagram is UDP's */
    sh("ip link set vxlan0 down");
    struct outer ok = OUTER(VNI);
    rx_outer(&ok, inner, n);
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
    expect_drop(DROP_NO_SOCKET, 1);
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
}
END_TEST

/* Linux vxlan_set_mac: "Ignore packet loops (and multicast echo)". */
START_TEST(test_drop_local_mac)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&vx_mac, R_IP, VX_IP));
    expect_drop(DROP_LOCAL_MAC, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* Linux vxlan_snoop: with learning on, a multicast or all-zeros source is no station. */
START_TEST(test_drop_invalid_source_when_learning)
{
    static const struct eth_addr mcast = { { 0x01, 0, 0x5e, 0, 0, 1 } };
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&mcast, R_IP, VX_IP));
    rx_outer(&o, inner, inner_arp_request(&fx_zero_mac, R_IP, VX_IP));
    expect_drop(DROP_MAC_INVALID_SOURCE, 2);
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 1);         /* the default destination only */
    ck_assert_uint_eq(vx->stats.rx_packets, 0);
}
END_TEST

/* A static entry is the operator's word: a frame claiming the MAC from another VTEP is
 * dropped, and the entry does not move. */
START_TEST(test_drop_entry_exists)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    sh("bridge fdb add 02:00:00:00:42:01 dev vxlan0 dst 10.0.0.5");
    struct outer o = OUTER(VNI);
    size_t n = inner_arp_request(&r_mac, R_IP, VX_IP);
    rx_outer(&o, inner, n);                             /* from 10.0.0.1 */
    expect_drop(DROP_VXLAN_ENTRY_EXISTS, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    sh("bridge fdb show dev vxlan0");
    ck_assert_msg(strstr(sh_out, "02:00:00:00:42:01 dst 10.0.0.5 self permanent\n"), "%s", sh_out);
    o.src = VTEP5;                                      /* where the entry says: answered */
    rx_outer(&o, inner, n);
    expect_no_drop();
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP5, VNI);
    ck_assert_uint_eq(vcnt(vx).fdb_moved, 0);
}
END_TEST

/* RFC 6040 §4.2 through a bridge port, so the inner frame can be read where it leaves:
 * outer CE over a not-ECT inner packet is dropped; outer CE over ECT(0) marks it CE with
 * a correct header checksum; ECT(0) over not-ECT passes unchanged (Linux: logged only). */
START_TEST(test_ecn_decapsulation)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct netdev *p1 = bridge_vxlan0_and_p1();
    sh("nstat");
    struct outer o = OUTER(VNI);
    static const uint8_t data[8] = "ecn test";
    o.tos = 3;                                          /* CE */
    rx_outer(&o, inner, inner_ip(&r_mac, &s_mac, R_IP, FX_IP(192, 168, 42, 3), IPPROTO_UDP, 0, data, 8));
    expect_drop(DROP_IP_TUNNEL_ECN, 1);
    ck_assert_uint_eq(vx->stats.rx_errors, 1);
    ck_assert_uint_eq(fx_tx_count_dev(f, p1), 0);
    rx_outer(&o, inner, inner_ip(&r_mac, &s_mac, R_IP, FX_IP(192, 168, 42, 3), IPPROTO_UDP, 2, data, 8));
    size_t len;
    uint8_t *fr = fx_tx_pop_dev(f, p1, &len);
    ck_assert_ptr_nonnull(fr);
    struct fx_ipv4 ip;
    ck_assert(fx_parse_ipv4(fr, len, &ip));
    ck_assert_uint_eq(ip.tos, 3);                       /* CE copied in */
    ck_assert(ip.csum_ok);
    free(fr);
    o.tos = 2;                                          /* ECT(0) over not-ECT */
    rx_outer(&o, inner, inner_ip(&r_mac, &s_mac, R_IP, FX_IP(192, 168, 42, 3), IPPROTO_UDP, 0, data, 8));
    fr = fx_tx_pop_dev(f, p1, &len);
    ck_assert_ptr_nonnull(fr);
    ck_assert(fx_parse_ipv4(fr, len, &ip));
    ck_assert_uint_eq(ip.tos, 0);
    ck_assert(ip.csum_ok);
    free(fr);
    expect_no_drop();
}
END_TEST

/* The decapsulated frame waits in the backlog (gro_cells_receive -> netif_rx); a device
 * taken down meanwhile drops it (DEV_READY, rx_dropped). vxlan_rcv's own up check,
 * after Linux's, cannot be reached here: a device that is down has left its port. */
START_TEST(test_drop_dev_ready)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    size_t n = inner_arp_request(&r_mac, R_IP, VX_IP);
    /* the frame enters eth0 without the stack polling: vxlan_rcv queues the inner frame */
    struct fx_ip h = { .src = VTEP1, .dst = FX_ADDR, .proto = IPPROTO_UDP, .ttl = 64, .id = 9 };
    static uint8_t u[256];
    put_be16(u, 40000);
    put_be16(u + 2, 4789);
    put_be16(u + 4, (uint16_t)(16 + n));
    put_be16(u + 6, 0);
    vxlan_hdr_build(u + 8, VNI);
    memcpy(u + 16, inner, n);
    size_t len = fx_build_ip(outer_buf, sizeof(outer_buf), &h, u, 16 + n);
    struct pkt *p = pkt_alloc(&f->st->pool, len);
    ck_assert_ptr_nonnull(p);
    memcpy(pkt_put(p, (uint32_t)len), outer_buf, len);
    uint64_t rx_before = vx->stats.rx_dropped;
    netif_receive(f->dev, p);
    struct link_change down = { .up = 0 };
    ck_assert_int_eq(link_setlink(vx, &down, NULL), 0);
    stack_poll(f->st);
    expect_drop(DROP_DEV_READY, 1);
    ck_assert_uint_eq(vx->stats.rx_dropped, rx_before + 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* ------------------------------------------------------------------ transmit */

START_TEST(test_xmit_drop_no_remote)
{
    vx_up("id 42 dev eth0");                            /* no remote, no FDB entry */
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, 1), 0);    /* its ARP request */
    expect_drop(DROP_VXLAN_NO_REMOTE, 1);
    ck_assert_uint_eq(vx->stats.tx_dropped, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    /* `dst 0.0.0.0` is a destination Linux takes, but nothing can be sent to it */
    sh("bridge fdb add 00:00:00:00:00:00 dev vxlan0 dst 0.0.0.0");
    sh("bridge fdb show dev vxlan0");
    ck_assert_str_eq(sh_out, "00:00:00:00:00:00 dst 0.0.0.0 self permanent\n");
    fx_advance_ms(f, 1000);                             /* the ARP retransmit */
    expect_drop(DROP_VXLAN_NO_REMOTE, 1);
    ck_assert_uint_eq(vx->stats.tx_dropped, 2);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_xmit_drop_no_route)
{
    vx_up("id 42 remote 172.16.0.9");
    ck_assert_int_eq(fx_route_del(f, 0, 0), 0);         /* 172.16.0.9 is now unreachable */
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, 1), 0);
    expect_drop(DROP_NO_ROUTE, 1);
    ck_assert_uint_eq(vx->stats.tx_errors, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    /* a route to the VTEP through the vxlan device itself would loop: refused the same
     * way (Linux udp_tunnel_dst_lookup: "circular route") */
    sh("ip route add 172.16.0.0/16 dev vxlan0");
    fx_advance_ms(f, 1000);
    expect_drop(DROP_NO_ROUTE, 1);
    ck_assert_uint_eq(vx->stats.tx_errors, 2);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_xmit_drop_runt)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct pkt *p = pkt_alloc(&f->st->pool, 16);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, ETH_HLEN - 1), 0xff, ETH_HLEN - 1);
    dev_queue_xmit(vx, p);
    stack_poll(f->st);
    expect_drop(DROP_PKT_TOO_SMALL, 1);
    ck_assert_uint_eq(vx->stats.tx_dropped, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* Head-end replication: a broadcast (the ARP request of a ping to an unresolved overlay
 * address) leaves once per VTEP of the all-zeros entry, by clones (Linux vxlan_xmit:
 * skb_clone per extra destination, the original to the first), in the entry's order
 * with the first one last. */
START_TEST(test_replication_three_vteps_by_clones)
{
    vx_up("id 42 dev eth0");
    sh("bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.3");
    sh("bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.4");
    sh("bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.5");
    sh("bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.5");     /* already there */
    n_clones = n_copies = 0;
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, 1), 0);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    ck_assert_uint_eq(n_clones, 2);
    ck_assert_uint_eq(n_copies, 0);
    ck_assert_uint_eq(vcnt(vx).tx_replicated, 2);
    const uint32_t order[3] = { VTEP4, VTEP5, VTEP3 };
    uint16_t sport = 0;
    uint8_t first_inner[64];
    for (int i = 0; i < 3; i++) {
        struct vx_out out;
        pop_outer(&out);
        check_outer(&out, order[i], VNI);
        struct fx_arp a;
        inner_arp(&out, &a);
        ck_assert_uint_eq(a.op, ARP_OP_REQUEST);
        fxc_assert_mac(&a.eth_dst, &fx_bcast_mac);
        fxc_assert_mac(&a.sha, &vx_mac);
        ck_assert_uint_eq(a.spa, VX_IP);
        ck_assert_uint_eq(a.tpa, R_IP);
        ck_assert_uint_le(out.ilen, sizeof(first_inner));
        if (i == 0) { sport = out.sport; memcpy(first_inner, out.inner, out.ilen); }
        ck_assert_uint_eq(out.sport, sport);            /* one inner flow, one outer port */
        ck_assert_mem_eq(out.inner, first_inner, out.ilen);
    }
    expect_no_drop();
    ck_assert_uint_eq(vx->stats.tx_packets, 1);         /* one frame sent on vxlan0 */
}
END_TEST

/* The outer source port is a hash of the inner flow over ip_local_port_range (or
 * `srcport MIN MAX`): the same flow keeps its port, different flows spread. */
START_TEST(test_outer_source_port_per_flow)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    uint16_t port[8];
    bool differ = false;
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, (uint8_t)(i + 1)), 0);   /* ports ii -> ii */
        struct vx_out out;
        pop_outer(&out);
        check_outer(&out, VTEP1, VNI);
        port[i] = out.sport;
        differ |= port[i] != port[0];
        ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, (uint8_t)(i + 1)), 0);   /* the same flow */
        pop_outer(&out);
        ck_assert_uint_eq(out.sport, port[i]);
    }
    ck_assert_msg(differ, "eight flows, one outer port %u", port[0]);
    sh("ip link del vxlan0");
    vx_up("id 42 remote 10.0.0.1 dev eth0 srcport 5000 5010 ttl 7");
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, (uint8_t)(i + 1)), 0);
        struct vx_out out;
        pop_outer(&out);
        ck_assert_uint_ge(out.sport, 5000);
        ck_assert_uint_lt(out.sport, 5010);
        ck_assert_uint_eq(out.ip.ttl, 7);
    }
}
END_TEST

/* RFC 6040 §4.1 normal mode (Linux ip_tunnel_ecn_encap): the inner ECN field is copied
 * out, CE as ECT(0); the rest of the outer TOS is 0. */
START_TEST(test_outer_ecn_encapsulation)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    const uint8_t tos_in[] = { 0x00, 0x01, 0x02, 0x03, 0xb8, 0xbb }, tos_out[] = { 0, 1, 2, 2, 0, 2 };
    for (int i = 0; i < 6; i++) {
        struct pkt *p = net_pkt_alloc(f->net, 8);
        ck_assert_ptr_nonnull(p);
        memset(pkt_put(p, 8), 0x11, 8);
        struct ip_send_opts so = { .dst = R_IP, .proto = IPPROTO_UDP, .tos = tos_in[i] };
        ck_assert_int_eq(ip_send(f->net, p, &so), 0);
        stack_poll(f->st);
        struct vx_out out;
        pop_outer(&out);
        ck_assert_uint_eq(out.ip.tos, tos_out[i]);
        struct fx_ipv4 in;
        ck_assert(fx_parse_ipv4(out.inner, out.ilen, &in));
        ck_assert_uint_eq(in.tos, tos_in[i]);           /* the inner header is not touched */
    }
}
END_TEST

/* MTU = the underlay's - 50 (VXLAN_HEADROOM), and no larger. */
START_TEST(test_mtu_underlay_minus_50)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    ck_assert_uint_eq(vx->mtu, 1450);
    static const struct eth_addr jm = { { 0x02, 0, 0, 0, 0x09, 0x00 } };
    ck_assert_ptr_nonnull(fx_add_dev(f, "jumbo0", &jm, FX_IP(10, 9, 0, 1), 24, 9000));
    sh("ip link add vxlan1 type vxlan id 43 dev jumbo0");
    struct netdev *v1 = netdev_by_name(f->net, "vxlan1");
    ck_assert_uint_eq(v1->mtu, 8950);
    ck_assert_int_ne(sh_status("ip link set vxlan1 mtu 8951"), 0);
    sh("ip link set vxlan1 mtu 1400");
    ck_assert_uint_eq(v1->mtu, 1400);
    /* a full-size inner datagram fills a 1500-byte outer one exactly */
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 1450 - 20, 7), 0);
    struct vx_out out;
    pop_outer(&out);
    ck_assert_uint_eq(out.ip.tot_len, 1500);
    ck_assert_uint_eq(out.ilen, ETH_HLEN + 1450);
    ck_assert_uint_eq(out.ip.frag & 0x3fff, 0);         /* not fragmented */
}
END_TEST

/* ------------------------------------------------------------------ the FDB */

struct fdb_rows { int n; struct vxlan_fdb_view v[16]; };
static void collect(void *arg, const struct vxlan_fdb_view *v)
{
    struct fdb_rows *r = arg;
    if (r->n < 16) r->v[r->n++] = *v;
}
static struct fdb_rows rows_of(struct netdev *d)
{
    struct fdb_rows r = { 0 };
    vxlan_fdb_walk(d, collect, &r);
    return r;
}
static const struct vxlan_fdb_view *row(const struct fdb_rows *r, const struct eth_addr *mac, int nth)
{
    for (int i = 0; i < r->n; i++)
        if (eth_addr_eq(&r->v[i].addr, mac) && nth-- == 0) return &r->v[i];
    return NULL;
}

static struct vxlan_fdb_req req(const struct eth_addr *mac, uint32_t dst, unsigned state)
{
    return (struct vxlan_fdb_req){ .addr = *mac, .dst = dst, .has_dst = true, .state = state };
}

/* A learned entry: dst = the outer source, no interface (as Linux learns an IPv4
 * VTEP), reachable (shown with no state word); nolearning learns nothing. */
START_TEST(test_fdb_learning)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    o.src = VTEP3;
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    struct fdb_rows r = rows_of(vx);
    const struct vxlan_fdb_view *v = row(&r, &r_mac, 0);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->dst, VTEP3);
    ck_assert_ptr_null(v->via);
    ck_assert_uint_eq(v->state, NUD_REACHABLE);
    ck_assert_uint_eq(v->port, 0);                      /* the device's own */
    ck_assert(!v->vni_differs);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 2);
    struct vx_out out;                                  /* the ARP reply went where R lives */
    pop_outer(&out);
    check_outer(&out, VTEP3, VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));    /* heard again: nothing new */
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_moved, 0);
    sh("ip link del vxlan0");
    vx_up("id 42 remote 10.0.0.1 dev eth0 nolearning");
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 0);
    ck_assert_ptr_null(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    pop_outer(&out);                                    /* answered through the default */
    check_outer(&out, VTEP1, VNI);
    /* taking the device down forgets what it learned (Linux vxlan_stop's flush) */
    sh("ip link del vxlan0");
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 2);
    sh("ip link set vxlan0 down");
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 1);
}
END_TEST

/* A learned station heard from another VTEP moves there (Linux vxlan_snoop). */
START_TEST(test_fdb_migration)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    o.src = VTEP3;
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    o.src = VTEP4;
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    struct fdb_rows r = rows_of(vx);
    ck_assert_uint_eq(row(&r, &r_mac, 0)->dst, VTEP4);
    ck_assert_ptr_null(row(&r, &r_mac, 1));
    ck_assert_uint_eq(vcnt(vx).fdb_moved, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_learned, 1);
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP3, VNI);                      /* the first reply, before the move */
    pop_outer(&out);
    check_outer(&out, VTEP4, VNI);
    expect_no_drop();
}
END_TEST

/* Learned entries age out `ageing` seconds after their last use (Linux vxlan_cleanup:
 * f->used, refreshed by every lookup), not a moment before; static ones never. */
START_TEST(test_fdb_ageing)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0 ageing 30");
    sh("bridge fdb add 02:00:00:00:42:03 dev vxlan0 dst 10.0.0.5 static");
    fx_advance_ms(f, 3700);                             /* not in step with the 10 s rescans */
    struct outer o = OUTER(VNI);
    o.src = VTEP3;
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    fx_tx_clear(f);
    fx_advance_ms(f, 29999);
    ck_assert_ptr_nonnull(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    fx_advance_ms(f, 1);
    ck_assert_ptr_null(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    ck_assert_uint_eq(vcnt(vx).fdb_aged, 1);
    /* a frame sent to the station is a use: 30 s from the last one */
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    fx_advance_ms(f, 20000);
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, 1), 0);
    fx_advance_ms(f, 29999);
    ck_assert_ptr_nonnull(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    fx_advance_ms(f, 1);
    ck_assert_ptr_null(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    ck_assert_uint_eq(vcnt(vx).fdb_aged, 2);
    fx_advance_ms(f, 3600 * 1000);                      /* the static and default entries stay */
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 2);
}
END_TEST

/* `ageing 0` is not "never": Linux's vxlan_config_validate makes it the default 300 s. */
START_TEST(test_fdb_ageing_zero_is_default)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0 ageing 0");
    sh("ip -d link show vxlan0");
    ck_assert_msg(strstr(sh_out, " ageing 300 "), "%s", sh_out);
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    fx_advance_ms(f, 299999);
    ck_assert_uint_eq(vcnt(vx).fdb_aged, 0);
    fx_advance_ms(f, 1);
    ck_assert_uint_eq(vcnt(vx).fdb_aged, 1);
}
END_TEST

/* bridge fdb replace: a unicast entry's destination changes (and a learned one becomes
 * the operator's); the all-zeros entry cannot be replaced. */
START_TEST(test_fdb_replace)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    fx_tx_clear(f);
    struct vxlan_fdb_req rq = req(&r_mac, VTEP5, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_REPLACE, NULL), 0);
    struct fdb_rows r = rows_of(vx);
    ck_assert_uint_eq(row(&r, &r_mac, 0)->dst, VTEP5);
    ck_assert_uint_eq(row(&r, &r_mac, 0)->state, NUD_PERMANENT);
    ck_assert_ptr_null(row(&r, &r_mac, 1));
    fx_advance_ms(f, 3600 * 1000);                      /* permanent now: it no longer ages */
    ck_assert_ptr_nonnull(row((struct fdb_rows[]){ rows_of(vx) }, &r_mac, 0));
    ck_assert_ptr_nonnull(fx_neigh_set(f, vx, R_IP, &r_mac, NUD_PERMANENT));
    ck_assert_int_eq(fx_send_ip(f, R_IP, IPPROTO_UDP, 8, 1), 0);
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP5, VNI);
    /* replace creates what is not there */
    rq = req(&s_mac, VTEP4, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_REPLACE, NULL), 0);
    ck_assert_uint_eq(row((struct fdb_rows[]){ rows_of(vx) }, &s_mac, 0)->dst, VTEP4);
    struct extack ext = { 0 };
    rq = req(&fx_zero_mac, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_REPLACE, &ext), -EOPNOTSUPP);
    ck_assert_str_eq(ext.msg, "Cannot replace non-unicast fdb entries");
    static const struct eth_addr grp = { { 0x01, 0, 0x5e, 0, 0, 9 } };
    rq = req(&grp, VTEP3, NUD_PERMANENT);               /* "Disallow replace to add a multicast entry" */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_REPLACE, NULL), -EOPNOTSUPP);
    rq = req(&s_mac, VTEP3, NUD_PERMANENT);             /* without CREATE, only what exists */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_REPLACE, NULL), 0);
    static const struct eth_addr none = { { 0x02, 0, 0, 0, 0x77, 0x77 } };
    rq = req(&none, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_REPLACE, NULL), -ENOENT);
}
END_TEST

/* append and del on the all-zeros entry: one destination at a time, the entry with the
 * last; an add of a MAC already there is -EEXIST. */
START_TEST(test_fdb_append_del_and_eexist)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct vxlan_fdb_req rq = req(&fx_zero_mac, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_APPEND, NULL), 0);
    rq.dst = VTEP4;
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_APPEND, NULL), 0);
    struct fdb_rows r = rows_of(vx);
    ck_assert_uint_eq(row(&r, &fx_zero_mac, 0)->dst, VTEP1);        /* `remote`, with its dev */
    ck_assert_ptr_eq(row(&r, &fx_zero_mac, 0)->via, f->dev);
    ck_assert_uint_eq(row(&r, &fx_zero_mac, 1)->dst, VTEP3);
    ck_assert_uint_eq(row(&r, &fx_zero_mac, 2)->dst, VTEP4);
    ck_assert_ptr_null(row(&r, &fx_zero_mac, 3));
    rq.dst = VTEP3;                                     /* add: the MAC is there */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -EEXIST);
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), 0);
    r = rows_of(vx);
    ck_assert_uint_eq(row(&r, &fx_zero_mac, 1)->dst, VTEP4);
    ck_assert_ptr_null(row(&r, &fx_zero_mac, 2));
    rq.dst = VTEP5;                                     /* not one of its destinations: no-op */
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), 0);
    rq.dst = VTEP1;                                     /* `remote`'s has an interface: say it */
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), 0);
    ck_assert_uint_eq(rows_of(vx).n, 2);
    rq.ifindex = f->dev->ifindex;
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), 0);
    r = rows_of(vx);
    ck_assert_int_eq(r.n, 1);
    ck_assert_uint_eq(r.v[0].dst, VTEP4);
    rq = req(&fx_zero_mac, VTEP4, NUD_PERMANENT);       /* the last one takes the entry */
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), 0);
    ck_assert_int_eq(rows_of(vx).n, 0);
    ck_assert_int_eq(vxlan_fdb_delete(vx, &rq, NULL), -ENOENT);
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 0);
    /* a unicast entry: add, -EEXIST, append does not add a second destination */
    rq = req(&r_mac, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), 0);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -EEXIST);
    rq.dst = VTEP4;
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_APPEND, NULL), 0);
    r = rows_of(vx);
    ck_assert_int_eq(r.n, 1);
    ck_assert_uint_eq(r.v[0].dst, VTEP3);
    rq.has_dst = false;                                 /* no destination at all */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -EINVAL);
    rq = req(&s_mac, VTEP3, NUD_NOARP);                 /* neither permanent nor reachable */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -EINVAL);
    ck_assert_int_eq(vxlan_fdb_delete(vx, &(struct vxlan_fdb_req){ .addr = r_mac }, NULL), 0);
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 0);
}
END_TEST

static void learn_n(int n, uint8_t tag)
{
    struct outer o = OUTER(VNI);
    for (int i = 0; i < n; i++) {
        struct eth_addr m = { { 0x02, tag, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };
        rx_outer(&o, inner, fx_build_eth(inner, sizeof(inner), &fx_bcast_mac, &m, 0x88b5, "bounded!", 8));
    }
}

/* `maxaddress N` bounds the entries (all of them, the default one too, as Linux's
 * addrcnt): learning beyond it is refused and counted, `bridge fdb add` is -ENOSPC. */
START_TEST(test_fdb_bound_maxaddress)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0 maxaddress 4");
    learn_n(6, 0x55);
    struct vxlan_counters c = vcnt(vx);
    ck_assert_uint_eq(c.fdb_learned, 3);
    ck_assert_uint_eq(c.fdb_learn_refused, 3);
    ck_assert_uint_eq(c.fdb_entries, 4);
    ck_assert_uint_eq(vx->stats.rx_packets, 6);         /* refused stations' frames still pass */
    struct vxlan_fdb_req rq = req(&s_mac, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -ENOSPC);
    ck_assert_int_ne(sh_status("bridge fdb add 02:00:00:00:42:03 dev vxlan0 dst 10.0.0.3"), 0);
    ck_assert_str_eq(sh_out, "bridge: RTNETLINK answers: No space left on device\n");
    rq = req(&fx_zero_mac, VTEP3, NUD_PERMANENT);       /* a destination more is no entry more */
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_APPEND, NULL), 0);
    sh("ip -d link show vxlan0");
    ck_assert_msg(strstr(sh_out, " maxaddr 4 "), "%s", sh_out);
}
END_TEST

/* Without maxaddress the pool bounds it (VXLAN_FDB_POOL entries): no allocation per
 * learned station, and a flood of source MACs costs a counter once it is full. */
START_TEST(test_fdb_bound_pool_full)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    learn_n(VXLAN_FDB_POOL + 5, 0x66);
    struct vxlan_counters c = vcnt(vx);
    ck_assert_uint_eq(c.fdb_entries, VXLAN_FDB_POOL);
    ck_assert_uint_eq(c.fdb_learned, VXLAN_FDB_POOL - 1);
    ck_assert_uint_eq(c.fdb_learn_refused, 6);
    struct vxlan_fdb_req rq = req(&s_mac, VTEP3, NUD_PERMANENT);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), -ENOSPC);
    fx_advance_ms(f, 301 * 1000);                       /* they age out; room again */
    ck_assert_uint_eq(vcnt(vx).fdb_entries, 1);
    ck_assert_int_eq(vxlan_fdb_add(vx, &rq, FDB_NLM_F_CREATE | FDB_NLM_F_EXCL, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------------ devices */

/* vxlan0 as a bridge port: a station behind the tunnel and one on a wire port talk both
 * ways; the bridge learns R on vxlan0, and vxlan0 learned R behind its VTEP. */
START_TEST(test_bridge_port_both_ways)
{
    vx_up("id 42 dev eth0");
    struct netdev *p1 = bridge_vxlan0_and_p1();
    ck_assert_ptr_eq(vx->master, netdev_by_name(f->net, "br0"));
    fx_tx_clear(f);
    struct outer o = OUTER(VNI);
    o.src = VTEP4;
    uint8_t payload[46];
    memset(payload, 0xa1, sizeof(payload));
    rx_outer(&o, inner, fx_build_eth(inner, sizeof(inner), &fx_bcast_mac, &r_mac, 0x88b5, payload, 46));
    size_t len;
    uint8_t *fr = fx_tx_pop_dev(f, p1, &len);           /* flooded to p1 */
    ck_assert_ptr_nonnull(fr);
    struct fx_eth e;
    ck_assert(fx_parse_eth(fr, len, &e));
    fxc_assert_mac(&e.src, &r_mac);
    free(fr);
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* not back into the tunnel */
    /* S answers R from p1: the bridge sends it to vxlan0 only, which sends it to 10.0.0.4 */
    memset(payload, 0xb2, sizeof(payload));
    size_t n = fx_build_eth(fxc_buf, sizeof(fxc_buf), &r_mac, &s_mac, 0x88b5, payload, 46);
    fx_inject_dev(f, p1, fxc_buf, n);
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP4, VNI);
    ck_assert(fx_parse_eth(out.inner, out.ilen, &e));
    fxc_assert_mac(&e.src, &s_mac);
    fxc_assert_mac(&e.dst, &r_mac);
    ck_assert_uint_eq(e.payload[0], 0xb2);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    struct br_counters bc;
    ck_assert(br_get_counters(netdev_by_name(f->net, "br0"), &bc));
    ck_assert_uint_eq(bc.fdb_n_learned, 2);
    expect_drop(DROP_UNHANDLED_PROTO, 1);               /* br0's own copy of the broadcast */
}
END_TEST

/* Two devices share the port's socket, told apart by VNI; the socket stays while one of
 * them is up and is closed with the last. */
START_TEST(test_two_devices_share_port)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    sh("ip link add vxlan1 type vxlan id 43 remote 10.0.0.3 dev eth0");
    sh("ip link set vxlan1 address 02:00:00:00:43:02");
    sh("ip addr add 192.168.43.2/24 dev vxlan1");
    sh("ip link set vxlan1 up");
    struct netdev *v1 = netdev_by_name(f->net, "vxlan1");
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    struct outer o43 = OUTER(43u);
    o43.src = VTEP3;
    rx_outer(&o43, inner, inner_arp_request(&r_mac, FX_IP(192, 168, 43, 1), FX_IP(192, 168, 43, 2)));
    ck_assert_uint_eq(vx->stats.rx_packets, 1);
    ck_assert_uint_eq(v1->stats.rx_packets, 1);
    struct vx_out out;
    pop_outer(&out);
    check_outer(&out, VTEP1, VNI);
    pop_outer(&out);
    check_outer(&out, VTEP3, 43u);
    struct fx_arp a;
    inner_arp(&out, &a);
    ck_assert_uint_eq(a.spa, FX_IP(192, 168, 43, 2));
    sh("ip link set vxlan0 down");                      /* vxlan1 keeps the socket */
    rx_outer(&o43, inner, inner_arp_request(&r_mac, FX_IP(192, 168, 43, 1), FX_IP(192, 168, 43, 2)));
    ck_assert_uint_eq(v1->stats.rx_packets, 2);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    expect_drop(DROP_VXLAN_VNI_NOT_FOUND, 1);
    sh("ip link set vxlan1 down");                      /* the last: the socket closes */
    rx_outer(&o43, inner, inner_arp_request(&r_mac, FX_IP(192, 168, 43, 1), FX_IP(192, 168, 43, 2)));
    expect_drop(DROP_NO_SOCKET, 1);
    /* the port is free for others; while one holds it, a vxlan device cannot open */
    int err;
    struct sock *sk = sock_create(f->net, 2, IPPROTO_UDP, &err);
    ck_assert_ptr_nonnull(sk);
    ck_assert_int_eq(sock_bind(sk, 0, 4789), 0);
    ck_assert_int_ne(sh_status("ip link set vxlan0 up"), 0);
    ck_assert(!netif_running(vx));
    sock_close(sk);
    sh("ip link set vxlan0 up");
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    ck_assert_uint_eq(vx->stats.rx_packets, 2);
}
END_TEST

/* Linux vxlan_vni_in_use: one VNI per port per namespace. */
START_TEST(test_vni_collision_refused)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    ck_assert_int_ne(sh_status("ip link add vxlan1 type vxlan id 42 remote 10.0.0.3"), 0);
    ck_assert_str_eq(sh_out, "ip: Error: A VXLAN device with the specified VNI already exists.\n");
    ck_assert_ptr_null(netdev_by_name(f->net, "vxlan1"));
    sh("ip link add vxlan1 type vxlan id 42 dstport 8472");        /* another port: allowed */
    ck_assert_int_ne(sh_status("ip link add vxlan2 type vxlan id 42 dstport 8472"), 0);
    struct net *ns1 = fx_add_net(f, "ns1");             /* another namespace: allowed */
    ck_assert_ptr_nonnull(ns1);
    sh("ip netns exec ns1 ip link add vxlan0 type vxlan id 42");
    ck_assert_ptr_nonnull(netdev_by_name(ns1, "vxlan0"));
}
END_TEST

/* Deleting a namespace with an up vxlan device: its socket is closed first (encap_destroy
 * lets the device forget it), then the device goes; nothing leaks (ASan, packet pool). */
START_TEST(test_netns_delete_with_up_vxlan)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    static const struct eth_addr um = { { 0x02, 0, 0, 0, 0x0a, 0x01 } };
    struct netdev *u = fx_add_dev_in(f, ns1, "eth0", &um, FX_IP(10, 8, 0, 2), 24, 0);
    ck_assert_ptr_nonnull(u);
    sh("ip netns exec ns1 ip link add vxlan0 type vxlan id 42 remote 10.8.0.1 dev eth0");
    sh("ip netns exec ns1 ip link add vxlan1 type vxlan id 43 remote 10.8.0.1 dev eth0");
    sh("ip netns exec ns1 ip link set vxlan0 up");
    sh("ip netns exec ns1 ip link set vxlan1 up");
    sh("ip netns exec ns1 ip addr add 192.168.42.2/24 dev vxlan0");
    sh("ip netns exec ns1 bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.8.0.3");
    static const struct eth_addr gw = { { 0x02, 0, 0, 0, 0x0a, 0x09 } };
    ck_assert_ptr_nonnull(fx_neigh_set(f, u, FX_IP(10, 8, 0, 1), &gw, NUD_PERMANENT));
    struct pkt *p = net_pkt_alloc(ns1, 8);              /* a datagram waiting for ARP, whose */
    ck_assert_ptr_nonnull(p);                           /* request went through the tunnel */
    memset(pkt_put(p, 8), 0x33, 8);
    ck_assert_int_eq(ip_send(ns1, p, &(struct ip_send_opts){ .dst = R_IP, .proto = IPPROTO_UDP }), 0);
    stack_poll(f->st);
    ck_assert_uint_eq(fx_tx_count_dev(f, u), 2);        /* replicated to 10.8.0.1 and .3 */
    sh("ip netns del ns1");
    ck_assert_ptr_null(net_by_name(f->st, "ns1"));
    /* the default namespace's own port 4789 was never touched, and is free */
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    ck_assert_uint_eq(vx->stats.rx_packets, 1);
}
END_TEST

/* A device moved out of the namespace where its socket lives goes when that namespace
 * goes (Linux vxlan_destroy_tunnels); while both live, it works from its new home. */
START_TEST(test_netns_delete_socket_namespace)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    sh("ip netns exec ns1 ip link add vxlan9 type vxlan id 42");
    sh("ip netns exec ns1 ip link set vxlan9 netns default");
    struct netdev *v = netdev_by_name(f->net, "vxlan9");
    ck_assert_ptr_nonnull(v);
    sh("ip link set vxlan9 up");
    sh("ip netns del ns1");
    ck_assert_ptr_null(netdev_by_name(f->net, "vxlan9"));
    vx_up("id 42 remote 10.0.0.1 dev eth0");            /* VNI 42 on 4789 is free here */
}
END_TEST

/* Linux vxlan_handle_lowerdev_unregister: the vxlan device goes with its `dev`. */
START_TEST(test_underlay_unregister_deletes_vxlan)
{
    static const struct eth_addr um = { { 0x02, 0, 0, 0, 0x0b, 0x01 } };
    struct netdev *u = fx_add_dev(f, "under0", &um, FX_IP(10, 7, 0, 2), 24, 0);
    ck_assert_ptr_nonnull(u);
    sh("ip link add vxlan0 type vxlan id 42 remote 10.7.0.1 dev under0");
    sh("ip link add vxlan1 type vxlan id 43 remote 10.0.0.1 dev eth0");
    sh("ip link set vxlan0 up");
    netdev_unregister(u);
    ck_assert_ptr_null(netdev_by_name(f->net, "vxlan0"));
    ck_assert_ptr_nonnull(netdev_by_name(f->net, "vxlan1"));       /* on another underlay */
    sh("ip link add vxlan0 type vxlan id 42");          /* its VNI and port are free again */
    sh("ip link set vxlan0 up");
}
END_TEST

/* What `bridge fdb show` prints for a learned entry, next to static ones (Linux: no
 * "via" for a learned IPv4 VTEP, no state word for a reachable one). */
START_TEST(test_fdb_show_learned)
{
    vx_up("id 42 remote 10.0.0.1 dev eth0");
    struct outer o = OUTER(VNI);
    o.src = VTEP4;
    rx_outer(&o, inner, inner_arp_request(&r_mac, R_IP, VX_IP));
    sh("bridge fdb show dev vxlan0");
    ck_assert_msg(strstr(sh_out, "02:00:00:00:42:01 dst 10.0.0.4 self \n"), "%s", sh_out);
    ck_assert_msg(strstr(sh_out, "00:00:00:00:00:00 dst 10.0.0.1 via eth0 self permanent\n"), "%s", sh_out);
    sh("fdb show");
    ck_assert_msg(strstr(sh_out, "02:00:00:00:42:01 dev vxlan0 dst 10.0.0.4 self \n"), "%s", sh_out);
}
END_TEST

Suite *vxlan_suite(void)
{
    Suite *s = suite_create("vxlan");
    TCase *tc = tcase_create("header");
    tcase_add_test(tc, test_hdr_build_and_parse);
    tcase_add_test(tc, test_hdr_flags_and_reserved_bits);
    suite_add_tcase(s, tc);
    tc = tcase_create("receive");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rcv_arp_and_ping_answered);
    tcase_add_test(tc, test_rcv_inner_partial_checksum);
    tcase_add_test(tc, test_drop_short_vxlan_header);
    tcase_add_test(tc, test_drop_inner_shorter_than_ethernet);
    tcase_add_test(tc, test_drop_inner_ipv4_shorter_than_its_header);
    tcase_add_test(tc, test_drop_invalid_hdr_i_flag_clear);
    tcase_add_test(tc, test_drop_invalid_hdr_reserved_bits);
    tcase_add_test(tc, test_drop_vni_not_found);
    tcase_add_test(tc, test_drop_local_mac);
    tcase_add_test(tc, test_drop_invalid_source_when_learning);
    tcase_add_test(tc, test_drop_entry_exists);
    tcase_add_test(tc, test_ecn_decapsulation);
    tcase_add_test(tc, test_drop_dev_ready);
    suite_add_tcase(s, tc);
    tc = tcase_create("transmit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_xmit_drop_no_remote);
    tcase_add_test(tc, test_xmit_drop_no_route);
    tcase_add_test(tc, test_xmit_drop_runt);
    tcase_add_test(tc, test_replication_three_vteps_by_clones);
    tcase_add_test(tc, test_outer_source_port_per_flow);
    tcase_add_test(tc, test_outer_ecn_encapsulation);
    tcase_add_test(tc, test_mtu_underlay_minus_50);
    suite_add_tcase(s, tc);
    tc = tcase_create("fdb");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_fdb_learning);
    tcase_add_test(tc, test_fdb_migration);
    tcase_add_test(tc, test_fdb_ageing);
    tcase_add_test(tc, test_fdb_ageing_zero_is_default);
    tcase_add_test(tc, test_fdb_replace);
    tcase_add_test(tc, test_fdb_append_del_and_eexist);
    tcase_add_test(tc, test_fdb_bound_maxaddress);
    tcase_add_test(tc, test_fdb_bound_pool_full);
    tcase_add_test(tc, test_fdb_show_learned);
    suite_add_tcase(s, tc);
    tc = tcase_create("devices");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bridge_port_both_ways);
    tcase_add_test(tc, test_two_devices_share_port);
    tcase_add_test(tc, test_vni_collision_refused);
    tcase_add_test(tc, test_netns_delete_with_up_vxlan);
    tcase_add_test(tc, test_netns_delete_socket_namespace);
    tcase_add_test(tc, test_underlay_unregister_deletes_vxlan);
    suite_add_tcase(s, tc);
    return s;
}
