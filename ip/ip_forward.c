/*
 * ip/ip_forward.c — forwarding (Linux net/ipv4/ip_forward.c), when net.ipv4.ip_forward=1.
 * RFC 1812 §5.3.1: decrement TTL, send time exceeded when it would reach zero;
 * §5.2.1/RFC 1191: a DF datagram larger than the next hop MTU gets "fragmentation
 * needed" with that MTU.
 */
#include "ip.h"
#include "ip_priv.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/trace.h"
#include "icmp/icmp.h"

void ip_forward(struct net *net, struct pkt *p, const struct rt_result *rt)
{
    TRACE(p, "ip_forward", NULL);
    if (p->pkt_type != PACKET_HOST) {       /* only frames addressed to our MAC */
        pkt_drop(net, p, DROP_OTHERHOST);
        return;
    }
    uint8_t *h = p->data;
    if (ip4_ttl(h) <= 1) {
        mib_inc(net, MIB_IpInHdrErrors);
        icmp_send(p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
        pkt_drop(net, p, DROP_IP_TTL_EXPIRED);
        return;
    }
    unsigned mtu = rt->dev->mtu;
    if (ip_exceeds_mtu(p, mtu) && (ip4_frag(h) & IP_DF)) {
        mib_inc(net, MIB_IpFragFails);
        icmp_send(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
        pkt_drop(net, p, DROP_PKT_TOO_BIG);
        return;
    }
    /* ip_decrease_ttl: TTL and the checksum by RFC 1624, not a full recompute. The
     * header is written in place, so it must be ours (Linux: skb_cow in ip_forward). */
    if (pkt_make_writable(p) < 0) { pkt_drop(net, p, DROP_NOMEM); return; }
    h = p->data;
    uint16_t old = get_be16(h + IP4_OFF_TTL);
    h[IP4_OFF_TTL]--;
    put_be16(h + IP4_OFF_CSUM, csum_replace16(get_be16(h + IP4_OFF_CSUM), old, get_be16(h + IP4_OFF_TTL)));
    mib_inc(net, MIB_IpForwDatagrams);
    p->dst.flags |= RTCF_FORWARD;
    TRACE(p, "ip_forward_finish", NULL);
    ip_output(net, p, rt);
}
