/*
 * tcp/tcp_err.c — ICMP errors about segments we sent (RFC 1122 §4.2.3.9, RFC 1191;
 * Linux net/ipv4/tcp_ipv4.c tcp_v4_err, tcp_req_err, tcp_v4_mtu_reduced,
 * tcp_output.c tcp_sync_mss / tcp_mtu_to_mss, tcp_input.c tcp_simple_retransmit).
 *
 * icmp_unreach hands us the quoted IP header and at least 8 bytes of our TCP header
 * (ports and sequence number). We find the connection by the 4-tuple as the peer's
 * answer would arrive and check the quoted sequence number lies in [snd_una, snd_nxt]
 * (an old or forged error is counted in OutOfWindowIcmps and ignored). Then:
 *
 *   fragmentation needed   the path MTU falls to the quoted MTU (never below 552,
 *                          Linux's ip_rt_min_pmtu; a lower value locks it at 552 and
 *                          clears DF, as __ip_rt_update_pmtu), the MSS follows
 *                          (tcp_sync_mss) and what was sent in larger segments goes
 *                          again at once, up to cwnd (tcp_simple_retransmit)
 *   other unreachables,    while connecting (SYN_SENT, or SYN_RECV of a simultaneous
 *   parameter problem,     open) the connect fails at once with the errno of Linux's
 *   time exceeded          icmp_err_convert (port: ECONNREFUSED, protocol:
 *                          ENOPROTOOPT, host: EHOSTUNREACH, net: ENETUNREACH ...).
 *                          Once connected they are soft (RFC 1122 §4.2.3.9: keep
 *                          trying): remembered and reported only if the connection
 *                          later times out — unless IP_RECVERR is on, then at once.
 *   source quench, codes   ignored
 *   beyond 15, TIME_WAIT
 *
 * A child in SYN_RECV (not yet accepted) only goes away on errors that mean the peer
 * cannot be reached (tcp_req_err: net/host unreachable, time exceeded, parameter
 * problem), and only when the quote is our SYN-ACK.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "ip/ip_wire.h"
#include "icmp/icmp.h"
#include <errno.h>

#define IP_RT_MIN_PMTU 552          /* net.ipv4.route.min_pmtu (512 + 20 + 20) */
#define TCP_MIN_SND_MSS 48          /* net.ipv4.tcp_min_snd_mss */

/* icmp_err_convert[] (net/ipv4/icmp.c): the errno of each destination-unreachable code. */
static int tcp_icmp_errno(int type, int code)
{
    static const int unreach[] = {
        ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP, ENETUNREACH,
        EHOSTDOWN, ENONET, ENETUNREACH, EHOSTUNREACH, ENETUNREACH, EHOSTUNREACH, EHOSTUNREACH,
        EHOSTUNREACH, EHOSTUNREACH,
    };
    if (type == ICMP_DEST_UNREACH) return code >= 0 && code < (int)ARRAY_SIZE(unreach) ? unreach[code] : 0;
    if (type == ICMP_PARAMETERPROB) return EPROTO;
    if (type == ICMP_TIME_EXCEEDED) return EHOSTUNREACH;
    return 0;                                   /* source quench, redirect ...: ignored */
}

/* The path MTU our MSS was last computed from (Linux icsk_pmtu_cookie): the device's
 * until an ICMP error lowers it. */
static uint32_t tcp_pmtu(const struct tcp_sock *tp)
{
    return tp->pmtu_cookie ? tp->pmtu_cookie : (uint32_t)tp->advmss + IP4_HLEN + TCP_HLEN;
}

/* tcp_sync_mss: the payload per segment for a path MTU — headers and our options off,
 * never above the peer's MSS, never below tcp_min_snd_mss. */
void tcp_sync_mss(struct tcp_sock *tp, uint32_t pmtu)
{
    uint32_t mss = MIN(pmtu - IP4_HLEN - TCP_HLEN, (uint32_t)tp->rx_mss);
    if (tp->tstamp_ok) mss -= 12;              /* TCPOLEN_TSTAMP_ALIGNED */
    tp->mss_cache = (uint16_t)MAX(mss, (uint32_t)TCP_MIN_SND_MSS);
    tp->pmtu_cookie = (uint16_t)pmtu;
}

/* tcp_simple_retransmit: every sent segment larger than the new MSS was dropped on the
 * path; send them again now, cut to the new MSS (the clones take gso_size = mss_cache),
 * as far as cwnd allows. ssthresh keeps the present rate (tcp_current_ssthresh); cwnd is
 * not cut: this was not congestion. Returns the segments sent. */
static uint32_t tcp_simple_retransmit(struct tcp_sock *tp, uint32_t old_mss)
{
    uint32_t budget = tp->snd_cwnd * tp->mss_cache, segs = 0;
    tp->snd_ssthresh = MAX(tp->snd_ssthresh, tp->snd_cwnd - tp->snd_cwnd / 4);
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head && budget >= tp->mss_cache; p = p->next) {
        if (MIN(p->len, old_mss) <= tp->mss_cache) continue;      /* it fitted */
        if (p->len > budget && tcp_fragment(tp, p, budget - budget % tp->mss_cache) < 0) break;
        uint32_t n = (p->len + tp->mss_cache - 1) / tp->mss_cache;
        TCP_SKB_CB(p)->retrans++;               /* Karn: no RTT sample from it */
        tp->total_retrans += n;
        mib_add(tp->sk.net, MIB_TcpRetransSegs, n);
        tcp_transmit_skb(tp, p);
        budget -= MIN(budget, p->len);
        segs += n;
    }
    if (segs) tcp_rearm_rto(tp);
    return segs;
}

/* tcp_v4_mtu_reduced with __ip_rt_update_pmtu's rules: only ever lower; below
 * min_pmtu the MTU locks at 552 and DF goes off. */
static void tcp_v4_mtu_reduced(struct tcp_sock *tp, uint32_t mtu)
{
    struct sock *sk = &tp->sk;
    if (sk->state == SK_LISTEN || sk->state == SK_CLOSE) return;
    uint32_t old = tcp_pmtu(tp);
    if (mtu < IP_RT_MIN_PMTU) {
        mtu = MIN(old, (uint32_t)IP_RT_MIN_PMTU);
        tp->pmtu_locked = true;
    }
    if (mtu >= old) return;                     /* only ever lower (RFC 1191 §3) */
    tp->soft_err = EMSGSIZE;                    /* if it never recovers, say why */
    uint32_t old_mss = tp->mss_cache;
    tcp_sync_mss(tp, mtu);
    uint32_t prior_cwnd = tp->snd_cwnd, prior_ssthresh = tp->snd_ssthresh;     /* for trace */
    tcp_simple_retransmit(tp, old_mss);
    TCP_TRACE_CWND(tp, prior_cwnd, prior_ssthresh);
}

/* tcp_req_err: a child not yet accepted. */
static void tcp_req_err(struct tcp_sock *tp, uint32_t seq, bool abort)
{
    struct net *net = tp->sk.net;
    if (seq != tp->iss) { mib_inc(net, MIB_TcpExtOutOfWindowIcmps); return; }
    if (!abort) return;
    mib_inc(net, MIB_TcpExtListenDrops);
    tcp_done(&tp->sk);
}

/* What a connected or connecting socket does with err (the tail of tcp_v4_err). */
static void tcp_err_deliver(struct tcp_sock *tp, int err)
{
    struct sock *sk = &tp->sk;
    if (sk->state == SK_SYN_SENT || sk->state == SK_SYN_RECV) {
        sk_set_err(sk, err);                    /* tcp_done_with_error: connect fails */
        tcp_done(sk);
        return;
    }
    if (sk->recverr) sk_set_err(sk, err);       /* IP_RECVERR: told at once */
    else tp->soft_err = err;                    /* sk_err_soft: told on timeout */
}

void tcp_v4_err(struct net *net, int type, int code, uint32_t info, const uint8_t *q, size_t qlen)
{
    unsigned hl = ip4_hlen(q);
    if (qlen < hl + 8) return;                  /* icmp_unreach checked; to be sure */
    const uint8_t *th = q + hl;
    struct tcp_sock *tp = tcp_lookup_established(net, ip4_dst(q), tcp_dport(th), ip4_src(q), tcp_sport(th));
    if (!tp) { mib_inc(net, MIB_IcmpInErrors); return; }
    struct sock *sk = &tp->sk;
    uint32_t seq = tcp_seq(th);
    if (sk->state == SK_TIME_WAIT || sk->state == SK_CLOSE) return;
    bool frag = type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED;
    if (sk->state == SK_SYN_RECV && tp->parent) {
        bool abort = type == ICMP_PARAMETERPROB || type == ICMP_TIME_EXCEEDED ||
                     (type == ICMP_DEST_UNREACH && (code == ICMP_NET_UNREACH || code == ICMP_HOST_UNREACH));
        tcp_req_err(tp, seq, abort);
        return;
    }
    if (seq_before(seq, tp->snd_una) || seq_after(seq, tp->snd_nxt)) {
        mib_inc(net, MIB_TcpExtOutOfWindowIcmps);
        return;
    }
    if (frag) { tcp_v4_mtu_reduced(tp, info); return; }
    int err = tcp_icmp_errno(type, code);
    if (!err) return;
    sock_hold(sk);                              /* tcp_done may let go of an orphan */
    tcp_err_deliver(tp, err);
    sock_put(sk);
}
