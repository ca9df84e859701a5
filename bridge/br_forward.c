/*
 * bridge/br_forward.c — sending a frame on to ports (Linux: net/bridge/br_forward.c):
 * to one port (br_forward), to all but the one it came in on (br_flood, with clones
 * that share the bytes), or up the stack on the bridge device (br_pass_frame_up, in
 * Linux's br_input.c).
 */
#include "br_private.h"
#include "net/trace.h"

/* Linux should_deliver: never back out of the port the frame came in on (no hairpin
 * mode here), and only through a port that forwards: up, with carrier, on a bridge that
 * is up (with STP off a port forwards as soon as it is enabled, br_stp_enable_port). */
bool br_should_deliver(const struct br_port *to, const struct pkt *p)
{
    return p->dev != to->dev && br_port_forwarding(to);
}

/* Linux __br_forward + br_dev_queue_push_xmit: the frame (Ethernet header at data)
 * leaves by the port; one longer than the port's MTU allows is dropped
 * (is_skb_forwardable). */
static void br_forward_one(struct br_port *to, struct pkt *p)
{
    struct netdev *dev = to->dev;
    TRACEF(p, "br_forward", "__br_forward", "to %s", dev->name);
    if (p->len > dev->mtu + ETH_HLEN && !p->gso_size) {
        dev->stats.tx_dropped++;
        pkt_drop(dev->net, p, DROP_FRAME_TOO_BIG);
        return;
    }
    p->next = NULL;
    p->dst = (struct pkt_dst){ 0 };
    dev_queue_xmit(dev, p);
}

/* Linux deliver_clone: a second header for the same bytes goes out by `to`; the
 * original stays with the caller. */
static void br_deliver_clone(struct br_port *to, const struct pkt *p)
{
    struct pkt *c = pkt_clone(p);
    if (!c) {
        to->br->cnt.flood_clone_fail++;
        to->br->dev->stats.tx_dropped++;
        return;
    }
    trace_clone(p, c);              /* each copy goes on with its own journey */
    br_forward_one(to, c);
}

/* Linux br_forward: local_rcv means the caller passes the frame up afterwards, so the
 * port gets a clone. With no port to deliver to, the frame is dropped unless it goes up. */
void br_forward(struct br_port *to, struct pkt *p, bool local_rcv, bool local_orig)
{
    (void)local_orig;
    if (to && br_should_deliver(to, p)) {
        if (local_rcv) br_deliver_clone(to, p);
        else br_forward_one(to, p);
        return;
    }
    if (!local_rcv) pkt_drop(p->dev->net, p, DROP_NO_TX_TARGET);
}

/* Linux br_flood + maybe_deliver: a clone to every port that should get it but the
 * last, which takes the original (unless it goes up the stack too: then a clone). */
void br_flood(struct bridge *br, struct pkt *p, bool local_rcv, bool local_orig)
{
    struct br_port *prev = NULL;
    (void)local_orig;
    TRACE(p, "br_flood", NULL);
    for (struct br_port *port = br->ports; port; port = port->next) {
        if (!br_should_deliver(port, p)) continue;
        if (prev) br_deliver_clone(prev, p);
        prev = port;
    }
    if (prev && local_rcv) br_deliver_clone(prev, p);
    else if (prev) br_forward_one(prev, p);
    else if (!local_rcv) pkt_drop(p->dev->net, p, DROP_NO_TX_TARGET);
}

/* Linux br_pass_frame_up: the frame is received again, now on the bridge device — its
 * taps see it, its counters count it, and the stack above takes it as br0's, in the
 * class br_handle_frame gave it (eth_type_trans does not run again); the trace starts
 * br0's line. */
void br_pass_frame_up(struct bridge *br, struct pkt *p)
{
    TRACE(p, "br_pass_frame_up", NULL);
    netif_receive_classified(br->dev, p);
}
