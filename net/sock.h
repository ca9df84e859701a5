/*
 * net/sock.h — the socket layer (Linux: struct sock, net/core/sock.c, net/socket.c).
 *
 * One struct sock per endpoint, owned by a namespace. The API is non-blocking and
 * event-driven: calls never wait; they return a count or -errno (EAGAIN, EADDRINUSE,
 * ECONNREFUSED, EMSGSIZE, ...). Readiness callbacks (readable / writable / error) are
 * not called from inside the receive path: a socket that becomes ready is put on its
 * stack's ready list and the callbacks run from stack_poll(), i.e. from the event loop —
 * so a callback may send, close or reconfigure freely.
 *
 * Buffers are bounded in bytes, as Linux's sk_rcvbuf / sk_sndbuf (defaults from
 * net.core.rmem_default / wmem_default). A datagram is charged the memory its packet
 * really holds (pkt_truesize, as Linux charges skb->truesize). Sent packets stay charged
 * to the socket until they leave the device (or are dropped): a datagram waiting for ARP
 * holds send buffer.
 *
 * The BSD-like face (ts_socket, ts_bind, ts_sendto, ...) is in net/socket.h.
 */
#ifndef TS_SOCK_H
#define TS_SOCK_H
#include "types.h"
#include "timer.h"

struct sock;
struct sock_proto;

/* Readiness, as poll(2) events. */
#define SK_READABLE 0x1
#define SK_WRITABLE 0x4
#define SK_ERROR    0x8

struct sock_cb {
    void (*ready)(struct sock *sk, unsigned events, void *arg);
};

/* Socket options we implement (Linux values for SOL_SOCKET names). */
enum { SO_REUSEADDR = 2, SO_ERROR = 4, SO_BROADCAST = 6, SO_SNDBUF = 7, SO_RCVBUF = 8,
       SO_REUSEPORT = 15 };

struct sock_addr { uint32_t addr; uint16_t port; };   /* host order */

/* A queued datagram is its packet, linked through p->next; the payload stays in the
 * packet buffer (no copy on receive) and the sender's address sits in the packet's
 * control block (Linux keeps it in skb->cb), so queueing allocates nothing. */
struct sk_dgram_cb {
    struct sock_addr from;
    uint32_t dst;               /* local address it was sent to */
};
struct sock {
    struct sock *next;                  /* namespace list of all sockets */
    struct sock *hash_next;             /* protocol lookup chain */
    struct sock *ready_next;            /* stack ready list */
    struct net *net;
    const struct sock_proto *prot;
    int type;                           /* SOCK_DGRAM, SOCK_STREAM */
    int protocol;                       /* IPPROTO_UDP, ... */
    struct sock_addr local, remote;     /* remote.port != 0: connected */
    bool bound;                         /* local port chosen (explicit or auto) */
    bool addr_bound;                    /* local address set by bind(), not by connect() */
    uint16_t inet_id;                   /* IP ID counter once connected (random start) */
    bool connected;
    bool reuseaddr, reuseport, broadcast;
    bool shut_rd, shut_wr;
    bool closed;                        /* sock_close called; freed when nothing holds it */
    bool on_ready;                      /* on the stack's ready list */
    unsigned pending;                   /* events to report */
    int err;                            /* pending error (SO_ERROR), positive errno */
    int rcvbuf, sndbuf;                 /* limits, bytes */
    unsigned rmem, wmem;                /* charged, bytes */
    unsigned refs;                      /* packets in flight that point at us, + 1 while open */
    struct pkt *rq, *rq_tail;           /* receive queue (datagrams) */
    unsigned rq_len;
    struct sock_cb cb;
    void *cb_arg;
    /* protocol hook for UDP encapsulation (Linux: udp_sk(sk)->encap_rcv):
     * return 0 = consumed, > 0 = deliver as ordinary UDP. */
    int (*encap_rcv)(struct sock *sk, struct pkt *p);
    void *user;                         /* for the encapsulation's owner */
    void *user_cb;                      /* the BSD face's callback record (net/socket.c) */
    uint64_t drops;                     /* datagrams refused (rcvbuf full) */
    void *proto_priv;                   /* TCP state later */
};

/* What a protocol provides to the generic layer. */
struct sock_proto {
    const char *name;
    int  (*bind)(struct sock *sk, uint32_t addr, uint16_t port);
    int  (*connect)(struct sock *sk, uint32_t addr, uint16_t port);
    int  (*sendmsg)(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to);
    void (*unhash)(struct sock *sk);    /* remove from lookup tables */
    void (*recvmsg_done)(struct sock *sk);  /* a datagram was read (statistics) */
    void (*close)(struct sock *sk);
};

/* Generic calls (net/sock.c). All return 0/count or -errno. */
struct sock *sock_create(struct net *net, int type, int protocol, int *err);
int  sock_bind(struct sock *sk, uint32_t addr, uint16_t port);
int  sock_connect(struct sock *sk, uint32_t addr, uint16_t port);
long sock_sendto(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to);
/* Copies one datagram (truncated to len; the rest is discarded, as recvfrom does).
 * from/dst may be NULL. -EAGAIN when empty; the pending error first, if any. */
long sock_recvfrom(struct sock *sk, void *buf, size_t len, struct sock_addr *from);
int  sock_shutdown(struct sock *sk, int how);     /* SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 */
void sock_close(struct sock *sk);
int  sock_setsockopt(struct sock *sk, int opt, int val);
int  sock_getsockopt(struct sock *sk, int opt, int *val);
void sock_set_cb(struct sock *sk, const struct sock_cb *cb, void *arg);
unsigned sock_poll(const struct sock *sk);        /* current readiness */

/* For protocols. */
void sk_wake(struct sock *sk, unsigned events);   /* queue a readiness report */
void sk_set_err(struct sock *sk, int err);        /* positive errno; reported as SK_ERROR */
/* Queue a received datagram; false (nothing queued, p not consumed) if rcvbuf is full. */
bool sk_queue_rcv(struct sock *sk, struct pkt *p, const struct sock_addr *from, uint32_t dst);
/* Charge a packet being sent to sk's send buffer until it is freed; false if full. */
bool sk_charge_tx(struct sock *sk, struct pkt *p);
void sk_tx_done(struct pkt *p);                   /* the destructor sk_charge_tx sets */
/* Run the ready list (from stack_poll). */
int  sock_run_ready(struct stack *st);
void sock_release_ready(struct sock *sk);         /* drop the ready list's reference */
int  sock_register_proto(int protocol, const struct sock_proto *prot);
/* A namespace goes away: close every socket in it. */
void sock_net_exit(struct net *net);


#endif
