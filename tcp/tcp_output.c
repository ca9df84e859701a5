/*
 * tcp/tcp_output.c — building and sending segments (Linux net/ipv4/tcp_output.c).
 *
 *   tcp_transmit_skb   a write-queue packet goes out as a clone (a copy while an earlier
 *                      clone still shares its bytes): header and options pushed into the
 *                      clone's headroom, checksum left partial when the device offloads
 *                      it, gso_size = MSS when it carries more than one segment.
 *   tcp_write_xmit     sends from send_head while the peer's window and cwnd allow;
 *                      a packet that does not fit is split at a segment boundary
 *                      (tcp_fragment). Nagle (RFC 896, RFC 1122 4.2.3.4, with
 *                      Minshall's rule as Linux's tcp_nagle_check): a partial segment
 *                      at the end of the queue waits while an earlier partial one is
 *                      unacknowledged; TCP_CORK holds it until uncorked or until the
 *                      probe timer (max(RTO, 200 ms)) pushes it; TCP_NODELAY never
 *                      holds. In urgent mode segments are one MSS each (the URG pointer
 *                      is per segment) and nothing is held.
 *   tcp_send_ack / _fin / _syn / _active_reset / _challenge_ack, tcp_v4_send_reset
 *
 * Sequence numbers of every queued packet are in its cb (struct tcp_skb_cb). The queue
 * holds only payload; headers exist only on the clones that leave.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "ip/ip.h"
#include <errno.h>

/* __tcp_v4_send_check: partial on a device that checksums (every GSO packet too: its
 * segments get their own sums, by the device or the software fallback), else summed. */
static void tcp_v4_send_check(struct pkt *p, uint8_t *th, uint32_t saddr, uint32_t daddr, struct netdev *dev)
{
    uint16_t l4len = (uint16_t)p->len;
    put_be16(th + TCP_OFF_CSUM, 0);
    if ((dev->features & NETIF_F_CSUM_MASK) || p->gso_size) {
        pkt_csum_partial_l4(p, th, TCP_OFF_CSUM, saddr, daddr, IPPROTO_TCP, l4len);
        return;
    }
    put_be16(th + TCP_OFF_CSUM, csum_fold(csum_partial(th, l4len, csum_pseudo(saddr, daddr, IPPROTO_TCP, l4len))));
    dev->offload_stats.tx_csum_sw_bytes += l4len;
}

/* Push a TCP header (and options) onto p, whose data is the payload. NULL: no room. */
static uint8_t *tcp_push_header(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                                uint8_t flags, uint16_t win, const struct tcp_opts *o)
{
    size_t olen = o ? tcp_options_size(o) : 0;
    uint8_t *th = pkt_push(p, TCP_HLEN + olen);
    if (!th) return NULL;
    put_be16(th + TCP_OFF_SPORT, sport);
    put_be16(th + TCP_OFF_DPORT, dport);
    put_be32(th + TCP_OFF_SEQ, seq);
    put_be32(th + TCP_OFF_ACK, ack);
    th[TCP_OFF_DOFF] = (uint8_t)(((TCP_HLEN + olen) / 4) << 4);
    th[TCP_OFF_FLAGS] = flags;
    put_be16(th + TCP_OFF_WIN, win);
    put_be16(th + TCP_OFF_URG, 0);
    if (olen) tcp_build_options(th + TCP_HLEN, o);
    pkt_reset_transport_header(p);
    return th;
}

/* The route to the peer, from the socket's cache while it is current. */
static int tcp_route(struct tcp_sock *tp, struct rt_result *rt)
{
    struct sock *sk = &tp->sk;
    const struct rt_result *c = sk_dst_check(sk->net, &tp->dst, sk->remote.addr, sk->bound_dev_if);
    if (!c) {
        int err = ip_route_output(sk->net, sk->remote.addr, sk->bound_dev_if, rt);
        if (err) return err;
        sk_dst_set(sk->net, &tp->dst, sk->remote.addr, sk->bound_dev_if, rt);
    }
    *rt = tp->dst.rt;
    rt->neigh = sk_dst_neigh(sk->net, &tp->dst);
    return 0;
}

/* The options of an outgoing segment: all we offer on a SYN, the timestamp after. */
static void tcp_out_options(const struct tcp_sock *tp, bool syn, struct tcp_opts *o)
{
    memset(o, 0, sizeof(*o));
    const struct net *net = tp->sk.net;
    bool synack = syn && tp->sk.state != SK_SYN_SENT;
    if (syn) {
        o->mss_ok = true;
        o->mss = tp->advmss;
        /* a SYN-ACK offers only what the SYN offered (RFC 7323 §2.2, RFC 2018 §2) */
        o->sack_ok = !synack || tp->sack_ok;
        o->wscale_ok = !synack || tp->wscale_ok;
        o->wscale = tp->rcv_wscale;
        o->ts_ok = !synack || tp->tstamp_ok;
    } else {
        o->ts_ok = tp->tstamp_ok;
        if (tp->sack_ok) o->num_sacks = (uint8_t)tcp_sack_blocks_out(tp, o->sacks);  /* D-SACK, out-of-order queue */
    }
    o->ts_val = tcp_time_stamp(net);
    o->ts_ecr = tp->ts_recent;
}

/* The window field: unscaled on SYNs (RFC 7323 §2.2), else tcp_select_window. */
static uint16_t tcp_window_field(struct tcp_sock *tp, bool syn)
{
    if (syn) return (uint16_t)MIN(tp->rcv_wnd, 65535u);
    return (uint16_t)MIN(tcp_select_window(tp) >> tp->rcv_wscale, 65535u);
}

/* Headers, checksum, IP: c (owned) carries the payload at data. */
static int tcp_xmit_pkt(struct tcp_sock *tp, struct pkt *c, uint32_t seq, uint8_t flags)
{
    struct sock *sk = &tp->sk;
    struct net *net = sk->net;
    struct rt_result rt;
    int err = tcp_route(tp, &rt);
    if (err) { pkt_free(c); return err; }
    bool syn = flags & TCP_FLAG_SYN;
    if (sk->state != SK_SYN_SENT || !syn) flags |= TCP_FLAG_ACK;
    struct tcp_opts o;
    tcp_out_options(tp, syn, &o);
    if (!syn) tp->dsack = false;                      /* a D-SACK goes once (tcp_options_write) */
    uint32_t payload = c->len;
    if (payload > tp->mss_cache) {
        c->gso_size = tp->mss_cache;
        c->gso_type = PKT_GSO_TCPV4;
        c->gso_segs = (uint16_t)((payload + tp->mss_cache - 1) / tp->mss_cache);
    }
    bool urg = false;
    uint16_t up = tcp_urg_ptr(tp, seq, tp->snd_nxt, &urg);
    uint8_t *th = tcp_push_header(c, sk->local.port, sk->remote.port, seq, tp->rcv_nxt,
                                  (uint8_t)(flags | (urg ? TCP_FLAG_URG : 0)), tcp_window_field(tp, syn), &o);
    if (!th) { pkt_drop(net, c, DROP_NOMEM); return -ENOBUFS; }
    if (urg) put_be16(th + TCP_OFF_URG, up);
    if (flags & TCP_FLAG_ACK) { tp->ack_pending = false; timer_stop(net->st, &tp->delack_timer); }
    tcp_v4_send_check(c, th, sk->local.addr, sk->remote.addr, rt.dev);
    struct ip_send_opts io = { .src = sk->local.addr, .dst = sk->remote.addr, .proto = IPPROTO_TCP,
                               .ttl = sk->ttl, .df = !tp->pmtu_locked, .id_set = true, .id = sk->inet_id };
    sk->inet_id += c->gso_segs ? c->gso_segs : 1;
    uint16_t segs = c->gso_segs ? c->gso_segs : 1;
    mib_add(net, MIB_TcpOutSegs, segs);
    tp->segs_out += segs;
    if (payload) {                                    /* tcp_event_data_sent */
        tp->data_segs_out += segs;
        tp->bytes_sent += payload;
        tp->lsndtime_us = net->st->now_us;
    }
    if (flags & TCP_FLAG_RST) mib_inc(net, MIB_TcpOutRsts);
    TRACEF(c, "tcp_transmit_skb", NULL, "seq %u len %u", seq, payload);
    TRACE(c, "ip_queue_xmit", NULL);
    return ip_send_rt(net, c, &io, &rt);
}

/* A fresh packet with no payload (ACK, RST): room for every header in front. */
static struct pkt *tcp_ctl_alloc(struct net *net)
{
    struct pkt *p = net_pkt_alloc(net, 0);
    if (p) trace_begin_local(net, p, "tcp");
    return p;
}

int tcp_transmit_skb(struct tcp_sock *tp, struct pkt *p)
{
    /* __tcp_transmit_skb: clone, or copy while an earlier clone still shares the bytes
     * (the headers would land in headroom the clone in flight uses) */
    struct pkt *c = pkt_shared(p) ? pkt_copy(p) : pkt_clone(p);
    if (!c) return -ENOBUFS;
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    cb->when_us = tp->sk.net->st->now_us;
    cb->tx_delivered = tp->delivered;                 /* tcp_rate_skb_sent: for "an RTT passed" */
    if (!tp->sk.net->st->tracing) c->tr = NULL;
    else trace_begin_local(tp->sk.net, c, "tcp");
    uint8_t flags = cb->tcp_flags;
    if (cb->retrans) tp->bytes_retrans += c->len;     /* sent before: a retransmission */
    if (c->len && !p->next) flags |= TCP_FLAG_PSH;    /* the end of what was written (tcp_push) */
    return tcp_xmit_pkt(tp, c, cb->seq, flags);
}

/* tcp_fragment: cut p after `len` payload bytes; the rest becomes a new packet after
 * it on the write queue (a copy of those bytes: only at window edges). */
int tcp_fragment(struct tcp_sock *tp, struct pkt *p, uint32_t len)
{
    struct net *net = tp->sk.net;
    struct pkt *n = net_pkt_alloc(net, p->len - len);
    if (!n) return -ENOBUFS;
    sk_charge_tx_always(&tp->sk, n);            /* the send buffer counts it (sk_wmem_queued) */
    memcpy(pkt_put(n, p->len - len), p->data + len, p->len - len);
    struct tcp_skb_cb *cb = TCP_SKB_CB(p), *ncb = TCP_SKB_CB(n);
    *ncb = *cb;
    ncb->seq = cb->seq + len;
    cb->end_seq = ncb->seq;
    cb->tcp_flags &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);   /* FIN/PSH stay on the tail */
    pkt_trim(p, len);
    n->next = p->next;
    p->next = n;
    if (tp->wq_tail == p) tp->wq_tail = n;
    return 0;
}

void tcp_queue_tail(struct tcp_sock *tp, struct pkt *p)
{
    p->next = NULL;
    if (tp->wq_tail) tp->wq_tail->next = p; else tp->wq_head = p;
    tp->wq_tail = p;
    if (!tp->send_head) tp->send_head = p;
}

/* How much more payload the peer's window and cwnd allow (tcp_snd_wnd_test,
 * tcp_cwnd_test, in bytes). */
static uint32_t tcp_send_allowance(const struct tcp_sock *tp)
{
    uint32_t cwnd_bytes = tp->snd_cwnd * tp->mss_cache;
    uint32_t limit = tp->snd_una + MIN(tp->snd_wnd, cwnd_bytes);
    if (tp->ca_state == TCP_CA_RECOVERY || tp->ca_state == TCP_CA_LOSS) {   /* RFC 6675: cwnd - pipe */
        uint32_t pipe = tcp_pipe((struct tcp_sock *)tp);
        uint32_t room = tp->snd_cwnd > pipe ? (tp->snd_cwnd - pipe) * tp->mss_cache : 0;
        limit = seq_min(tp->snd_una + tp->snd_wnd, tp->snd_nxt + room);
    }
    return seq_after(limit, tp->snd_nxt) ? limit - tp->snd_nxt : 0;
}

/* tcp_minshall_check: a partial segment sent earlier is not yet acknowledged. */
static bool tcp_minshall_check(const struct tcp_sock *tp)
{
    return seq_after(tp->snd_sml, tp->snd_una) && !seq_after(tp->snd_sml, tp->snd_nxt);
}

/* tcp_nagle_check: hold a partial segment? Corked: yes. Nagle on (nonagle 0): while
 * data is in flight and an earlier partial segment is unacknowledged. */
static bool tcp_nagle_check(const struct tcp_sock *tp, bool partial, unsigned nonagle)
{
    return partial && ((nonagle & TCP_NAGLE_CORK) ||
                       (!nonagle && tp->snd_nxt != tp->snd_una && tcp_minshall_check(tp)));
}

/* What to send of p, the last unsent packet, now (Linux tcp_nagle_test for one segment,
 * tcp_mss_split_point for a super-segment): all of it, its full segments only (its
 * partial tail is cut off to wait), or nothing (false). Urgent data and a FIN are never
 * held; neither is anything after a push (TCP_NAGLE_PUSH). */
static bool tcp_nagle_split(struct tcp_sock *tp, struct pkt *p, unsigned nonagle)
{
    uint32_t mss = tp->mss_cache, partial = p->len % mss;
    if (tcp_urg_mode(tp) || (TCP_SKB_CB(p)->tcp_flags & TCP_FLAG_FIN)) return true;
    if (p->len <= mss) return (nonagle & TCP_NAGLE_PUSH) || !tcp_nagle_check(tp, p->len < mss, nonagle);
    if (!tcp_nagle_check(tp, partial != 0, nonagle)) return true;
    return tcp_fragment(tp, p, p->len - partial) == 0;
}

/* tcp_minshall_update: remember where the last partial segment ended. */
static void tcp_minshall_update(struct tcp_sock *tp, struct pkt *p)
{
    if (p->len % tp->mss_cache || !p->len) tp->snd_sml = TCP_SKB_CB(p)->end_seq;
}

/* Cut p to what may go now: the window and cwnd (at a segment boundary when more than a
 * segment is allowed), one MSS in urgent mode, Nagle/cork for the last packet. false:
 * p waits. */
static bool tcp_xmit_size(struct tcp_sock *tp, struct pkt *p, uint32_t allow, unsigned nonagle)
{
    uint32_t mss = tp->mss_cache;
    if (p->len > allow) {
        uint32_t cut = allow >= mss ? allow - allow % mss : allow;
        return tcp_fragment(tp, p, cut) == 0;
    }
    if (tcp_urg_mode(tp) && p->len > mss) return tcp_fragment(tp, p, mss) == 0;
    if (p != tp->wq_tail) return true;
    return tcp_nagle_split(tp, p, nonagle);
}

/* tcp_event_new_data_sent: p went; it is in flight now. */
static void tcp_event_new_data_sent(struct tcp_sock *tp, struct pkt *p)
{
    tp->send_head = p->next;
    tp->snd_nxt = TCP_SKB_CB(p)->end_seq;
    tcp_minshall_update(tp, p);
    if (!timer_pending(&tp->rto_timer)) tcp_rearm_rto(tp);
}

void tcp_push_pending(struct tcp_sock *tp, unsigned nonagle)
{
    TRACE_CAUSE(tp->sk.net, "tcp", "tcp_write_xmit", NULL, NULL);
    uint32_t sent = 0;                           /* segments, for PRR's prr_out */
    while (tp->send_head) {
        struct pkt *p = tp->send_head;
        uint32_t allow = tcp_send_allowance(tp);
        bool ctl_only = p->len == 0;             /* a bare SYN or FIN takes no window */
        if (!allow && !ctl_only) break;
        if (!tcp_xmit_size(tp, p, allow, nonagle)) break;
        if (tcp_transmit_skb(tp, p) < 0 && tp->snd_una == tp->snd_nxt) break;
        sent += tcp_pcount(tp, p);
        tcp_event_new_data_sent(tp, p);
    }
    if (sent) tcp_rack_after_xmit(tp);           /* the loss probe's timer (tcp_rack.c) */
    tcp_prr_sent(tp, sent);
    tcp_cwnd_validate(tp);
    tcp_check_probe_timer(tp);
}

/* tcp_write_xmit with push_one = 2 (the loss probe, tcp_rack.c): one segment of new
 * data, Nagle off, whatever cwnd says, if the peer's window takes it (tcp_snd_wnd_test). */
bool tcp_push_one(struct tcp_sock *tp)
{
    struct pkt *p = tp->send_head;
    if (!p) return false;
    uint32_t len = MIN(p->len, (uint32_t)tp->mss_cache);
    if (seq_after(tp->snd_nxt + len, tp->snd_una + tp->snd_wnd)) return false;
    if (p->len > len && tcp_fragment(tp, p, len) < 0) return false;
    if (tcp_transmit_skb(tp, p) < 0) return false;
    tcp_event_new_data_sent(tp, p);
    tcp_cwnd_validate(tp);
    return true;
}

void tcp_write_xmit(struct tcp_sock *tp) { tcp_push_pending(tp, tp->nonagle); }

/* tcp_push: the end of a sendmsg. MSG_OOB makes the last byte written urgent
 * (tcp_mark_urg); MSG_MORE holds a partial segment as a cork would, for this call. */
void tcp_push(struct tcp_sock *tp, int flags)
{
    if (!tp->send_head) return;
    if (flags & SK_MSG_OOB) tcp_mark_urg(tp);
    tcp_push_pending(tp, flags & SK_MSG_MORE ? TCP_NAGLE_CORK : tp->nonagle);
}

/* tcp_retransmit_skb for the head of the retransmit queue (the RTO's segment). */
void tcp_retransmit_head(struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    if (!p || p == tp->send_head) return;
    /* only one segment's worth goes again: the rest waits for the ACK clock */
    if (p->len > tp->mss_cache && tcp_fragment(tp, p, tp->mss_cache) < 0) return;
    if (tp->ca_state == TCP_CA_LOSS) TCP_SKB_CB(p)->sacked |= TCPCB_SACKED_RETRANS;   /* in pipe again */
    TCP_SKB_CB(p)->retrans++;
    tcp_undo_note_retrans(tp, 1);
    tp->total_retrans++;
    mib_inc(tp->sk.net, MIB_TcpRetransSegs);
    TRACE_CAUSE(tp->sk.net, "tcp", "tcp_retransmit_skb", NULL, "retransmission %u", TCP_SKB_CB(p)->retrans);
    if (TCP_SKB_CB(p)->tcp_flags & TCP_FLAG_SYN) mib_inc(tp->sk.net, MIB_TcpExtTCPSynRetrans);   /* SYN or SYN-ACK */
    tcp_transmit_skb(tp, p);
}

/* A bare ACK at seq: snd_nxt, or snd_una - 1 for a probe (tcp_xmit_probe_skb). */
void tcp_send_ack_at(struct tcp_sock *tp, uint32_t seq)
{
    TRACE_CAUSE(tp->sk.net, "tcp", seq == tp->snd_nxt ? "tcp_send_ack" : "tcp_xmit_probe_skb", NULL, NULL);
    struct pkt *p = tcp_ctl_alloc(tp->sk.net);
    if (!p) { tcp_schedule_delack(tp); return; }       /* try again later */
    tcp_xmit_pkt(tp, p, seq, TCP_FLAG_ACK);
}

void tcp_send_ack(struct tcp_sock *tp) { tcp_send_ack_at(tp, tp->snd_nxt); }

/* A SYN (SYN_SENT) or SYN-ACK (SYN_RECV) heads the write queue until it is ACKed. */
void tcp_send_syn(struct tcp_sock *tp)
{
    struct pkt *p = net_pkt_alloc(tp->sk.net, 0);
    if (!p) return;                                   /* the RTO tries again */
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    memset(cb, 0, sizeof(*cb));
    cb->seq = tp->iss;
    cb->end_seq = tp->iss + 1;
    cb->tcp_flags = TCP_FLAG_SYN;
    tp->write_seq = tp->iss + 1;
    tcp_queue_tail(tp, p);
    TRACE_CAUSE(tp->sk.net, "tcp", tp->sk.state == SK_SYN_SENT ? "tcp_connect" : "tcp_v4_send_synack", NULL, NULL);
    tcp_write_xmit(tp);
}

/* tcp_send_fin: on the last unsent packet if there is one, else a packet of its own. */
void tcp_send_fin(struct tcp_sock *tp)
{
    if (tp->fin_queued) return;
    tp->fin_queued = true;
    struct pkt *p = tp->send_head ? tp->wq_tail : NULL;
    if (!p) {
        p = net_pkt_alloc(tp->sk.net, 0);
        if (!p) return;
        memset(TCP_SKB_CB(p), 0, sizeof(struct tcp_skb_cb));
        TCP_SKB_CB(p)->seq = TCP_SKB_CB(p)->end_seq = tp->write_seq;
        tcp_queue_tail(tp, p);
    }
    TCP_SKB_CB(p)->tcp_flags |= TCP_FLAG_FIN;
    TCP_SKB_CB(p)->end_seq++;
    tp->write_seq++;
    TRACE_CAUSE(tp->sk.net, "tcp", "tcp_send_fin", NULL, NULL);
    tcp_write_xmit(tp);
}

/* tcp_send_active_reset: RST|ACK at snd_nxt (abort, RFC 9293 §3.10.5). */
void tcp_send_active_reset(struct tcp_sock *tp)
{
    TRACE_CAUSE(tp->sk.net, "tcp", "tcp_send_active_reset", NULL, NULL);
    struct pkt *p = tcp_ctl_alloc(tp->sk.net);
    if (p) tcp_xmit_pkt(tp, p, tp->snd_nxt, TCP_FLAG_RST | TCP_FLAG_ACK);
}

/* tcp_v4_send_reset: the answer to a segment no connection takes (RFC 9293 §3.10.7.1):
 * with an ACK, <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 * Never to an RST. */
void tcp_v4_send_reset(struct net *net, const struct tcp_seg *seg)
{
    if (seg->flags & TCP_FLAG_RST) return;
    struct rt_result rt;
    if (ip_route_output(net, seg->saddr, 0, &rt)) return;
    struct pkt *p = tcp_ctl_alloc(net);
    if (!p) return;
    bool ack = seg->flags & TCP_FLAG_ACK;
    TRACE(p, "tcp_v4_send_reset", NULL);
    uint8_t *th = tcp_push_header(p, seg->dport, seg->sport, ack ? seg->ack : 0, ack ? 0 : seg->end_seq,
                                  ack ? TCP_FLAG_RST : TCP_FLAG_RST | TCP_FLAG_ACK, 0, NULL);
    if (!th) { pkt_drop(net, p, DROP_NOMEM); return; }
    tcp_v4_send_check(p, th, seg->daddr, seg->saddr, rt.dev);
    struct ip_send_opts io = { .src = seg->daddr, .dst = seg->saddr, .proto = IPPROTO_TCP, .df = true,
                               .id_set = true, .id = 0 };
    mib_inc(net, MIB_TcpOutSegs);
    mib_inc(net, MIB_TcpOutRsts);
    ip_send_rt(net, p, &io, &rt);
}

/* The SYN-ACK of a SYN cookie (tcp_make_synack for a request that is not kept): MSS
 * from the route, our window scale, SACK and the timestamp only if the SYN offered them
 * (o holds the peer's SYN options, already cleared of what a cookie cannot carry); the
 * TSval carries the peer's options (cookie_init_timestamp). */
void tcp_v4_send_synack_stateless(struct tcp_sock *lp, const struct tcp_seg *seg, uint32_t isn, const struct tcp_opts *peer)
{
    struct net *net = lp->sk.net;
    struct rt_result rt;
    if (ip_route_output(net, seg->saddr, 0, &rt)) return;
    struct pkt *p = tcp_ctl_alloc(net);
    if (!p) return;
    TRACEF(p, "tcp_v4_send_synack", NULL, "syncookie");
    uint16_t advmss = (uint16_t)(MIN(rt.dev->mtu, 65535u) - IP4_HLEN - TCP_HLEN);
    if (lp->user_mss) advmss = MIN(advmss, lp->user_mss);
    uint32_t clamp = 0;
    uint8_t wscale;
    uint32_t win = tcp_initial_window(&lp->sk, advmss - (peer->ts_ok ? TCPOLEN_TSTAMP_ALIGNED : 0), peer->wscale_ok,
                                      &clamp, &wscale);
    struct tcp_opts o = { .mss_ok = true, .mss = advmss, .sack_ok = peer->sack_ok, .wscale_ok = peer->wscale_ok,
                          .wscale = wscale, .ts_ok = peer->ts_ok, .ts_ecr = peer->ts_val };
    o.ts_val = tcp_cookie_init_timestamp(tcp_time_stamp(net), peer->wscale_ok, peer->wscale, peer->sack_ok);
    uint8_t *th = tcp_push_header(p, seg->dport, seg->sport, isn, seg->seq + 1, TCP_FLAG_SYN | TCP_FLAG_ACK,
                                  (uint16_t)win, &o);
    if (!th) { pkt_drop(net, p, DROP_NOMEM); return; }
    tcp_v4_send_check(p, th, seg->daddr, seg->saddr, rt.dev);
    struct ip_send_opts io = { .src = seg->daddr, .dst = seg->saddr, .proto = IPPROTO_TCP, .ttl = lp->sk.ttl,
                               .df = true, .id_set = true, .id = 0 };
    mib_inc(net, MIB_TcpOutSegs);
    ip_send_rt(net, p, &io, &rt);
}

/* __tcp_select_window: the window the buffer allows now. The free space (half the free
 * buffer, tcp_space), at most rcv_ssthresh; with a scale, rounded up to its unit so it
 * is not scaled away; without, a whole number of segments, kept when within one of the
 * last offer. Receiver silly-window avoidance (RFC 1122 4.2.3.3): once less than half
 * the buffer's window is free, less than a segment or a sixteenth of it is offered as
 * nothing, and quick ACKs stop. */
uint32_t tcp_window_from_free_space(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    long mss = tp->rcv_mss, free_space = tcp_space(sk), allowed = tcp_full_space(sk);
    long full = MIN((long)tp->window_clamp, allowed);
    if (mss > full) { mss = full; if (mss <= 0) return 0; }
    if (free_space < full / 2) {
        tp->quick = 0;
        free_space &= ~((1L << tp->rcv_wscale) - 1);      /* not grown by the rounding below */
        if (free_space < allowed / 16 || free_space < mss) return 0;
    }
    free_space = MIN(free_space, (long)tp->rcv_ssthresh);
    if (tp->rcv_wscale) {
        long unit = 1L << tp->rcv_wscale;
        return (uint32_t)((free_space + unit - 1) & ~(unit - 1));
    }
    long win = tp->rcv_wnd;
    if (win <= free_space - mss || win > free_space) win = free_space - free_space % mss;
    else if (mss == full && free_space > win + full / 2) win = free_space;
    return (uint32_t)win;
}

/* tcp_select_window: the window of an outgoing segment, in bytes. The right edge never
 * moves left (RFC 9293 §3.8.6.2.2, Linux without tcp_shrink_window): a smaller window
 * than what the last ACK still offers is raised to it. At most what the scale can
 * express. */
uint32_t tcp_select_window(struct tcp_sock *tp)
{
    uint32_t unit = 1u << tp->rcv_wscale, max = 65535u << tp->rcv_wscale;
    int32_t cur = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);
    uint32_t win = tcp_window_from_free_space(tp);
    if (cur > 0 && win < (uint32_t)cur) win = ((uint32_t)cur + unit - 1) & ~(unit - 1);
    win = MIN(win, max);
    tp->rcv_wnd = win;
    tp->rcv_wup = tp->rcv_nxt;
    return win;
}
