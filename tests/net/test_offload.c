/*
 * tests/net/test_offload.c — checksum and segmentation offload (net/offload.c, net/gso.c,
 * net/virtio_net.c, validate_xmit_pkt in net/netdev.c) and the layers that use them.
 *
 *   segmentation   TCP and UDP super-segments built by hand (there is no TCP yet): the
 *                  segments' payloads add up to the original, every header field is as
 *                  Linux's tcp4_gso_segment / __udp_gso_segment makes it, and every
 *                  checksum, completed, matches one computed here from the bytes
 *   checksum help  completing a partial checksum equals a full software checksum
 *   validate       a device without the feature gets segments and full checksums (and
 *                  the packet taps see them); one with the feature gets the packet whole
 *   features       Linux's dependency rules; the driver's set_features hook
 *   virtio-net     header parsing: what it sets, and every malformed header a counted drop
 *   stack          UDP sends partial checksums and trusts verified/partial ones, a UDP
 *                  super-frame is received as its datagrams, forwarding completes a
 *                  partial checksum (and fragments one), ICMP echo of a partial request
 *
 * Reference checksums use the fixture's fx_csum, not net/csum.c.
 */
#include "tests/fx_check.h"
#include "net/offload.h"
#include "net/virtio_net.h"
#include "net/sock.h"
#include "udp/udp.h"
#include <errno.h>

#define SRC FX_IP(10, 0, 0, 1)
#define DST FX_IP(10, 0, 0, 2)

static void setup(void)
{
    f = fx_new(0x0ff1);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
}

static void teardown(void)
{
    free(fxc_cur);
    fxc_cur = NULL;
    ck_assert_uint_eq(fx_free(f), 0);
}

/* 0 when the transport checksum of l4 (n bytes) under the pseudo-header is right. */
static uint16_t ref_l4(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t n)
{
    uint8_t *b = malloc(12 + n);
    ck_assert_ptr_nonnull(b);
    put_be32(b, src);
    put_be32(b + 4, dst);
    b[8] = 0;
    b[9] = proto;
    put_be16(b + 10, (uint16_t)n);
    memcpy(b + 12, l4, n);
    uint16_t c = fx_csum(b, 12 + n);
    free(b);
    return c;
}

/* What a sender leaves in the field of a partial UDP checksum: the folded pseudo-header
 * sum (Linux ~csum_tcpudp_magic). */
static uint16_t pseudo_seed(uint32_t src, uint32_t dst, size_t l4len)
{
    uint8_t ph[12];
    put_be32(ph, src);
    put_be32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = IPPROTO_UDP;
    put_be16(ph + 10, (uint16_t)l4len);
    return (uint16_t)~fx_csum(ph, 12);
}

static uint8_t payload_byte(size_t i) { return (uint8_t)(i * 7 + (i >> 8) + 3); }

struct super {
    uint8_t  proto;
    size_t   paylen;
    uint16_t mss;
    uint8_t  tcp_flags;
    unsigned tcp_opt;               /* option bytes (multiple of 4) */
    uint16_t ip_id;
    uint32_t seq;
    bool     ecn;
};

/* A super-segment as a sender hands it to dev_queue_xmit: data at the Ethernet header,
 * offsets set, the checksum partial, gso_size = mss. */
static struct pkt *mk_super(const struct super *s)
{
    unsigned thlen = s->proto == IPPROTO_TCP ? TCP_HLEN + s->tcp_opt : UDP_HLEN;
    size_t len = ETH_HLEN + IP4_HLEN + thlen + s->paylen;
    struct pkt *p = pkt_alloc(&f->st->pool, len);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, len);
    memset(d, 0, len);
    memcpy(d, fx_peer_mac.b, 6);
    memcpy(d + 6, fx_mac.b, 6);
    put_be16(d + 12, ETH_P_IP);
    uint8_t *ih = d + ETH_HLEN, *th = ih + IP4_HLEN;
    ih[0] = 0x45;
    ih[1] = 0x02;                   /* ECT(0): carried unchanged */
    put_be16(ih + IP4_OFF_LEN, (uint16_t)(IP4_HLEN + thlen + s->paylen));
    put_be16(ih + IP4_OFF_ID, s->ip_id);
    put_be16(ih + IP4_OFF_FRAG, IP_DF);
    ih[IP4_OFF_TTL] = 64;
    ih[IP4_OFF_PROTO] = s->proto;
    put_be32(ih + IP4_OFF_SRC, DST);
    put_be32(ih + IP4_OFF_DST, SRC);
    put_be16(ih + IP4_OFF_CSUM, fx_csum(ih, IP4_HLEN));
    put_be16(th, 40000);
    put_be16(th + 2, 5001);
    if (s->proto == IPPROTO_TCP) {
        put_be32(th + TCP_OFF_SEQ, s->seq);
        put_be32(th + 8, 0x01020304);
        th[TCP_OFF_DOFF] = (uint8_t)((thlen / 4) << 4);
        th[TCP_OFF_FLAGS] = s->tcp_flags;
        put_be16(th + 14, 65535);
        for (unsigned i = 0; i < s->tcp_opt; i++) th[TCP_HLEN + i] = i % 4 == 3 ? 0 : 1;   /* NOPs, EOL */
    } else {
        put_be16(th + 4, (uint16_t)(UDP_HLEN + s->paylen));
    }
    for (size_t i = 0; i < s->paylen; i++) th[thlen + i] = payload_byte(i);
    p->mac_off = (int32_t)(d - p->head);
    p->nh_off = (int32_t)(ih - p->head);
    p->th_off = (int32_t)(th - p->head);
    p->protocol = ETH_P_IP;
    pkt_csum_partial_l4(p, th, s->proto == IPPROTO_TCP ? TCP_OFF_CSUM : UDP_OFF_CHECK, DST, SRC,
                        s->proto, (uint16_t)(thlen + s->paylen));
    p->gso_size = s->mss;
    p->gso_type = s->proto == IPPROTO_TCP ? (PKT_GSO_TCPV4 | (s->ecn ? PKT_GSO_TCP_ECN : 0)) : PKT_GSO_UDP_L4;
    return p;
}

/* Build the super-segment and cut it; hdr (if not NULL) gets its first 128 bytes. */
static struct pkt *segment_super(const struct super *s, uint8_t *hdr)
{
    struct pkt *p = mk_super(s);
    if (hdr) memcpy(hdr, p->data, MIN((size_t)128, (size_t)p->len));
    enum drop why;
    struct pkt *segs = pkt_gso_segment(p, &why);
    ck_assert_ptr_nonnull(segs);
    return segs;
}

static unsigned chain_len(const struct pkt *p) { unsigned n = 0; for (; p; p = p->next) n++; return n; }

static void free_chain(struct pkt *p) { while (p) { struct pkt *n = p->next; pkt_free(p); p = n; } }

/* Every segment of a TCP super-segment, checked against the original's fields. */
static void check_tcp_segments(struct pkt *segs, const struct super *s, const uint8_t *orig_hdr)
{
    unsigned n = chain_len(segs), thlen = TCP_HLEN + s->tcp_opt, i = 0;
    ck_assert_uint_eq(n, (s->paylen + s->mss - 1) / s->mss);
    size_t off = 0;
    for (struct pkt *q = segs; q; q = q->next, i++) {
        size_t n_i = MIN((size_t)s->mss, s->paylen - off);
        const uint8_t *ih = q->data + ETH_HLEN, *th = ih + IP4_HLEN;
        ck_assert_uint_eq(q->len, ETH_HLEN + IP4_HLEN + thlen + n_i);
        ck_assert_mem_eq(q->data, orig_hdr, ETH_HLEN);                 /* Ethernet copied */
        ck_assert_uint_eq(get_be16(ih + IP4_OFF_LEN), IP4_HLEN + thlen + n_i);
        ck_assert_uint_eq(get_be16(ih + IP4_OFF_ID), (uint16_t)(s->ip_id + i));
        ck_assert_uint_eq(get_be16(ih + IP4_OFF_FRAG), IP_DF);
        ck_assert_uint_eq(ih[1], 0x02);
        ck_assert_uint_eq(fx_csum(ih, IP4_HLEN), 0);                    /* IP header checksum */
        ck_assert_uint_eq(get_be32(th + TCP_OFF_SEQ), s->seq + (uint32_t)off);
        ck_assert_uint_eq(get_be32(th + 8), 0x01020304);                /* ack unchanged */
        ck_assert_mem_eq(th + TCP_HLEN, orig_hdr + ETH_HLEN + IP4_HLEN + TCP_HLEN, s->tcp_opt);
        uint8_t want = s->tcp_flags;
        if (i != n - 1) want &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
        if (i != 0) want &= (uint8_t)~TCP_FLAG_CWR;
        ck_assert_uint_eq(th[TCP_OFF_FLAGS], want);
        for (size_t k = 0; k < n_i; k++) ck_assert_uint_eq(th[thlen + k], payload_byte(off + k));
        /* partial: the device would finish it; finish it here and check it */
        ck_assert_uint_eq(q->ip_summed, CHECKSUM_PARTIAL);
        ck_assert_uint_eq(q->csum_start, (uint32_t)(th - q->head));
        ck_assert_uint_eq(q->csum_offset, TCP_OFF_CSUM);
        ck_assert_uint_eq(q->gso_size, 0);
        ck_assert_int_eq(pkt_checksum_help(q), DROP_NONE);
        ck_assert_uint_eq(ref_l4(DST, SRC, IPPROTO_TCP, th, thlen + n_i), 0);
        off += n_i;
    }
    ck_assert_uint_eq(off, s->paylen);              /* the payloads add up */
}

START_TEST(test_gso_tcp_segments)
{
    struct super s = { .proto = IPPROTO_TCP, .paylen = 10000, .mss = 1448, .ip_id = 0xfffe,
                       .seq = 0xfffff000u, .tcp_opt = 12, .ecn = true,
                       .tcp_flags = TCP_FLAG_CWR | 0x10 /* ACK */ | TCP_FLAG_PSH | TCP_FLAG_FIN };
    uint8_t hdr[128];
    struct pkt *segs = segment_super(&s, hdr);       /* IP ID and seq wrap on the way */
    check_tcp_segments(segs, &s, hdr);
    free_chain(segs);
}
END_TEST

START_TEST(test_gso_tcp_exact_multiple)
{
    /* 3 full segments, no short last one; PSH only on the third */
    struct super s = { .proto = IPPROTO_TCP, .paylen = 3 * 1000, .mss = 1000, .ip_id = 7,
                       .seq = 1, .tcp_flags = 0x10 | TCP_FLAG_PSH };
    uint8_t hdr[128];
    struct pkt *segs = segment_super(&s, hdr);
    check_tcp_segments(segs, &s, hdr);
    free_chain(segs);
}
END_TEST

START_TEST(test_gso_udp_segments)
{
    struct super s = { .proto = IPPROTO_UDP, .paylen = 5001, .mss = 1400, .ip_id = 100 };
    struct pkt *segs = segment_super(&s, NULL);
    ck_assert_uint_eq(chain_len(segs), 4);
    size_t off = 0;
    unsigned i = 0;
    for (struct pkt *q = segs; q; q = q->next, i++) {
        size_t n_i = MIN((size_t)1400, s.paylen - off);
        uint8_t *ih = q->data + ETH_HLEN, *u = ih + IP4_HLEN;
        ck_assert_uint_eq(get_be16(ih + IP4_OFF_LEN), IP4_HLEN + UDP_HLEN + n_i);
        ck_assert_uint_eq(get_be16(ih + IP4_OFF_ID), 100 + i);
        ck_assert_uint_eq(fx_csum(ih, IP4_HLEN), 0);
        ck_assert_uint_eq(get_be16(u + 4), UDP_HLEN + n_i);
        ck_assert_uint_eq(get_be16(u), 40000);
        for (size_t k = 0; k < n_i; k++) ck_assert_uint_eq(u[UDP_HLEN + k], payload_byte(off + k));
        ck_assert_uint_eq(q->csum_offset, UDP_OFF_CHECK);
        ck_assert_int_eq(pkt_checksum_help(q), DROP_NONE);
        ck_assert_uint_eq(ref_l4(DST, SRC, IPPROTO_UDP, u, UDP_HLEN + n_i), 0);
        off += n_i;
    }
    ck_assert_uint_eq(off, s.paylen);
    free_chain(segs);
}
END_TEST

START_TEST(test_gso_one_segment_is_not_gso)
{
    struct super s = { .proto = IPPROTO_TCP, .paylen = 1000, .mss = 1448, .tcp_flags = 0x18 };
    struct pkt *p = mk_super(&s);
    enum drop why;
    struct pkt *r = pkt_gso_segment(p, &why);
    ck_assert_ptr_eq(r, p);
    ck_assert_uint_eq(r->gso_size, 0);
    ck_assert_uint_eq(r->gso_type, PKT_GSO_NONE);
    pkt_free(r);
}
END_TEST

/* Headers that do not match the GSO type: refused, the packet left to the caller. */
START_TEST(test_gso_bad_headers)
{
    struct super s = { .proto = IPPROTO_TCP, .paylen = 4000, .mss = 1000, .tcp_flags = 0x10 };
    for (int c = 0; c < 7; c++) {
        struct pkt *p = mk_super(&s);
        uint8_t *ih = p->head + p->nh_off, *th = p->head + p->th_off;
        switch (c) {
        case 0: ih[IP4_OFF_PROTO] = IPPROTO_UDP; break;            /* proto != gso type */
        case 1: put_be16(ih + IP4_OFF_FRAG, IP_MF); break;         /* a fragment */
        case 2: p->th_off += 4; break;                             /* transport not after IP */
        case 3: th[TCP_OFF_DOFF] = 4 << 4; break;                  /* doff < 5 */
        case 4: p->gso_type = PKT_GSO_TCP_ECN; break;              /* ECN without TCPV4 */
        case 5: p->gso_size = 3; break;                            /* 1334 segments */
        case 6: ih[0] = 0x65; break;                               /* IPv6 version nibble */
        }
        size_t len = p->len;
        enum drop why = DROP_NONE;
        ck_assert_ptr_null(pkt_gso_segment(p, &why));
        ck_assert_msg(why == DROP_SKB_GSO_SEG, "case %d: reason %d", c, why);
        ck_assert_uint_eq(p->len, len);
        pkt_free(p);
    }
}
END_TEST

/* A UDP datagram of n payload bytes with a partial checksum, data at the UDP header. */
static struct pkt *mk_partial_udp(size_t n, uint8_t seed)
{
    struct pkt *p = pkt_alloc(&f->st->pool, UDP_HLEN + n);
    ck_assert_ptr_nonnull(p);
    uint8_t *u = pkt_put(p, UDP_HLEN + n);
    put_be16(u, 1234);
    put_be16(u + 2, 5678);
    put_be16(u + 4, (uint16_t)(UDP_HLEN + n));
    for (size_t i = 0; i < n; i++) u[UDP_HLEN + i] = (uint8_t)(seed * 31 + i * 13);
    pkt_csum_partial_l4(p, u, UDP_OFF_CHECK, SRC, DST, IPPROTO_UDP, (uint16_t)(UDP_HLEN + n));
    return p;
}

START_TEST(test_checksum_help_equals_full)
{
    static const size_t sizes[] = { 0, 1, 2, 7, 100, 1471, 1472, 9000, 65507 };
    for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
        struct pkt *p = mk_partial_udp(sizes[k], (uint8_t)k);
        ck_assert_int_eq(pkt_checksum_help(p), DROP_NONE);
        ck_assert_uint_eq(p->ip_summed, CHECKSUM_NONE);
        ck_assert_uint_ne(get_be16(p->data + 6), 0);
        /* the same value a full software checksum gives: it verifies */
        ck_assert_msg(ref_l4(SRC, DST, IPPROTO_UDP, p->data, p->len) == 0, "size %zu", sizes[k]);
        pkt_free(p);
    }
}
END_TEST

START_TEST(test_checksum_help_zero_is_ffff)
{
    /* Choose the last two payload bytes so the checksum comes out 0: it must be sent as
     * 0xffff (RFC 768; Linux CSUM_MANGLED_0). */
    struct pkt *p = mk_partial_udp(10, 1);
    uint8_t *u = p->data;
    put_be16(u + UDP_HLEN + 8, 0);
    uint8_t save[2];
    memcpy(save, u + 6, 2);
    put_be16(u + 6, 0);
    uint16_t c = ref_l4(SRC, DST, IPPROTO_UDP, u, p->len);   /* the checksum with X = 0 */
    put_be16(u + UDP_HLEN + 8, c);                           /* adding c makes the sum 0xffff */
    memcpy(u + 6, save, 2);
    ck_assert_int_eq(pkt_checksum_help(p), DROP_NONE);
    ck_assert_uint_eq(get_be16(u + 6), 0xffff);
    ck_assert_uint_eq(ref_l4(SRC, DST, IPPROTO_UDP, u, p->len), 0);
    pkt_free(p);
}
END_TEST

START_TEST(test_checksum_help_shared_and_bad)
{
    struct pkt *p = mk_partial_udp(100, 2);
    struct pkt *c = pkt_clone(p);
    ck_assert_ptr_nonnull(c);
    uint16_t seed = get_be16(p->data + 6);
    ck_assert_int_eq(pkt_checksum_help(c), DROP_NONE);       /* copies before writing */
    ck_assert_uint_eq(get_be16(p->data + 6), seed);          /* the original untouched */
    ck_assert_uint_eq(ref_l4(SRC, DST, IPPROTO_UDP, c->data, c->len), 0);
    pkt_free(c);
    /* offsets outside the packet: refused, nothing written */
    p->csum_offset = 200;
    ck_assert_int_eq(pkt_checksum_help(p), DROP_SKB_CSUM);
    p->csum_offset = 6;
    p->csum_start = 0;
    ck_assert_int_eq(pkt_checksum_help(p), DROP_SKB_CSUM);
    ck_assert_uint_eq(get_be16(p->data + 6), seed);
    pkt_free(p);
}
END_TEST

/* ---- validate_xmit_pkt on a device without and with the features ---- */

static unsigned tap_frames;
static size_t tap_bytes;
static void count_tap(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir)
{
    if (dir == PTAP_TX) { tap_frames++; tap_bytes += p->len; }
}

START_TEST(test_validate_software_fallback)
{
    struct ptap t = { .fn = count_tap };
    tap_frames = 0;
    tap_bytes = 0;
    ptap_add(f->dev, &t);
    struct super s = { .proto = IPPROTO_TCP, .paylen = 6000, .mss = 1448, .seq = 5, .tcp_flags = 0x18 };
    struct pkt *p = mk_super(&s);
    ck_assert_int_eq(dev_queue_xmit(f->dev, p), 0);
    ck_assert_uint_eq(fx_tx_count(f), 5);
    ck_assert_uint_eq(tap_frames, 5);                        /* the capture saw the segments */
    size_t total = 0;
    for (unsigned i = 0; i < 5; i++) {
        struct fx_ipv4 ip;
        size_t len;
        const uint8_t *fr = fxc_pop(&len, NULL);
        ck_assert(fx_parse_ipv4(fr, len, &ip));
        ck_assert(ip.csum_ok);
        ck_assert_uint_eq(ref_l4(DST, SRC, IPPROTO_TCP, ip.payload, ip.plen), 0);   /* completed */
        ck_assert_uint_le(len, ETH_HLEN + 1500);
        total += ip.plen - TCP_HLEN;
    }
    ck_assert_uint_eq(total, 6000);
    ck_assert_uint_eq(f->dev->offload_stats.tx_sw_gso_segs, 5);
    ck_assert_uint_eq(f->dev->offload_stats.tx_sw_csum, 5);
    ptap_del(f->dev, &t);
}
END_TEST

START_TEST(test_validate_device_features)
{
    /* With checksum offload only: segments in software, checksums left partial */
    f->dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO_ECN;
    f->dev->wanted_features = NETIF_F_SG | NETIF_F_HW_CSUM;
    ck_assert_int_eq(netdev_update_features(f->dev), 0);
    ck_assert_uint_eq(f->dev->features & NETIF_F_TSO, 0);
    struct super s = { .proto = IPPROTO_TCP, .paylen = 3000, .mss = 1448, .tcp_flags = 0x10 };
    ck_assert_int_eq(dev_queue_xmit(f->dev, mk_super(&s)), 0);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    for (unsigned i = 0; i < 3; i++) {
        struct fx_ipv4 ip;
        size_t len;
        const uint8_t *fr = fxc_pop(&len, NULL);
        ck_assert(fx_parse_ipv4(fr, len, &ip));
        /* the field holds the pseudo-header sum, not a checksum: nobody summed the data */
        ck_assert_uint_ne(ref_l4(DST, SRC, IPPROTO_TCP, ip.payload, ip.plen), 0);
    }
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_partial, 3);
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_sw_bytes, 0);
    /* With TSO: the super-segment leaves whole */
    f->dev->wanted_features |= NETIF_F_TSO;
    ck_assert_int_eq(netdev_update_features(f->dev), 0);
    ck_assert(f->dev->features & NETIF_F_TSO);
    ck_assert_int_eq(dev_queue_xmit(f->dev, mk_super(&s)), 0);
    size_t len;
    fxc_pop(&len, NULL);
    ck_assert_uint_eq(len, ETH_HLEN + IP4_HLEN + TCP_HLEN + 3000);
    ck_assert_uint_eq(f->dev->offload_stats.tx_gso_packets, 1);
    /* ... but not a TCP_ECN one without TSO_ECN */
    s.ecn = true;
    ck_assert_int_eq(dev_queue_xmit(f->dev, mk_super(&s)), 0);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    fx_tx_clear(f);
}
END_TEST

/* ---- features ---- */

static int set_calls, set_fail;
static netdev_features_t set_last;
static int fake_set_features(struct netdev *dev, netdev_features_t fts)
{
    set_calls++;
    set_last = fts;
    return set_fail ? -EINVAL : 0;
}

START_TEST(test_features_fix_rules)
{
    netdev_features_t all = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO_ECN |
                            NETIF_F_GSO | NETIF_F_GSO_UDP_L4 | NETIF_F_RXCSUM | NETIF_F_GRO_HW;
    ck_assert_uint_eq(netdev_fix_features(all), all);
    /* no SG: no TSO, no software GSO */
    ck_assert_uint_eq(netdev_fix_features(all & ~(netdev_features_t)NETIF_F_SG),
                      NETIF_F_HW_CSUM | NETIF_F_GSO_UDP_L4 | NETIF_F_RXCSUM | NETIF_F_GRO_HW);
    /* no checksum offload: no TSO, no USO */
    ck_assert_uint_eq(netdev_fix_features(all & ~(netdev_features_t)NETIF_F_HW_CSUM),
                      NETIF_F_SG | NETIF_F_GSO | NETIF_F_RXCSUM | NETIF_F_GRO_HW);
    /* TSO_ECN needs TSO */
    ck_assert_uint_eq(netdev_fix_features(all & ~(netdev_features_t)NETIF_F_TSO) & NETIF_F_TSO_ECN, 0);
    /* GRO_HW needs RXCSUM */
    ck_assert_uint_eq(netdev_fix_features(all & ~(netdev_features_t)NETIF_F_RXCSUM) & NETIF_F_GRO_HW, 0);
}
END_TEST

START_TEST(test_features_update_calls_driver)
{
    static struct netdev_ops ops;
    ops = *f->dev->ops;
    ops.set_features = fake_set_features;
    f->dev->ops = &ops;
    f->dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM;
    f->dev->features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM;
    f->dev->wanted_features = NETIF_F_SG | NETIF_F_RXCSUM;        /* tx off */
    set_calls = set_fail = 0;
    ck_assert_int_eq(netdev_update_features(f->dev), 0);
    ck_assert_int_eq(set_calls, 1);
    ck_assert_uint_eq(set_last, NETIF_F_SG | NETIF_F_RXCSUM);
    ck_assert_uint_eq(f->dev->features, NETIF_F_SG | NETIF_F_RXCSUM);
    /* no change, no call */
    ck_assert_int_eq(netdev_update_features(f->dev), 0);
    ck_assert_int_eq(set_calls, 1);
    /* the driver refuses: the old set stays */
    set_fail = 1;
    f->dev->wanted_features = NETIF_F_SG;
    ck_assert_int_eq(netdev_update_features(f->dev), -EINVAL);
    ck_assert_uint_eq(f->dev->features, NETIF_F_SG | NETIF_F_RXCSUM);
}
END_TEST

START_TEST(test_register_soft_gso)
{
    /* register_netdevice turns software GSO on where SG allows; a device without SG has
     * it wanted but not active */
    ck_assert(f->dev->hw_features & NETIF_F_GSO);
    ck_assert(f->dev->wanted_features & NETIF_F_GSO);
    ck_assert_uint_eq(f->dev->features & NETIF_F_GSO, 0);
    ck_assert(f->net->loopback->features & NETIF_F_GSO);
    ck_assert(f->net->loopback->features & NETIF_F_HW_CSUM);
}
END_TEST

/* ---- virtio-net header ---- */

static struct pkt *frame_pkt(const uint8_t *frame, size_t len)
{
    struct pkt *p = pkt_alloc(&f->st->pool, len);
    ck_assert_ptr_nonnull(p);
    memcpy(pkt_put(p, len), frame, len);
    return p;
}

static void vnet(uint8_t *h, uint8_t flags, uint8_t gso_type, uint16_t hdr_len, uint16_t gso_size,
                 uint16_t cstart, uint16_t coff)
{
    struct virtio_net_hdr_view v = { flags, gso_type, hdr_len, gso_size, cstart, coff };
    virtio_net_hdr_write(h, &v);
}

/* A UDP frame from the peer to us (n payload bytes, checksum correct). */
static size_t udp_frame(uint8_t *buf, size_t n, uint16_t dport, uint16_t csum_field)
{
    uint8_t u[65536];
    put_be16(u, 4000);
    put_be16(u + 2, dport);
    put_be16(u + 4, (uint16_t)(UDP_HLEN + n));
    put_be16(u + 6, 0);
    for (size_t i = 0; i < n; i++) u[UDP_HLEN + i] = payload_byte(i);
    uint16_t c = ref_l4(SRC, DST, IPPROTO_UDP, u, UDP_HLEN + n);
    put_be16(u + 6, csum_field ? csum_field : (c ? c : 0xffff));
    return fx_build_ipv4(buf, FX_FRAME_MAX, SRC, DST, IPPROTO_UDP, 64, 1, IP_DF, u, UDP_HLEN + n);
}

START_TEST(test_vnet_parse_good)
{
    uint8_t h[VNET_HDR_LEN];
    size_t len = udp_frame(fxc_buf, 100, 7, 0);
    struct pkt *p = frame_pkt(fxc_buf, len);
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, p, true), DROP_NONE);
    ck_assert_uint_eq(p->ip_summed, CHECKSUM_PARTIAL);
    ck_assert_uint_eq(p->csum_start, (uint32_t)(p->data + 34 - p->head));
    ck_assert_uint_eq(p->csum_offset, 6);
    pkt_free(p);
    p = frame_pkt(fxc_buf, len);
    vnet(h, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0);
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, p, true), DROP_NONE);
    ck_assert_uint_eq(p->ip_summed, CHECKSUM_UNNECESSARY);
    p->ip_summed = CHECKSUM_NONE;
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, p, false), DROP_NONE);   /* rx-checksum off */
    ck_assert_uint_eq(p->ip_summed, CHECKSUM_NONE);
    pkt_free(p);
    /* a super-frame; and one that fits a segment is not GSO */
    len = udp_frame(fxc_buf, 3000, 7, 0);
    p = frame_pkt(fxc_buf, len);
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 1000, 34, 6);
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, p, true), DROP_NONE);
    ck_assert_uint_eq(p->gso_size, 1000);
    ck_assert_uint_eq(p->gso_type, PKT_GSO_UDP_L4);
    ck_assert_uint_eq(p->gso_segs, 3);
    pkt_free(p);
    p = frame_pkt(fxc_buf, len);
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 3000, 34, 6);
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, p, true), DROP_NONE);
    ck_assert_uint_eq(p->gso_size, 0);
    pkt_free(p);
}
END_TEST

START_TEST(test_vnet_parse_bad)
{
    size_t len = udp_frame(fxc_buf, 3000, 7, 0);
    static const struct { uint8_t fl, gt; uint16_t hl, gs, cs, co; enum drop why; } cases[] = {
        { 1, 2, 0, 1000, 34, 6, DROP_DEV_HDR_GSO_TYPE },        /* 2: unknown */
        { 1, 3, 0, 1000, 34, 6, DROP_DEV_HDR_GSO_TYPE },        /* UFO */
        { 1, 4, 0, 1000, 34, 16, DROP_DEV_HDR_GSO_TYPE },       /* TCPV6 */
        { 1, 9, 0, 1000, 34, 6, DROP_DEV_HDR_GSO_TYPE },
        { 1, 0x85, 0, 1000, 34, 6, DROP_DEV_HDR_ECN },          /* ECN on UDP */
        { 0, 0x80, 0, 0, 0, 0, DROP_DEV_HDR_ECN },              /* ECN alone */
        { 1, 5, 0, 0, 34, 6, DROP_DEV_HDR_GSO_SIZE },           /* gso_size 0 */
        { 1, 5, 0, 10, 34, 6, DROP_DEV_HDR_GSO_SIZE },          /* 300 > UDP_MAX_SEGMENTS */
        { 0, 5, 0, 1000, 0, 0, DROP_DEV_HDR_CSUM },             /* GSO without NEEDS_CSUM */
        { 1, 5, 0, 1000, 34, 16, DROP_DEV_HDR_CSUM },           /* not UDP's check field */
        { 1, 1, 0, 1000, 34, 6, DROP_DEV_HDR_CSUM },            /* not TCP's check field */
        { 1, 0, 0, 0, 20, 6, DROP_DEV_HDR_CSUM },               /* start inside the IP header */
        { 1, 0, 0, 0, 34, 65000, DROP_DEV_HDR_CSUM },           /* start + offset + 2 > len */
        { 1, 0, 0, 0, 65000, 0, DROP_DEV_HDR_CSUM },
        { 0, 0, 60000, 0, 0, 0, DROP_DEV_HDR_LEN },             /* hdr_len > len */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t h[VNET_HDR_LEN];
        vnet(h, cases[i].fl, cases[i].gt, cases[i].hl, cases[i].gs, cases[i].cs, cases[i].co);
        /* through the receive entry point: a counted drop and a frame error */
        uint64_t before = DROPS(cases[i].why), errs = f->dev->stats.rx_errors;
        virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
        ck_assert_msg(DROPS(cases[i].why) == before + 1, "case %zu: not counted as %s", i,
                      drop_name(cases[i].why));
        ck_assert_uint_eq(f->dev->stats.rx_errors, errs + 1);
    }
    ck_assert_uint_eq(MIB(MIB_IpInReceives), 0);             /* none reached IP */
}
END_TEST

START_TEST(test_vnet_hdr_from_pkt)
{
    struct super s = { .proto = IPPROTO_TCP, .paylen = 3000, .mss = 1448, .tcp_opt = 12,
                       .ecn = true, .tcp_flags = 0x90 };
    struct pkt *p = mk_super(&s);
    uint8_t h[VNET_HDR_LEN];
    virtio_net_hdr_from_pkt(p, h);
    struct virtio_net_hdr_view v;
    virtio_net_hdr_read(h, &v);
    ck_assert_uint_eq(v.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    ck_assert_uint_eq(v.gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
    ck_assert_uint_eq(v.gso_size, 1448);
    ck_assert_uint_eq(v.hdr_len, ETH_HLEN + IP4_HLEN + TCP_HLEN + 12);
    ck_assert_uint_eq(v.csum_start, ETH_HLEN + IP4_HLEN);
    ck_assert_uint_eq(v.csum_offset, TCP_OFF_CSUM);
    /* and the parser takes back what the builder wrote */
    struct pkt *q = frame_pkt(p->data, p->len);
    ck_assert_int_eq(virtio_net_hdr_to_pkt(h, q, true), DROP_NONE);
    ck_assert_uint_eq(q->gso_type, p->gso_type);
    ck_assert_uint_eq(q->gso_size, p->gso_size);
    ck_assert_uint_eq(q->csum_start - (q->data - q->head), p->csum_start - (p->data - p->head));
    pkt_free(q);
    pkt_free(p);
    /* a plain packet: all zero */
    p = frame_pkt(fxc_buf, udp_frame(fxc_buf, 10, 7, 0));
    virtio_net_hdr_from_pkt(p, h);
    static const uint8_t zero[VNET_HDR_LEN];
    ck_assert_mem_eq(h, zero, VNET_HDR_LEN);
    pkt_free(p);
}
END_TEST

/* ---- the stack ---- */

static struct sock *udp_sock(uint16_t port)
{
    int err;
    struct sock *sk = sock_create(f->net, 2 /* SOCK_DGRAM */, IPPROTO_UDP, &err);
    ck_assert_ptr_nonnull(sk);
    ck_assert_int_eq(sock_bind(sk, 0, port), 0);
    return sk;
}

START_TEST(test_udp_send_partial_or_full)
{
    struct sock *sk = udp_sock(5000);
    struct sock_addr to = { FX_PEER, 9 };
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = payload_byte(i);
    /* no checksum offload: a complete checksum */
    ck_assert_int_eq(sock_sendto(sk, data, sizeof(data), &to), (long)sizeof(data));
    struct fx_ipv4 ip;
    size_t len;
    const uint8_t *fr = fxc_pop(&len, NULL);
    ck_assert(fx_parse_ipv4(fr, len, &ip));
    ck_assert_uint_eq(ref_l4(FX_ADDR, FX_PEER, IPPROTO_UDP, ip.payload, ip.plen), 0);
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_sw_bytes, UDP_HLEN + sizeof(data));
    /* with it: the field holds the pseudo-header sum, the device finishes the rest */
    f->dev->features |= NETIF_F_HW_CSUM;
    ck_assert_int_eq(sock_sendto(sk, data, sizeof(data), &to), (long)sizeof(data));
    fr = fxc_pop(&len, NULL);
    ck_assert(fx_parse_ipv4(fr, len, &ip));
    ck_assert_uint_eq(get_be16(ip.payload + 6), pseudo_seed(FX_ADDR, FX_PEER, ip.plen));
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_sw_bytes, UDP_HLEN + sizeof(data));
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_partial, 1);
    /* a datagram that must be fragmented is checksummed in software (__ip_append_data) */
    static uint8_t big[4000];
    ck_assert_int_eq(sock_sendto(sk, big, sizeof(big), &to), (long)sizeof(big));
    ck_assert_uint_eq(f->dev->offload_stats.tx_csum_sw_bytes, UDP_HLEN + sizeof(data) + UDP_HLEN + sizeof(big));
    fx_tx_clear(f);
    sock_close(sk);
}
END_TEST

/* A frame with a wrong checksum that the device says it verified is delivered when
 * rx-checksum is on, and counted as a checksum error when it is off. */
START_TEST(test_udp_trusts_device)
{
    struct sock *sk = udp_sock(7000);
    size_t len = udp_frame(fxc_buf, 50, 7000, 0x1234);     /* wrong checksum */
    uint8_t h[VNET_HDR_LEN];
    vnet(h, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0);
    f->dev->features |= NETIF_F_RXCSUM;
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
    stack_poll(f->st);
    uint8_t buf[100];
    struct sock_addr from;
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), &from), 50);
    ck_assert_uint_eq(f->dev->offload_stats.rx_csum_sw_bytes, 0);
    ck_assert_uint_eq(f->dev->offload_stats.rx_csum_unnecessary, 1);
    /* partial (the field holds the pseudo sum: wrong as a checksum) is trusted too */
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), &from), 50);
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 0);
    /* rx-checksum off: DATA_VALID is ignored, the software check finds the error */
    f->dev->features &= ~(netdev_features_t)NETIF_F_RXCSUM;
    vnet(h, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0);
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
    ck_assert_uint_eq(MIB(MIB_UdpInCsumErrors), 1);
    ck_assert_uint_eq(f->dev->offload_stats.rx_csum_sw_bytes, UDP_HLEN + 50);
    sock_close(sk);
}
END_TEST

START_TEST(test_udp_super_frame_received_as_datagrams)
{
    struct sock *sk = udp_sock(7001);
    size_t len = udp_frame(fxc_buf, 2500, 7001, 0);
    /* as the kernel sends it: the UDP checksum field holds the pseudo-header sum */
    uint8_t *u = fxc_buf + ETH_HLEN + IP4_HLEN;
    put_be16(u + 6, pseudo_seed(SRC, DST, UDP_HLEN + 2500));
    f->dev->mtu = 1500;
    uint8_t h[VNET_HDR_LEN];
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 1000, 34, 6);
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));     /* 2542 > MTU: a GSO frame */
    ck_assert_uint_eq(DROPS(DROP_FRAME_TOO_BIG), 0);
    uint8_t buf[3000];
    struct sock_addr from;
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        long n = sock_recvfrom(sk, buf, sizeof(buf), &from);
        ck_assert_int_eq(n, i < 2 ? 1000 : 500);
        for (long k = 0; k < n; k++) ck_assert_uint_eq(buf[k], payload_byte(off + (size_t)k));
        off += (size_t)n;
    }
    ck_assert_int_lt(sock_recvfrom(sk, buf, sizeof(buf), &from), 0);
    ck_assert_uint_eq(f->dev->offload_stats.rx_csum_sw_bytes, 0);
    /* the same frame without the GSO header is longer than the MTU: dropped */
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
    ck_assert_uint_eq(DROPS(DROP_FRAME_TOO_BIG), 1);
    sock_close(sk);
}
END_TEST

/* Forwarding a received partial checksum to a device without checksum offload: it
 * leaves complete, whole or in fragments. */
START_TEST(test_forward_completes_partial)
{
    static const struct eth_addr mac1 = { { 0x02, 0, 0, 0, 1, 1 } }, far_mac = { { 0x02, 0, 0, 0, 1, 9 } };
    struct netdev *eth1 = fx_add_dev(f, "eth1", &mac1, FX_IP(192, 168, 1, 1), 24, 1500);
    ck_assert_ptr_nonnull(eth1);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, FX_IP(192, 168, 1, 9), &far_mac, NUD_PERMANENT));
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.ip_forward", "1"), 0);
    f->dev->mtu = 9000;
    f->dev->max_mtu = 9000;
    for (int big = 0; big < 2; big++) {
        size_t n = big ? 4000 : 1000;
        uint8_t u[4100];
        put_be16(u, 1);
        put_be16(u + 2, 2);
        put_be16(u + 4, (uint16_t)(UDP_HLEN + n));
        for (size_t i = 0; i < n; i++) u[UDP_HLEN + i] = payload_byte(i);
        put_be16(u + 6, pseudo_seed(SRC, FX_IP(192, 168, 1, 9), UDP_HLEN + n));
        size_t len = fx_build_ipv4(fxc_buf, FX_FRAME_MAX, SRC, FX_IP(192, 168, 1, 9), IPPROTO_UDP, 64,
                                   9, 0, u, UDP_HLEN + n);
        uint8_t h[VNET_HDR_LEN];
        vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
        virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
        /* collect what left on eth1 (one datagram, or its fragments in order) */
        static uint8_t dg[4200];
        size_t got = 0;
        while (fx_tx_count(f)) {
            struct fx_ipv4 ip;
            size_t flen;
            int ifi;
            const uint8_t *fr = fxc_pop(&flen, &ifi);
            ck_assert_int_eq(ifi, eth1->ifindex);
            ck_assert(fx_parse_ipv4(fr, flen, &ip));
            ck_assert_uint_eq((size_t)(ip.frag & IP_OFFMASK) * 8, got);
            memcpy(dg + got, ip.payload, ip.plen);
            got += ip.plen;
        }
        ck_assert_uint_eq(got, UDP_HLEN + n);
        ck_assert_uint_eq(ref_l4(SRC, FX_IP(192, 168, 1, 9), IPPROTO_UDP, dg, got), 0);
        ck_assert_uint_eq(eth1->offload_stats.tx_sw_csum, (uint64_t)big + 1);
    }
    ck_assert_uint_eq(MIB(MIB_IpFragCreates), 3);
}
END_TEST

START_TEST(test_icmp_echo_of_partial_request)
{
    /* An echo request whose checksum the sender left partial gets a correct reply */
    uint8_t ic[64];
    memset(ic, 0, sizeof(ic));
    ic[0] = 8;
    put_be16(ic + 4, 77);
    put_be16(ic + 6, 1);
    for (int i = 8; i < 64; i++) ic[i] = (uint8_t)i;
    /* ICMP has no pseudo-header: the partial seed is 0 */
    size_t len = fx_build_ipv4(fxc_buf, FX_FRAME_MAX, FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 3, 0, ic, sizeof(ic));
    uint8_t h[VNET_HDR_LEN];
    vnet(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 2);
    virtio_net_receive(f->dev, h, frame_pkt(fxc_buf, len));
    ck_assert_uint_eq(MIB(MIB_IcmpInCsumErrors), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchoReps), 1);
    struct fx_ipv4 ip;
    struct fx_icmp r;
    size_t flen;
    const uint8_t *fr = fxc_pop(&flen, NULL);
    ck_assert(fx_parse_ipv4(fr, flen, &ip));
    ck_assert(fx_parse_icmp(&ip, &r));
    ck_assert_uint_eq(r.type, 0);
    ck_assert(r.csum_ok);
}
END_TEST

Suite *offload_suite(void)
{
    Suite *s = suite_create("offload");
    TCase *tc = tcase_create("gso");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_gso_tcp_segments);
    tcase_add_test(tc, test_gso_tcp_exact_multiple);
    tcase_add_test(tc, test_gso_udp_segments);
    tcase_add_test(tc, test_gso_one_segment_is_not_gso);
    tcase_add_test(tc, test_gso_bad_headers);
    tcase_add_test(tc, test_checksum_help_equals_full);
    tcase_add_test(tc, test_checksum_help_zero_is_ffff);
    tcase_add_test(tc, test_checksum_help_shared_and_bad);
    suite_add_tcase(s, tc);
    tc = tcase_create("device");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_validate_software_fallback);
    tcase_add_test(tc, test_validate_device_features);
    tcase_add_test(tc, test_features_fix_rules);
    tcase_add_test(tc, test_features_update_calls_driver);
    tcase_add_test(tc, test_register_soft_gso);
    tcase_add_test(tc, test_vnet_parse_good);
    tcase_add_test(tc, test_vnet_parse_bad);
    tcase_add_test(tc, test_vnet_hdr_from_pkt);
    suite_add_tcase(s, tc);
    tc = tcase_create("stack");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_udp_send_partial_or_full);
    tcase_add_test(tc, test_udp_trusts_device);
    tcase_add_test(tc, test_udp_super_frame_received_as_datagrams);
    tcase_add_test(tc, test_forward_completes_partial);
    tcase_add_test(tc, test_icmp_echo_of_partial_request);
    suite_add_tcase(s, tc);
    return s;
}
