/*
 * net/sock.h — the socket layer (Linux: struct sock, struct proto, struct proto_ops;
 * net/core/sock.c, net/socket.c, net/ipv4/af_inet.c).
 *
 * One struct sock per endpoint, owned by a namespace. The API is non-blocking and
 * event-driven: calls never wait; they return a count or -errno (EAGAIN, EADDRINUSE,
 * ECONNREFUSED, EMSGSIZE, ...). Readiness callbacks (readable / writable / error) are
 * not called from inside the receive path: a socket that becomes ready is put on its
 * stack's ready list and the callbacks run from stack_poll(), i.e. from the event loop —
 * so a callback may send, close or reconfigure freely.
 *
 * Two tables of operations drive a socket, as in Linux:
 *   struct proto_ops   the socket TYPE (inet_dgram_ops in net/datagram.c, inet_stream_ops
 *                      in net/stream.c): recvmsg, poll, shutdown, listen, accept — what
 *                      "one datagram per read" or "a byte stream" means.
 *   struct proto       the PROTOCOL (udp_prot, ping_prot, later tcp_prot): bind,
 *                      connect, sendmsg, its own options, `ss -i` info, teardown.
 * A protocol is registered for a (type, protocol) pair with inet_register_protosw(); the
 * table lives in struct stack and refuses duplicates. sock_create() allocates
 * prot->obj_size bytes: a protocol embeds struct sock first in its own socket
 * (struct udp_sock { struct sock sk; ... }) and gets back to it with container_of
 * (udp_sk(), as Linux's udp_sk() / tcp_sk()). No untyped per-protocol pointer.
 *
 * Buffers are bounded in bytes, as Linux's sk_rcvbuf / sk_sndbuf (defaults from
 * net.core.rmem_default / wmem_default). A queued packet is charged the memory it really
 * holds (pkt_truesize, as Linux charges skb->truesize). Sent packets stay charged to the
 * socket until they leave the device (or are dropped): a datagram waiting for ARP holds
 * send buffer.
 *
 * Lifetime: a socket is freed when it is closed AND nothing refers to it any more: refs
 * counts the owner's handle (until sock_close), every sent packet still charged to it
 * (until pkt_free), its place on the ready list, and any hold a protocol takes.
 *
 * A connected sender caches its route and neighbour (struct sk_dst in ip/dst.h, Linux
 * sk_dst_cache), embedded in the protocol's socket: the entry is used while the
 * namespace's generation counts are unchanged (Linux dst_check); routes, neighbours and
 * devices bump them when they change.
 *
 * ---- What a stream protocol (TCP) plugs in -------------------------------------------
 *   static const struct proto tcp_prot = {
 *       .name = "tcp", .obj_size = sizeof(struct tcp_sock),
 *       .init, .get_port, .bind, .connect, .disconnect, .sendmsg, .recvmsg, .poll,
 *       .shutdown, .listen, .accept, .setsockopt, .getsockopt, .get_info, .for_each,
 *       .close, .destroy, .unhash };
 *   static const struct inet_protosw tcp_protosw = { SOCK_STREAM, IPPROTO_TCP, &tcp_prot,
 *       &inet_stream_ops, INET_PROTOSW_PERMANENT };
 *   err = inet_register_protosw(st, &tcp_protosw);      -EEXIST if already there
 * The contract:
 *   - struct tcp_sock starts with `struct sock sk`; tcp_sk(sk) is container_of. The memory
 *     comes zeroed; init() sets the rest (timers, state SK_CLOSE).
 *   - sk->state uses Linux's TCP_* numbering (enum sk_state); ss prints it by name.
 *   - inet_stream_ops hands recvmsg, poll, listen and accept to the protocol (missing
 *     ones are -EOPNOTSUPP; listen only from SK_CLOSE/SK_LISTEN, accept only in
 *     SK_LISTEN, else -EINVAL). shutdown sets shut_rd/shut_wr then calls shutdown() (send
 *     the FIN); on a listener shut for reading or a connect under way it calls
 *     disconnect() instead, as inet_shutdown. recvmsg copies bytes (a partial read
 *     leaves the rest), returns 0 at end of stream and -EAGAIN when nothing is there;
 *     poll returns the whole SK_* mask. The protocol owns its queues (sk->rq may be
 *     used; sk_common_release purges it).
 *   - sendmsg is called after sock_sendmsg has reported a pending error and refused a
 *     socket shut for writing (-EPIPE); it returns the bytes taken (maybe fewer than
 *     given) or -EAGAIN.
 *   - accept() returns a new socket made with sk_clone() (same protocol and options,
 *     init() run, already on the namespace list, owned by the caller), or NULL with
 *     *err = -EAGAIN when none is ready.
 *   - Wake readers and writers with sk_wake(); report errors with sk_set_err().
 *   - Charge transmitted data with sk_charge_tx() (released when the packet is freed).
 *   - close() is the protocol's part of close(2) and may keep the endpoint alive (FIN,
 *     TIME_WAIT): it takes one sock_hold(sk), and when done calls sk_common_release(sk)
 *     then sock_put(sk). Without close(), sock_close() releases at once. destroy() frees
 *     the protocol's own state (timers, queues) and runs exactly once, from
 *     sk_common_release(). On namespace exit sock_net_exit() does the release and the
 *     sock_put for a lingering socket itself (its destroy() stops the timers).
 *   - A connected sender embeds struct sk_dst and uses sk_dst_check()/sk_dst_set()
 *     (ip/dst.h) instead of a route lookup per segment.
 *   - get_info() writes the `ss -i` detail line ("cubic wscale:7,7 rto:204 ...";
 *     flags SOCK_INFO_NUMERIC: rates as plain numbers, as ss -n);
 *     for_each() visits the namespace's sockets in the order ss lists them.
 * --------------------------------------------------------------------------------------
 *
 * The BSD-like face (ts_socket, ts_bind, ts_sendto, ...) is in net/socket.h.
 */
#ifndef TS_SOCK_H
#define TS_SOCK_H
#include "types.h"
#include "timer.h"
#include <sys/uio.h>

struct sock;
struct proto;
struct proto_ops;

/* Readiness, as poll(2) events. */
#define SK_READABLE 0x1
#define SK_PRI      0x2             /* POLLPRI: urgent data to read (TCP) */
#define SK_WRITABLE 0x4
#define SK_ERROR    0x8

struct sock_cb {
    void (*ready)(struct sock *sk, unsigned events, void *arg);
};

/* Option levels and names, Linux's values (defined only if <sys/socket.h> and
 * <netinet/in.h> have not already: the values are the same). */
#ifndef SOL_SOCKET
#define SOL_SOCKET 1
#endif
#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_LINGER
#define SO_LINGER 13
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef SO_BINDTODEVICE
#define SO_BINDTODEVICE 25
#endif
#ifndef IP_TTL
#define IP_TTL 2
#endif
#ifndef IP_RECVERR
#define IP_RECVERR 11
#endif

/* sk_userlocks bits, Linux's values. */
#define SOCK_SNDBUF_LOCK 1
#define SOCK_RCVBUF_LOCK 2

/* recvmsg flags, Linux's MSG_* values under our own names (glibc declares MSG_* as
 * enumerators, which a #define here would break). */
#define SK_MSG_OOB      0x01        /* TCP urgent data (send: mark it; recv: read it) */
#define SK_MSG_PEEK     0x02
#define SK_MSG_TRUNC    0x20        /* in: return the real length; out: data was cut */
#define SK_MSG_ERRQUEUE 0x2000      /* read the error queue (IP_RECVERR) */
#define SK_MSG_MORE     0x8000      /* send: more follows (TCP holds a partial segment) */

/* Socket states, numbered as Linux's sk_state (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11):
 * a datagram socket is SK_ESTABLISHED once connected and SK_CLOSE otherwise. */
enum sk_state {
    SK_ESTABLISHED = 1, SK_SYN_SENT, SK_SYN_RECV, SK_FIN_WAIT1, SK_FIN_WAIT2, SK_TIME_WAIT,
    SK_CLOSE, SK_CLOSE_WAIT, SK_LAST_ACK, SK_LISTEN, SK_CLOSING, SK_STATE_MAX
};

struct sock_addr { uint32_t addr; uint16_t port; };   /* host order */

/* An ICMP error as IP_RECVERR reports it (Linux struct sock_extended_err plus
 * SO_EE_OFFENDER). */
#define SK_EE_ORIGIN_ICMP 2
struct sock_ee {
    uint32_t ee_errno;
    uint8_t  ee_origin, ee_type, ee_code;
    uint32_t ee_info;               /* the MTU for "fragmentation needed" */
    uint32_t offender;              /* who sent the ICMP error */
};

/* One call's message (Linux struct msghdr + the control messages we know). */
struct sk_msghdr {
    const struct iovec *iov;        /* send: read from; receive: filled */
    size_t iovlen;
    struct sock_addr *name;         /* send: destination (NULL: the connected peer);
                                     * receive: the source, if not NULL */
    int flags;                      /* in: SK_MSG_PEEK, SK_MSG_TRUNC, SK_MSG_ERRQUEUE,
                                     * SK_MSG_OOB; send: SK_MSG_OOB, SK_MSG_MORE;
                                     * out: SK_MSG_TRUNC when the data was cut,
                                     * SK_MSG_OOB when urgent data was read */
    /* receive only, as cmsgs: */
    uint32_t dst;                   /* IP_PKTINFO: the local address it was sent to */
    uint8_t  ttl;                   /* IP_RECVTTL: the TTL it arrived with */
    struct sock_ee ee;              /* SK_MSG_ERRQUEUE: the error */
};

struct sock {
    struct sock *next;                  /* namespace list of all sockets */
    struct sock **pprev;                /* what points at it there (unlinking is O(1)) */
    struct sock *hash_next;             /* protocol lookup chain */
    struct sock *ready_next;            /* stack ready list */
    struct net *net;
    const struct proto *prot;           /* the protocol (Linux sk->sk_prot) */
    const struct proto_ops *ops;        /* the socket type (Linux sock->ops) */
    int type;                           /* SOCK_DGRAM, SOCK_STREAM */
    int protocol;                       /* IPPROTO_UDP, ... */
    uint8_t state;                      /* enum sk_state */
    struct sock_addr local, remote;     /* remote: the peer once connected */
    bool bound;                         /* local port chosen (explicit or auto) */
    bool addr_bound;                    /* local address set by bind(), not by connect() */
    uint16_t inet_id;                   /* IP ID counter once connected (random start) */
    bool reuseaddr, reuseport, broadcast;
    bool keepalive;                     /* SO_KEEPALIVE (Linux SOCK_KEEPOPEN) */
    bool recverr;                       /* IP_RECVERR: ICMP errors go to the error queue */
    uint8_t ttl;                        /* IP_TTL; 0: net.ipv4.ip_default_ttl */
    int bound_dev_if;                   /* SO_BINDTODEVICE (ifindex), 0: any */
    bool shut_rd, shut_wr;
    bool closed;                        /* sock_close called; freed when nothing holds it */
    bool released;                      /* sk_common_release done */
    bool on_ready;                      /* on the stack's ready list */
    unsigned pending;                   /* events to report */
    int err;                            /* pending error (SO_ERROR), positive errno */
    int rcvbuf, sndbuf;                 /* limits, bytes */
    uint8_t userlocks;                  /* SOCK_*BUF_LOCK: set by SO_RCVBUF / SO_SNDBUF, so
                                         * TCP leaves that buffer's size alone (sk_userlocks) */
    bool linger;                        /* SO_LINGER on (SOCK_LINGER) ... */
    int lingertime_s;                   /* ... and its l_linger (0: close aborts) */
    unsigned rmem, wmem;                /* charged, bytes (both queues count in rmem) */
    unsigned refs;                      /* packets in flight that point at us, + 1 while open */
    struct pkt *rq, *rq_tail;           /* receive queue (Linux sk_receive_queue) */
    unsigned rq_len;
    struct pkt *eq, *eq_tail;           /* error queue (Linux sk_error_queue) */
    unsigned eq_len;
    struct sock_cb cb;
    void *cb_arg;
    void *user;                         /* Linux sk_user_data: an encapsulation's owner */
    uint64_t drops;                     /* packets refused (rcvbuf full) */
};

/* The socket type (Linux struct proto_ops). */
struct proto_ops {
    const char *name;
    long     (*recvmsg)(struct sock *sk, struct sk_msghdr *msg);
    unsigned (*poll)(const struct sock *sk);
    int      (*shutdown)(struct sock *sk, int how);     /* flags already checked */
    int      (*listen)(struct sock *sk, int backlog);
    struct sock *(*accept)(struct sock *sk, int *err);
};

/* The protocol (Linux struct proto). Optional unless said otherwise. */
struct proto {
    const char *name;
    size_t obj_size;                    /* >= sizeof(struct sock): the protocol's socket */
    int  (*init)(struct sock *sk);      /* after allocation; < 0 fails sock_create */
    /* Take a local port (0: an ephemeral one) for sk->local.addr; -EADDRINUSE. */
    int  (*get_port)(struct sock *sk, uint16_t port);
    int  (*bind)(struct sock *sk, uint32_t addr, uint16_t port);
    int  (*connect)(struct sock *sk, uint32_t addr, uint16_t port);
    int  (*disconnect)(struct sock *sk);    /* connect(AF_UNSPEC) */
    long (*sendmsg)(struct sock *sk, const struct sk_msghdr *msg);   /* required */
    /* The protocol's receive (required for streams; a datagram protocol may leave it to
     * dgram_recvmsg, or wrap it, as udp_recvmsg counts UdpInDatagrams). */
    long (*recvmsg)(struct sock *sk, struct sk_msghdr *msg);
    unsigned (*poll)(const struct sock *sk);             /* streams */
    int  (*shutdown)(struct sock *sk, int how);          /* streams: send FIN */
    int  (*listen)(struct sock *sk, int backlog);        /* streams */
    struct sock *(*accept)(struct sock *sk, int *err);   /* streams */
    /* Options at the protocol's levels (SOL_IP, SOL_UDP, SOL_TCP...): -ENOPROTOOPT. */
    int  (*setsockopt)(struct sock *sk, int level, int opt, const void *val, size_t len);
    int  (*getsockopt)(struct sock *sk, int level, int opt, void *val, size_t *len);
    /* `ss -i`'s detail line into buf; returns its length (0: nothing to show). */
    int  (*get_info)(const struct sock *sk, char *buf, size_t len, unsigned flags);   /* SOCK_INFO_* */
    /* ss's Recv-Q and Send-Q (inet_diag idiag_rqueue/idiag_wqueue); NULL: the memory
     * charged to the receive and send queues. */
    void (*get_queues)(const struct sock *sk, unsigned *rq, unsigned *sq);
    /* Every socket of net in the order ss lists them (Linux inet_diag's dump). */
    void (*for_each)(struct net *net, void (*fn)(struct sock *sk, void *arg), void *arg);
    void (*keepalive)(struct sock *sk, bool on);        /* SO_KEEPALIVE changed */
    void (*close)(struct sock *sk);     /* see the contract above */
    void (*destroy)(struct sock *sk);
    void (*unhash)(struct sock *sk);    /* remove from lookup tables */
};

/* A protocol's entry in the stack's socket table (Linux struct inet_protosw). */
#define INET_PROTOSW_PERMANENT 0x1      /* the type's default: what protocol 0 picks */
struct inet_protosw {
    int type, protocol;
    const struct proto *prot;
    const struct proto_ops *ops;
    unsigned flags;
};
#define STACK_MAX_PROTOSW 8         /* the size of struct stack's table */
/* 0, -EEXIST (that type and protocol are taken), -ENOSPC, -EINVAL (malformed). */
int inet_register_protosw(struct stack *st, const struct inet_protosw *p);

/* Generic calls (net/sock.c). All return 0/count or -errno. */
struct sock *sock_create(struct net *net, int type, int protocol, int *err);
int  sock_bind(struct sock *sk, uint32_t addr, uint16_t port);
/* addr 0 and port 0 dissolve the association, as sock_disconnect. */
int  sock_connect(struct sock *sk, uint32_t addr, uint16_t port);
int  sock_disconnect(struct sock *sk);
long sock_sendmsg(struct sock *sk, const struct sk_msghdr *msg);
long sock_recvmsg(struct sock *sk, struct sk_msghdr *msg);
long sock_sendto(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to);
/* One datagram (truncated to len; the rest is discarded, as recvfrom does) or, on a
 * stream, up to len bytes. from may be NULL. -EAGAIN when empty; the pending error first. */
long sock_recvfrom(struct sock *sk, void *buf, size_t len, struct sock_addr *from);
int  sock_shutdown(struct sock *sk, int how);     /* SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 */
int  sock_listen(struct sock *sk, int backlog);
struct sock *sock_accept(struct sock *sk, int *err);
void sock_close(struct sock *sk);
/* SOL_SOCKET options with an int value. */
int  sock_setsockopt(struct sock *sk, int opt, int val);
int  sock_getsockopt(struct sock *sk, int opt, int *val);
/* Any level: SOL_SOCKET here, the others to the protocol. *len: in the room, out the size. */
int  sock_setsockopt_level(struct sock *sk, int level, int opt, const void *val, size_t len);
int  sock_getsockopt_level(struct sock *sk, int level, int opt, void *val, size_t *len);
#define SOCK_INFO_NUMERIC 1             /* get_info: rates as plain numbers (ss -n) */
int  sock_get_info(const struct sock *sk, char *buf, size_t len, unsigned flags);
void sock_get_queues(const struct sock *sk, unsigned *rq, unsigned *sq);
void sock_set_cb(struct sock *sk, const struct sock_cb *cb, void *arg);
unsigned sock_poll(const struct sock *sk);        /* current readiness */
/* Every socket of that type and protocol in net, in ss's order; -EPROTONOSUPPORT. */
int  sock_for_each(struct net *net, int type, int protocol,
                   void (*fn)(struct sock *sk, void *arg), void *arg);

/* For protocols. */
void sk_wake(struct sock *sk, unsigned events);   /* queue a readiness report */
void sk_set_err(struct sock *sk, int err);        /* positive errno; reported as SK_ERROR */
int  sock_error(struct sock *sk);                 /* take the pending error: -errno or 0 */
static inline bool sk_connected(const struct sock *sk) { return sk->state == SK_ESTABLISHED; }
static inline void sock_hold(struct sock *sk) { sk->refs++; }
void sock_put(struct sock *sk);
/* Unhash, destroy, purge the queues, leave the namespace list (Linux sk_common_release). */
void sk_common_release(struct sock *sk);
/* A new socket of sk's protocol in sk's namespace, with its options (accept). */
struct sock *sk_clone(const struct sock *sk, int *err);
/* Charge a packet being sent to sk's send buffer until it is freed; false if full. */
bool sk_charge_tx(struct sock *sk, struct pkt *p);
/* The same without the limit: a packet split off one already charged (tcp_fragment). */
void sk_charge_tx_always(struct sock *sk, struct pkt *p);
void sk_tx_done(struct pkt *p);                   /* the destructor sk_charge_tx sets */
/* Run the ready list (from stack_poll). */
int  sock_run_ready(struct stack *st);
void sock_release_ready(struct sock *sk);         /* drop the ready list's reference */
/* A namespace goes away: close every socket in it. */
void sock_net_exit(struct net *net);

/* Socket types' "not supported" entries (Linux sock_no_listen / sock_no_accept). */
int  sock_no_listen(struct sock *sk, int backlog);
struct sock *sock_no_accept(struct sock *sk, int *err);

#endif
