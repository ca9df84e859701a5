/*
 * ip/ip_input.c — IPv4 receive (Linux net/ipv4/ip_input.c).
 *
 *   ip_rcv            RFC 791 / RFC 1122 §3.2.1 header checks, in order, each its own
 *                     counter and drop reason (ip_rcv_core)
 *   ip_rcv_finish     the input route decides: local delivery, broadcast, or forwarding
 *   ip_local_deliver  reassembly, then the protocol handler by number (inet_protos)
 *
 * IP options are not interpreted: the header length covers them, so they are skipped
 * safely (Linux would parse them in ip_rcv_options; RFC 1122 §3.2.1.8 lets a host ignore
 * options it does not implement).
 */
#include "ip.h"
#include "ip_priv.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/trace.h"
#include "icmp/icmp.h"
#include <errno.h>

static void ip_local_deliver_finish(struct net *net, struct pkt *p)
{
    const uint8_t *h = p->data;
    unsigned hlen = ip4_hlen(h);
    uint8_t proto = ip4_proto(h);
    const struct ip_proto *ipp = net->st->ip_protos[proto];
    if (!ipp) {
        /* RFC 1122 §3.2.2.1: protocol unreachable, but not for broadcasts. */
        mib_inc(net, MIB_IpInUnknownProtos);
        if (p->pkt_type == PACKET_HOST || p->pkt_type == PACKET_LOOPBACK)
            icmp_send(p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
        pkt_drop(net, p, DROP_IP_NOPROTO);
        return;
    }
    mib_inc(net, MIB_IpInDelivers);
    pkt_pull(p, hlen);
    pkt_reset_transport_header(p);
    ipp->rcv(p);
}

void ip_local_deliver(struct net *net, struct pkt *p)
{
    TRACE(p, "ip_local_deliver", NULL);
    if (ip4_is_fragment(p->data)) {
        p = ip_defrag(net, p);
        if (!p) return;             /* queued, or dropped and counted */
        TRACE(p, "ip_defrag", NULL);
    }
    ip_local_deliver_finish(net, p);
}

static void ip_rcv_finish(struct net *net, struct netdev *dev, struct pkt *p)
{
    const uint8_t *h = p->data;
    struct rt_result rt;
    int err = ip_route_input(net, ip4_dst(h), ip4_src(h), dev, &rt);
    if (err == 0 && (rt.type == RTN_LOCAL || rt.type == RTN_BROADCAST)) {
        TRACEF(p, "ip_route_input", "ip_route_input_noref", "%s", rt.type == RTN_LOCAL ? "local" : "broadcast");
        if (rt.type == RTN_BROADCAST) { mib_inc(net, MIB_IpExtInBcastPkts); p->dst.flags |= RTCF_BROADCAST; }
        p->dst.flags |= RTCF_LOCAL;
        ip_local_deliver(net, p);
        return;
    }
    if (err == 0) {
        TRACEF(p, "ip_route_input", "ip_route_input_noref", "forward");
        ip_forward(net, p, &rt);
        return;
    }
    TRACEF(p, "ip_route_input", "ip_route_input_noref", "error %d", err);
    /* Linux ip_error: with forwarding off, drop silently; on, tell the sender. */
    switch (err) {
    case -EHOSTUNREACH:
        mib_inc(net, MIB_IpInAddrErrors);
        pkt_drop(net, p, DROP_IP_INADDRERRORS);
        break;
    case -ENETUNREACH:
        mib_inc(net, MIB_IpExtInNoRoutes);
        if (net->ipv4.ip_forward && p->pkt_type == PACKET_HOST)
            icmp_send(p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
        pkt_drop(net, p, DROP_NO_ROUTE);
        break;
    default:
        /* martian source or destination (-EINVAL): Linux counts it only in its route
         * cache statistics, not in IpInAddrErrors */
        pkt_drop(net, p, DROP_IP_INVALID_SOURCE);
        break;
    }
}

/* Linux ip_rcv / ip_rcv_core. p->data at the IP header. Consumes p. */
void ip_rcv(struct netdev *dev, struct pkt *p)
{
    struct net *net = dev->net;
    TRACE(p, "ip_rcv", NULL);
    mib_inc(net, MIB_IpInReceives);
    mib_add(net, MIB_IpExtInOctets, p->len);
    /* 1. the fixed header must be there */
    if (p->len < IP4_HLEN) goto inhdr_error;
    const uint8_t *h = p->data;
    /* 2. version 4, IHL at least 5 words (RFC 791 §3.1) */
    if (ip4_version(h) != 4 || ip4_hlen(h) < IP4_HLEN) goto inhdr_error;
    /* ECN codepoint of every datagram with a sane first byte, as ip_rcv_core counts */
    mib_inc(net, (enum mib_id)(MIB_IpExtInNoECTPkts + (ip4_tos(h) & 3)));
    unsigned hlen = ip4_hlen(h);
    /* 3. the whole header, options included, must be there */
    if (p->len < hlen) goto inhdr_error;
    /* 4. header checksum (RFC 1122 §3.2.1.2: silently discard on failure) */
    if (inet_csum(h, hlen) != 0) {
        mib_inc(net, MIB_IpExtInCsumErrors);
        mib_inc(net, MIB_IpInHdrErrors);
        pkt_drop(net, p, DROP_IP_CSUM);
        return;
    }
    /* 5. total length: not beyond what arrived, not shorter than the header */
    unsigned tot = ip4_tot_len(h);
    if (p->len < tot) {
        mib_inc(net, MIB_IpExtInTruncatedPkts);
        pkt_drop(net, p, DROP_IP_TOOSHORT);
        return;
    }
    if (tot < hlen) goto inhdr_error;
    /* 6. drop Ethernet padding */
    pkt_trim(p, tot);
    pkt_reset_network_header(p);
    ip_rcv_finish(net, dev, p);
    return;
inhdr_error:
    mib_inc(net, MIB_IpInHdrErrors);
    pkt_drop(net, p, DROP_IP_INHDR);
}
