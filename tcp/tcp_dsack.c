/*
 * tcp/tcp_dsack.c — D-SACK (RFC 2883): telling the sender a segment came twice, and
 * recognising the peer's report (Linux tcp_dsack_set, tcp_dsack_extend,
 * tcp_send_dupack, tcp_check_dsack, tcp_dsack_seen).
 *
 * Receiving. A segment whose data we already have, wholly or partly below RCV.NXT
 * (RFC 2883 §4.1.1) or overlapping what the out-of-order queue holds (§4.1.2), leaves
 * its duplicate range in tp->duplicate_sack; the next segment we send carries it as the
 * first SACK block, the normal blocks after it (§4: "the first SACK block ... MUST
 * specify the contiguous sequence space of the duplicate segment"). It is sent once.
 * Only when SACK was negotiated and net.ipv4.tcp_dsack is on (Linux's default).
 *
 * Sending. The ACK's first block is a D-SACK if it lies below the ACK, or inside the
 * second block (RFC 2883 §4.1.2, the form for duplicated out-of-order data). It reports
 * data the peer already had: it marks nothing on the scoreboard, but each D-SACKed
 * retransmission of the current recovery counts down undo_retrans (tcp_undo.c): once
 * every retransmission has been reported duplicate, the recovery was needless.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"

/* tcp_dsack_set: [seq,end) arrived again. Below RCV.NXT it was old data
 * (TCPDSACKOldSent), else out-of-order data held twice (TCPDSACKOfoSent). */
void tcp_dsack_set(struct tcp_sock *tp, uint32_t seq, uint32_t end)
{
    if (!tp->sack_ok || !tcp_net_sysctls(tp->sk.net)->dsack) return;
    mib_inc(tp->sk.net, seq_before(seq, tp->rcv_nxt) ? MIB_TcpExtTCPDSACKOldSent : MIB_TcpExtTCPDSACKOfoSent);
    tp->dsack = true;
    tp->duplicate_sack = (struct tcp_sack_block){ seq, end };
}

/* tcp_dsack_extend: one more duplicate range of the same segment; it widens the block
 * when it touches it (tcp_sack_extend), else the block stays as it was. */
void tcp_dsack_extend(struct tcp_sock *tp, uint32_t seq, uint32_t end)
{
    struct tcp_sack_block *b = &tp->duplicate_sack;
    if (!tp->dsack) { tcp_dsack_set(tp, seq, end); return; }
    if (seq_after(seq, b->end) || seq_after(b->start, end)) return;
    b->start = seq_min(b->start, seq);
    b->end = seq_max(b->end, end);
}

/* tcp_send_dupack: a segment refused or dropped as old (out of window, PAWS, all of it
 * below RCV.NXT) is answered by an ACK; data below RCV.NXT is reported as duplicate. */
void tcp_send_dupack(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (seg->end_seq != seg->seq && seq_before(seg->seq, tp->rcv_nxt))
        tcp_dsack_set(tp, seg->seq, seq_before(tp->rcv_nxt, seg->end_seq) ? tp->rcv_nxt : seg->end_seq);
    tcp_send_ack(tp);
}

/* The SACK blocks of the next segment (tcp_established_options): the D-SACK block
 * first, then the out-of-order queue's, most recent first; at most TCP_NUM_SACKS here
 * (tcp_build_options keeps those that fit beside the other options: 3 with timestamps). */
unsigned tcp_sack_blocks_out(const struct tcp_sock *tp, struct tcp_sack_block *out)
{
    unsigned n = 0;
    if (tp->dsack) out[n++] = tp->duplicate_sack;
    for (unsigned i = 0; i < tp->num_sacks && n < TCP_NUM_SACKS; i++) out[n++] = tp->selective_acks[i];
    return n;
}

/* tcp_dsack_seen: the D-SACKed range in segments; 0 when it is dubious: empty, larger
 * than any window the peer offered, or reporting more duplicates in all than we ever
 * retransmitted (a peer cannot make us undo with made-up reports). */
static uint32_t tcp_dsack_seen(struct tcp_sock *tp, uint32_t start, uint32_t end)
{
    if (!seq_before(start, end) || end - start > tp->max_window) return 0;
    uint32_t mss = tp->mss_cache ? tp->mss_cache : 1;
    uint32_t segs = end - start > mss ? (end - start + mss - 1) / mss : 1;
    tp->dsack_dups += segs;
    if (tp->dsack_dups > tp->total_retrans) return 0;
    tcp_rack_dsack_seen(tp, end, segs);               /* RACK's reo_wnd may grow (tcp_rack.c) */
    tp->delivered += segs;                            /* a needless retransmission arrived */
    return segs;
}

/* Retransmitted segments of this recovery in [start,end) still on the queue (Linux
 * counts them in tcp_sacktag_one for a D-SACK above SND.UNA). */
static uint32_t tcp_dsack_retrans_in(struct tcp_sock *tp, uint32_t start, uint32_t end)
{
    uint32_t n = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        if (!seq_before(cb->seq, end)) break;
        if (cb->retrans && !seq_before(cb->seq, start) && !seq_after(cb->end_seq, end)) n += tcp_pcount(tp, p);
    }
    return n;
}

/* tcp_check_dsack: is the ACK's first SACK block a D-SACK? Counted (TCPDSACKRecv below
 * the ACK, TCPDSACKOfoRecv inside the second block, TCPDSACKRecvSegs), and the
 * retransmissions it reports duplicate come off undo_retrans. Call before SND.UNA moves. */
bool tcp_check_dsack(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    struct net *net = tp->sk.net;
    const struct tcp_sack_block *b = seg->opt.sacks;
    bool old = seq_before(b[0].start, seg->ack);
    if (!old && (seg->opt.num_sacks < 2 || seq_after(b[0].end, b[1].end) || seq_before(b[0].start, b[1].start)))
        return false;
    mib_inc(net, old ? MIB_TcpExtTCPDSACKRecv : MIB_TcpExtTCPDSACKOfoRecv);
    uint32_t segs = tcp_dsack_seen(tp, b[0].start, b[0].end);
    if (!segs) { mib_inc(net, MIB_TcpExtTCPDSACKIgnoredDubious); return true; }
    mib_add(net, MIB_TcpExtTCPDSACKRecvSegs, segs);
    if (!tp->undo_armed || tp->undo_retrans <= 0 || !seq_after(b[0].end, tp->undo_marker)) return true;
    /* below SND.UNA the packets are freed: Linux's "dumb counting" by the range */
    uint32_t dup = !seq_after(b[0].end, tp->snd_una) ? segs : tcp_dsack_retrans_in(tp, b[0].start, b[0].end);
    tp->undo_retrans = dup >= (uint32_t)tp->undo_retrans ? 0 : tp->undo_retrans - (int32_t)dup;
    return true;
}
