/*
 * net/eth.c — Ethernet receive and header building.
 */
#include "eth.h"
#include "netdev.h"
#include "stack.h"
#include "trace.h"

const struct eth_addr eth_broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

uint8_t eth_pkt_type(const struct netdev *dev, const struct eth_addr *dst)
{
    if (eth_is_multicast(dst)) return eth_is_broadcast(dst) ? PACKET_BROADCAST : PACKET_MULTICAST;
    if (eth_addr_eq(dst, &dev->addr) || (dev->flags & IFF_LOOPBACK)) return PACKET_HOST;
    return PACKET_OTHERHOST;
}

void eth_rcv(struct netdev *dev, struct pkt *p, bool classified)
{
    struct net *net = dev->net;
    struct stack *st = net->st;
    TRACE(p, "eth_rcv", "__netif_receive_skb_core");
    if (p->len < ETH_HLEN) {
        dev->stats.rx_errors++;
        pkt_drop(net, p, DROP_PKT_TOO_SMALL);
        return;
    }
    /* The MTU bounds the payload; a frame longer than MTU + header (+4 for a VLAN tag we
     * would drop anyway) cannot have come from a conforming sender — unless the device
     * said it is a super-frame (gso_size: segments of at most that size, GRO/LRO). */
    if (p->len > dev->mtu + ETH_HLEN + 4 && !p->gso_size) {
        dev->stats.rx_errors++;
        pkt_drop(net, p, DROP_FRAME_TOO_BIG);
        return;
    }
    pkt_reset_mac_header(p);
    const uint8_t *h = p->data;
    const struct eth_addr *dst = (const struct eth_addr *)h;
    uint16_t type = get_be16(h + 12);
    /* eth_type_trans: classify by destination */
    if (!classified) p->pkt_type = eth_pkt_type(dev, dst);
    if (p->pkt_type == PACKET_OTHERHOST && !(dev->flags & IFF_PROMISC)) {
        pkt_drop(net, p, DROP_OTHERHOST);
        return;
    }
    if ((type == ETH_P_8021Q || type == ETH_P_8021AD) && p->len >= ETH_HLEN + 4 &&
        (get_be16(h + 14) & 0x0fff) == 0) {
        /* 802.1p priority tag (VLAN ID 0): Linux strips it and receives the frame as
         * untagged (__netif_receive_skb_core, check_vlan_id). */
        if (pkt_make_writable(p) < 0) { pkt_drop(net, p, DROP_NOMEM); return; }
        memmove(p->data + 4, p->data, 12);
        pkt_pull(p, 4);
        pkt_reset_mac_header(p);
        h = p->data;
        type = get_be16(h + 12);
    }
    if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
        /* No VLAN devices: a frame for a VLAN ID we have no device for is not ours
         * (Linux marks it PACKET_OTHERHOST). */
        dev->stats.rx_dropped++;
        pkt_drop(net, p, DROP_VLAN_UNSUPPORTED);
        return;
    }
    if (type < 0x0600) {
        /* 802.3 length field (LLC/SNAP): nothing above us speaks it. */
        pkt_drop(net, p, DROP_UNHANDLED_PROTO);
        return;
    }
    p->protocol = type;
    pkt_pull(p, ETH_HLEN);
    for (int i = 0; i < st->n_eth_protos; i++) {
        if (st->eth_protos[i].type == type) {
            st->eth_protos[i].rcv(dev, p);
            return;
        }
    }
    dev->stats.rx_dropped++;        /* as Linux: rx_dropped counts unhandled protocols too */
    pkt_drop(net, p, DROP_UNHANDLED_PROTO);
}

int eth_header(struct pkt *p, const struct eth_addr *dst, const struct eth_addr *src, uint16_t type)
{
    uint8_t *h = pkt_push(p, ETH_HLEN);
    if (!h) return -1;
    memcpy(h, dst->b, ETH_ALEN);
    memcpy(h + 6, src->b, ETH_ALEN);
    put_be16(h + 12, type);
    p->protocol = type;
    return 0;
}
