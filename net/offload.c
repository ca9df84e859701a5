/*
 * net/offload.c — device offload features and the software checksum (see offload.h).
 *
 *   netdev_fix_features     the dependencies between features (Linux netdev_fix_features)
 *   netdev_update_features  wanted -> active, then the driver (__netdev_update_features)
 *   pkt_csum_partial_l4     a sender leaves its checksum to the device
 *   pkt_checksum_help       ... and the software completes it (skb_checksum_help)
 */
#include "offload.h"
#include "netdev.h"
#include "csum.h"
#include <errno.h>

netdev_features_t netdev_fix_features(netdev_features_t f)
{
    /* TSO requires that SG is present as well, and a checksum feature: every segment's
     * checksum is left to the device. */
    if ((f & NETIF_F_ALL_TSO) && !(f & NETIF_F_SG)) f &= ~(netdev_features_t)NETIF_F_ALL_TSO;
    if ((f & NETIF_F_TSO) && !(f & NETIF_F_CSUM_MASK)) f &= ~(netdev_features_t)NETIF_F_ALL_TSO;
    /* TSO ECN requires TSO. */
    if ((f & NETIF_F_ALL_TSO) == NETIF_F_TSO_ECN) f &= ~(netdev_features_t)NETIF_F_TSO_ECN;
    /* UDP segmentation leaves each datagram's checksum to the device too. */
    if ((f & NETIF_F_GSO_UDP_L4) && !(f & NETIF_F_CSUM_MASK)) f &= ~(netdev_features_t)NETIF_F_GSO_UDP_L4;
    /* Software GSO depends on SG. */
    if ((f & NETIF_F_GSO) && !(f & NETIF_F_SG)) f &= ~(netdev_features_t)NETIF_F_GSO;
    /* GRO_HW implies RXCSUM: every super-frame the hardware merged must have had its
     * checksums verified (Linux: "Dropping NETIF_F_GRO_HW since no RXCSUM feature"). */
    if ((f & NETIF_F_GRO_HW) && !(f & NETIF_F_RXCSUM)) f &= ~(netdev_features_t)NETIF_F_GRO_HW;
    return f;
}

int netdev_update_features(struct netdev *dev)
{
    /* netdev_get_wanted_features: what cannot change stays, the rest is what was asked */
    netdev_features_t f = (dev->features & ~dev->hw_features) | (dev->wanted_features & dev->hw_features);
    f = netdev_fix_features(f);
    if (f == dev->features) return 0;
    if (dev->ops->set_features) {
        int err = dev->ops->set_features(dev, f);
        if (err < 0) return err;        /* the device keeps its old set */
    }
    dev->features = f;
    return 0;
}

/* Linux net_gso_ok: every bit of the GSO type has its device feature. */
static bool features_gso_ok(netdev_features_t f, unsigned gso_type)
{
    netdev_features_t need = 0;
    if (gso_type & PKT_GSO_TCPV4) need |= NETIF_F_TSO;
    if (gso_type & PKT_GSO_TCP_ECN) need |= NETIF_F_TSO_ECN;
    if (gso_type & PKT_GSO_UDP_L4) need |= NETIF_F_GSO_UDP_L4;
    return need && (f & need) == need;
}

bool netif_gso_ok(const struct netdev *dev, unsigned gso_type)
{
    /* sk_can_gso: the device segments, or software GSO will */
    return (dev->features & NETIF_F_GSO) || features_gso_ok(dev->features, gso_type);
}

bool netif_needs_gso(const struct netdev *dev, const struct pkt *p)
{
    /* Linux netif_needs_gso: the device lacks a feature the type needs, or the packet's
     * checksum is not one the device can finish per segment */
    return p->gso_size && (!features_gso_ok(dev->features, p->gso_type) ||
                           p->ip_summed != CHECKSUM_PARTIAL);
}

void pkt_csum_partial_l4(struct pkt *p, uint8_t *th, uint16_t csum_off, uint32_t saddr,
                         uint32_t daddr, uint8_t proto, uint16_t l4len)
{
    /* The folded, uncomplemented pseudo-header sum: the device adds the header and data
     * to it and stores the complement (Linux: ~csum_tcpudp_magic(...)). */
    put_be16(th + csum_off, (uint16_t)~csum_fold(csum_pseudo(saddr, daddr, proto, l4len)));
    pkt_partial_csum_set(p, th, csum_off);
}

enum drop pkt_checksum_help(struct pkt *p)
{
    if (p->ip_summed != CHECKSUM_PARTIAL) return DROP_NONE;
    size_t room = pkt_headroom(p);
    if (p->csum_start < room) return DROP_SKB_CSUM;
    size_t off = p->csum_start - room;
    if (off > p->len || (size_t)p->csum_offset + 2 > p->len - off) return DROP_SKB_CSUM;
    if (pkt_make_writable(p) < 0) return DROP_NOMEM;
    uint8_t *start = p->data + off;
    size_t n = p->len - off;
    uint16_t c = csum_fold(csum_partial(start, n, 0));
    put_be16(start + p->csum_offset, c ? c : 0xffff);
    p->ip_summed = CHECKSUM_NONE;
    if (p->dev) {
        p->dev->offload_stats.tx_sw_csum++;
        p->dev->offload_stats.tx_csum_sw_bytes += n;
    }
    return DROP_NONE;
}
