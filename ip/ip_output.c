/*
 * ip/ip_output.c — IPv4 output (Linux net/ipv4/ip_output.c).
 *
 *   ip_send            a transport payload becomes a datagram: route, header (ip_build)
 *   ip_output          fragment to the route MTU when needed (ip_finish_output ->
 *                      ip_fragment), then ip_finish_output2: the neighbour layer
 *   ip_fragment        RFC 791 §3.2 fragmentation: every fragment but the last carries a
 *                      multiple of 8 payload bytes; options without the copy bit appear
 *                      in the first fragment only (ip_options_fragment NOPs them out)
 */
#include "ip.h"
#include "ip_priv.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "arp/arp.h"
#include <errno.h>

uint16_t ip_select_id(struct net *net)
{
    /* One counter per namespace, started from the seeded generator: deterministic in
     * replay runs (Linux hashes per destination; either way IDs must not repeat soon). */
    return net->ip_id_next++;
}

static void ip_set_csum(uint8_t *h)
{
    put_be16(h + IP4_OFF_CSUM, 0);
    put_be16(h + IP4_OFF_CSUM, inet_csum(h, ip4_hlen(h)));
}

int ip_finish_output2(struct net *net, struct pkt *p, const struct rt_result *rt)
{
    TRACE(p, "ip_finish_output2", NULL);
    p->protocol = ETH_P_IP;
    mib_add(net, MIB_IpExtOutOctets, p->len);
    if (rt->neigh) return arp_neigh_output(rt->neigh, p);      /* a socket's cached entry */
    return arp_output(rt->dev, rt->nexthop, p);
}

struct frag_out { struct net *net; const struct rt_result *rt; };

static int frag_out_fn(void *arg, struct pkt *frag)
{
    struct frag_out *fo = arg;
    return ip_finish_output2(fo->net, frag, fo->rt);
}

bool ip_exceeds_mtu(const struct pkt *p, unsigned mtu)
{
    if (p->len <= mtu) return false;
    if (!p->gso_size) return true;
    return pkt_gso_seg_len(p) > mtu;
}

/* ip_finish_output_gso: a GSO packet whose segments fit leaves whole (the device or
 * validate_xmit_pkt cuts it); otherwise (a smaller MTU on the way out) it is segmented
 * here and each segment that is still too big is fragmented. */
static int ip_finish_output_gso(struct net *net, struct pkt *p, const struct rt_result *rt, unsigned mtu)
{
    if (!ip_exceeds_mtu(p, mtu)) return ip_finish_output2(net, p, rt);
    enum drop why;
    struct pkt *segs = pkt_gso_segment(p, &why);
    if (!segs) { pkt_drop(net, p, why); return -EINVAL; }
    int err = 0;
    while (segs) {
        struct pkt *s = segs;
        segs = s->next;
        s->next = NULL;
        struct frag_out fo = { net, rt };
        int e = s->len <= mtu ? ip_finish_output2(net, s, rt) : ip_fragment(net, s, mtu, frag_out_fn, &fo);
        if (e < 0 && !err) err = e;
    }
    return err;
}

int ip_output(struct net *net, struct pkt *p, const struct rt_result *rt)
{
    TRACEF(p, "ip_output", NULL, "%s", rt->dev->name);
    pkt_reset_network_header(p);
    p->dev = rt->dev;               /* as ip_output sets skb->dev: errors find their namespace */
    unsigned mtu = rt->dev->mtu;
    if (p->len <= mtu) return ip_finish_output2(net, p, rt);
    if (p->gso_size) return ip_finish_output_gso(net, p, rt, mtu);
    struct frag_out fo = { net, rt };
    return ip_fragment(net, p, mtu, frag_out_fn, &fo);
}

/* Replace options without the "copied" flag by NOPs (RFC 791: only copied options go
 * into fragments after the first). */
static void ip_options_fragment(uint8_t *h)
{
    unsigned hlen = ip4_hlen(h);
    uint8_t *o = h + IP4_HLEN, *end = h + hlen;
    while (o < end) {
        uint8_t type = o[0];
        if (type == 0) break;                   /* end of option list */
        if (type == 1) { o++; continue; }       /* NOP */
        if (o + 1 >= end || o[1] < 2 || o + o[1] > end) break;   /* malformed: stop */
        unsigned len = o[1];
        if (!(type & 0x80)) memset(o, 1, len);
        o += len;
    }
}

int ip_fragment(struct net *net, struct pkt *p, unsigned mtu,
                int (*out)(void *arg, struct pkt *frag), void *arg)
{
    uint8_t *h = p->data;
    unsigned hlen = ip4_hlen(h);
    uint16_t frag = ip4_frag(h);
    TRACEF(p, "ip_fragment", "ip_do_fragment", "mtu %u", mtu);
    if (frag & IP_DF) {
        mib_inc(net, MIB_IpFragFails);
        pkt_drop(net, p, DROP_PKT_TOO_BIG);
        return -EMSGSIZE;
    }
    if (mtu < hlen + 8) {
        mib_inc(net, MIB_IpFragFails);
        pkt_drop(net, p, DROP_PKT_TOO_BIG);
        return -EMSGSIZE;
    }
    /* ip_do_fragment: "for offloaded checksums cleanup checksum before fragmentation" —
     * no device sees the datagram whole again to finish it */
    enum drop why = pkt_checksum_help(p);
    if (why != DROP_NONE) {
        mib_inc(net, MIB_IpFragFails);
        pkt_drop(net, p, why);
        return -EINVAL;
    }
    h = p->data;                        /* the help may have copied shared bytes */
    unsigned chunk = (mtu - hlen) & ~7u;
    unsigned total = p->len - hlen;
    unsigned base_off = (unsigned)(frag & IP_OFFMASK) * 8;   /* re-fragmenting a fragment */
    bool more_after = frag & IP_MF;
    int err = 0, n = 0;
    for (unsigned off = 0; off < total; off += chunk) {
        unsigned len = MIN(chunk, total - off);
        struct pkt *f = net_pkt_alloc(net, hlen + len);
        if (!f) { err = -ENOBUFS; mib_inc(net, MIB_IpFragFails); break; }
        uint8_t *fh = pkt_put(f, hlen + len);
        memcpy(fh, h, hlen);
        memcpy(fh + hlen, h + hlen + off, len);
        bool last = off + len >= total;
        uint16_t fo = (uint16_t)((base_off + off) / 8);
        if (!last || more_after) fo |= IP_MF;
        fo |= (uint16_t)(frag & ~(IP_MF | IP_OFFMASK));
        put_be16(fh + IP4_OFF_FRAG, fo);
        put_be16(fh + IP4_OFF_LEN, (uint16_t)(hlen + len));
        if (off) ip_options_fragment(fh);
        ip_set_csum(fh);
        f->dev = p->dev; f->iif = p->iif; f->dst = p->dst; f->protocol = ETH_P_IP;
        pkt_reset_network_header(f);
        if (n == 0) trace_handover(p, f);   /* the first fragment continues the journey */
        mib_inc(net, MIB_IpFragCreates);
        n++;
        if (out(arg, f) < 0 && !err) err = 0;   /* a lost fragment is the network's business */
    }
    if (!err) mib_inc(net, MIB_IpFragOKs);
    pkt_free(p);
    return err;
}

int ip_send(struct net *net, struct pkt *p, const struct ip_send_opts *o)
{
    struct rt_result rt;
    int err = ip_route_output(net, o->dst, o->oif, &rt);
    if (err < 0) {
        mib_inc(net, MIB_IpOutNoRoutes);
        pkt_drop(net, p, DROP_NO_ROUTE);
        return err;
    }
    return ip_send_rt(net, p, o, &rt);
}

int ip_send_rt(struct net *net, struct pkt *p, const struct ip_send_opts *o, const struct rt_result *rt)
{
    TRACEF(p, "ip_route_output", "ip_route_output_flow", "%s", rt->dev->name);
    uint32_t src = o->src ? o->src : rt->src;
    size_t tot = p->len + IP4_HLEN;
    if (tot > IP4_MAX_LEN) { pkt_drop(net, p, DROP_PKT_TOO_BIG); return -EMSGSIZE; }
    if (o->df && tot > rt->dev->mtu && !p->gso_size) { pkt_drop(net, p, DROP_PKT_TOO_BIG); return -EMSGSIZE; }
    uint8_t *h = pkt_push(p, IP4_HLEN);
    if (!h) { pkt_drop(net, p, DROP_NOMEM); return -ENOBUFS; }
    h[IP4_OFF_VHL] = 0x45;
    h[IP4_OFF_TOS] = o->tos;
    put_be16(h + IP4_OFF_LEN, (uint16_t)tot);
    /* ip_select_ident_segs: a connected socket numbers its own datagrams; anything else
     * gets a fresh ID. (ID 0 goes only to DF datagrams of IP_PMTUDISC_DO sockets; ours
     * behave as IP_PMTUDISC_WANT, whose packets carry ignore_df — as observed on Linux:
     * unconnected UDP and ping send "flags [DF]" with changing IDs.) */
    put_be16(h + IP4_OFF_ID, o->id_set ? o->id : ip_select_id(net));
    put_be16(h + IP4_OFF_FRAG, o->df ? IP_DF : 0);
    h[IP4_OFF_TTL] = o->ttl ? o->ttl : (uint8_t)net->ipv4.ip_default_ttl;
    h[IP4_OFF_PROTO] = o->proto;
    put_be32(h + IP4_OFF_SRC, src);
    put_be32(h + IP4_OFF_DST, o->dst);
    ip_set_csum(h);
    p->protocol = ETH_P_IP;
    mib_inc(net, MIB_IpOutRequests);
    TRACE(p, "ip_local_out", NULL);
    return ip_output(net, p, rt);
}
