/*
 * tcp/tcp_urg.c — urgent data (RFC 9293 §3.8.5, RFC 6093; Linux tcp.c tcp_mark_urg /
 * tcp_recv_urg, tcp_output.c __tcp_transmit_skb, tcp_input.c tcp_check_urg / tcp_urg),
 * as Linux does it by default (SO_OOBINLINE off, net.ipv4.tcp_stdurg 0).
 *
 *   sending    send(MSG_OOB) makes the last byte written urgent: the pointer (snd_up)
 *              is the sequence number AFTER it, as BSD and Linux send it (RFC 6093 §2:
 *              not the RFC 1122 reading). While snd_una is before snd_up (urgent mode)
 *              every segment starting before it carries URG and snd_up - SEG.SEQ
 *              (0xffff when that is too far, and the data is within reach).
 *   receiving  URG with pointer P marks byte SEG.SEQ + P - 1 as the urgent one (the
 *              BSD reading again); a newer pointer replaces an older one. The byte is
 *              taken out of the stream: a read stops before it once it has copied
 *              something, the next read skips it, and recv(MSG_OOB) returns it once
 *              (EINVAL when there is none or it was read, EAGAIN before it arrives).
 *              poll reports POLLPRI while it is there to read.
 * Linux counts nothing for urgent data (no MIB), and neither does this.
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include <errno.h>

/* tcp_mark_urg: MSG_OOB, after the bytes are queued. */
void tcp_mark_urg(struct tcp_sock *tp)
{
    tp->snd_up = tp->write_seq;
    tp->snd_urg = true;
}

/* tcp_clean_rtx_queue's end of urgent mode: the peer has everything up to the pointer. */
void tcp_urg_ack(struct tcp_sock *tp)
{
    if (tp->snd_urg && !seq_before(tp->snd_una, tp->snd_up)) tp->snd_urg = false;
}

/* __tcp_transmit_skb: the URG pointer of a segment at seq (*urg false: no URG). */
uint16_t tcp_urg_ptr(const struct tcp_sock *tp, uint32_t seq, uint32_t snd_nxt, bool *urg)
{
    *urg = false;
    if (!tcp_urg_mode(tp) || !seq_before(seq, tp->snd_up)) return 0;
    if (seq_before(tp->snd_up, seq + 0x10000)) { *urg = true; return (uint16_t)(tp->snd_up - seq); }
    if (seq_after(seq + 0xffff, snd_nxt)) { *urg = true; return 0xffff; }
    return 0;
}

/* The sequence number of the next byte a read returns (Linux copied_seq): the head of
 * the receive queue, whose packets keep their end_seq while reads pull their front. */
uint32_t tcp_copied_seq(const struct tcp_sock *tp)
{
    const struct pkt *p = tp->sk.rq;
    return p ? TCP_SKB_CB((struct pkt *)p)->end_seq - p->len : tp->rcv_nxt;
}

/* tcp_check_urg: a segment with URG set. */
static void tcp_check_urg(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    struct sock *sk = &tp->sk;
    uint32_t ptr = get_be16(seg->th + TCP_OFF_URG);
    if (ptr) ptr--;                                   /* the byte before the pointer */
    ptr += seg->seq;
    uint32_t copied = tcp_copied_seq(tp);
    if (seq_after(copied, ptr)) return;               /* already seen and read */
    if (seq_before(ptr, tp->rcv_nxt)) return;         /* do not replay it */
    if (tp->urg_data && !seq_after(ptr, tp->urg_seq)) return;   /* not newer */
    /* a new mark while the old urgent byte is next to read: that byte goes now, or
     * it would be read in-band */
    if (tp->urg_data && tp->urg_seq == copied && copied != tp->rcv_nxt && sk->rq) tcp_rq_eat(sk, sk->rq, 1);
    tp->urg_data = TCP_URG_NOTYET;
    tp->urg_seq = ptr;
}

/* tcp_urg: step six of RFC 9293 §3.10.7.4, before the data is queued (p->data at the
 * payload): a new pointer, and the urgent byte if this segment carries it. */
void tcp_urg(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg)
{
    if (seg->flags & TCP_FLAG_URG) tcp_check_urg(tp, seg);
    if (tp->urg_data != TCP_URG_NOTYET) return;
    uint32_t off = tp->urg_seq - seg->seq - !!(seg->flags & TCP_FLAG_SYN);
    if (off >= seg->len || off >= p->len) return;
    tp->urg_data = (uint16_t)(TCP_URG_VALID | p->data[off]);
    sk_wake(&tp->sk, SK_READABLE);                    /* sk_data_ready */
}

/* tcp_recvmsg's rule for up to avail bytes at seq: how many may be copied; 0 with
 * *skip: the urgent byte comes first and is passed over; 0 alone: stop at the mark
 * (something was copied already). */
uint32_t tcp_urg_clip(const struct tcp_sock *tp, uint32_t seq, uint32_t avail, bool copied, bool *skip)
{
    *skip = false;
    if (!tp->urg_data) return avail;
    uint32_t off = tp->urg_seq - seq;
    if (off >= avail) return avail;
    if (off) return off;
    if (!copied) *skip = true;
    return 0;
}

/* After a read: once the urgent byte is behind the reader, the mark is gone. */
void tcp_urg_consumed(struct tcp_sock *tp)
{
    if (tp->urg_data && seq_after(tcp_copied_seq(tp), tp->urg_seq)) tp->urg_data = 0;
}

/* tcp_stream_is_readable's urgent rule: the one byte left unread is the urgent one. */
bool tcp_urg_only_left(const struct tcp_sock *tp)
{
    const struct pkt *p = tp->sk.rq;
    return tp->urg_data && p && !p->next && p->len == 1 && tp->urg_seq == tcp_copied_seq(tp);
}

/* tcp_recv_urg: recv(MSG_OOB). Never waits. */
long tcp_recv_urg(struct tcp_sock *tp, struct sk_msghdr *msg)
{
    struct sock *sk = &tp->sk;
    if (!tp->urg_data || tp->urg_data == TCP_URG_READ) return -EINVAL;
    if (tp->urg_data & TCP_URG_VALID) {
        uint8_t c = (uint8_t)tp->urg_data;
        if (!(msg->flags & SK_MSG_PEEK)) tp->urg_data = TCP_URG_READ;
        msg->flags |= SK_MSG_OOB;
        for (size_t i = 0; i < msg->iovlen; i++) {
            if (!msg->iov[i].iov_len) continue;
            if (!(msg->flags & SK_MSG_TRUNC)) memcpy(msg->iov[i].iov_base, &c, 1);
            return 1;
        }
        msg->flags |= SK_MSG_TRUNC;
        return 0;
    }
    if (sk->state == SK_CLOSE || sk->shut_rd) return 0;
    return -EAGAIN;
}
