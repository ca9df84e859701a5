/*
 * vxlan/vxlan_rcv.c — unwrapping: the UDP encapsulation hook of a VXLAN port (Linux
 * vxlan_rcv, vxlan_set_mac, vxlan_ecn_decapsulate in drivers/net/vxlan/vxlan_core.c).
 *
 * udp_rcv has checked the outer UDP length and checksum and found the port's socket; its
 * encap_rcv brings the datagram here, UDP header at p->data. In Linux's order:
 *   1. the UDP and VXLAN headers are there              else PKT_TOO_SMALL
 *   2. the I flag is set (the VNI is valid)              else VXLAN_INVALID_HDR
 *   3. a device on this port has the VNI                 else VXLAN_VNI_NOT_FOUND
 *   4. no reserved bit is set (stricter than RFC 7348 §5, as Linux: vxlan_wire.h)
 *                                                        else VXLAN_INVALID_HDR
 *   5. pull the headers: the inner frame needs its Ethernet header  else PKT_TOO_SMALL
 *   6. its source is not the device's own MAC (a loop)   else LOCAL_MAC
 *   7. learn the source MAC behind the outer source IP (vxlan_snoop) unless nolearning:
 *      a multicast or zero source is no station          MAC_INVALID_SOURCE
 *      a static entry pointing elsewhere                 VXLAN_ENTRY_EXISTS
 *   8. an IPv4 inner frame has its IP header             else PKT_TOO_SMALL
 *   9. ECN (RFC 6040 §4.2): outer CE is copied in; CE over a not-ECT inner packet
 *                                                        IP_TUNNEL_ECN
 *  10. the device is up                                  else DEV_READY (rx_dropped)
 * then the inner frame is received on the vxlan device through the backlog
 * (gro_cells_receive -> netif_rx): __netif_receive_skb_core runs again, now on vxlan0,
 * and a bridge it is a port of sees it through the rx_handler.
 * Each drop is counted under its reason (nstat TsDrop<REASON>) and named by `trace`.
 */
#include "vxlan_private.h"
#include "net/netdev.h"
#include "net/trace.h"
#include "ip/ip_wire.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/sock.h"

/* Linux vxlan_vs_find_vni: the open device on this port with the VNI. */
static struct vxlan_dev *vxlan_vs_find_vni(const struct vxlan_sock *vs, uint32_t vni)
{
    for (struct vxlan_dev *vx = vs->devs; vx; vx = vx->vs_next)
        if (vx->cfg.vni == vni) return vx;
    return NULL;
}

/* RFC 6040 §4.2 (Linux INET_ECN_decapsulate for IPv4 inside IPv4): an outer CE mark
 * reaches the inner header when the inner packet is ECN-capable; over a not-ECT one it
 * cannot be expressed, and the packet is dropped. false: drop. */
enum { ECN_NOT_ECT = 0, ECN_CE = 3 };
static bool vxlan_ecn_decapsulate(struct net *net, struct pkt *p, const uint8_t *outer_ip)
{
    if ((outer_ip[1] & 3) != ECN_CE) return true;
    if (p->protocol != ETH_P_IP) return true;
    uint8_t *ip = p->data + ETH_HLEN;
    if ((ip[1] & 3) == ECN_NOT_ECT) return false;
    if ((ip[1] & 3) == ECN_CE) return true;
    if (pkt_make_writable(p) < 0) return true;      /* keep it unmarked rather than lose it */
    ip = p->data + ETH_HLEN;
    uint16_t old = get_be16(ip), new_ = (uint16_t)(old | ECN_CE);
    put_be16(ip, new_);
    put_be16(ip + IP4_OFF_CSUM, csum_replace16(get_be16(ip + IP4_OFF_CSUM), old, new_));
    (void)net;
    return true;
}

static int vxlan_drop(struct net *net, struct pkt *p, enum drop why)
{
    pkt_drop(net, p, why);
    return 0;                                        /* consumed */
}

/* Step 7 (Linux vxlan_snoop). The learned entry names no underlay interface: Linux keeps
 * one only for an IPv6 link-local VTEP, so an IPv4 VTEP is reached as routed (and
 * `bridge fdb show` prints no "via" for it). DROP_NONE to go on. */
static enum drop vxlan_learn(struct vxlan_dev *vx, const struct eth_addr *src, const uint8_t *outer_ip)
{
    if (!vx->cfg.learn) return DROP_NONE;
    if (eth_is_multicast(src) || eth_is_zero(src)) return DROP_MAC_INVALID_SOURCE;
    return vxlan_snoop(vx, src, ip4_src(outer_ip)) ? DROP_VXLAN_ENTRY_EXISTS : DROP_NONE;
}

/* Steps 5-9 on the device found: the inner frame, learning, ECN. DROP_NONE to go on. */
static enum drop vxlan_inner(struct vxlan_dev *vx, struct pkt *p, const uint8_t *outer_ip)
{
    struct netdev *dev = vx->dev;
    pkt_pull(p, VXLAN_HLEN);
    if (p->len < ETH_HLEN) return DROP_PKT_TOO_SMALL;
    /* __iptunnel_pull_header: the frame starts a new trip (scrubbed, and across namespaces
     * when the device was moved away from its socket's) */
    pkt_scrub(p, vx->net != dev->net);
    p->mac_off = (int32_t)(p->data - p->head);
    p->protocol = get_be16(p->data + 12);
    /* The outer check says nothing of the inner, except for a partial checksum that
     * starts inside the inner frame: the kernel's vxlan sends TCP so (local checksum
     * offload fills in the outer UDP sum only), and Linux's skb_csum_unnecessary takes
     * such a frame as good, kept through __iptunnel_pull_header. */
    if (!(p->ip_summed == CHECKSUM_PARTIAL && pkt_csum_unnecessary(p))) p->ip_summed = CHECKSUM_NONE;
    const struct eth_addr *src = (const struct eth_addr *)(p->data + ETH_ALEN);
    if (eth_addr_eq(src, &dev->addr)) return DROP_LOCAL_MAC;
    enum drop why = vxlan_learn(vx, src, outer_ip);
    if (why != DROP_NONE) return why;
    if (p->protocol == ETH_P_IP && p->len < ETH_HLEN + IP4_HLEN) {   /* pskb_inet_may_pull */
        dev->stats.rx_errors++;
        return DROP_PKT_TOO_SMALL;
    }
    if (!vxlan_ecn_decapsulate(vx->net, p, outer_ip)) {
        dev->stats.rx_errors++;
        return DROP_IP_TUNNEL_ECN;
    }
    if (!netif_running(dev)) {
        dev->stats.rx_dropped++;
        return DROP_DEV_READY;
    }
    return DROP_NONE;
}

int vxlan_rcv(struct sock *sk, struct pkt *p)
{
    struct vxlan_sock *vs = sk->user;
    struct net *net = vs ? vs->net : NULL;
    if (!vs) { pkt_free(p); return 0; }
    if (p->len < VXLAN_HLEN) return vxlan_drop(net, p, DROP_PKT_TOO_SMALL);
    struct vxlan_hdr_info h;
    if (!vxlan_hdr_parse(p->data + UDP_HLEN, &h)) return vxlan_drop(net, p, DROP_VXLAN_INVALID_HDR);
    TRACEF(p, "vxlan_rcv", NULL, "vni %u", h.vni);
    struct vxlan_dev *vx = vxlan_vs_find_vni(vs, h.vni);
    if (!vx) return vxlan_drop(net, p, DROP_VXLAN_VNI_NOT_FOUND);
    if (h.reserved) return vxlan_drop(net, p, DROP_VXLAN_INVALID_HDR);
    const uint8_t *outer_ip = pkt_network_header(p);
    enum drop why = vxlan_inner(vx, p, outer_ip);
    if (why != DROP_NONE) return vxlan_drop(vx->dev->net, p, why);
    TRACE(p, "gro_cells_receive", NULL);
    netif_rx(vx->dev, p);                            /* the vxlan device is its device now */
    return 0;
}
