/*
 * icmp/icmp.c — ICMP for IPv4 (RFC 792; RFC 1122 §3.2.2; Linux net/ipv4/icmp.c).
 *
 *   icmp_rcv      length and checksum, then by type: echo -> icmp_echo, echo reply ->
 *                 ping sockets, errors -> icmp_unreach, which hands the error to the
 *                 protocol of the quoted datagram (its ip_proto.err hook)
 *   icmp_echo     the reply reuses the request's buffer in place: type, checksum by
 *                 RFC 1624, a new IP header pushed over the old one — no payload copy
 *   icmp_send     errors, with RFC 1122 §3.2.2's "never about" rules and Linux's two
 *                 token buckets (global icmp_msgs_per_sec/burst, per destination
 *                 icmp_ratelimit for the types in icmp_ratemask)
 */
#include "icmp.h"
#include "icmp_priv.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "ip/ip.h"
#include "net/sysctl.h"
#include <stdlib.h>

#define ICMP_PEERS 256          /* per-destination rate-limit buckets (bounded, LRU) */
#define XRLIM_BURST_FACTOR 6

struct icmp_peer { uint32_t addr; uint64_t rate_last_us; uint64_t tokens_us; uint64_t used_us; };

/* The namespace's ICMP state (net_generic(net, icmp_net_id)). */
struct icmp_state {
    struct icmp_peer peers[ICMP_PEERS];
    unsigned npeers;
    uint64_t global_credit, global_stamp_us;
    struct sock *ping_socks;        /* icmp/ping.c */
    struct icmpmsg_mib msg;
};

static unsigned icmp_net_id;

static struct icmp_state *icmp_net(const struct net *net) { return net_generic(net, icmp_net_id); }

struct icmpmsg_mib *icmpmsg_mib(const struct net *net)
{
    struct icmp_state *s = icmp_net(net);
    return s ? &s->msg : NULL;
}

static bool icmp_is_error(int type)
{
    return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
           type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/* Linux icmp_global_allow: a token bucket of icmp_msgs_per_sec, burst icmp_msgs_burst. */
static bool icmp_global_allow(struct net *net)
{
    struct icmp_state *s = icmp_net(net);
    uint64_t now = net->st->now_us;
    uint64_t delta_us = now - s->global_stamp_us;
    if (delta_us >= 20 * US_PER_MS) {               /* refill at most every 20 ms, as Linux */
        uint64_t incr = (uint64_t)net->ipv4.icmp_msgs_per_sec * delta_us / US_PER_S;
        s->global_credit = MIN(s->global_credit + incr, (uint64_t)net->ipv4.icmp_msgs_burst);
        if (incr) s->global_stamp_us = now;
    }
    if (!s->global_credit) return false;
    s->global_credit--;
    return true;
}

/* Linux inet_peer_xrlim_allow: per destination, one error per icmp_ratelimit with a burst
 * of 6; a new destination starts with a full bucket. */
static bool icmp_peer_allow(struct net *net, uint32_t daddr)
{
    struct icmp_state *s = icmp_net(net);
    uint64_t now = net->st->now_us;
    uint64_t timeout = (uint64_t)net->ipv4.icmp_ratelimit * US_PER_MS;
    if (!timeout) return true;
    struct icmp_peer *pe = NULL;
    for (unsigned i = 0; i < s->npeers; i++)
        if (s->peers[i].addr == daddr) { pe = &s->peers[i]; break; }
    if (!pe) {
        if (s->npeers < ICMP_PEERS) pe = &s->peers[s->npeers++];
        else {
            pe = &s->peers[0];
            for (unsigned i = 1; i < ICMP_PEERS; i++) if (s->peers[i].used_us < pe->used_us) pe = &s->peers[i];
        }
        pe->addr = daddr;
        pe->tokens_us = 0;
        pe->rate_last_us = now > 60 * US_PER_S ? now - 60 * US_PER_S : 0;
        if (now < 60 * US_PER_S) pe->tokens_us = 60 * US_PER_S - now;   /* same effect near t=0 */
    }
    pe->used_us = now;
    uint64_t token = pe->tokens_us + (now - pe->rate_last_us);
    pe->rate_last_us = now;
    if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
    bool ok = token >= timeout;
    if (ok) token -= timeout;
    pe->tokens_us = token;
    return ok;
}

void icmp_send(struct pkt *orig, int type, int code, uint32_t info)
{
    if (!orig || orig->nh_off < 0 || !orig->dev) return;
    struct net *net = orig->dev->net;
    if (!icmp_net(net)) return;                     /* a stack built without ICMP */
    const uint8_t *ih = pkt_network_header(orig);
    const uint8_t *end = orig->data + orig->len;
    if (ih < orig->head || end < ih + IP4_HLEN) return;
    unsigned ihlen = ip4_hlen(ih);
    if (ihlen < IP4_HLEN || end < ih + ihlen) return;
    uint32_t osrc = ip4_src(ih), odst = ip4_dst(ih);

    /* RFC 1122 §3.2.2: never about a broadcast/multicast datagram, a datagram from a
     * non-unicast source, a non-initial fragment, or an ICMP error. */
    if (orig->pkt_type == PACKET_BROADCAST || orig->pkt_type == PACKET_MULTICAST ||
        (orig->dst.flags & RTCF_BROADCAST)) return;
    if (ipv4_is_multicast(odst) || ipv4_is_lbcast(odst)) return;
    if (!osrc || ipv4_is_multicast(osrc) || ipv4_is_lbcast(osrc)) return;
    if (ip4_frag(ih) & IP_OFFMASK) return;
    if (ip4_proto(ih) == IPPROTO_ICMP) {
        if (end < ih + ihlen + 1) return;
        int itype = ih[ihlen];
        if (icmp_is_error(itype) || itype > 18) return;
    }

    bool local_dst = orig->iif == 0 || (orig->dev->flags & IFF_LOOPBACK) || ip_is_local(net, osrc);
    /* Linux icmpv4_xrlim_allow: errors to ourselves (over lo) are never limited. */
    /* icmpv4_mask_allow: only types in icmp_ratemask, and never PMTU discovery's
     * "fragmentation needed" (RFC 1191 needs it to get through). */
    bool limited = (net->ipv4.icmp_ratemask & (1 << type)) &&
                   !(type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED);
    if (!local_dst && limited) {
        if (!icmp_global_allow(net)) { mib_inc(net, MIB_IcmpOutRateLimitGlobal); return; }
        if (!icmp_peer_allow(net, osrc)) { mib_inc(net, MIB_IcmpOutRateLimitHost); return; }
    }

    /* Quote as much as fits in 576 bytes (RFC 1812 §4.3.2.3; Linux does the same). */
    size_t room = 576 - IP4_HLEN - ICMP_HLEN;
    size_t qlen = MIN((size_t)(end - ih), room);
    struct pkt *p = net_pkt_alloc(net, ICMP_HLEN + qlen);
    if (!p) return;
    uint8_t *ic = pkt_put(p, ICMP_HLEN + qlen);
    ic[0] = (uint8_t)type;
    ic[1] = (uint8_t)code;
    put_be16(ic + 2, 0);
    put_be32(ic + 4, 0);
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) put_be16(ic + 6, (uint16_t)info);
    else if (type == ICMP_PARAMETERPROB) ic[4] = (uint8_t)info;
    memcpy(ic + ICMP_HLEN, ih, qlen);
    put_be16(ic + 2, inet_csum(ic, ICMP_HLEN + qlen));

    trace_begin_local(net, p, "icmp");
    TRACEF(p, "icmp_send", "__icmp_send", "type %d code %d", type, code);
    mib_inc(net, MIB_IcmpOutMsgs);
    icmp_net(net)->msg.out[type & 0xff]++;
    if (type == ICMP_DEST_UNREACH) mib_inc(net, MIB_IcmpOutDestUnreachs);
    if (type == ICMP_TIME_EXCEEDED) mib_inc(net, MIB_IcmpOutTimeExcds);
    /* Source: the address the datagram was sent to when it was for us, else what the
     * route back chooses (icmp_errors_use_inbound_ifaddr = 0). */
    struct ip_send_opts o = {
        .src = ip_is_local(net, odst) ? odst : 0, .dst = osrc, .proto = IPPROTO_ICMP,
        .tos = (uint8_t)((ip4_tos(ih) & 0x1e) | 0xc0), .ttl = 0, .df = false, .oif = 0,
    };
    if (ip_send(net, p, &o) < 0) mib_inc(net, MIB_IcmpOutErrors);
}

static void icmp_echo(struct net *net, struct pkt *p)
{
    uint8_t *ic = p->data;
    const uint8_t *ih = pkt_network_header(p);
    mib_inc(net, MIB_IcmpInEchos);
    if (net->ipv4.icmp_echo_ignore_all) { pkt_consume(p); return; }
    if ((p->dst.flags & RTCF_BROADCAST) && net->ipv4.icmp_echo_ignore_broadcasts) {
        mib_inc(net, MIB_IcmpInErrors);         /* as icmp_rcv's "goto error" */
        pkt_drop(net, p, DROP_ICMP_BCAST_ECHO);
        return;
    }
    uint32_t src = ip4_src(ih), dst = ip4_dst(ih);
    uint8_t tos = ip4_tos(ih);
    TRACE(p, "icmp_reply", NULL);
    /* In place: echo request -> echo reply. RFC 1624 fixes the checksum for the type.
     * The request's bytes may be shared (a capture or a bridge flood kept a clone). */
    if (pkt_make_writable(p) < 0) { pkt_drop(net, p, DROP_NOMEM); return; }
    /* RFC 1624 updates a complete checksum: a partial one is completed first */
    enum drop why = pkt_checksum_help(p);
    if (why != DROP_NONE) { pkt_drop(net, p, why); return; }
    ic = p->data;
    uint16_t old = get_be16(ic);
    ic[0] = ICMP_ECHOREPLY;
    put_be16(ic + 2, csum_replace16(get_be16(ic + 2), old, get_be16(ic)));
    struct netdev *in = p->dev;
    pkt_scrub(p, false);                /* what belonged to the request's trip */
    p->ip_summed = CHECKSUM_NONE;       /* the reply's checksum is complete ... */
    p->gso_size = p->gso_segs = 0;      /* ... and it is one datagram, whatever came in */
    p->gso_type = PKT_GSO_NONE;
    mib_inc(net, MIB_IcmpOutMsgs);
    mib_inc(net, MIB_IcmpOutEchoReps);
    icmp_net(net)->msg.out[ICMP_ECHOREPLY]++;
    struct ip_send_opts o = {
        .src = ip_is_local(net, dst) ? dst : inet_select_addr(in, src),
        .dst = src, .proto = IPPROTO_ICMP, .tos = tos, .ttl = 0, .df = false, .oif = 0,
    };
    if (ip_send(net, p, &o) < 0) mib_inc(net, MIB_IcmpOutErrors);
}

/* An error about something we sent: hand it to the protocol of the quoted datagram. */
static void icmp_unreach(struct net *net, struct pkt *p)
{
    const uint8_t *ic = p->data;
    int type = ic[0], code = ic[1];
    const uint8_t *q = ic + ICMP_HLEN;
    size_t qlen = p->len - ICMP_HLEN;
    /* The quote must hold the IP header and 8 bytes of its payload (RFC 792). */
    if (qlen < IP4_HLEN || ip4_version(q) != 4 || ip4_hlen(q) < IP4_HLEN || qlen < ip4_hlen(q) + 8) {
        mib_inc(net, MIB_IcmpInErrors);
        pkt_drop(net, p, DROP_ICMP_TOOSHORT);
        return;
    }
    uint32_t info = 0;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) info = get_be16(ic + 6);
    else if (type == ICMP_PARAMETERPROB) info = ic[4];
    const struct ip_proto *ipp = net->st->ip_protos[ip4_proto(q)];
    TRACEF(p, "icmp_unreach", NULL, "type %d code %d -> %s", type, code, ipp ? ipp->name : "none");
    if (ipp && ipp->err) ipp->err(net, type, code, info, q, qlen);
    uint32_t from = ip4_src(pkt_network_header(p));
    if (ip4_proto(q) == IPPROTO_ICMP) ping_err(net, from, type, code, info, q, qlen);
    pkt_consume(p);
}

static void icmp_rcv(struct pkt *p)
{
    struct net *net = p->dev->net;
    mib_inc(net, MIB_IcmpInMsgs);
    /* As icmp_rcv: the checksum over what arrived first, then the header length; one the
     * device verified, or a local sender's partial one, is trusted
     * (skb_checksum_simple_validate -> skb_csum_unnecessary). */
    bool csum_ok = pkt_csum_unnecessary(p);
    if (!csum_ok) p->dev->offload_stats.rx_csum_sw_bytes += p->len;
    if (!csum_ok && inet_csum(p->data, p->len) != 0) {
        TRACE(p, "icmp_rcv", NULL);
        mib_inc(net, MIB_IcmpInCsumErrors);
        mib_inc(net, MIB_IcmpInErrors);
        pkt_drop(net, p, DROP_ICMP_CSUM);
        return;
    }
    if (p->len < ICMP_HLEN) {
        TRACE(p, "icmp_rcv", NULL);
        mib_inc(net, MIB_IcmpInErrors);
        pkt_drop(net, p, DROP_ICMP_TOOSHORT);
        return;
    }
    static const char *const type_names[] = {
        [ICMP_ECHOREPLY] = "echo reply", [ICMP_DEST_UNREACH] = "dest unreach",
        [ICMP_SOURCE_QUENCH] = "source quench", [ICMP_REDIRECT] = "redirect", [ICMP_ECHO] = "echo",
        [ICMP_TIME_EXCEEDED] = "time exceeded", [ICMP_PARAMETERPROB] = "param problem",
    };
    int t = p->data[0];
    icmp_net(net)->msg.in[t]++;
    TRACEF(p, "icmp_rcv", NULL, "%s", t < (int)ARRAY_SIZE(type_names) && type_names[t] ? type_names[t] : "type ?");
    int type = p->data[0];
    switch (type) {
    case ICMP_ECHO:
        icmp_echo(net, p);
        return;
    case ICMP_ECHOREPLY:
        mib_inc(net, MIB_IcmpInEchoReps);
        ping_rcv(net, p);
        return;
    case ICMP_DEST_UNREACH:
        mib_inc(net, MIB_IcmpInDestUnreachs);
        icmp_unreach(net, p);
        return;
    case ICMP_TIME_EXCEEDED:
        mib_inc(net, MIB_IcmpInTimeExcds);
        icmp_unreach(net, p);
        return;
    case ICMP_PARAMETERPROB:
    case ICMP_SOURCE_QUENCH:
        icmp_unreach(net, p);
        return;
    default:
        /* RFC 1122 §3.2.2: unknown types are silently discarded. */
        pkt_consume(p);
        return;
    }
}

static const struct ip_proto icmp_proto = { .rcv = icmp_rcv, .name = "icmp", .linux_name = "icmp_rcv" };

/* Linux icmp_sk_init: the rate limits and echo policy, then their sysctls. */
static void icmp_sysctl_init(struct net *net)
{
    struct ipv4_sysctl *v = &net->ipv4;
    v->icmp_echo_ignore_all = 0;
    v->icmp_echo_ignore_broadcasts = 1;
    v->icmp_ratelimit = 1000;
    v->icmp_ratemask = 0x1818;
    v->icmp_msgs_per_sec = 1000;
    v->icmp_msgs_burst = 50;
    void *owner = icmp_net(net);
    sysctl_register(net, "net.ipv4.icmp_echo_ignore_all", &v->icmp_echo_ignore_all, SC_INT, 0, 1, NULL, owner);
    sysctl_register(net, "net.ipv4.icmp_echo_ignore_broadcasts", &v->icmp_echo_ignore_broadcasts, SC_INT, 0, 1, NULL, owner);
    sysctl_register(net, "net.ipv4.icmp_ratelimit", &v->icmp_ratelimit, SC_INT, 0, 1 << 30, NULL, owner);
    sysctl_register(net, "net.ipv4.icmp_ratemask", &v->icmp_ratemask, SC_INT, 0, 1 << 30, NULL, owner);
    sysctl_register(net, "net.ipv4.icmp_msgs_per_sec", &v->icmp_msgs_per_sec, SC_INT, 0, 1 << 30, NULL, owner);
    sysctl_register(net, "net.ipv4.icmp_msgs_burst", &v->icmp_msgs_burst, SC_INT, 0, 1 << 30, NULL, owner);
}

static int icmp_net_init(struct net *net)
{
    struct icmp_state *s = icmp_net(net);
    icmp_sysctl_init(net);
    s->global_credit = (uint64_t)net->ipv4.icmp_msgs_burst;
    s->global_stamp_us = net->st->now_us;
    return 0;
}

static void icmp_net_exit(struct net *net)
{
    struct icmp_state *s = icmp_net(net);
    sysctl_unregister_owner(net, s);  /* ping sockets went first (sock_net_exit) */
}

struct sock **icmp_ping_socks(struct net *net) { return &icmp_net(net)->ping_socks; }

static const struct pernet_ops icmp_pernet = {
    .name = "icmp", .init = icmp_net_init, .exit = icmp_net_exit,
    .id = &icmp_net_id, .size = sizeof(struct icmp_state),
};

int icmp_init(struct stack *st)
{
    if (pernet_register(st, &icmp_pernet) < 0) return -1;
    int err = ping_init(st);
    if (err) return err;
    return ip_proto_register(st, IPPROTO_ICMP, &icmp_proto);
}
