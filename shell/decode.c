/*
 * shell/decode.c — a one-line, tcpdump-style decoder for Ethernet frames (tcpdump's
 * `tcpdump -n [-e] [-v]` output, version 4.99, without the timestamp), and the pcap file
 * decoder the regression diff uses on both the golden and the produced pcap.
 *
 * It follows tcpdump's printers (print-ether.c, print-arp.c, print-ip.c, print-icmp.c,
 * print-udp.c, print-tcp.c, print-igmp.c, print-ip6.c, print-icmp6.c, print-vxlan.c)
 * closely enough that its lines compare equal to `tcpdump -n -S` for the frames a TCP/IP
 * stack exchanges, including its messages for truncated and malformed headers
 * ("IP truncated-ip - 20 bytes missing! ...", " [|icmp]", "bad-hlen 16", ...).
 * Every length is checked before a read: a printer is given the bytes captured (caplen)
 * and the length its headers claim (length), like tcpdump's snapend and length.
 *
 * Where it differs from tcpdump (on purpose, or not worth the code):
 *   - One line per frame: the line breaks of -v output ("\n    ", "\n\t", "\n") are
 *     single spaces; no hex dumps (unknown ethertypes, unknown ARP operations, ND options
 *     tcpdump prints in hex), no trailing blank.
 *   - TCP sequence and acknowledgement numbers are absolute (tcpdump -S): the decoder
 *     keeps no per-connection state, so a frame decodes the same wherever it is.
 *   - Application protocols are not decoded (HTTP, DNS, SSH, DHCP, NTP, ...): TCP ends
 *     at ", length N", UDP at "UDP, length N". VXLAN (4789) and OTV (8472), which carry
 *     Ethernet frames, are decoded, inner frame included, as tcpdump does; a caller may
 *     name more VXLAN ports (frame_decode_opts: the trace reads 8472, Linux's and
 *     flannel's VXLAN port, as VXLAN, which tcpdump does only with -T vxlan).
 *   - IP protocols other than ICMP, IGMP, TCP, UDP, IPv4/IPv6-in-IP print as
 *     " ip-proto-N LEN" (tcpdump decodes GRE, OSPF, ESP, SCTP, ...); ethertypes other
 *     than IPv4, ARP, RARP, IPv6, VLAN tags print the link header (as tcpdump does for
 *     ethertypes it does not know), LLDP its length only; 802.3/LLC frames (STP, SNAP,
 *     IPX) print the LLC header only, with the addresses even without -e. Not decoded
 *     either: ATM and Frame Relay ARP, IGMP DVMRP/PIMv1/mtrace, ICMPv6 renumbering, node
 *     information and mobility messages, MPTCP options, IPv6 jumbograms, SRv6 headers,
 *     ICMP extension objects other than MPLS label stacks.
 *   - tcpdump's odd corners are kept where the fuzz comparison found them: which
 *     truncations stop the whole line and which only end one header (trunc_mark vs
 *     trunc_local), the " [|proto]" name in force, reading IP options as far as captured.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "decode.h"
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4     /* nested decoders: ICMP error -> IP, VXLAN -> Ethernet, IP-in-IP */

struct dctx {
    char       *buf;
    size_t      cap, len;       /* len: what the whole line needs (may exceed cap) */
    size_t      trail;          /* blanks at the end of the line so far */
    bool        v, e;           /* tcpdump -v, -e */
    int         depth;
    const char *proto;          /* for " [|proto]", as tcpdump's ndo_protocol */
    bool        stop;           /* a truncation ended the decode (tcpdump's longjmp) */
    const uint16_t *vxlan_ports;    /* more UDP ports read as VXLAN (struct decode_opts) */
    unsigned    n_vxlan_ports;
};

static void emit(struct dctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct dctx *d, const char *fmt, ...)
{
    if (d->stop) return;
    char piece[1024];               /* every piece of a line is far shorter */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof(piece), fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    size_t k = (size_t)n < sizeof(piece) ? (size_t)n : sizeof(piece) - 1;
    if (d->len < d->cap) {
        size_t room = d->cap - d->len;
        memcpy(d->buf + d->len, piece, k < room ? k : room);
    }
    d->len += k;
    size_t blanks = 0;
    while (blanks < k && piece[k - 1 - blanks] == ' ') blanks++;
    d->trail = blanks == k ? d->trail + k : blanks;
}

/* tcpdump's nd_print_trunc, " [|proto]". Most of tcpdump's truncation checks longjmp out
 * of every printer, so nothing is printed after it: trunc_mark stops the decode. The few
 * that print and return to their caller use trunc_local. */
static void trunc_local(struct dctx *d) { emit(d, " [|%s]", d->proto); }
static void trunc_mark(struct dctx *d) { trunc_local(d); d->stop = true; }
/* A line break in tcpdump's output: one space here. */
static void brk(struct dctx *d) { emit(d, " "); }

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *ip4s(const uint8_t *p, char b[16])
{
    snprintf(b, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    return b;
}
static const char *macs(const uint8_t *p, char b[18])
{
    snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
    return b;
}
static const char *ip6s(const uint8_t *p, char b[INET6_ADDRSTRLEN])
{
    if (!inet_ntop(AF_INET6, p, b, INET6_ADDRSTRLEN)) snprintf(b, INET6_ADDRSTRLEN, "?");
    return b;
}

struct tok { unsigned v; const char *s; };
static const char *tok(const struct tok *t, unsigned v, const char *dflt)
{
    for (; t->s; t++) if (t->v == v) return t->s;
    return dflt;
}

/* ---- Internet checksum (RFC 1071), big-endian words ---- */
static uint64_t cks_add(uint64_t acc, const uint8_t *p, size_t n)
{
    for (; n >= 2; p += 2, n -= 2) acc += be16(p);
    if (n) acc += (uint64_t)p[0] << 8;
    return acc;
}
static uint16_t cks_fold(uint64_t acc)
{
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}
/* tcpdump's in_cksum_shouldbe: the value the checksum field should have held */
static uint16_t cks_shouldbe(uint16_t stored, uint16_t computed)
{
    uint32_t s = (uint32_t)stored + computed;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* An IP header the transport printers refer to (tcpdump's bp2). */
struct iphdr_ref {
    int            ver;         /* 4 or 6 */
    const uint8_t *h;           /* the header; 20 (v4) or 40 (v6) bytes are present */
    unsigned       hlen;        /* v4: IHL * 4 (the options may be cut off) */
    unsigned       hcap;        /* bytes of the header captured (v4 options) */
};

static const struct tok ethertypes[] = {
    { 0x0800, "IPv4" }, { 0x8847, "MPLS unicast" }, { 0x8848, "MPLS multicast" },
    { 0x86dd, "IPv6" }, { 0x8100, "802.1Q" }, { 0x9100, "802.1Q-9100" },
    { 0x88a8, "802.1Q-QinQ" }, { 0x9200, "802.1Q-9200" }, { 0x88e5, "802.1AE MACsec" },
    { 0x0200, "PUP" }, { 0x0806, "ARP" }, { 0x8035, "Reverse ARP" }, { 0x0600, "NS" },
    { 0x0500, "Sprite" }, { 0x1000, "Trail" }, { 0x6001, "MOP DL" }, { 0x6002, "MOP RC" },
    { 0x6003, "DN" }, { 0x6004, "LAT" }, { 0x6007, "SCA" }, { 0x6558, "TEB" },
    { 0x8038, "Lanbridge" }, { 0x803c, "DEC DNS" }, { 0x803e, "DEC DTS" },
    { 0x805b, "VEXP" }, { 0x805c, "VPROD" }, { 0x809b, "Appletalk" },
    { 0x80f3, "Appletalk ARP" }, { 0x8137, "IPX" }, { 0x880b, "PPP" }, { 0x8808, "MPCP" },
    { 0x8809, "Slow Protocols" }, { 0x8863, "PPPoE D" }, { 0x8864, "PPPoE S" },
    { 0x888e, "EAPOL" }, { 0x8899, "Realtek protocols" }, { 0x886f, "MS NLB heartbeat" },
    { 0x8870, "Jumbo" }, { 0x894f, "NSH" }, { 0x9000, "Loopback" }, { 0xfefe, "OSI" },
    { 0x00fe, "GRE-OSI" }, { 0xabcd, "CFM (old)" }, { 0x8902, "CFM" },
    { 0x893a, "IEEE1905.1" }, { 0x88cc, "LLDP" }, { 0x88ca, "TIPC" },
    { 0x0707, "GeoNet (old)" }, { 0x8947, "GeoNet" }, { 0x1111, "CALM FAST" },
    { 0x88a2, "AoE" }, { 0x88f7, "PTP" }, { 0xd28b, "Arista Vendor Specific Protocol" },
    { 0, NULL }
};

static const struct tok ipprotos[] = {
    { 0, "Options" }, { 1, "ICMP" }, { 2, "IGMP" }, { 4, "IPIP" }, { 6, "TCP" },
    { 8, "EGP" }, { 9, "IGRP" }, { 17, "UDP" }, { 33, "DCCP" }, { 41, "IPv6" },
    { 43, "Routing" }, { 44, "Fragment" }, { 46, "RSVP" }, { 47, "GRE" }, { 50, "ESP" },
    { 51, "AH" }, { 55, "Mobile IP" }, { 58, "ICMPv6" }, { 88, "EIGRP" }, { 89, "OSPF" },
    { 103, "PIM" }, { 108, "Compressed IP" }, { 112, "VRRP" }, { 113, "PGM" }, { 132, "SCTP" },
    { 62, "Mobile IP (old)" }, { 135, "Mobility" }, { 143, "Ethernet" }, { 0, NULL }
};

static void ether_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen);
static void ip_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen);
static void ip6_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen);
static void icmp6_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen,
                        const struct iphdr_ref *ip, bool fragmented);

/* ====================================================================== ARP (RFC 826) */

static const char *linkaddr(const uint8_t *p, unsigned n, char *b, size_t bl)
{
    if (n == 0) { snprintf(b, bl, "<empty>"); return b; }
    if (n == 6) return macs(p, b);
    size_t o = 0;
    for (unsigned i = 0; i < n && o + 4 < bl; i++)
        o += (size_t)snprintf(b + o, bl - o, "%s%02x", i ? ":" : "", p[i]);
    return b;
}

static void arp_paddr(struct dctx *d, const uint8_t *a, unsigned pro, unsigned pln)
{
    char b[16];
    if (pro != 0x0800 && pro != 0x1000) emit(d, "<wrong proto type>");
    else if (pln != 4) emit(d, "<wrong len>");
    else emit(d, "%s", ip4s(a, b));
}

static void arp_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen)
{
    static const struct tok hrds[] = {
        { 1, "Ethernet" }, { 6, "TokenRing" }, { 7, "ArcNet" }, { 15, "FrameRelay" },
        { 23, "Strip" }, { 24, "IEEE 1394" }, { 19, "ATM (RFC 2225)" }, { 0, NULL } };
    static const struct tok ops[] = {
        { 1, "Request" }, { 2, "Reply" }, { 3, "Reverse Request" }, { 4, "Reverse Reply" },
        { 8, "Inverse Request" }, { 9, "Inverse Reply" }, { 10, "NACK Reply" }, { 0, NULL } };
    d->proto = "arp";
    if (caplen < 8) { trunc_mark(d); return; }
    unsigned hrd = be16(p), pro = be16(p + 2), hln = p[4], pln = p[5], op = be16(p + 6);
    const uint8_t *sha = p + 8, *spa = sha + hln, *tha = spa + pln, *tpa = tha + hln;
    if (caplen < 8 + 2 * hln + 2 * pln) { trunc_mark(d); return; }
    if (!d->e) emit(d, "ARP, ");
    if ((pro != 0x0800 && pro != 0x1000) || pln != 4 || hln == 0 || d->v) {
        char hb[32], pb[40];
        snprintf(hb, sizeof(hb), "Unknown Hardware (%u)", hrd);
        snprintf(pb, sizeof(pb), "Unknown Protocol (0x%04x)", pro);
        emit(d, "%s (len %u), %s (len %u)", tok(hrds, hrd, hb), hln, tok(ethertypes, pro, pb), pln);
        if (!d->v) goto out;
    }
    char ob[24], l1[800], l2[800];
    snprintf(ob, sizeof(ob), "Unknown (%u)", op);
    emit(d, "%s%s ", d->v ? ", " : "", tok(ops, op, ob));
    switch (op) {
    case 1: {
        emit(d, "who-has ");
        arp_paddr(d, tpa, pro, pln);
        bool nz = false;
        for (unsigned i = 0; i < hln; i++) nz |= tha[i] != 0;
        if (nz) emit(d, " (%s)", linkaddr(tha, hln, l1, sizeof(l1)));
        emit(d, " tell ");
        arp_paddr(d, spa, pro, pln);
        break;
    }
    case 2:
        arp_paddr(d, spa, pro, pln);
        emit(d, " is-at %s", linkaddr(sha, hln, l1, sizeof(l1)));
        break;
    case 3:
    case 8:
        emit(d, "who-is %s tell %s", linkaddr(tha, hln, l1, sizeof(l1)), linkaddr(sha, hln, l2, sizeof(l2)));
        break;
    case 4:
        emit(d, "%s at ", linkaddr(tha, hln, l1, sizeof(l1)));
        arp_paddr(d, tpa, pro, pln);
        break;
    case 9:
        emit(d, "%s at ", linkaddr(sha, hln, l1, sizeof(l1)));
        arp_paddr(d, spa, pro, pln);
        break;
    default:
        return;         /* tcpdump: a hex dump of the packet */
    }
out:
    emit(d, ", length %u", length);
}

/* ===================================================================== transport helpers */

static void addrs_print(struct dctx *d, const struct iphdr_ref *ip, const char *sep)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    if (ip->ver == 4) emit(d, "%s > %s%s", ip4s(ip->h + 12, a), ip4s(ip->h + 16, b), sep);
    else emit(d, "%s > %s%s", ip6s(ip->h + 8, a), ip6s(ip->h + 24, b), sep);
}

/* "src.sport > dst.dport: " when the transport header follows the IP header directly,
 * else tcpdump prints "sport > dport: " (IPv6 extension headers). */
static void ports_print(struct dctx *d, const struct iphdr_ref *ip, unsigned proto, unsigned sp, unsigned dp)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    unsigned nh = ip->ver == 4 ? ip->h[9] : ip->h[6];
    if (nh != proto) { emit(d, "%u > %u: ", sp, dp); return; }
    if (ip->ver == 4) emit(d, "%s.%u > %s.%u: ", ip4s(ip->h + 12, a), sp, ip4s(ip->h + 16, b), dp);
    else emit(d, "%s.%u > %s.%u: ", ip6s(ip->h + 8, a), sp, ip6s(ip->h + 24, b), dp);
}

/* The pseudo-header sum (RFC 768, RFC 793, RFC 8200 §8.1). For IPv4 with a source route,
 * the final destination, as tcpdump's ip_finddst. */
static uint64_t pseudo_sum(const struct iphdr_ref *ip, unsigned proto, unsigned len)
{
    uint64_t acc = 0;
    if (ip->ver == 6) {
        acc = cks_add(acc, ip->h + 8, 32);
        return acc + (len >> 16) + (len & 0xffff) + proto;
    }
    const uint8_t *dst = ip->h + 16;
    const uint8_t *o = ip->h + 20;
    unsigned olen = ip->hcap > 20 ? ip->hcap - 20 : 0;
    for (unsigned i = 0; i < olen; ) {
        unsigned t = o[i], l;
        if (t == 0) break;
        if (t == 1) { i++; continue; }
        if (i + 1 >= olen) break;
        l = o[i + 1];
        if (l < 2 || i + l > olen) break;
        if ((t == 0x89 || t == 0x83) && l >= 7) { dst = o + i + l - 4; break; }
        i += l;
    }
    acc = cks_add(acc, ip->h + 12, 4);
    acc = cks_add(acc, dst, 4);
    return acc + proto + len;
}

/* ======================================================================= ICMP (RFC 792) */

static void icmp_print(struct dctx *d, const uint8_t *p, unsigned plen, unsigned caplen,
                       const struct iphdr_ref *ip, bool fragmented)
{
    static const struct tok types[] = {
        { 0, "echo reply" }, { 4, "source quench" }, { 8, "echo request" },
        { 10, "router solicitation" }, { 13, "time stamp request" }, { 14, "time stamp reply" },
        { 15, "information request" }, { 16, "information reply" },
        { 17, "address mask request" }, { 0, NULL } };
    static const struct tok unreach[] = {
        { 0, "net %s unreachable" }, { 1, "host %s unreachable" },
        { 5, "%s unreachable - source route failed" }, { 6, "net %s unreachable - unknown" },
        { 7, "host %s unreachable - unknown" }, { 8, "%s unreachable - source host isolated" },
        { 9, "net %s unreachable - admin prohibited" },
        { 10, "host %s unreachable - admin prohibited" },
        { 11, "net %s unreachable - tos prohibited" },
        { 12, "host %s unreachable - tos prohibited" },
        { 13, "host %s unreachable - admin prohibited filter" },
        { 14, "host %s unreachable - host precedence violation" },
        { 15, "host %s unreachable - precedence cutoff" }, { 0, NULL } };
    static const struct tok redirs[] = {
        { 0, "redirect %s to net %s" }, { 1, "redirect %s to host %s" },
        { 2, "redirect-tos %s to net %s" }, { 3, "redirect-tos %s to host %s" }, { 0, NULL } };
    char buf[512], a[16], b[16];
    const char *str = buf;
    d->proto = "icmp";
    if (caplen < 2) { trunc_mark(d); return; }
    unsigned type = p[0], code = p[1];
#define NEED(n) do { if (caplen < (n)) { trunc_mark(d); return; } } while (0)
    switch (type) {
    case 0:
    case 8:
        NEED(8);
        snprintf(buf, sizeof(buf), "echo %s, id %u, seq %u", type == 8 ? "request" : "reply",
                 be16(p + 4), be16(p + 6));
        break;
    case 3:
        NEED(28);
        ip4s(p + 24, a);
        switch (code) {
        case 2:
            snprintf(buf, sizeof(buf), "%s protocol %u unreachable", a, p[17]);
            break;
        case 3: {
            unsigned hl = (p[8] & 15) * 4;
            NEED(8 + hl + 4);
            unsigned dport = be16(p + 8 + hl + 2);
            if (p[17] == 6) snprintf(buf, sizeof(buf), "%s tcp port %u unreachable", a, dport);
            else if (p[17] == 17) snprintf(buf, sizeof(buf), "%s udp port %u unreachable", a, dport);
            else snprintf(buf, sizeof(buf), "%s protocol %u port %u unreachable", a, p[17], dport);
            break;
        }
        case 4: {
            unsigned mtu = be16(p + 6);
            if (mtu) snprintf(buf, sizeof(buf), "%s unreachable - need to frag (mtu %u)", a, mtu);
            else snprintf(buf, sizeof(buf), "%s unreachable - need to frag", a);
            break;
        }
        default: {
            const char *f = tok(unreach, code, NULL);
            if (f) snprintf(buf, sizeof(buf), f, a);
            else snprintf(buf, sizeof(buf), "%s unreachable - #%u", a, code);
        }
        }
        break;
    case 5: {
        NEED(28);
        const char *f = tok(redirs, code, NULL);
        if (f) snprintf(buf, sizeof(buf), f, ip4s(p + 24, a), ip4s(p + 4, b));
        else snprintf(buf, sizeof(buf), "redirect-#%u %s to %s", code, ip4s(p + 24, a), ip4s(p + 4, b));
        break;
    }
    case 9: {
        NEED(8);
        unsigned num = p[4], size = p[5], life = be16(p + 6);
        size_t o = (size_t)snprintf(buf, sizeof(buf), "router advertisement lifetime ");
        if (life < 60) o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%u", life);
        else if (life < 3600) o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%u:%02u", life / 60, life % 60);
        else o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%u:%02u:%02u", life / 3600, (life % 3600) / 60, life % 60);
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %u:", num);
        if (size != 2) { snprintf(buf + o, sizeof(buf) - o, " [size %u]", size); break; }
        for (unsigned i = 0; i < num; i++) {
            if (caplen < 8 + 8 * (i + 1)) {
                /* tcpdump prints nothing of the line before a truncated entry */
                trunc_mark(d);
                return;
            }
            if (o < sizeof(buf) - 40)
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, " {%s %u}", ip4s(p + 8 + 8 * i, a),
                                      be32(p + 12 + 8 * i));
        }
        break;
    }
    case 11:
        NEED(28);
        if (code == 0) str = "time exceeded in-transit";
        else if (code == 1) str = "ip reassembly time exceeded";
        else snprintf(buf, sizeof(buf), "time exceeded-#%u", code);
        break;
    case 12:
        if (code) snprintf(buf, sizeof(buf), "parameter problem - code %u", code);
        else { NEED(5); snprintf(buf, sizeof(buf), "parameter problem - octet %u", p[4]); }
        break;
    case 18:
        NEED(12);
        snprintf(buf, sizeof(buf), "address mask is 0x%08x", be32(p + 8));
        break;
    case 13:
        NEED(8);
        snprintf(buf, sizeof(buf), "time stamp query id %u seq %u", be16(p + 4), be16(p + 6));
        break;
    case 14: {
        NEED(20);
        size_t o = (size_t)snprintf(buf, sizeof(buf), "time stamp reply id %u seq %u: ", be16(p + 4), be16(p + 6));
        static const char *names[] = { "org", "recv", "xmit" };
        for (int i = 0; i < 3; i++) {
            unsigned t = be32(p + 8 + 4 * i), ms = t % 1000, s = t / 1000, m = s / 60, h = m / 60;
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s %02u:%02u:%02u.%03u", i ? ", " : "",
                                  names[i], h, m % 60, s % 60, ms);
        }
        break;
    }
    default: {
        const char *s = tok(types, type, NULL);
        if (s) str = s;
        else snprintf(buf, sizeof(buf), "type-#%u", type);
    }
    }
#undef NEED
    emit(d, "ICMP %s, length %u", str, plen);
    if (d->v && !fragmented && caplen >= plen) {
        uint16_t sum = cks_fold(cks_add(0, p, plen));
        if (sum) {
            uint16_t stored = caplen >= 4 ? be16(p + 2) : 0;
            emit(d, " (wrong icmp cksum %x (->%x)!)", stored, cks_shouldbe(stored, sum));
        }
    }
    bool errtype = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    if (d->v && errtype) {
        brk(d);
        if (caplen < 12) { trunc_mark(d); return; }
        unsigned ilen = be16(p + 10);
        unsigned icap = caplen - 8 < ilen ? caplen - 8 : ilen;
        if (icap < 4) { trunc_mark(d); return; }     /* tcpdump re-reads ip_len past its new end */
        if (d->depth < MAX_DEPTH) {
            d->depth++;
            ip_print(d, p + 8, ilen, icap);
            d->depth--;
        }
    }
    /* ICMP extensions (RFC 4884/4950): tcpdump looks for them in errors longer than 136
     * bytes; when the length field is 0 it checks the extension's checksum quietly. */
    d->proto = "icmp";
    if (d->v && plen > 136 && (type == 3 || type == 11 || type == 12)) {
        if (caplen < 141) { trunc_mark(d); return; }
        unsigned hl = plen - 136;
        if (p[5] == 0 && caplen >= plen && cks_fold(cks_add(0, p + 136, hl)) != 0) return;
        brk(d);
        emit(d, "ICMP Multi-Part extension v%u", p[136] >> 4);
        if (p[136] >> 4 != 2) { emit(d, " packet not supported"); return; }
        if (caplen >= plen)
            emit(d, ", checksum 0x%04x (%scorrect), length %u", be16(p + 138),
                 cks_fold(cks_add(0, p + 136, hl)) ? "in" : "", hl);
        hl -= 4;
        unsigned o = 140;
        while (hl > 4) {
            if (caplen < o + 4) { trunc_mark(d); return; }
            unsigned tlen = be16(p + o), cls = p[o + 2], ctype = p[o + 3];
            o += 4;
            brk(d);
            emit(d, "  %s Object (%u), Class-Type: %u, length %u",
                 cls == 1 ? "MPLS Stack Entry" : cls == 2 ? "Extended Payload" : "unknown", cls, ctype, tlen);
            hl -= 4;
            if (cls == 0 || tlen < 4) return;
            tlen -= 4;
            if (cls == 1 && ctype == 1) {
                if (caplen < o + 4) { trunc_mark(d); return; }
                uint32_t l = be32(p + o);
                brk(d);
                emit(d, "    label %u, tc %u", l >> 12, (l >> 9) & 7);
                if (l & 0x100) emit(d, ", [S]");
                emit(d, ", ttl %u", l & 0xff);
            }                               /* else tcpdump: a hex dump */
            if (hl < tlen) break;
            hl -= tlen;
            o += tlen;
        }
    }
}

/* ====================================================================== IGMP (RFC 3376) */

static void igmp_print(struct dctx *d, const uint8_t *p, unsigned len, unsigned caplen)
{
    static const struct tok v3types[] = {
        { 1, "is_in" }, { 2, "is_ex" }, { 3, "to_in" }, { 4, "to_ex" }, { 5, "allow" },
        { 6, "block" }, { 0, NULL } };
    char a[16];
    d->proto = "igmp";
#define NEED(n) do { if (caplen < (n)) { trunc_mark(d); return; } } while (0)
    NEED(1);
    switch (p[0]) {
    case 0x11:
        emit(d, "igmp query");
        if (len >= 12) {
            emit(d, " v3");
            if (len % 4) { emit(d, " [invalid len %u]", len); break; }
            NEED(2);
            unsigned mrc = p[1], mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
            if (mrc != 100) {
                emit(d, " [max resp time ");
                if (mrt < 600) emit(d, "%.1fs", mrt * 0.1);
                else {
                    static const char *u[] = { "y", "w", "d", "h", "m", "s" };
                    static const unsigned s[] = { 31536000, 604800, 86400, 3600, 60, 1 };
                    unsigned t = mrt / 10;
                    for (int i = 0; i < 6 && t; i++)
                        if (t >= s[i]) { emit(d, "%u%s", t / s[i], u[i]); t %= s[i]; }
                }
                emit(d, "]");
            }
            NEED(8);
            if (be32(p + 4) == 0) break;
            emit(d, " [gaddr %s", ip4s(p + 4, a));
            NEED(12);
            unsigned nsrcs = be16(p + 10);
            if (nsrcs > 0) {
                if (len < 12 + (nsrcs << 2)) emit(d, " [invalid number of sources]");
                else emit(d, ", %u source(s)", nsrcs);
            }
            emit(d, "]");
        } else {
            NEED(2);
            unsigned mrt = p[1];
            if (mrt != 0) {
                emit(d, " v2");
                if (mrt != 100) emit(d, " [max resp time %u]", mrt);
            } else {
                emit(d, " v1");
            }
            NEED(8);
            if (be32(p + 4)) emit(d, " [gaddr %s]", ip4s(p + 4, a));
            if (len != 8) emit(d, " [len %u]", len);
        }
        break;
    case 0x12:
    case 0x16:
    case 0x17:
        NEED(8);
        emit(d, p[0] == 0x17 ? "igmp leave %s" : p[0] == 0x12 ? "igmp v1 report %s" : "igmp v2 report %s",
             ip4s(p + 4, a));
        if (p[0] == 0x12 && len != 8) emit(d, " [len %u]", len);
        break;
    case 0x13:
        emit(d, "igmp dvmrp");
        NEED(2);
        if (p[1] < 1 || p[1] > 9) emit(d, " [type %u]", p[1]);
        break;                  /* the DVMRP messages themselves are not decoded */
    case 0x22: {
        emit(d, "igmp v3 report");
        if (len < 8 || len % 4) { emit(d, " [invalid len %u]", len); break; }
        NEED(8);
        unsigned ngroups = be16(p + 6);
        emit(d, ", %u group record(s)", ngroups);
        if (!d->v) break;
        unsigned g = 8;
        for (unsigned i = 0; i < ngroups; i++) {
            if (len < g + 8) { emit(d, " [invalid number of groups]"); break; }
            NEED(g + 8);
            emit(d, " [gaddr %s", ip4s(p + g + 4, a));
            char ub[32];
            snprintf(ub, sizeof(ub), " [v3-report-#%u]", p[g]);
            emit(d, " %s", tok(v3types, p[g], ub));
            unsigned nsrcs = be16(p + g + 2);
            if (len < g + 8 + (nsrcs << 2)) { emit(d, " [invalid number of sources %u]", nsrcs); break; }
            emit(d, ", %u source(s)", nsrcs);
            g += 8 + (nsrcs << 2);
            emit(d, "]");
        }
        break;
    }
    default:
        emit(d, "igmp-%u", p[0]);
        break;
    }
#undef NEED
    if (d->v && len >= 4 && caplen >= len && cks_fold(cks_add(0, p, len)))
        emit(d, " bad igmp cksum %x!", be16(p + 2));
}

/* ======================================================================= UDP (RFC 768) */

static void vxlan_print(struct dctx *d, const uint8_t *p, unsigned len, unsigned caplen, bool otv)
{
    d->proto = otv ? "otv" : "vxlan";
    if (otv) {
        emit(d, "OTV, ");
        if (len < 8) { emit(d, "[length %u < 8] (invalid)", len); return; }
        if (caplen < 1) { trunc_mark(d); return; }
        emit(d, "flags [%s] (0x%02x), ", p[0] & 0x08 ? "I" : ".", p[0]);
        if (caplen < 4) { trunc_mark(d); return; }
        emit(d, "overlay %u, ", be24(p + 1));
        if (caplen < 7) { trunc_mark(d); return; }
        emit(d, "instance %u", be24(p + 4));
    } else {
        emit(d, "VXLAN");
        if (len < 8) { emit(d, " (invalid)"); return; }
        if (caplen < 1) { trunc_mark(d); return; }
        emit(d, ", flags [%s] (0x%02x), ", p[0] & 0x08 ? "I" : "invalid", p[0]);
        if (caplen < 7) { trunc_mark(d); return; }
        emit(d, "vni %u", be24(p + 4));
    }
    brk(d);
    if (caplen < 8) { trunc_mark(d); return; }
    if (d->depth < MAX_DEPTH) {
        d->depth++;
        d->proto = "ether";
        ether_print(d, p + 8, len - 8, caplen - 8);
        d->depth--;
    }
}

/* A port the caller says carries VXLAN (as tcpdump -T vxlan does for every port). */
static bool vxlan_port(const struct dctx *d, unsigned port)
{
    for (unsigned i = 0; i < d->n_vxlan_ports; i++)
        if (d->vxlan_ports[i] == port) return true;
    return false;
}

static void udp_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen,
                      const struct iphdr_ref *ip, bool fragmented)
{
    d->proto = "udp";
    if (caplen < 4) {
        unsigned nh = ip->ver == 4 ? ip->h[9] : ip->h[6];
        if (nh == 17) addrs_print(d, ip, ": ");
        trunc_local(d);
        return;
    }
    unsigned sport = be16(p), dport = be16(p + 2);
    if (length < 8) { ports_print(d, ip, 17, sport, dport); emit(d, "truncated-udp %u", length); return; }
    if (caplen < 6) { ports_print(d, ip, 17, sport, dport); trunc_local(d); return; }
    unsigned ulen = be16(p + 4);
    if (ulen == 0 && length > 65535) ulen = length;
    if (ulen < 8) { ports_print(d, ip, 17, sport, dport); emit(d, "truncated-udplength %u", ulen); return; }
    ulen -= 8;
    length -= 8;
    if (ulen < length) length = ulen;
    if (caplen < 8) { ports_print(d, ip, 17, sport, dport); trunc_local(d); return; }
    ports_print(d, ip, 17, sport, dport);
    if (d->v && !fragmented && ip->ver == 6 && caplen - 8 >= length) {
        uint64_t acc = pseudo_sum(ip, 17, length + 8);
        uint16_t sum = cks_fold(cks_add(acc, p, length + 8));
        if (sum) emit(d, "[bad udp cksum 0x%04x -> 0x%04x!] ", be16(p + 6), cks_shouldbe(be16(p + 6), sum));
        else emit(d, "[udp sum ok] ");
    }
    if (sport == 4789 || dport == 4789 || vxlan_port(d, sport) || vxlan_port(d, dport)) {
        vxlan_print(d, p + 8, length, caplen - 8, false);
        return;
    }
    if (sport == 8472 || dport == 8472) { vxlan_print(d, p + 8, length, caplen - 8, true); return; }
    if (ulen > length && !fragmented) emit(d, "UDP, bad length %u > %u", ulen, length);
    else emit(d, "UDP, length %u", ulen);
}

/* ======================================================================= TCP (RFC 9293) */

static void tcp_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen,
                      const struct iphdr_ref *ip, bool fragmented)
{
    static const struct tok opts[] = {
        { 0, "eol" }, { 1, "nop" }, { 2, "mss" }, { 3, "wscale" }, { 4, "sackOK" },
        { 5, "sack" }, { 6, "echo" }, { 7, "echoreply" }, { 8, "TS" }, { 11, "cc" },
        { 12, "ccnew" }, { 13, "" }, { 19, "md5" }, { 20, "scps" }, { 28, "uto" },
        { 29, "tcp-ao" }, { 30, "mptcp" }, { 34, "tfo" }, { 254, "exp" }, { 0, NULL } };
    static const char flagc[] = "FSRP.UEW";
    d->proto = "tcp";
    if (caplen < 4) { addrs_print(d, ip, ":"); trunc_local(d); return; }
    unsigned sport = be16(p), dport = be16(p + 2);
    ports_print(d, ip, 6, sport, dport);
    if (caplen < 20) { trunc_local(d); return; }
    unsigned hlen = (p[12] >> 4) * 4;
    if (hlen < 20) {
        emit(d, " tcp %u [bad hdr length %u - too short, < 20]", length - hlen, hlen);
        return;
    }
    uint32_t seq = be32(p + 4), ack = be32(p + 8);
    unsigned win = be16(p + 14), urp = be16(p + 18), flags = p[13];
    char fs[9];
    int nf = 0;
    for (int i = 0; i < 8; i++) if (flags & (1u << i)) fs[nf++] = flagc[i];
    fs[nf] = 0;
    emit(d, "Flags [%s]", nf ? fs : "none");
    if (hlen > length) { emit(d, " [bad hdr length %u - too long, > %u]", hlen, length); return; }
    if (d->v && !fragmented && caplen >= length) {
        uint16_t sum = cks_fold(cks_add(pseudo_sum(ip, 6, length), p, length));
        emit(d, ", cksum 0x%04x", be16(p + 16));
        if (sum) emit(d, " (incorrect -> 0x%04x)", cks_shouldbe(be16(p + 16), sum));
        else emit(d, " (correct)");
    }
    length -= hlen;
    if (length > 0 || (flags & 0x07)) {
        emit(d, ", seq %u", seq);
        if (length > 0) emit(d, ":%u", (uint32_t)(seq + length));
    }
    if (flags & 0x10) emit(d, ", ack %u", ack);
    emit(d, ", win %u", win);
    if (flags & 0x20) emit(d, ", urg %u", urp);
    if (hlen > 20) {
        unsigned left = hlen - 20, off = 20;   /* option bytes left; offset in p */
        char ch = 0;
        emit(d, ", options [");
#define TCHK(o) do { if (caplen < (o)) { trunc_mark(d); return; } } while (0)
#define LENCHECK(l) do { if ((l) > left) goto bad; \
                            if (caplen < off + (l)) { trunc_local(d); if (ch) emit(d, ">"); return; } } while (0)
        while (left > 0) {
            if (ch) emit(d, "%c", ch);
            TCHK(off + 1);
            unsigned opt = p[off++], len, datalen = 0;
            if (opt == 0 || opt == 1) len = 1;
            else {
                TCHK(off + 1);
                len = p[off++];
                if (len < 2 || len > left) goto bad;
                --left;
            }
            --left;
            char ub[16];
            snprintf(ub, sizeof(ub), "unknown-%u", opt);
            emit(d, "%s", tok(opts, opt, ub));
            switch (opt) {
            case 2:
                datalen = 2; LENCHECK(datalen);
                emit(d, " %u", be16(p + off));
                break;
            case 3:
                datalen = 1; LENCHECK(datalen);
                emit(d, " %u", p[off]);
                break;
            case 5:
                datalen = len - 2;
                if (datalen % 8 != 0) emit(d, " invalid sack");
                else {
                    emit(d, " %u ", datalen / 8);
                    for (unsigned i = 0; i < datalen; i += 8) {
                        LENCHECK(i + 4);
                        uint32_t s = be32(p + off + i);
                        LENCHECK(i + 8);
                        emit(d, "{%u:%u}", s, be32(p + off + i + 4));
                    }
                }
                break;
            case 6: case 7: case 11: case 12: case 13:
                datalen = 4; LENCHECK(datalen);
                emit(d, " %u", be32(p + off));
                break;
            case 8:
                datalen = 8; LENCHECK(datalen);
                emit(d, " val %u ecr %u", be32(p + off), be32(p + off + 4));
                break;
            case 19:
                datalen = 16; LENCHECK(datalen);
                emit(d, " ");
                if (hlen + length > caplen) emit(d, "snaplen too short, ");   /* no -M secret */
                else emit(d, "shared secret not supplied with -M, ");
                emit(d, "can't check - ");
                for (unsigned i = 0; i < 16; i++) emit(d, "%02x", p[off + i]);
                break;
            case 20:
                datalen = 2; LENCHECK(datalen);
                emit(d, " cap %02x id %u", p[off], p[off + 1]);
                break;
            case 29:
                datalen = len - 2;
                if (datalen < 2) emit(d, " (invalid)");
                else {
                    LENCHECK(1); emit(d, " keyid %u", p[off]);
                    LENCHECK(2); emit(d, " rnextkeyid %u", p[off + 1]);
                    if (datalen > 2) {
                        emit(d, " mac 0x");
                        for (unsigned i = 2; i < datalen; i++) { LENCHECK(i + 1); emit(d, "%02x", p[off + i]); }
                    }
                }
                break;
            case 0: case 1: case 4:
                break;
            case 28: {
                datalen = 2; LENCHECK(datalen);
                unsigned uto = be16(p + off);
                emit(d, " 0x%x", uto);
                emit(d, " %u", uto & 1 ? (uto >> 1) * 60 : uto >> 1);
                break;
            }
            case 30:
                datalen = len - 2; LENCHECK(datalen);
                if (len < 3) goto bad;         /* tcpdump's MPTCP printer: no subtype */
                break;                          /* not decoded */
            case 34:
            case 254: {
                datalen = len - 2; LENCHECK(datalen);
                const uint8_t *c = p + off;
                unsigned dl = datalen;
                if (opt == 254) {
                    if (datalen < 2) goto bad;
                    unsigned magic = be16(c);
                    emit(d, "-");
                    if (magic != 0xf989) { emit(d, "%04x", magic); break; }
                    emit(d, "tfo");
                    c += 2; dl -= 2;
                } else emit(d, " ");
                if (dl == 0) emit(d, " cookiereq");
                else if (dl % 2 != 0 || dl < 4 || dl > 16) emit(d, " (invalid)");
                else { emit(d, " cookie "); for (unsigned i = 0; i < dl; i++) emit(d, "%02x", c[i]); }
                break;
            }
            default:
                datalen = len - 2;
                if (datalen) emit(d, " 0x");
                for (unsigned i = 0; i < datalen; ++i) { LENCHECK(i + 1); emit(d, "%02x", p[off + i]); }
                break;
            }
            off += datalen;
            left -= datalen;
            ++datalen;
            if (!(opt == 0 || opt == 1)) ++datalen;
            if (datalen != len) emit(d, "[len %u]", len);
            ch = ',';
            if (opt == 0) break;
        }
        emit(d, "]");
        goto opts_done;
bad:
        emit(d, "[bad opt]");
        if (ch) emit(d, "]");
        return;
#undef LENCHECK
#undef TCHK
    }
opts_done:
    emit(d, ", length %u", length);
    if (length == 0) return;
    if (caplen < hlen) {
        emit(d, " [remaining caplen(%u) < header length(%u)]", caplen, hlen);
        trunc_mark(d);
        return;
    }
    if ((flags & 0x04) && d->v) {
        const uint8_t *s = p + hlen;
        unsigned avail = caplen - hlen, n = length;
        emit(d, avail >= length ? " [RST" : " [!RST");
        if (n > 30) { n = 30; emit(d, "+"); }
        emit(d, " ");
        for (unsigned i = 0; i < n && i < avail; i++) {
            uint8_t c = s[i];
            if (c >= 0x80) { c &= 0x7f; emit(d, "M-"); }
            if (c < 0x20 || c > 0x7e) { c ^= 0x40; emit(d, "^"); }
            emit(d, "%c", c);
        }
        emit(d, "]");
    }
}

/* ===================================================================== IPv4 (RFC 791) */

/* tcpdump's ip_optprint; -1 when the options are cut off. */
static int ip_optprint(struct dctx *d, const uint8_t *cp, unsigned length, unsigned cap)
{
    static const struct tok names[] = {
        { 0, "EOL" }, { 1, "NOP" }, { 68, "timestamp" }, { 130, "security" }, { 7, "RR" },
        { 137, "SSRR" }, { 131, "LSRR" }, { 148, "RA" }, { 82, "traceroute" }, { 0, NULL } };
    const char *sep = "";
    char a[16];
    unsigned olen;
    for (unsigned i = 0; length > 0; i += olen, length -= olen) {
        emit(d, "%s", sep);
        sep = ",";
        if (cap < i + 1) { trunc_mark(d); return -1; }
        unsigned code = cp[i];
        char ub[16];
        snprintf(ub, sizeof(ub), "unknown %u", code);
        emit(d, "%s", tok(names, code, ub));
        if (code == 0 || code == 1) olen = 1;
        else {
            if (cap < i + 2) { trunc_mark(d); return -1; }
            olen = cp[i + 1];
            if (olen < 2) { emit(d, " [bad length %u]", olen); return 0; }
        }
        if (olen > length) { emit(d, " [bad length %u]", olen); return 0; }
        if (cap < i + olen) return -1;
        const uint8_t *o = cp + i;
        switch (code) {
        case 0:
            return 0;
        case 68: {                                  /* RFC 791 timestamp */
            if (olen < 4) { emit(d, "[bad length %u]", olen); break; }
            emit(d, " TS{");
            unsigned hop = (o[3] & 0xf) != 0 ? 8 : 4;
            if ((olen - 4) & (hop - 1)) emit(d, "[bad length %u]", olen);
            unsigned ptr = o[2] - 1u, len = 0;
            if (ptr < 4 || ((ptr - 4) & (hop - 1)) || ptr > olen + 1) emit(d, "[bad ptr %u]", o[2]);
            switch (o[3] & 0xf) {
            case 0: emit(d, "TSONLY"); break;
            case 1: emit(d, "TS+ADDR"); break;
            case 2: emit(d, "PRESPEC2.0"); break;
            case 3: emit(d, "PRESPEC"); break;
            default: emit(d, "[bad ts type %u]", o[3] & 0xf); goto ts_done;
            }
            {
                const char *type = " ";
                for (len = 4; len < olen; len += hop) {
                    if (ptr == len) type = " ^ ";
                    if (i + len + hop > cap) return -1;
                    emit(d, "%s%u@%s", type, be32(o + len + hop - 4), hop != 8 ? "" : ip4s(o + len, a));
                    type = " ";
                }
            }
ts_done:
            emit(d, "%s", ptr == len ? " ^ " : "");
            if (o[3] >> 4) emit(d, " [%u hops not recorded]} ", o[3] >> 4);
            else emit(d, "}");
            break;
        }
        case 7: case 137: case 131: {               /* record / source route */
            if (olen < 3) { emit(d, " [bad length %u]", olen); break; }
            if ((olen + 1) & 3) emit(d, " [bad length %u]", olen);
            unsigned ptr = o[2] - 1u;
            if (ptr < 3 || ((ptr + 1) & 3) || ptr > olen + 1) emit(d, " [bad ptr %u]", o[2]);
            for (unsigned l = 3; l < olen; l += 4) {
                if (i + l + 4 > cap) return -1;
                emit(d, " %s", ip4s(o + l, a));
                if (ptr > l) emit(d, ",");
            }
            break;
        }
        case 148:
            if (olen < 4) { emit(d, " [bad length %u]", olen); break; }
            if (be16(o + 2) != 0) emit(d, " value %u", be16(o + 2));
            break;
        default:
            break;
        }
    }
    return 0;
}

static void ip_demux(struct dctx *d, unsigned nh, const uint8_t *cp, unsigned len, unsigned cap,
                     const struct iphdr_ref *ip, bool fragmented)
{
    switch (nh) {
    case 1:
    case 2:
        if (ip->ver != 4) { emit(d, "[%s requires IPv4] (invalid)", nh == 1 ? "ICMP" : "IGMP"); break; }
        if (nh == 1) icmp_print(d, cp, len, cap, ip, fragmented);
        else igmp_print(d, cp, len, cap);
        break;
    case 6:  tcp_print(d, cp, len, cap, ip, fragmented); break;
    case 17: udp_print(d, cp, len, cap, ip, fragmented); break;
    case 4:
        if (d->depth >= MAX_DEPTH) { emit(d, " ip-proto-%u %u", nh, len); break; }
        d->depth++;
        ip_print(d, cp, len, cap);
        d->depth--;
        break;
    case 41:
        if (d->depth >= MAX_DEPTH) { emit(d, " ip-proto-%u %u", nh, len); break; }
        d->depth++;
        ip6_print(d, cp, len, cap);
        d->depth--;
        break;
    case 58:
    case 143:
        if (ip->ver == 4) { emit(d, "[%s requires IPv6] (invalid)", nh == 58 ? "ICMPv6" : "Ethernet"); break; }
        if (nh == 143) { emit(d, " ip-proto-%u %u", nh, len); break; }    /* not decoded */
        icmp6_print(d, cp, len, cap, ip, fragmented);
        break;
    case 77:
        emit(d, " nd %u", len);
        break;
    case 59:
        emit(d, "no next header");
        break;
    default:
        emit(d, " ip-proto-%u %u", nh, len);
        break;
    }
}

static void addrs_print_unless_ports(struct dctx *d, const struct iphdr_ref *ip, unsigned proto)
{
    if (proto != 6 && proto != 17) addrs_print(d, ip, ": ");
}

static void ip_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen)
{
    char a[16], b[16];
    d->proto = "ip";
    if (caplen < 1) { trunc_local(d); return; }
    unsigned ver = p[0] >> 4;
    if (ver != 4) {
        if (ver == 6) emit(d, "IP6, wrong link-layer encapsulation");
        else emit(d, "IP%u", ver);
        emit(d, " (invalid)");
        return;
    }
    if (!d->e) emit(d, "IP ");
    if (caplen < 20) { trunc_local(d); return; }
    if (length < 20) { emit(d, "truncated-ip %u", length); return; }
    unsigned hlen = (p[0] & 15) * 4;
    if (hlen < 20) { emit(d, "bad-hlen %u", hlen); return; }
    unsigned len = be16(p + 2);
    if (length < len) emit(d, "truncated-ip - %u bytes missing! ", len - length);
    if (len < hlen) { emit(d, "bad-len %u", len); return; }
    if (len < caplen) caplen = len;             /* the IP datagram ends here */
    len -= hlen;
    unsigned off = be16(p + 6), proto = p[9];
    struct iphdr_ref ip = { 4, p, hlen, caplen < hlen ? caplen : hlen };
    if (d->v) {
        unsigned tos = p[1];
        emit(d, "(tos 0x%x", tos);
        switch (tos & 3) {
        case 1: emit(d, ",ECT(1)"); break;
        case 2: emit(d, ",ECT(0)"); break;
        case 3: emit(d, ",CE"); break;
        }
        if (p[8] >= 1) emit(d, ", ttl %u", p[8]);
        char fl[16] = "";
        if (off & 0x2000) strcat(fl, "+");
        if (off & 0x4000) strcat(fl, *fl ? ", DF" : "DF");
        if (off & 0x8000) strcat(fl, *fl ? ", rsvd" : "rsvd");
        emit(d, ", id %u, offset %u, flags [%s], proto %s (%u)", be16(p + 4), (off & 0x1fff) * 8,
             *fl ? fl : "none", tok(ipprotos, proto, "unknown"), proto);
        emit(d, ", length %u", be16(p + 2));
        bool cut = false;
        if (hlen > 20) {
            emit(d, ", options (");
            if (ip_optprint(d, p + 20, hlen - 20, caplen - 20) < 0) { emit(d, " [truncated-option]"); cut = true; }
            emit(d, ")");
        }
        if (hlen <= caplen) {
            uint16_t sum = cks_fold(cks_add(0, p, hlen));
            if (sum) emit(d, ", bad cksum %x (->%x)!", be16(p + 10), cks_shouldbe(be16(p + 10), sum));
        }
        emit(d, ")");
        brk(d);
        if (cut) { addrs_print(d, &ip, ": "); trunc_mark(d); return; }
    }
    if ((off & 0x1fff) == 0) {
        const uint8_t *cp = p + hlen;
        unsigned cap = caplen > hlen ? caplen - hlen : 0;
        /* tcpdump leaves the addresses to its TCP, UDP, SCTP and DCCP printers; this
         * decoder has no SCTP or DCCP printer, so it prints them here for those */
        addrs_print_unless_ports(d, &ip, proto);
        if (caplen < hlen) {
            emit(d, " [remaining caplen(%u) < header length(%u)]", caplen, hlen);
            trunc_mark(d);
            return;
        }
        ip_demux(d, proto, cp, len, cap, &ip, off & 0x3fff);
    } else {
        emit(d, "%s > %s:", ip4s(p + 12, a), ip4s(p + 16, b));
        emit(d, " ip-proto-%u", proto);
    }
}

/* ===================================================================== IPv6 (RFC 8200) */

/* Neighbour discovery options (RFC 4861 §4.6), as tcpdump -v prints them. -1: cut off. */
static int icmp6_opts(struct dctx *d, const uint8_t *cp, int resid, unsigned cap)
{
    static const struct tok names[] = {
        { 1, "source link-address" }, { 2, "destination link-address" }, { 3, "prefix info" },
        { 4, "redirected header" }, { 5, "mtu" }, { 25, "rdnss" }, { 31, "dnssl" },
        { 24, "route info" }, { 0, NULL } };
    char a[INET6_ADDRSTRLEN];
    unsigned i = 0;
    while (resid > 0 && i < cap) {
        if (cap < i + 2) return -1;
        unsigned type = cp[i], olen = cp[i + 1];
        if (olen == 0 || i + (olen << 3) > cap) return -1;
        brk(d);
        emit(d, "  %s option (%u), length %u (%u): ", tok(names, type, "unknown"), type, olen << 3, olen);
        const uint8_t *o = cp + i;
        switch (type) {
        case 1:
        case 2:
            for (unsigned k = 2; k < (olen << 3); k++) emit(d, "%s%02x", k > 2 ? ":" : "", o[k]);
            break;
        case 5:
            emit(d, " %u", be32(o + 4));
            break;
        case 3: {
            if ((olen << 3) < 32) return -1;
            char fl[32] = "";
            if (o[3] & 0x80) strcat(fl, "onlink");
            if (o[3] & 0x40) strcat(fl, *fl ? ", auto" : "auto");
            if (o[3] & 0x20) strcat(fl, *fl ? ", router" : "router");
            emit(d, "%s/%u%s, Flags [%s], valid time ", ip6s(o + 16, a), o[2], olen != 4 ? "badlen" : "",
                 *fl ? fl : "none");
            uint32_t t = be32(o + 4);
            if (t == 0xffffffffu) emit(d, "infinity"); else emit(d, "%us", t);
            emit(d, ", pref. time ");
            t = be32(o + 8);
            if (t == 0xffffffffu) emit(d, "infinity"); else emit(d, "%us", t);
            break;
        }
        default:
            break;          /* tcpdump: a hex dump */
        }
        i += olen << 3;
        resid -= (int)(olen << 3);
    }
    return 0;
}

static void icmp6_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen,
                        const struct iphdr_ref *ip, bool fragmented)
{
    static const struct tok types[] = {
        { 1, "destination unreachable" }, { 2, "packet too big" },
        { 3, "time exceeded in-transit" }, { 4, "parameter problem" }, { 128, "echo request" },
        { 129, "echo reply" }, { 130, "multicast listener query" },
        { 131, "multicast listener report" }, { 132, "multicast listener done" },
        { 133, "router solicitation" }, { 134, "router advertisement" },
        { 135, "neighbor solicitation" }, { 136, "neighbor advertisement" }, { 137, "redirect" },
        { 138, "router renumbering" }, { 139, "node information query" },
        { 140, "node information reply" }, { 141, "inverse neighbor solicitation" },
        { 142, "inverse neighbor advertisement" }, { 143, "multicast listener report v2" },
        { 144, "ha discovery request" }, { 145, "ha discovery reply" },
        { 146, "mobile router solicitation" }, { 147, "mobile router advertisement" },
        { 200, "mtrace response" }, { 201, "mtrace message" }, { 155, "RPL" }, { 0, NULL } };
    static const struct tok unreach[] = {
        { 0, "unreachable route" }, { 1, " unreachable prohibited" }, { 2, "beyond scope" },
        { 3, "unreachable address" }, { 4, "unreachable port" }, { 0, NULL } };
    static const struct tok v2types[] = {
        { 1, "is_in" }, { 2, "is_ex" }, { 3, "to_in" }, { 4, "to_ex" }, { 5, "allow" },
        { 6, "block" }, { 0, NULL } };
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ub[48];
    d->proto = "icmp6";
#define NEED(n) do { if (caplen < (n)) { trunc_mark(d); return; } } while (0)
    if (length == 0) { emit(d, "ICMP6, length 0 (invalid)"); return; }
    if (d->v && !fragmented && caplen >= length) {
        if (caplen < 4) { trunc_mark(d); return; }
        uint16_t sum = cks_fold(cks_add(pseudo_sum(ip, 58, length), p, length));
        uint16_t stored = be16(p + 2);
        if (sum) emit(d, "[bad icmp6 cksum 0x%04x -> 0x%04x!] ", stored, cks_shouldbe(stored, sum));
        else emit(d, "[icmp6 sum ok] ");
    }
    NEED(1);
    unsigned type = p[0];
    snprintf(ub, sizeof(ub), "unknown icmp6 type (%u)", type);
    emit(d, "ICMP6, %s", tok(types, type, ub));
    if (d->v && (type == 133 || type == 134 || type == 135 || type == 136 || type == 137 ||
                 type == 145 || type == 147))
        emit(d, ", length %u", length);
    NEED(2);
    unsigned code = p[1];
    const uint8_t *oip = p + 8;
    switch (type) {
    case 1:
        snprintf(ub, sizeof(ub), "unknown unreach code (%u)", code);
        emit(d, ", %s", tok(unreach, code, ub));
        switch (code) {
        case 0: case 1: case 3:
            NEED(8 + 40);
            emit(d, " %s", ip6s(oip + 24, a));
            break;
        case 2:
            NEED(8 + 40);
            emit(d, " %s, source address %s", ip6s(oip + 24, a), ip6s(oip + 8, b));
            break;
        case 4: {
            NEED(8 + 40);
            unsigned nh = oip[6], o = 40;
            /* the upper-layer header after the quoted extension headers */
            while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
                NEED(8 + o + 2);
                unsigned next = oip[o];
                o += nh == 44 ? 8 : (oip[o + 1] + 1u) * 8;
                nh = next;
            }
            NEED(8 + o + 4);
            unsigned dport = be16(oip + o + 2);
            if (nh == 6) emit(d, ", %s tcp port %u", ip6s(oip + 24, a), dport);
            else if (nh == 17) emit(d, ", %s udp port %u", ip6s(oip + 24, a), dport);
            else emit(d, ", %s protocol %u port %u unreachable", ip6s(oip + 24, a), nh, dport);
            break;
        }
        default:
            if (!d->v) return;          /* tcpdump: a hex dump */
            break;
        }
        break;
    case 2:
        NEED(8);
        emit(d, ", mtu %u", be32(p + 4));
        break;
    case 3:
        if (code == 0) { NEED(8 + 40); emit(d, " for %s", ip6s(oip + 24, a)); }
        else if (code == 1) emit(d, " (reassembly)");
        else emit(d, ", unknown code (%u)", code);
        break;
    case 4: {
        NEED(8 + 40);
        static const char *pp[] = { "erroneous", "next header", "option", "incomplete header chain" };
        if (code < 4) emit(d, ", %s - octet %u", pp[code], be32(p + 4));
        else emit(d, ", code-#%u", code);
        break;
    }
    case 128:
    case 129:
        NEED(8);
        emit(d, ", id %u, seq %u", be16(p + 4), be16(p + 6));
        break;
    case 130:
        if (length == 24) {
            if (caplen < 24) break;
            emit(d, "max resp delay: %u addr: %s", be16(p + 4), ip6s(p + 8, a));
        } else if (length >= 28) {
            emit(d, " v2");
            NEED(6);
            unsigned mrc = be16(p + 4);
            unsigned mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
            if (d->v) emit(d, " [max resp delay=%u]", mrt);
            NEED(24);
            emit(d, " [gaddr %s", ip6s(p + 8, a));
            if (d->v) {
                NEED(26);
                if (p[24] & 0x08) emit(d, " sflag");
                if (p[24] & 0x07) emit(d, " robustness=%u", p[24] & 0x07);
                unsigned qqi = p[25];
                if (qqi >= 128) qqi = ((qqi & 0x0f) | 0x10) << (((qqi & 0x70) >> 4) + 3);
                emit(d, " qqi=%u", qqi);
            }
            NEED(28);
            unsigned nsrcs = be16(p + 26);
            if (nsrcs > 0) {
                if (length < 28 + nsrcs * 16) emit(d, " [invalid number of sources]");
                else emit(d, ", %u source(s)", nsrcs);
            }
            emit(d, "]");
        } else {
            emit(d, " unknown-version (len %u) ", length);
        }
        break;
    case 131:
    case 132:
        if (caplen < 24) break;
        emit(d, "max resp delay: %u addr: %s", be16(p + 4), ip6s(p + 8, a));
        break;
    case 133:
        if (d->v && icmp6_opts(d, p + 8, (int)length - 8, caplen > 8 ? caplen - 8 : 0) < 0) { trunc_mark(d); return; }
        break;
    case 134:
        if (d->v) {
            static const char *pref[] = { "medium", "high", "rsv", "low" };
            NEED(16);
            unsigned f = p[5];
            char fl[64] = "";
            if (f & 0x80) strcat(fl, "managed");
            if (f & 0x40) strcat(fl, *fl ? ", other stateful" : "other stateful");
            if (f & 0x20) strcat(fl, *fl ? ", home agent" : "home agent");
            if (f & 0x04) strcat(fl, *fl ? ", proxy" : "proxy");
            brk(d);
            emit(d, "hop limit %u, Flags [%s], pref %s, router lifetime %us, reachable time %ums, retrans timer %ums",
                 p[4], *fl ? fl : "none", pref[(f >> 3) & 3], be16(p + 6), be32(p + 8), be32(p + 12));
            if (icmp6_opts(d, p + 16, (int)length - 16, caplen - 16) < 0) { trunc_mark(d); return; }
        }
        break;
    case 135:
        NEED(24);
        emit(d, ", who has %s", ip6s(p + 8, a));
        if (d->v && icmp6_opts(d, p + 24, (int)length - 24, caplen - 24) < 0) { trunc_mark(d); return; }
        break;
    case 136:
        NEED(24);
        emit(d, ", tgt is %s", ip6s(p + 8, a));
        if (d->v) {
            uint32_t f = be32(p + 4);
            char fl[48] = "";
            if (f & 0x80000000u) strcat(fl, "router");
            if (f & 0x40000000u) strcat(fl, *fl ? ", solicited" : "solicited");
            if (f & 0x20000000u) strcat(fl, *fl ? ", override" : "override");
            emit(d, ", Flags [%s]", *fl ? fl : "none");
            if (icmp6_opts(d, p + 24, (int)length - 24, caplen - 24) < 0) { trunc_mark(d); return; }
        }
        break;
    case 137:
        NEED(40);
        emit(d, ", %s", ip6s(p + 8, a));
        emit(d, " to %s", ip6s(p + 24, a));
        if (d->v && icmp6_opts(d, p + 40, (int)length - 40, caplen - 40) < 0) { trunc_mark(d); return; }
        break;
    case 143: {
        if (length < 8) { emit(d, " [invalid len %u]", length); break; }
        NEED(8);
        unsigned ngroups = be16(p + 6);
        emit(d, ", %u group record(s)", ngroups);
        if (!d->v) break;
        unsigned g = 8;
        for (unsigned i = 0; i < ngroups; i++) {
            if (length < g + 20) { emit(d, " [invalid number of groups]"); return; }
            NEED(g + 20);
            emit(d, " [gaddr %s", ip6s(p + g + 4, a));
            snprintf(ub, sizeof(ub), " [v2-report-#%u]", p[g]);
            emit(d, " %s", tok(v2types, p[g], ub));
            unsigned nsrcs = be16(p + g + 2);
            if (length < g + 20 + nsrcs * 16) { emit(d, " [invalid number of sources %u]", nsrcs); return; }
            emit(d, ", %u source(s)", nsrcs);
            g += 20 + nsrcs * 16;
            emit(d, "]");
        }
        break;
    }
    default:
        emit(d, ", length %u", length);
        return;             /* tcpdump: a hex dump */
    }
#undef NEED
    if (!d->v) emit(d, ", length %u", length);
}

/* IPv6 hop-by-hop / destination options (RFC 8200 §4.2): the options are printed with
 * -v, the problems always (as tcpdump). -1: malformed or cut off. */
static int ip6_opts(struct dctx *d, const uint8_t *o, unsigned len, unsigned plen)
{
    bool v = d->v;
    unsigned olen;
    for (unsigned i = 0; i < len; i += olen) {
        if (o[i] == 0) { if (v) emit(d, "(pad1)"); olen = 1; continue; }
        if (i + 1 < len) olen = o[i + 1] + 2u; else return -1;
        if (i + olen > len) return -1;
        switch (o[i]) {
        case 1:
            if (v) emit(d, "(padn)");
            break;
        case 5:
            if (len - i < 4) { emit(d, "(rtalert: trunc)"); return -1; }
            if (o[i + 1] != 2) { emit(d, "(rtalert: invalid len %u)", o[i + 1]); return -1; }
            if (v) emit(d, "(rtalert: 0x%04x) ", be16(o + i + 2));
            break;
        case 0xc2:
            if (len - i < 6) { emit(d, "(jumbo: trunc)"); return -1; }
            if (o[i + 1] != 4) { emit(d, "(jumbo: invalid len %u)", o[i + 1]); return -1; }
            if (v) emit(d, "(jumbo: %u%s) ", be32(o + i + 2), plen ? " - payload len != 0" : "");
            break;
        default:
            if (len - i < 2) { emit(d, "(type %u: trunc)", o[i]); return -1; }
            if (v) emit(d, "(opt_type 0x%02x: len=%u)", o[i], o[i + 1]);
            break;
        }
    }
    if (v) emit(d, " ");
    return 0;
}

/* The routing header (RFC 8200 §4.4); types 0 and 2 list addresses. Returns its length,
 * 0 when cut off. */
static unsigned rt6_print(struct dctx *d, const uint8_t *cp, unsigned cap)
{
    char a[INET6_ADDRSTRLEN];
    d->proto = "rt6";
    if (cap < 4) { trunc_mark(d); return 0; }
    unsigned len = cp[1], type = cp[2], segleft = cp[3];
    emit(d, "RT6 (len=%u", len);
    emit(d, ", type=%u", type);
    if (type == 0) emit(d, " [Deprecated]");
    emit(d, ", segleft=%u", segleft);
    if (type == 0 || type == 2) {
        if (cap < 8) { trunc_mark(d); return 0; }
        if (d->v) emit(d, ", rsv=0x%0x", be32(cp + 4));
        unsigned n = len >> 1;
        for (unsigned i = 0; i < n; i++) {
            if (cap < 8 + 16 * (i + 1)) { trunc_mark(d); return 0; }
            emit(d, ", [%u]%s", i, ip6s(cp + 8 + 16 * i, a));
        }
    }
    emit(d, ") ");
    return (len + 1) << 3;
}

static void ip6_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    d->proto = "ip6";
    if (caplen < 40) { trunc_mark(d); return; }
    if (length < 40) { emit(d, "truncated-ip6 %u", length); return; }
    if (!d->e) emit(d, "IP6 ");
    if (p[0] >> 4 != 6) { emit(d, "version error: %u != 6", p[0] >> 4); return; }
    unsigned plen = be16(p + 4);
    unsigned len = plen + 40;     /* jumbograms (payload length 0 + a jumbo option) are not sized */
    if (len > length) emit(d, "truncated-ip6 - %u bytes missing!", len - length);
    if (len < caplen) caplen = len;
    unsigned nh = p[6];
    struct iphdr_ref ip = { 6, p, 40, 40 };
    if (d->v) {
        uint32_t flow = be32(p);
        emit(d, "(");
        if (flow & 0x0ff00000) emit(d, "class 0x%02x, ", (flow & 0x0ff00000) >> 20);
        if (flow & 0x000fffff) emit(d, "flowlabel 0x%05x, ", flow & 0x000fffff);
        emit(d, "hlim %u, next-header %s (%u) payload length: %u) ", p[7], tok(ipprotos, nh, "unknown"),
             nh, plen);
    }
    unsigned off = 0, advance = 40;
    bool fragmented = false;
    len = plen + 40;
    while (off < caplen && advance > 0) {
        if (len < advance) { trunc_mark(d); return; }
        off += advance;
        len -= advance;
        if (off == 40 && nh != 6 && nh != 17 && nh != 33 && nh != 132)
            emit(d, "%s > %s: ", ip6s(p + 8, a), ip6s(p + 24, b));
        const uint8_t *cp = p + off;
        unsigned cap = caplen > off ? caplen - off : 0;
        switch (nh) {
        case 0:
        case 60: {
            d->proto = nh ? "dstopt" : "hbhopt";
            if (cap < 2) { trunc_mark(d); return; }
            advance = (cp[1] + 1u) << 3;
            if (cap < advance) { trunc_mark(d); return; }
            emit(d, nh ? "DSTOPT " : "HBH ");
            /* tcpdump checks hop-by-hop options always, destination options with -v */
            if ((nh == 0 || d->v) && ip6_opts(d, cp + 2, advance - 2, plen) < 0) { trunc_mark(d); return; }
            nh = cp[0];
            break;
        }
        case 43:
            advance = rt6_print(d, cp, cap);
            if (!advance) return;
            nh = cp[0];
            break;
        case 44: {
            d->proto = "frag6";
            if (cap < 8) { trunc_mark(d); return; }
            unsigned fo = be16(cp + 2) & 0xfff8;
            unsigned rest = 40 + plen - off - 8;
            if (d->v) emit(d, "frag (0x%08x:%u|%u)", be32(cp + 4), fo, rest);
            else emit(d, "frag (%u|%u)", fo, rest);
            if (fo != 0) return;
            emit(d, " ");
            advance = 8;
            fragmented = true;
            nh = cp[0];
            if (caplen <= off + advance) return;
            break;
        }
        case 58:
            icmp6_print(d, cp, len, cap, &ip, fragmented);
            return;
        default:
            ip_demux(d, nh, cp, len, cap, &ip, fragmented);
            return;
        }
    }
}

/* ======================================================================= Ethernet */

static void llc_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen)
{
    static const struct tok saps[] = {
        { 0x00, "Null" }, { 0x02, "LLC Sub-Layer Management" }, { 0x06, "IP" },
        { 0x42, "STP" }, { 0x4e, "RS511" }, { 0x7e, "ISO8208" }, { 0x80, "XNS" },
        { 0x98, "ARP" }, { 0xaa, "SNAP" }, { 0xe0, "IPX" }, { 0xf0, "NetBeui" },
        { 0xf4, "LANManagement" }, { 0xfe, "OSI" }, { 0xff, "Global" }, { 0, NULL } };
    d->proto = "llc";
    if (caplen < 3 || length < 3) { trunc_mark(d); return; }
    unsigned dsap = p[0], ssap = p[1], ctl = p[2];
    emit(d, "LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s", tok(saps, dsap & 0xfe, "Unknown"), dsap & 0xfe,
         dsap & 1 ? "Group" : "Individual", tok(saps, ssap & 0xfe, "Unknown"), ssap & 0xfe,
         ssap & 1 ? "Response" : "Command");
    if ((ctl & 3) == 3) emit(d, ", ctrl 0x%02x", ctl);
    else if (caplen >= 4) emit(d, ", ctrl 0x%04x", be16(p + 2));
}

static void ether_type_print(struct dctx *d, unsigned type)
{
    emit(d, "ethertype %s (0x%04x)", tok(ethertypes, type, "Unknown"), type);
}

static void ether_print(struct dctx *d, const uint8_t *p, unsigned length, unsigned caplen)
{
    char s[18], t[18];
    if (length < caplen) { emit(d, "[length %u < caplen %u] (invalid)", length, caplen); return; }
    if (caplen < 14) { trunc_mark(d); return; }
    unsigned orig = length;
    macs(p + 6, s);
    macs(p, t);
    if (d->e) emit(d, "%s > %s, ", s, t);
    unsigned type = be16(p + 12);
    p += 14; length -= 14; caplen -= 14;
    bool printed_length = false;
    while (type == 0x8100 || type == 0x9100 || type == 0x9200 || type == 0x88a8) {
        if (caplen < 4 || length < 4) { d->proto = "vlan"; trunc_mark(d); return; }
        if (d->e) {
            unsigned tci = be16(p);
            ether_type_print(d, type);
            if (!printed_length) { emit(d, ", length %u: ", orig); printed_length = true; }
            else emit(d, ", ");
            emit(d, "vlan %u, p %u%s, ", tci & 0xfff, tci >> 13, tci & 0x1000 ? ", DEI" : "");
        }
        type = be16(p + 2);
        p += 4; length -= 4; caplen -= 4;
    }
    if (type <= 1500) {
        if (type < length) { length = type; if (caplen > length) caplen = length; }
        if (!d->e) emit(d, "%s > %s, ", s, t);
        emit(d, "802.3");
        if (!printed_length) emit(d, ", length %u: ", length);
        llc_print(d, p, length, caplen);
        return;
    }
    if (d->e) {
        ether_type_print(d, type);
        if (!printed_length) emit(d, ", length %u: ", orig);
        else emit(d, ", ");
    }
    switch (type) {
    case 0x0800: ip_print(d, p, length, caplen); return;
    case 0x86dd: ip6_print(d, p, length, caplen); return;
    case 0x0806:
    case 0x8035: arp_print(d, p, length, caplen); return;
    case 0x88cc:
        emit(d, "LLDP, length %u", length);     /* tcpdump -v adds the TLVs */
        return;
    default:
        if (!d->e) {
            emit(d, "%s > %s, ", s, t);
            ether_type_print(d, type);
            emit(d, ", length %u: ", orig);
        }
        return;             /* tcpdump: a hex dump, or a decoder this one does not have */
    }
}

/* ======================================================================= entry points */

size_t frame_decode_ex(char *out, size_t outlen, const uint8_t *frame, size_t caplen,
                       size_t wirelen, unsigned flags)
{
    const struct decode_opts o = { .flags = flags };
    return frame_decode_opts(out, outlen, frame, caplen, wirelen, &o);
}

size_t frame_decode_opts(char *out, size_t outlen, const uint8_t *frame, size_t caplen,
                         size_t wirelen, const struct decode_opts *o)
{
    struct dctx d = { .buf = out, .cap = outlen, .len = 0, .trail = 0, .v = o->flags & DECODE_VERBOSE,
                      .e = o->flags & DECODE_LINK, .depth = 0, .proto = "ether",
                      .vxlan_ports = o->vxlan_ports, .n_vxlan_ports = o->vxlan_ports ? o->n_vxlan_ports : 0 };
    if (outlen) out[0] = 0;
    if (!frame) caplen = 0;
    if (caplen == 0) {
        emit(&d, "[Invalid header: caplen==0, len==%zu]", wirelen);
    } else {
        unsigned w = wirelen > 0xffffffu ? 0xffffffu : (unsigned)wirelen;
        unsigned c = caplen > 0xffffffu ? 0xffffffu : (unsigned)caplen;
        ether_print(&d, frame, w, c);
    }
    /* no trailing blanks (tcpdump ends some lines with ": " before a hex dump) */
    d.len -= d.trail;
    if (outlen) out[d.len < outlen ? d.len : outlen - 1] = 0;
    return d.len;
}

size_t frame_decode(char *out, size_t outlen, const uint8_t *frame, size_t len, bool show_link)
{
    return frame_decode_ex(out, outlen, frame, len, len, show_link ? DECODE_LINK : 0);
}

size_t frame_decode_verbose(char *out, size_t outlen, const uint8_t *frame, size_t len, bool show_link)
{
    return frame_decode_ex(out, outlen, frame, len, len, DECODE_VERBOSE | (show_link ? DECODE_LINK : 0));
}

int decode_pcap_file(const char *path, bool verbose, bool link, FILE *out)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pd = pcap_open_offline(path, errbuf);
    if (!pd) {
        /* libpcap already names the file in most of its messages */
        if (strstr(errbuf, path)) fprintf(stderr, "tapstack: %s\n", errbuf);
        else fprintf(stderr, "tapstack: %s: %s\n", path, errbuf);
        return 1;
    }
    if (pcap_datalink(pd) != DLT_EN10MB) {
        fprintf(stderr, "tapstack: %s: link-type %s is not Ethernet\n", path,
                pcap_datalink_val_to_name(pcap_datalink(pd)) ? pcap_datalink_val_to_name(pcap_datalink(pd)) : "?");
        pcap_close(pd);
        return 1;
    }
    unsigned flags = (verbose ? DECODE_VERBOSE : 0) | (link ? DECODE_LINK : 0);
    char small[2048];
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long n = 0;
    int r, status = 0;
    while ((r = pcap_next_ex(pd, &h, &data)) == 1) {
        n++;
        size_t need = frame_decode_ex(small, sizeof(small), data, h->caplen, h->len, flags);
        char *line = small;
        char *big = NULL;
        if (need >= sizeof(small) && (big = malloc(need + 1)) != NULL) {
            frame_decode_ex(big, need + 1, data, h->caplen, h->len, flags);
            line = big;
        }
        fprintf(out, "%lu %ld.%06ld %s\n", n, (long)h->ts.tv_sec, (long)h->ts.tv_usec, line);
        free(big);
    }
    if (r == -1) {
        fprintf(stderr, "tapstack: %s: %s\n", path, pcap_geterr(pd));
        status = 1;
    }
    pcap_close(pd);
    return status;
}
