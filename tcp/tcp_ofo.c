/*
 * tcp/tcp_ofo.c — the out-of-order receive queue and the SACK blocks that describe it
 * (RFC 9293 §3.10.7.4 "seventh": segments beyond RCV.NXT are held, not dropped;
 * RFC 2018 §4; Linux tcp_data_queue_ofo, tcp_ofo_queue, tcp_sack_new_ofo_skb,
 * tcp_sack_remove).
 *
 * The queue is a list sorted by sequence whose packets never overlap: a new segment's
 * head is cut where its predecessor ends, segments it covers entirely are freed, and its
 * tail is cut where the next one starts. Its packets are charged to the receive buffer
 * like in-order data, so the queue is bounded by SO_RCVBUF (and by TCP_OFO_MAX_PKTS);
 * what does not fit is dropped and counted (TCPOFODrop).
 *
 * The SACK blocks we send (tp->selective_acks) are kept as Linux keeps them: the block
 * holding the most recently received segment first (RFC 2018 §4), blocks that come to
 * touch are merged, at most TCP_NUM_SACKS; a block is forgotten once RCV.NXT reaches it.
 * Data that arrives when the queue holds it already is reported as a D-SACK
 * (tcp_dsack.c).
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"

/* Do [s1,e1) and [s2,e2) overlap or touch? */
static bool tcp_sack_touch(uint32_t s1, uint32_t e1, uint32_t s2, uint32_t e2)
{
    return !seq_after(s1, e2) && !seq_after(s2, e1);
}

/* tcp_sack_maybe_coalesce: blocks after the first that now touch it are folded in. */
static void tcp_sack_coalesce(struct tcp_sock *tp)
{
    struct tcp_sack_block *b = tp->selective_acks;
    for (unsigned i = 1; i < tp->num_sacks;) {
        if (tcp_sack_touch(b[0].start, b[0].end, b[i].start, b[i].end)) {
            b[0].start = seq_min(b[0].start, b[i].start);
            b[0].end = seq_max(b[0].end, b[i].end);
            memmove(&b[i], &b[i + 1], (tp->num_sacks - i - 1) * sizeof(*b));
            tp->num_sacks--;
        } else {
            i++;
        }
    }
}

/* tcp_sack_new_ofo_skb: [seq,end) arrived out of order; its block goes first. */
void tcp_sack_new_ofo(struct tcp_sock *tp, uint32_t seq, uint32_t end)
{
    struct tcp_sack_block *b = tp->selective_acks, nb = { seq, end };
    unsigned i;
    for (i = 0; i < tp->num_sacks; i++) {
        if (tcp_sack_touch(b[i].start, b[i].end, seq, end)) {
            nb.start = seq_min(b[i].start, seq);
            nb.end = seq_max(b[i].end, end);
            memmove(&b[1], &b[0], i * sizeof(*b));            /* the rest keep their order */
            b[0] = nb;
            tcp_sack_coalesce(tp);
            return;
        }
    }
    unsigned keep = MIN(tp->num_sacks, (unsigned)TCP_NUM_SACKS - 1);   /* the oldest falls off */
    memmove(&b[1], &b[0], keep * sizeof(*b));
    b[0] = nb;
    tp->num_sacks = (uint8_t)(keep + 1);
}

/* tcp_sack_remove: blocks RCV.NXT has reached describe nothing held any more. */
void tcp_sack_remove(struct tcp_sock *tp)
{
    if (!tp->ooo_head) { tp->num_sacks = 0; return; }
    struct tcp_sack_block *b = tp->selective_acks;
    for (unsigned i = 0; i < tp->num_sacks;) {
        if (!seq_before(tp->rcv_nxt, b[i].start)) {
            memmove(&b[i], &b[i + 1], (tp->num_sacks - i - 1) * sizeof(*b));
            tp->num_sacks--;
        } else {
            i++;
        }
    }
}

static void tcp_ofo_unlink(struct tcp_sock *tp, struct pkt *prev, struct pkt *p)
{
    if (prev) prev->next = p->next; else tp->ooo_head = p->next;
    tp->ooo_len--;
    tp->sk.rmem -= p->truesize;
}

/* Free the segments after prev that p covers entirely; cut p's tail where the next
 * one begins (so the queue never overlaps). */
static void tcp_ofo_trim_after(struct tcp_sock *tp, struct pkt *p)
{
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    struct pkt *n;
    while ((n = p->next) && seq_after(cb->end_seq, TCP_SKB_CB(n)->seq)) {
        if (seq_before(cb->end_seq, TCP_SKB_CB(n)->end_seq)) {
            tcp_dsack_extend(tp, TCP_SKB_CB(n)->seq, cb->end_seq);     /* held twice: its head */
            uint32_t keep = TCP_SKB_CB(n)->seq - cb->seq;
            pkt_trim(p, keep);
            cb->end_seq = TCP_SKB_CB(n)->seq;
            cb->tcp_flags &= (uint8_t)~TCP_FLAG_FIN;
            return;
        }
        tcp_ofo_unlink(tp, p, n);
        tcp_dsack_extend(tp, TCP_SKB_CB(n)->seq, TCP_SKB_CB(n)->end_seq);   /* all of it */
        mib_inc(tp->sk.net, MIB_TcpExtTCPOFOMerge);
        pkt_drop(tp->sk.net, n, DROP_TCP_OFOMERGE);
    }
}

/* tcp_data_queue_ofo: p (payload at data, seg->seq after RCV.NXT) is held until the
 * hole before it fills. Consumes p. */
void tcp_data_queue_ofo(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg)
{
    struct sock *sk = &tp->sk;
    struct net *net = sk->net;
    uint32_t seq = seg->seq, right = tp->rcv_wup + tp->rcv_wnd;
    bool fin = seg->flags & TCP_FLAG_FIN;
    if (!seq_before(seq, right)) { pkt_drop(net, p, DROP_TCP_OVERWINDOW); return; }
    if (seq_after(seq + p->len, right)) { pkt_trim(p, right - seq); fin = false; }   /* past the window */
    p->truesize = pkt_truesize(p);
    uint32_t len = p->len;          /* as it came, for tcp_grow_window (Linux's skb->len) */
    if (sk->rmem + p->truesize > (unsigned)sk->rcvbuf || tp->ooo_len >= TCP_OFO_MAX_PKTS) {
        mib_inc(net, MIB_TcpExtTCPOFODrop);
        pkt_drop(net, p, DROP_TCP_OFO_DROP);
        return;
    }
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    memset(cb, 0, sizeof(*cb));
    cb->seq = seq;
    cb->end_seq = seq + p->len + fin;
    cb->tcp_flags = fin ? TCP_FLAG_FIN : 0;
    tp->rcv_ooopack += MAX(p->gso_segs, (uint16_t)1);
    tcp_sack_new_ofo(tp, cb->seq, cb->end_seq);
    struct pkt *prev = NULL;
    for (struct pkt *q = tp->ooo_head; q && !seq_after(TCP_SKB_CB(q)->seq, seq); q = q->next) prev = q;
    if (prev && !seq_before(TCP_SKB_CB(prev)->end_seq, cb->end_seq)) {   /* all of it held already */
        tcp_dsack_set(tp, cb->seq, cb->end_seq);                         /* RFC 2883 §4.1.2 */
        mib_inc(net, MIB_TcpExtTCPOFOMerge);
        pkt_drop(net, p, DROP_TCP_OFOMERGE);
        return;
    }
    if (prev && seq_after(TCP_SKB_CB(prev)->end_seq, seq)) {             /* its head is held */
        tcp_dsack_set(tp, seq, TCP_SKB_CB(prev)->end_seq);
        pkt_pull(p, TCP_SKB_CB(prev)->end_seq - seq);
        cb->seq = TCP_SKB_CB(prev)->end_seq;
    }
    p->next = prev ? prev->next : tp->ooo_head;
    if (prev) prev->next = p; else tp->ooo_head = p;
    tp->ooo_len++;
    /* Held data grows the window as in-order data does, so a sender repairing a loss is
     * not held back by it; not without SACK, where the peer needs the dupacks' unchanged
     * window to count them (Linux tcp_data_queue_ofo: tcp_grow_window if tcp_is_sack,
     * before the packet is charged). */
    if (tp->sack_ok) tcp_grow_window(tp, p->truesize, len);
    sk->rmem += p->truesize;
    tcp_ofo_trim_after(tp, p);
    mib_inc(net, MIB_TcpExtTCPOFOQueue);
    TRACEF(p, "tcp_data_queue_ofo", NULL, "held %u bytes, %u after rcv_nxt", p->len, cb->seq - tp->rcv_nxt);
    trace_end(p);                   /* the journey ends in the out-of-order queue */
}

/* tcp_ofo_queue: RCV.NXT moved; held segments it reached go to the receive queue (a
 * duplicate head cut). Returns true when one of them carried the FIN. */
bool tcp_ofo_queue(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    bool fin = false;
    struct pkt *p;
    while (!fin && (p = tp->ooo_head) && !seq_after(TCP_SKB_CB(p)->seq, tp->rcv_nxt)) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        tcp_ofo_unlink(tp, NULL, p);
        if (seq_before(cb->seq, tp->rcv_nxt))         /* in-order data brought it again */
            tcp_dsack_extend(tp, cb->seq, seq_min(cb->end_seq, tp->rcv_nxt));
        if (!seq_after(cb->end_seq, tp->rcv_nxt)) { pkt_drop(sk->net, p, DROP_TCP_OFOMERGE); continue; }
        fin = cb->tcp_flags & TCP_FLAG_FIN;
        pkt_pull(p, tp->rcv_nxt - cb->seq);
        if (p->len) tcp_queue_rcv(tp, p, tp->rcv_nxt, true);   /* its charge moves with it */
        else pkt_consume(p);
    }
    tcp_sack_remove(tp);
    return fin;
}

/* The connection is over or torn down: everything held goes. */
void tcp_ofo_purge(struct tcp_sock *tp)
{
    while (tp->ooo_head) {
        struct pkt *p = tp->ooo_head;
        tcp_ofo_unlink(tp, NULL, p);
        pkt_free(p);
    }
    tp->num_sacks = 0;
}
