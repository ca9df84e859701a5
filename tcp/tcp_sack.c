/*
 * tcp/tcp_sack.c — the sender's SACK scoreboard (RFC 2018 §5, RFC 6675 §4; Linux
 * tcp_sacktag_write_queue, tcp_is_sackblock_valid, tcp_packets_in_flight).
 *
 * The marks live on the retransmit queue itself (tcp_skb_cb.sacked): SACKED_ACKED for
 * what a SACK block covers, LOST for what is taken as lost, SACKED_RETRANS for what was
 * sent again in this recovery. A block that covers only part of a queued super-segment
 * splits it at the block's edge (tcp_fragment), so every mark is exact. The counts
 * (sacked_out, lost_out, retrans_out, in segments as Linux counts them) are recomputed
 * from the marks after each ACK rather than kept in step by hand.
 */
#include "tcp_priv.h"
#include "net/stack.h"

/* Segments in a queued packet (tcp_skb_pcount). */
uint32_t tcp_pcount(const struct tcp_sock *tp, const struct pkt *p)
{
    uint32_t mss = tp->mss_cache ? tp->mss_cache : 1;
    return p->len > mss ? (p->len + mss - 1) / mss : 1;
}

/* tcp_is_sackblock_valid: inside (SND.UNA, SND.NXT], not empty. Blocks below SND.UNA
 * and bogus ones are ignored (a D-SACK is taken out before: tcp_check_dsack). */
static bool tcp_sack_block_ok(const struct tcp_sock *tp, const struct tcp_sack_block *b)
{
    return seq_before(b->start, b->end) && !seq_before(b->start, tp->snd_una) &&
           !seq_after(b->end, tp->snd_nxt);
}

/* Mark what [start,end) covers, splitting packets at its edges; returns the segments
 * newly SACKed (what the ACK delivered, for PRR). */
static uint32_t tcp_sacktag_block(struct tcp_sock *tp, uint32_t start, uint32_t end)
{
    uint32_t newly = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        if (!seq_after(cb->end_seq, start)) continue;
        if (!seq_before(cb->seq, end)) break;
        if (cb->sacked & TCPCB_SACKED_ACKED) continue;
        if (seq_before(cb->seq, start)) {                 /* only its tail is covered */
            uint32_t cut = start - cb->seq;
            if (cut < p->len) tcp_fragment(tp, p, cut);
            continue;                                     /* the next round sees the tail */
        }
        if (seq_after(cb->end_seq, end)) {                /* only its head is covered */
            uint32_t cut = end - cb->seq;
            if (cut >= p->len || tcp_fragment(tp, p, cut) < 0) break;
        }
        tcp_rack_advance(tp, cb);                         /* RACK: delivered */
        cb->sacked = TCPCB_SACKED_ACKED;                  /* no longer lost or in flight */
        newly += tcp_pcount(tp, p);
    }
    return newly;
}

/* tcp_sacktag_write_queue: the ACK's SACK blocks onto the scoreboard; returns the
 * segments newly SACKed. A first block that is a D-SACK (RFC 2883) reports data
 * received twice: it marks nothing. */
uint32_t tcp_sacktag(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    uint32_t newly = 0;
    for (unsigned i = tcp_check_dsack(tp, seg) ? 1 : 0; i < seg->opt.num_sacks; i++) {
        const struct tcp_sack_block *b = &seg->opt.sacks[i];
        if (!tcp_sack_block_ok(tp, b)) { mib_inc(tp->sk.net, MIB_TcpExtTCPSACKDiscard); continue; }
        newly += tcp_sacktag_block(tp, b->start, b->end);
    }
    return newly;
}

/* RFC 6675 §4 IsLost for every packet: more than (DupThresh - 1) * SMSS bytes, or
 * DupThresh segments, SACKed above it. One pass: the SACKed total, less what lies
 * below as we go. */
void tcp_mark_lost(struct tcp_sock *tp)
{
    uint64_t above_bytes = 0, above_segs = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next)
        if (TCP_SKB_CB(p)->sacked & TCPCB_SACKED_ACKED) { above_bytes += p->len; above_segs += tcp_pcount(tp, p); }
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head && above_segs; p = p->next) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        if (cb->sacked & TCPCB_SACKED_ACKED) {
            above_bytes -= p->len;
            above_segs -= tcp_pcount(tp, p);
            continue;
        }
        if (above_bytes > (uint64_t)(TCP_DUPTHRESH - 1) * tp->mss_cache || above_segs >= TCP_DUPTHRESH)
            if (!(cb->sacked & TCPCB_SACKED_RETRANS)) cb->sacked |= TCPCB_LOST;
    }
}

/* The counts from the marks; returns packets_out (segments sent and not cumulatively
 * acknowledged). */
uint32_t tcp_scoreboard_count(struct tcp_sock *tp)
{
    uint32_t out = 0;
    tp->sacked_out = tp->lost_out = tp->retrans_out = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        uint32_t n = tcp_pcount(tp, p);
        uint8_t s = TCP_SKB_CB(p)->sacked;
        out += n;
        if (s & TCPCB_SACKED_ACKED) tp->sacked_out += n;
        if (s & TCPCB_LOST) tp->lost_out += n;
        if (s & TCPCB_SACKED_RETRANS) tp->retrans_out += n;
    }
    return out;
}

/* RFC 6675 SetPipe, Linux tcp_packets_in_flight: sent, less what the peer holds or
 * is lost, plus what was sent again. Without SACK, the duplicate ACKs stand for
 * segments that left the network (Linux's "reno sacks", at most packets_out - 1). */
uint32_t tcp_pipe(struct tcp_sock *tp)
{
    uint32_t out = tcp_scoreboard_count(tp);
    uint32_t left = tp->sack_ok ? tp->sacked_out : MIN(tp->dupacks, out ? out - 1 : 0);
    uint32_t gone = left + tp->lost_out;
    return (gone < out ? out - gone : 0) + tp->retrans_out;
}

/* The marks of a recovery that ended (by an RTO): lost and retransmitted are
 * forgotten, SACKed stays (the peer still holds it). */
void tcp_clear_lost_marks(struct tcp_sock *tp)
{
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next)
        TCP_SKB_CB(p)->sacked &= TCPCB_SACKED_ACKED;
}
