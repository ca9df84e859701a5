/*
 * net/datagram.h — the datagram socket type, shared by UDP and the ping socket (Linux
 * inet_dgram_ops; net/core/datagram.c, net/ipv4/datagram.c, ip_sockglue.c's error queue).
 *
 * A datagram socket reads one datagram per call: what does not fit the buffer is
 * discarded (SK_MSG_TRUNC says so); a pending error is reported before any queued
 * datagram; after shutdown(SHUT_RD) an empty queue reads as 0. The datagrams themselves
 * are their packets, linked through p->next in sk->rq: the payload stays in the packet
 * buffer (no copy on receive) and the sender's address sits in the packet's control
 * block (Linux keeps it in skb->cb), so queueing allocates nothing.
 *
 * With IP_RECVERR, ICMP errors about what the socket sent are queued on sk->eq with
 * their details (struct sock_ee) and read with SK_MSG_ERRQUEUE, as Linux's
 * ip_icmp_error / ip_recv_error. Both queues are charged to rcvbuf.
 */
#ifndef TS_DATAGRAM_H
#define TS_DATAGRAM_H
#include "sock.h"
#include "pkt.h"

extern const struct proto_ops inet_dgram_ops;

/* What a queued datagram carries in p->cb. */
struct sk_dgram_cb {
    struct sock_addr from;
    uint32_t dst;               /* local address it was sent to */
};
/* What a queued error carries in p->cb (Linux SKB_EXT_ERR). */
struct sk_err_cb {
    struct sock_ee ee;
    struct sock_addr addr;      /* where the datagram in error was going */
};
static inline struct sk_dgram_cb sk_dgram_cb(const struct pkt *p);
static inline struct sk_err_cb sk_err_cb(const struct pkt *p);

/* Queue a received datagram (p->data at its payload). False (nothing queued, p not
 * consumed, sk->drops counted) when the queue already holds rcvbuf or reading is shut,
 * as __udp_enqueue_schedule_skb: an empty queue admits one datagram however small
 * rcvbuf is. */
bool sk_queue_rcv(struct sock *sk, struct pkt *p, const struct sock_addr *from, uint32_t dst);
/* Queue an error (p->data at the quoted transport header); false as sock_queue_err_skb
 * when rmem + its truesize would reach rcvbuf. The protocol sets sk->err (sk_set_err). */
bool sk_queue_err(struct sock *sk, struct pkt *p, const struct sock_ee *ee, const struct sock_addr *addr);

/* The next datagram, as __skb_recv_datagram: the pending error first (*err), NULL with
 * *err = -EAGAIN when empty, or 0 at end of input (shut_rd). With SK_MSG_PEEK it stays
 * queued. The caller copies it (dgram_copy_msg) and gives it back (dgram_free_pkt). */
struct pkt *dgram_recv_pkt(struct sock *sk, int flags, int *err);
void dgram_free_pkt(struct pkt *p, int flags);
/* Copy p into msg: payload, source, local address, TTL, SK_MSG_TRUNC. Returns the bytes
 * copied, or the datagram's length when msg->flags asked for SK_MSG_TRUNC. */
long dgram_copy_msg(const struct pkt *p, struct sk_msghdr *msg);
/* All three: one datagram (Linux skb_recv_datagram + skb_copy_datagram_msg). */
long dgram_recvmsg(struct sock *sk, struct sk_msghdr *msg);
/* The oldest queued error, dequeued (Linux ip_recv_error): sk->err becomes the next
 * one's errno, or 0. NULL when none. The caller frees it. */
struct pkt *sk_dequeue_err(struct sock *sk);
long ip_recv_error(struct sock *sk, struct sk_msghdr *msg);

/* Linux inet_autobind: an ephemeral port, -EAGAIN when none is free. */
int  inet_autobind(struct sock *sk);
/* Linux ip4_datagram_connect (and inet_dgram_connect's autobind): route, broadcast
 * permission, local address from the route, the peer. dst: keep the route there. */
struct sk_dst;
int  ip4_datagram_connect(struct sock *sk, uint32_t addr, uint16_t port, struct sk_dst *dst);
/* Linux __udp_disconnect: forget the peer, and the local address unless bind() chose it. */
int  dgram_disconnect(struct sock *sk);
/* SOL_IP options (Linux ip_setsockopt): IP_TTL, IP_RECVERR. */
int  ip_dgram_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len);
int  ip_dgram_getsockopt(struct sock *sk, int level, int opt, void *val, size_t *len);

static inline struct sk_dgram_cb sk_dgram_cb(const struct pkt *p)
{
    struct sk_dgram_cb cb;
    memcpy(&cb, p->cb, sizeof(cb));     /* memcpy: no type punning of the cb words */
    return cb;
}
static inline struct sk_err_cb sk_err_cb(const struct pkt *p)
{
    struct sk_err_cb cb;
    memcpy(&cb, p->cb, sizeof(cb));
    return cb;
}

#endif
