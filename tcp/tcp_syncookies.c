/*
 * tcp/tcp_syncookies.c — SYN cookies (Linux net/ipv4/syncookies.c, tcp_input.c
 * tcp_syn_flood_action; D. J. Bernstein's idea): when a listener's SYN backlog is full
 * and net.ipv4.tcp_syncookies is 1 (Linux's default), a SYN is answered by a SYN-ACK
 * and forgotten. Everything the connection needs comes back in the peer's ACK:
 *
 *   our ISN (the cookie)   hash(4-tuple, key) + the peer's ISN + (minute << 24)
 *                          + (hash(4-tuple, minute, key) + MSS index) mod 2^24
 *                          (secure_tcp_syn_cookie); valid for two minutes
 *                          (MAX_SYNCOOKIE_AGE); the MSS index picks from Linux's
 *                          msstab {536, 1300, 1440, 1460}, the largest not above the
 *                          peer's MSS
 *   our TSval              with timestamps, its low 6 bits carry the peer's window
 *                          scale (0xf: none) and SACK-permitted (cookie_init_timestamp);
 *                          the peer echoes them in TSecr (cookie_timestamp_decode).
 *                          Without timestamps a cookie's connection has no window
 *                          scaling and no SACK (tcp_clear_options), as Linux.
 *
 * An ACK to a listener that overflowed within those two minutes is checked as a cookie
 * (cookie_v4_check): a good one makes the child at once (SyncookiesRecv), a bad one is
 * counted (SyncookiesFailed) and gets the RST any stray ACK gets.
 * tcp_syncookies = 0: a full backlog drops SYNs; 2: cookies always (Linux's meanings).
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include "net/trace.h"

#define COOKIEBITS          24
#define COOKIEMASK          ((1u << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE   2               /* minutes a cookie is good for */
#define TCP_SYNCOOKIE_PERIOD (60 * US_PER_S)
#define TSBITS              6
#define TS_OPT_WSCALE_MASK  0xfu
#define TS_OPT_SACK         0x10u

static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

void tcp_syncookies_net_init(struct net *net, struct tcp_net *tn)
{
    tn->syncookies = 1;
    sysctl_register(net, "net.ipv4.tcp_syncookies", &tn->syncookies, SC_INT, 0, 2, NULL, tn);
}

/* tcp_cookie_time: minutes on the stack's clock. */
static uint32_t tcp_cookie_time(const struct net *net) { return (uint32_t)(net->st->now_us / TCP_SYNCOOKIE_PERIOD); }

uint32_t tcp_syn_cookie_make(struct net *net, const struct tcp_cookie_tuple *t, uint32_t sseq, uint32_t count, uint32_t data)
{
    return tcp_cookie_hash(net, t, 0, 0) + sseq + (count << COOKIEBITS) +
           ((tcp_cookie_hash(net, t, count, 1) + data) & COOKIEMASK);
}

/* check_tcp_syn_cookie: the data (MSS index) or UINT32_MAX when too old or forged. */
uint32_t tcp_syn_cookie_check(struct net *net, const struct tcp_cookie_tuple *t, uint32_t cookie, uint32_t sseq, uint32_t count)
{
    cookie -= tcp_cookie_hash(net, t, 0, 0) + sseq;
    uint32_t diff = (count - (cookie >> COOKIEBITS)) & (UINT32_MAX >> COOKIEBITS);
    if (diff >= MAX_SYNCOOKIE_AGE) return UINT32_MAX;
    return (cookie - tcp_cookie_hash(net, t, count - diff, 1)) & COOKIEMASK;
}

/* __cookie_v4_init_sequence's choice: the largest table MSS not above the peer's. */
unsigned tcp_cookie_mss_index(uint16_t mss)
{
    unsigned i = ARRAY_SIZE(msstab) - 1;
    while (i > 0 && mss < msstab[i]) i--;
    return i;
}

/* cookie_init_timestamp: now's TSval with the options in its low bits, never ahead of now. */
uint32_t tcp_cookie_init_timestamp(uint32_t ts_now, bool wscale_ok, uint8_t wscale, bool sack_ok)
{
    uint32_t options = wscale_ok ? (wscale & TS_OPT_WSCALE_MASK) : TS_OPT_WSCALE_MASK;
    if (sack_ok) options |= TS_OPT_SACK;
    uint32_t ts = (ts_now >> TSBITS) << TSBITS | options;
    if (ts > ts_now) ts -= 1u << TSBITS;
    return ts;
}

/* cookie_timestamp_decode: the options the echoed TSval carries. */
void tcp_cookie_timestamp_decode(uint32_t tsecr, struct tcp_opts *o)
{
    o->sack_ok = tsecr & TS_OPT_SACK;
    o->wscale_ok = (tsecr & TS_OPT_WSCALE_MASK) != TS_OPT_WSCALE_MASK;
    o->wscale = o->wscale_ok ? (uint8_t)(tsecr & TS_OPT_WSCALE_MASK) : 0;
}

static struct tcp_cookie_tuple seg_tuple(const struct tcp_seg *seg)
{
    return (struct tcp_cookie_tuple){ seg->saddr, seg->daddr, seg->sport, seg->dport };
}

/* tcp_syn_flood_action: may a SYN that found the backlog full have a cookie? */
static bool tcp_syn_flood_action(struct tcp_sock *lp)
{
    struct net *net = lp->sk.net;
    if (tcp_net(net)->syncookies) { mib_inc(net, MIB_TcpExtTCPReqQFullDoCookies); return true; }
    mib_inc(net, MIB_TcpExtTCPReqQFullDrop);
    return false;
}

/* Should this SYN get a cookie rather than a place in the backlog (tcp_conn_request)? */
bool tcp_want_cookie(struct tcp_sock *lp, bool backlog_full)
{
    if (tcp_net(lp->sk.net)->syncookies == 2) return true;
    return backlog_full && tcp_syn_flood_action(lp);
}

/* cookie_v4_init_sequence + the SYN-ACK, nothing kept but the time of the overflow
 * (tcp_synq_overflow). */
void tcp_syncookie_send(struct tcp_sock *lp, const struct tcp_seg *seg)
{
    struct net *net = lp->sk.net;
    struct tcp_cookie_tuple t = seg_tuple(seg);
    struct tcp_opts o = seg->opt;
    uint16_t peer_mss = o.mss_ok ? o.mss : TCP_MSS_DEFAULT;
    unsigned idx = tcp_cookie_mss_index(peer_mss);
    uint32_t isn = tcp_syn_cookie_make(net, &t, seg->seq, tcp_cookie_time(net), idx);
    lp->synq_overflow_us = net->st->now_us;
    lp->synq_overflowed = true;
    mib_inc(net, MIB_TcpExtSyncookiesSent);
    if (!o.ts_ok) o.wscale_ok = o.sack_ok = false;      /* nowhere to keep them */
    tcp_v4_send_synack_stateless(lp, seg, isn, &o);
}

/* tcp_synq_no_recent_overflow, inverted. */
static bool tcp_synq_recent_overflow(const struct tcp_sock *lp)
{
    return lp->synq_overflowed &&
           lp->sk.net->st->now_us - lp->synq_overflow_us < MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD;
}

/* cookie_v4_check: an ACK at a listener. true: it was a good cookie and the segment
 * went to the new child (consumed); false: the caller treats it as any stray ACK. */
bool tcp_syncookie_check(struct tcp_sock *lp, struct pkt *p, struct tcp_seg *seg)
{
    struct net *net = lp->sk.net;
    if (!tcp_net(net)->syncookies || !(seg->flags & TCP_FLAG_ACK) || (seg->flags & (TCP_FLAG_RST | TCP_FLAG_SYN)))
        return false;
    if (!tcp_synq_recent_overflow(lp)) return false;
    struct tcp_cookie_tuple t = seg_tuple(seg);
    uint32_t idx = tcp_syn_cookie_check(net, &t, seg->ack - 1, seg->seq - 1, tcp_cookie_time(net));
    if (idx >= ARRAY_SIZE(msstab)) { mib_inc(net, MIB_TcpExtSyncookiesFailed); return false; }
    mib_inc(net, MIB_TcpExtSyncookiesRecv);
    if (lp->acc_qlen >= lp->max_ack_backlog) {          /* tcp_v4_syn_recv_sock: overflow */
        mib_inc(net, MIB_TcpExtListenOverflows);
        mib_inc(net, MIB_TcpExtListenDrops);
        pkt_drop(net, p, DROP_TCP_LISTEN_OVERFLOW);
        return true;
    }
    /* the SYN as it was: the peer's ISN, the MSS from the table, the rest from TSecr */
    struct tcp_seg syn = *seg;
    syn.seq = seg->seq - 1;
    syn.opt.mss_ok = true;
    syn.opt.mss = msstab[idx];
    if (seg->opt.ts_ok) tcp_cookie_timestamp_decode(seg->opt.ts_ecr, &syn.opt);
    else syn.opt.wscale_ok = syn.opt.sack_ok = false;
    struct tcp_sock *child = tcp_create_child(lp, &syn);
    if (!child) { mib_inc(net, MIB_TcpExtListenDrops); pkt_drop(net, p, DROP_NOMEM); return true; }
    child->iss = seg->ack - 1;                           /* the cookie was our ISN */
    child->snd_una = child->iss;
    child->snd_nxt = child->write_seq = child->iss + 1;
    TRACEF(p, "cookie_v4_check", NULL, "good cookie: child");
    sock_hold(&child->sk);
    tcp_rcv_state_process(&child->sk, p, seg);           /* SYN_RECV: its ACK completes it */
    sock_put(&child->sk);
    return true;
}
