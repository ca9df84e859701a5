/*
 * net/virtio_net.c — parse and build the virtio-net header (see virtio_net.h).
 *
 * The header comes from the kernel, but it is still input: every field is checked
 * against the frame before the stack relies on it (Linux virtio_net_hdr_to_skb), and a
 * bad header is a counted drop (Linux: rx_frame_errors and SKB_DROP_REASON_DEV_HDR).
 */
#include "virtio_net.h"
#include "netdev.h"
#include "offload.h"
#include "stack.h"
#include "ip/ip_wire.h"

static uint16_t rd16(const uint8_t *b) { uint16_t v; memcpy(&v, b, 2); return v; }
static void wr16(uint8_t *b, uint16_t v) { memcpy(b, &v, 2); }

void virtio_net_hdr_read(const uint8_t *b, struct virtio_net_hdr_view *h)
{
    h->flags = b[0];
    h->gso_type = b[1];
    h->hdr_len = rd16(b + 2);
    h->gso_size = rd16(b + 4);
    h->csum_start = rd16(b + 6);
    h->csum_offset = rd16(b + 8);
}

void virtio_net_hdr_write(uint8_t *b, const struct virtio_net_hdr_view *h)
{
    b[0] = h->flags;
    b[1] = h->gso_type;
    wr16(b + 2, h->hdr_len);
    wr16(b + 4, h->gso_size);
    wr16(b + 6, h->csum_start);
    wr16(b + 8, h->csum_offset);
}

/* gso_type -> PKT_GSO_* with the transport header's minimum length and checksum field. */
static enum drop vnet_gso_type(uint8_t t, unsigned *gso, unsigned *thlen, unsigned *csum_off)
{
    unsigned base = t & (unsigned)~VIRTIO_NET_HDR_GSO_ECN;
    *gso = PKT_GSO_NONE;
    *thlen = *csum_off = 0;
    if (t == VIRTIO_NET_HDR_GSO_NONE) return DROP_NONE;
    if (base == VIRTIO_NET_HDR_GSO_TCPV4) {
        *gso = PKT_GSO_TCPV4 | ((t & VIRTIO_NET_HDR_GSO_ECN) ? PKT_GSO_TCP_ECN : 0);
        *thlen = TCP_HLEN;
        *csum_off = TCP_OFF_CSUM;
        return DROP_NONE;
    }
    /* ECN describes TCP's CWR: on nothing or on UDP it is a broken header */
    if ((t & VIRTIO_NET_HDR_GSO_ECN) && (base == VIRTIO_NET_HDR_GSO_NONE || base == VIRTIO_NET_HDR_GSO_UDP_L4))
        return DROP_DEV_HDR_ECN;
    if (base == VIRTIO_NET_HDR_GSO_UDP_L4) {
        *gso = PKT_GSO_UDP_L4;
        *thlen = UDP_HLEN;
        *csum_off = UDP_OFF_CHECK;
        return DROP_NONE;
    }
    return DROP_DEV_HDR_GSO_TYPE;       /* TCPV6, UFO, unknown */
}

/* NEEDS_CSUM: the partial checksum must lie inside the frame, after an Ethernet and a
 * minimal IPv4 header, with room for the transport header a GSO type implies. */
static enum drop vnet_csum(const struct virtio_net_hdr_view *h, struct pkt *p, unsigned thlen,
                           unsigned gso_csum_off)
{
    size_t need = (size_t)h->csum_start + MAX((size_t)thlen, (size_t)h->csum_offset + 2);
    if (need > p->len || h->csum_start < ETH_HLEN + IP4_HLEN) return DROP_DEV_HDR_CSUM;
    if (gso_csum_off && h->csum_offset != gso_csum_off) return DROP_DEV_HDR_CSUM;
    pkt_partial_csum_set(p, p->data + h->csum_start, h->csum_offset);
    p->th_off = (int32_t)(p->csum_start);
    return DROP_NONE;
}

enum drop virtio_net_hdr_to_pkt(const uint8_t *hdr, struct pkt *p, bool rxcsum)
{
    struct virtio_net_hdr_view h;
    unsigned gso, thlen, gso_csum_off;
    virtio_net_hdr_read(hdr, &h);
    enum drop why = vnet_gso_type(h.gso_type, &gso, &thlen, &gso_csum_off);
    if (why != DROP_NONE) return why;
    if (gso && !h.gso_size) return DROP_DEV_HDR_GSO_SIZE;
    /* A super-frame's checksums cannot have been computed: it must come partial. */
    if (gso && !(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) return DROP_DEV_HDR_CSUM;
    if (h.hdr_len > p->len) return DROP_DEV_HDR_LEN;
    if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        why = vnet_csum(&h, p, thlen, gso_csum_off);
        if (why != DROP_NONE) return why;
    } else if ((h.flags & VIRTIO_NET_HDR_F_DATA_VALID) && rxcsum) {
        p->ip_summed = CHECKSUM_UNNECESSARY;
    }
    if (!gso) return DROP_NONE;
    size_t p_off = (size_t)h.csum_start + thlen;
    if (p->len - p_off <= h.gso_size) return DROP_NONE;    /* not really a GSO one */
    size_t segs = (p->len - p_off + h.gso_size - 1) / h.gso_size;
    if (segs > (gso == PKT_GSO_UDP_L4 ? UDP_MAX_SEGMENTS : GSO_MAX_SEGS)) {
        p->ip_summed = CHECKSUM_NONE;
        return DROP_DEV_HDR_GSO_SIZE;
    }
    p->gso_size = h.gso_size;
    p->gso_type = (uint8_t)gso;
    p->gso_segs = (uint16_t)segs;
    return DROP_NONE;
}

void virtio_net_hdr_from_pkt(const struct pkt *p, uint8_t hdr[VNET_HDR_LEN])
{
    struct virtio_net_hdr_view h = { 0 };
    size_t room = pkt_headroom(p);
    if (p->gso_size) {
        h.gso_type = (p->gso_type & PKT_GSO_UDP_L4) ? VIRTIO_NET_HDR_GSO_UDP_L4 : VIRTIO_NET_HDR_GSO_TCPV4;
        if (p->gso_type & PKT_GSO_TCP_ECN) h.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
        h.gso_size = p->gso_size;
        /* the headers' length: a hint for how much the kernel copies into its skb head */
        if (p->th_off >= 0 && (size_t)p->th_off >= room && (size_t)p->th_off - room + TCP_HLEN <= p->len) {
            size_t th = (size_t)p->th_off - room;
            unsigned thlen = (p->gso_type & PKT_GSO_UDP_L4) ? UDP_HLEN
                           : (unsigned)(p->data[th + TCP_OFF_DOFF] >> 4) * 4;
            h.hdr_len = (uint16_t)MIN(th + thlen, p->len);
        }
    }
    if (p->ip_summed == CHECKSUM_PARTIAL) {
        h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h.csum_start = (uint16_t)(p->csum_start - room);
        h.csum_offset = p->csum_offset;
    }
    virtio_net_hdr_write(hdr, &h);
}

void virtio_net_receive(struct netdev *dev, const uint8_t *hdr, struct pkt *p)
{
    enum drop why = virtio_net_hdr_to_pkt(hdr, p, dev->features & NETIF_F_RXCSUM);
    if (why != DROP_NONE) {
        dev->stats.rx_errors++;         /* virtio_net's rx_frame_errors ("bad gso") */
        pkt_drop(dev->net, p, why);
        return;
    }
    struct netdev_offload_stats *s = &dev->offload_stats;
    if (p->ip_summed == CHECKSUM_PARTIAL) s->rx_csum_partial++;
    else if (p->ip_summed == CHECKSUM_UNNECESSARY) s->rx_csum_unnecessary++;
    if (p->gso_size) s->rx_gso_packets++;
    netif_receive(dev, p);
}
