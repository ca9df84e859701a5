/*
 * net/gso.c — software segmentation of a GSO packet (Linux: skb_gso_segment ->
 * inet_gso_segment -> tcp4_gso_segment / __udp_gso_segment; see offload.h).
 *
 * The packet is checked first, as Linux checks a packet whose headers came from outside
 * (SKB_GSO_DODGY, a TAP frame with a virtio-net header): an IPv4 header whose protocol
 * matches the GSO type, the transport header right after it and complete. Then each
 * segment is built in a new buffer: the headers copied, the payload slice copied once,
 * and the per-segment fields fixed up.
 */
#include "offload.h"
#include "netdev.h"
#include "csum.h"
#include "trace.h"
#include "ip/ip_wire.h"
#include <stdint.h>

struct gso_layout {
    size_t   nh, th;        /* IP and transport header, offsets from data */
    size_t   hdr_len;       /* data .. end of the transport header */
    size_t   paylen;        /* payload bytes after the headers */
    unsigned thlen;
    uint8_t  proto;
};

/* inet_gso_segment's and tcp4/udp4's header checks. */
static enum drop gso_check(const struct pkt *p, struct gso_layout *g)
{
    size_t room = pkt_headroom(p);
    unsigned type = p->gso_type;
    if (!p->gso_size || p->nh_off < 0 || p->th_off < 0 || (size_t)p->nh_off < room)
        return DROP_SKB_GSO_SEG;
    if ((type & ~(unsigned)PKT_GSO_TCP_ECN) == PKT_GSO_TCPV4) g->proto = IPPROTO_TCP;
    else if (type == PKT_GSO_UDP_L4) g->proto = IPPROTO_UDP;
    else return DROP_SKB_GSO_SEG;
    g->nh = (size_t)p->nh_off - room;
    if (g->nh + IP4_HLEN > p->len) return DROP_SKB_GSO_SEG;
    const uint8_t *ih = p->data + g->nh;
    unsigned ihl = ip4_hlen(ih);
    if (ip4_version(ih) != 4 || ihl < IP4_HLEN || ip4_proto(ih) != g->proto || ip4_is_fragment(ih))
        return DROP_SKB_GSO_SEG;
    g->th = g->nh + ihl;
    if ((size_t)p->th_off != room + g->th || g->th + (g->proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) > p->len)
        return DROP_SKB_GSO_SEG;
    g->thlen = g->proto == IPPROTO_TCP ? (unsigned)(p->data[g->th + TCP_OFF_DOFF] >> 4) * 4 : UDP_HLEN;
    if (g->thlen < (g->proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) || g->th + g->thlen > p->len)
        return DROP_SKB_GSO_SEG;
    g->hdr_len = g->th + g->thlen;
    g->paylen = p->len - g->hdr_len;
    if ((g->paylen + p->gso_size - 1) / p->gso_size > GSO_MAX_SEGS) return DROP_SKB_GSO_SEG;
    return DROP_NONE;
}

size_t pkt_gso_seg_len(const struct pkt *p)
{
    struct gso_layout g;
    if (gso_check(p, &g) != DROP_NONE) return SIZE_MAX;
    return g.hdr_len - g.nh + MIN((size_t)p->gso_size, g.paylen);
}

/* A segment: p's metadata, the headers, and n payload bytes from off. */
static struct pkt *gso_new_seg(const struct pkt *p, const struct gso_layout *g, size_t off, size_t n)
{
    struct pkt *s = pkt_alloc(p->pool, g->hdr_len + n);
    if (!s) return NULL;
    uint8_t *data = s->data;
    pkt_copy_meta(s, p);
    /* the offsets were p's, relative to its head: move them by the change of headroom */
    int32_t delta = (int32_t)(data - s->head) - (int32_t)pkt_headroom(p);
    /* a MAC header in front of data (a received frame cut at UDP) is not copied */
    if (s->mac_off >= 0) s->mac_off = (size_t)s->mac_off < pkt_headroom(p) ? -1 : s->mac_off + delta;
    s->nh_off += delta;
    s->th_off += delta;
    s->gso_size = s->gso_segs = 0;
    s->gso_type = PKT_GSO_NONE;
    uint8_t *d = pkt_put(s, g->hdr_len + n);
    memcpy(d, p->data, g->hdr_len);
    memcpy(d + g->hdr_len, p->data + g->hdr_len + off, n);
    return s;
}

/* The fields that differ from segment to segment (i of last; seq: this one's). */
static void gso_fix_seg(struct pkt *s, const struct gso_layout *g, unsigned i, unsigned last,
                        uint32_t seq, uint16_t id0, uint8_t flags0)
{
    uint8_t *ih = s->data + g->nh, *th = s->data + g->th;
    uint16_t l4len = (uint16_t)(s->len - g->th);
    put_be16(ih + IP4_OFF_LEN, (uint16_t)(s->len - g->nh));
    put_be16(ih + IP4_OFF_ID, (uint16_t)(id0 + i));     /* inet_gso_segment: id++ */
    put_be16(ih + IP4_OFF_CSUM, 0);
    put_be16(ih + IP4_OFF_CSUM, inet_csum(ih, ip4_hlen(ih)));
    uint16_t csum_off;
    if (g->proto == IPPROTO_TCP) {
        /* tcp_gso_segment: FIN and PSH belong to the last segment, CWR to the first */
        uint8_t fl = flags0;
        if (i != last) fl &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
        if (i != 0) fl &= (uint8_t)~TCP_FLAG_CWR;
        th[TCP_OFF_FLAGS] = fl;
        put_be32(th + TCP_OFF_SEQ, seq);
        csum_off = TCP_OFF_CSUM;
    } else {
        put_be16(th + 4, l4len);                           /* __udp_gso_segment: uh->len */
        csum_off = UDP_OFF_CHECK;
    }
    pkt_csum_partial_l4(s, th, csum_off, ip4_src(ih), ip4_dst(ih), g->proto, l4len);
}

struct pkt *pkt_gso_segment(struct pkt *p, enum drop *why)
{
    struct gso_layout g;
    *why = gso_check(p, &g);
    if (*why != DROP_NONE) return NULL;
    size_t mss = p->gso_size;
    if (g.paylen <= mss) {
        /* "too small packets are not really GSO ones" (virtio_net_hdr_to_skb) */
        p->gso_size = p->gso_segs = 0;
        p->gso_type = PKT_GSO_NONE;
        return p;
    }
    const uint8_t *ih = p->data + g.nh, *th = p->data + g.th;
    uint32_t seq0 = g.proto == IPPROTO_TCP ? get_be32(th + TCP_OFF_SEQ) : 0;
    uint8_t flags0 = g.proto == IPPROTO_TCP ? th[TCP_OFF_FLAGS] : 0;
    uint16_t id0 = ip4_id(ih);
    unsigned last = (unsigned)((g.paylen + mss - 1) / mss) - 1;
    struct pkt *head = NULL, **tail = &head;
    for (unsigned i = 0; i <= last; i++) {
        size_t off = (size_t)i * mss;
        struct pkt *s = gso_new_seg(p, &g, off, MIN(mss, g.paylen - off));
        if (!s) {
            while (head) { struct pkt *n = head->next; pkt_free(head); head = n; }
            *why = DROP_NOMEM;
            return NULL;
        }
        gso_fix_seg(s, &g, i, last, seq0 + (uint32_t)off, id0, flags0);
        *tail = s;
        tail = &s->next;
    }
    if (p->tr) TRACEF(p, "gso_segment", "skb_gso_segment", "%u segments", last + 1);
    trace_handover(p, head);            /* the first segment continues the journey */
    pkt_free(p);
    return head;
}
