/*
 * vxlan/vxlan_xmit.c — wrapping: a vxlan device's transmit (Linux vxlan_xmit,
 * vxlan_xmit_one and vxlan_build_skb in drivers/net/vxlan/vxlan_core.c).
 *
 * vxlan_xmit looks the inner destination MAC up in the FDB; a MAC it does not know uses
 * the all-zeros entry (the default destinations: `remote`, or what `bridge fdb append
 * 00:00:00:00:00:00` added), and with neither the frame is dropped (VXLAN_NO_REMOTE).
 * An entry with several destinations sends one copy to each (head-end replication:
 * clones of the frame, the original to the first). vxlan_xmit_one wraps one copy:
 *
 *   [outer Ethernet | outer IPv4 | UDP sport->dport | VXLAN I, VNI | inner frame]
 *
 * and hands it to udp_tunnel_xmit_skb -> ip_local_out in the device's underlay
 * namespace, which routes, resolves the next hop by ARP and sends on the underlay device.
 * Outer IP: TTL `ttl` or the route's default (1 to a multicast group), DF clear (Linux's
 * default `df unset`, so an outer datagram too big for a hop is fragmented), TOS 0 with
 * the inner ECN bits copied (RFC 6040 §4.1, ip_tunnel_ecn_encap). The device advertises
 * no checksum or segmentation offload, so the core has finished the inner checksum and
 * cut any super-packet before vxlan_xmit sees it (validate_xmit_pkt).
 */
#include "vxlan_private.h"
#include "udp/udp_tunnel.h"
#include "net/netdev.h"
#include "net/trace.h"
#include "ip/ip.h"

/* RFC 6040 §4.1 normal mode (Linux INET_ECN_encapsulate): ECT(0)/ECT(1) are copied to
 * the outer header, CE becomes ECT(0), not-ECT stays not-ECT. */
static uint8_t vxlan_ecn_encap(const struct pkt *p)
{
    if (p->protocol != ETH_P_IP || p->len < ETH_HLEN + IP4_HLEN) return 0;
    uint8_t ecn = p->data[ETH_HLEN + 1] & 3;
    return ecn == 3 ? 2 : ecn;
}

static void vxlan_tx_drop(struct netdev *dev, struct pkt *p, enum drop why)
{
    dev->stats.tx_dropped++;
    pkt_drop(dev->net, p, why);
}

/* Linux vxlan_xmit_one for an IPv4 destination rd. Consumes p. */
static void vxlan_xmit_one(struct vxlan_dev *vx, struct pkt *p, const struct vxlan_rdst *rd)
{
    struct netdev *dev = vx->dev;
    if (!rd->remote_ip) { vxlan_tx_drop(dev, p, DROP_VXLAN_NO_REMOTE); return; }
    uint16_t dport = rd->remote_port ? rd->remote_port : vx->cfg.dst_port;
    uint8_t ttl = vx->cfg.ttl;
    if (!ttl && ipv4_is_multicast(rd->remote_ip)) ttl = 1;
    TRACEF(p, "vxlan_xmit_one", NULL, "vni %u to %u.%u.%u.%u:%u", rd->remote_vni, rd->remote_ip >> 24,
           (rd->remote_ip >> 16) & 0xff, (rd->remote_ip >> 8) & 0xff, rd->remote_ip & 0xff, dport);
    /* udp_tunnel_dst_lookup: a route in the underlay, not back through this device */
    struct rt_result rt;
    if (ip_route_output(vx->net, rd->remote_ip, rd->remote_ifindex, &rt) < 0 || rt.dev == dev) {
        dev->stats.tx_errors++;
        pkt_drop(dev->net, p, DROP_NO_ROUTE);
        return;
    }
    uint16_t sport = udp_flow_src_port(vx->net, p, vx->cfg.port_min, vx->cfg.port_max);
    uint8_t tos = vxlan_ecn_encap(p);
    /* vxlan_build_skb: room for the outer headers, which a replicated clone must not
     * write into the buffer it shares (skb_cow_head) */
    if (pkt_cow_head(p, VXLAN_HEADROOM + 16) < 0) { vxlan_tx_drop(dev, p, DROP_NOMEM); return; }
    vxlan_hdr_build(pkt_push(p, VXLAN_HLEN_HDR), rd->remote_vni);
    struct udp_tunnel_xmit x = { .saddr = vx->cfg.saddr ? vx->cfg.saddr : rt.src, .daddr = rd->remote_ip,
                                 .sport = sport, .dport = dport, .tos = tos, .ttl = ttl, .df = false,
                                 .csum = vx->cfg.udp_csum };
    if (udp_tunnel_xmit_skb(vx->net, p, &rt, &x) < 0) dev->stats.tx_errors++;
}

int vxlan_xmit(struct netdev *dev, struct pkt *p)
{
    static const struct eth_addr all_zeros;
    struct vxlan_dev *vx = vxlan_of(dev);
    if (p->len < ETH_HLEN) { vxlan_tx_drop(dev, p, DROP_PKT_TOO_SMALL); return 0; }
    struct vxlan_fdb *f = vxlan_find_mac(vx, (const struct eth_addr *)p->data);
    if (!f) f = vxlan_find_mac(vx, &all_zeros);
    if (!f || f->remotes == VXLAN_NONE) { vxlan_tx_drop(dev, p, DROP_VXLAN_NO_REMOTE); return 0; }
    const struct vxlan_rdst *first = &vx->rdst[f->remotes];
    for (uint32_t i = first->next; i != VXLAN_NONE; i = vx->rdst[i].next) {
        struct pkt *copy = pkt_clone(p);
        if (!copy) { dev->stats.tx_dropped++; dev->net->drops[DROP_NOMEM]++; continue; }
        trace_clone(p, copy);                       /* each copy goes on with its own journey */
        vx->cnt.tx_replicated++;
        vxlan_xmit_one(vx, copy, &vx->rdst[i]);
    }
    vxlan_xmit_one(vx, p, first);
    return 0;
}
