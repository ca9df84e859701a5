/*
 * bridge/br_input.c — what a port receives (Linux: net/bridge/br_input.c). The port's
 * rx_handler takes every frame before Ethernet does: learn the source, then forward,
 * flood or pass up by the destination.
 */
#include "br_private.h"
#include "net/eth.h"
#include "net/trace.h"

/* 01:80:c2:00:00:0X: IEEE 802.1D reserved link-local group addresses. */
static bool br_is_link_local(const struct eth_addr *a)
{
    static const uint8_t base[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };
    return !memcmp(a->b, base, 5) && (a->b[5] & 0xf0) == 0;
}

/* Linux br_handle_frame_finish: learn, then by the destination: broadcast and
 * multicast go to every other port and, a copy, up the stack (no multicast snooping);
 * a local address (the bridge's or a port's own MAC) goes up, neither forwarded nor
 * flooded; a learned one to its port; an unknown one to every other port (and up too
 * if br0 is promiscuous). What goes up keeps the class the port gave it: a frame for
 * the MAC of the port it came in on is the host's, one for another port's MAC is not
 * (IP and ARP drop it), as in Linux. */
static void br_handle_frame_finish(struct br_port *p, struct pkt *pkt)
{
    struct bridge *br = p->br;
    const struct eth_addr *dst = (const struct eth_addr *)pkt->data;
    const struct eth_addr *src = (const struct eth_addr *)(pkt->data + 6);
    bool local_rcv = (br->dev->flags & IFF_PROMISC) != 0;

    static const char *const learn[] = { [BR_LEARN_NEW] = "learned", [BR_LEARN_REFRESHED] = "refreshed",
        [BR_LEARN_MOVED] = "moved", [BR_LEARN_OWN] = "own address", [BR_LEARN_REFUSED] = "table full" };
    enum br_fdb_learn l = br_fdb_update(br, p, src);
    TRACEF(pkt, "br_fdb_update", NULL, "%s", learn[l]);
    if (eth_is_multicast(dst)) {
        br_flood(br, pkt, true, false);
        br_pass_frame_up(br, pkt);
        return;
    }
    struct net_bridge_fdb_entry *f = br_fdb_find(br, dst);
    if (f && (f->flags & BR_FDB_LOCAL)) {
        br_pass_frame_up(br, pkt);
        return;
    }
    if (f) br_forward(f->dst, pkt, local_rcv, false);
    else br_flood(br, pkt, local_rcv, false);
    if (local_rcv) br_pass_frame_up(br, pkt);
}

/* Linux br_handle_frame: runs on the port's receive path (netdev_rx_handler_register).
 * A source that is not a station's address is dropped (MAC_INVALID_SOURCE); of the
 * link-local group, STP's 01:80:c2:00:00:00 is forwarded like any multicast (STP is off,
 * so another bridge's BPDUs must cross us to detect loops), pause frames (…:01) are
 * dropped (MAC_IEEE_MAC_CONTROL), the rest (LLDP, 802.1X ...) is the port's own
 * (RX_HANDLER_PASS), its source learned. Nothing passes a port of a bridge that is down. */
rx_handler_result_t br_handle_frame(struct pkt **pp)
{
    struct pkt *pkt = *pp;
    struct br_port *p = pkt->dev->rx_handler_data;
    struct net *net = pkt->dev->net;
    if (pkt->len < ETH_HLEN) return RX_HANDLER_PASS;       /* eth_rcv counts the runt */
    TRACE(pkt, "br_handle_frame", NULL);
    const struct eth_addr *dst = (const struct eth_addr *)pkt->data;
    const struct eth_addr *src = (const struct eth_addr *)(pkt->data + 6);
    if (eth_is_multicast(src) || eth_is_zero(src)) {
        pkt_drop(net, pkt, DROP_MAC_INVALID_SOURCE);
        return RX_HANDLER_CONSUMED;
    }
    /* eth_type_trans ran on the port (Linux: in its driver, before the rx_handler): the
     * class by the port's MAC; a frame for the bridge's own MAC is the host's too */
    pkt->pkt_type = eth_pkt_type(pkt->dev, dst);
    if (eth_addr_eq(dst, &p->br->dev->addr)) pkt->pkt_type = PACKET_HOST;
    if (br_is_link_local(dst)) {
        if (dst->b[5] == 0x01) {
            pkt_drop(net, pkt, DROP_MAC_IEEE_MAC_CONTROL);
            return RX_HANDLER_CONSUMED;
        }
        if (dst->b[5] != 0x00) {
            /* __br_handle_local_finish: the port's own, but its source is learned
             * (no_linklocal_learn 0) while the port forwards */
            if (br_port_forwarding(p)) br_fdb_update(p->br, p, src);
            return RX_HANDLER_PASS;
        }
    }
    if (!netif_running(p->br->dev)) {
        pkt_drop(net, pkt, DROP_BRIDGE_INGRESS_STP_STATE);
        return RX_HANDLER_CONSUMED;
    }
    br_handle_frame_finish(p, pkt);
    return RX_HANDLER_CONSUMED;
}
