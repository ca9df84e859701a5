/*
 * net/stack.h — the process-wide context (struct stack) and the namespace (struct net).
 *
 * struct stack holds what one process has once: the clock (real or virtual), the seeded
 * random generator, the timer heap, the packet pool, the softnet backlog queue and the
 * registration tables (Linux: ptype_base, inet_protos, pernet_list, link_ops).
 * struct net is a network namespace (Linux: struct net): devices, sockets, sysctls and
 * counters, and — by id, through net_generic() — each layer's own state: routes, the
 * neighbour table, fragment queues, ICMP and UDP tables. Every device belongs to exactly
 * one struct net; every layer finds its state through dev->net.
 *
 * The core does no I/O and never reads a clock: the event loop (shell/) or the replay
 * driver sets st->now_us and calls stack_poll().
 */
#ifndef TS_STACK_H
#define TS_STACK_H
#include "types.h"
#include "pkt.h"
#include "timer.h"
#include "mib.h"
#include "drop.h"

struct sysctl_table;
struct link_ops;
struct trace_cause;
struct sock;
struct sock_fd;
struct inet_protosw;
struct qdisc;

/* Slots of net->gen: ids of pernet_ops with state (0 is "none"). */
#define NET_GENERIC_MAX 16

/* Per-namespace IPv4 settings (net.ipv4.*), Linux's defaults (set by the layer that owns
 * each one, in its pernet init). Linux keeps them in struct net too (netns_ipv4). */
struct ipv4_sysctl {
    int ip_forward;                 /* 0 */
    int ip_default_ttl;             /* 64 */
    int icmp_echo_ignore_all;       /* 0 */
    int icmp_echo_ignore_broadcasts;/* 1 */
    int icmp_ratelimit;             /* 1000 ms between errors per destination (token bucket) */
    int icmp_ratemask;              /* 0x1818: dest unreachable, source quench, time exceeded, param problem */
    int icmp_msgs_per_sec;          /* 1000: global bucket */
    int icmp_msgs_burst;            /* 50 */
    int ipfrag_high_thresh;         /* 4 MB */
    int ipfrag_low_thresh;          /* 3 MB */
    int ipfrag_time;                /* 30 s */
    int ipfrag_max_dist;            /* 64 */
    int ip_local_port_lo, ip_local_port_hi; /* 32768 60999 */
    int arp_notify_all, arp_notify_default; /* net.ipv4.conf.{all,default}.arp_notify: 0 */
    int arp_accept_all, arp_accept_default; /* net.ipv4.conf.{all,default}.arp_accept: 0 */
};

struct net {
    struct net        *next;
    struct stack      *st;
    char               name[32];        /* "" for the default namespace */
    struct netdev     *devs;            /* in ifindex order */
    struct netdev     *loopback;
    int                next_ifindex;
    struct sock       *socks;           /* every socket of the namespace */
    struct sysctl_table *sysctl;
    struct ipv4_sysctl ipv4;
    uint16_t           ip_id_next;      /* IP ID counter, seeded */
    /* Bumped when a device, an address or a neighbour entry changes: routes and
     * neighbours cached by sockets are stale (Linux rt_genid; ip/dst.h). */
    uint32_t           rt_genid;
    struct { uint64_t out_slow_tot, out_hit; } rt_stat; /* output routes looked up / cached */
    struct mib         mib, mib_seen;   /* counters, and their values at the last `nstat` */
    uint64_t           drops[DROP_MAX], drops_seen[DROP_MAX];
    /* Each layer's own state (FIB, ARP table, fragment queues, ICMP, UDP ...), by the id
     * its pernet_ops got: see net_generic(). The core allocates and frees it. */
    void              *gen[NET_GENERIC_MAX];
    uint8_t            trace_all;       /* `trace on` without a device: 1, with -v: 2 */
    int                cmd_refs;        /* shell commands running in this namespace */
};

/* Ethertype handlers (Linux: struct packet_type in ptype_base). */
typedef void (*eth_rcv_fn)(struct netdev *dev, struct pkt *p);
/* IP protocol handlers (Linux: struct net_protocol in inet_protos[]). */
struct ip_proto {
    void (*rcv)(struct pkt *p);                      /* transport header at p->data */
    /* An ICMP error about a packet we sent: info is the code / MTU; quoted points at the
     * quoted IP header, qlen bytes of it are present (>= IP header + 8). */
    void (*err)(struct net *net, int type, int code, uint32_t info, const uint8_t *quoted, size_t qlen);
    const char *name, *linux_name;                   /* for trace */
};

/* Device events, as Linux's netdevice/inetaddr notifiers. */
enum net_event { NETDEV_REGISTER, NETDEV_UP, NETDEV_DOWN, NETDEV_UNREGISTER, NETDEV_CHANGEADDR, NETDEV_CHANGEMTU,
                 INETADDR_UP, INETADDR_DOWN,
                 NETDEV_CHANGE /* carrier came or went (Linux: linkwatch's NETDEV_CHANGE) */ };
typedef void (*net_event_fn)(struct netdev *dev, enum net_event ev, const void *info);

#define STACK_MAX_ETH_PROTOS 8
#define STACK_MAX_NOTIFIERS  8
#define STACK_MAX_PERNET     12
#define STACK_MAX_LINK_KINDS 8

/* Per-namespace set-up and tear-down of a layer (Linux: struct pernet_operations).
 * A layer with state of its own in every namespace gives an id and a size: the core
 * allocates `size` zeroed bytes for each namespace before init, frees them after exit,
 * and the layer reaches them with net_generic(net, *id) — so a new layer (TCP, VXLAN,
 * the bridge) adds no field to struct net. init may fail (< 0): the namespace is then
 * not created and the layers set up before it are undone. */
struct pernet_ops {
    const char *name;
    int  (*init)(struct net *net);
    void (*exit)(struct net *net);
    unsigned   *id;                 /* NULL: no state; else set by pernet_register */
    size_t      size;
};

struct stack_cfg {
    uint64_t seed;
    bool     virtual_clock;
    uint64_t start_us;          /* initial clock value */
    size_t   pool_max;          /* packet pool memory cap, bytes (0: default) */
};

struct stack {
    uint64_t now_us;
    bool     virtual_clock;
    uint64_t rng[4];            /* xoshiro256** state, from the seed */
    uint32_t flow_hash_key;     /* keys flow hashes (Linux hashrnd), from the seed */
    struct timer_heap timers;
    struct pkt_pool pool;
    struct net *nets;           /* init_net first */
    struct net *init_net;
    /* softnet_data input queue (netif_rx -> enqueue_to_backlog -> process_backlog) */
    struct pkt *backlog_head, *backlog_tail;
    unsigned    backlog_len;
    unsigned    netdev_max_backlog;     /* 1000 */
    unsigned    dev_weight;             /* 64: the NAPI budget per poll */
    struct { uint16_t type; eth_rcv_fn rcv; const char *name; } eth_protos[STACK_MAX_ETH_PROTOS];
    int         n_eth_protos;
    const struct ip_proto *ip_protos[256];
    /* socket types and protocols (Linux inetsw; net/sock.h inet_register_protosw) */
    const struct inet_protosw *protosw[8];
    int         n_protosw;
    net_event_fn notifiers[STACK_MAX_NOTIFIERS];
    int         n_notifiers;
    const struct pernet_ops *pernet[STACK_MAX_PERNET];
    int         n_pernet;
    /* link kinds (net/link.c; Linux: link_ops, rtnl_link_register) and their context */
    const struct link_ops *link_kinds[STACK_MAX_LINK_KINDS];
    void       *link_ctx[STACK_MAX_LINK_KINDS];
    int         n_link_kinds;
    /* Live runs: refresh now_us from the real (monotonic) clock. The event loop calls it
     * once per receive batch, so the frames of one batch share an arrival time; ping
     * calls it to stamp what it sends and receives. NULL with the virtual clock. */
    void      (*clock_sync)(struct stack *st);
    /* Console sink: trace lines and asynchronous messages. */
    void      (*log)(void *arg, const char *line);
    void       *log_arg;
    bool        tracing;                /* any trace on in any namespace: fast check */
    struct trace_cause *trace_cause;    /* the innermost open cause (net/trace.h TRACE_CAUSE) */
    /* The one-line summary of a frame as `tcpdump -n` prints it, which begins each traced
     * journey (net/trace.h). The shell sets it: the decoder is the shell's, and net/ does
     * not depend on the shell. net: where the frame is (for its tunnel ports). */
    void      (*trace_summary)(struct net *net, const uint8_t *frame, size_t len, char *out, size_t n);
    struct sock *ready_head, *ready_tail;   /* sockets with events to report */
    struct sock_fd *fds;                /* the BSD face's descriptor table (net/socket.c) */
    void       *app_servers;            /* shell/cmd_serve.c's background servers */
    int         nfds;
    uint32_t    qdisc_autohandle;       /* the last handle tc gave a qdisc (qdisc_alloc_handle) */
    /* qdiscs to run at the next poll round (softnet_data.output_queue, net_tx_action) */
    struct qdisc *tx_sched_head, *tx_sched_tail;
    /* net.core.* (one set, as Linux's rmem/wmem defaults are global) */
    int         rmem_default, rmem_max, wmem_default, wmem_max;
    int         pool_max_bytes;         /* net.core.pkt_pool_max_bytes: st->pool's cap */
};

struct stack *stack_new(const struct stack_cfg *cfg);
void stack_free(struct stack *st);
/* Run due timers and the backlog. Returns when nothing more is due at st->now_us. */
void stack_poll(struct stack *st);
uint64_t stack_next_deadline(const struct stack *st);
static inline uint64_t stack_now(const struct stack *st) { return st->now_us; }
void stack_log(struct stack *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Random numbers: one seeded generator for everything (IP IDs, jitter, ports, ISNs). */
uint32_t stack_rand32(struct stack *st);
uint32_t stack_rand_range(struct stack *st, uint32_t lo, uint32_t hi);   /* [lo, hi] */

static inline void timer_arm_at(struct stack *st, struct timer *t, uint64_t at_us)
{ timer_arm(&st->timers, t, at_us); }
static inline void timer_arm_in(struct stack *st, struct timer *t, uint64_t delay_us)
{ timer_arm(&st->timers, t, st->now_us + delay_us); }
static inline void timer_stop(struct stack *st, struct timer *t) { timer_cancel(&st->timers, t); }

/* Namespaces */
struct net *net_new(struct stack *st, const char *name);     /* NULL if the name exists */
void net_free(struct net *net);
struct net *net_by_name(struct stack *st, const char *name);  /* "" or "default": init_net */

/* Registration (each layer's *_init calls these). -1 if the slot is taken. */
int eth_proto_register(struct stack *st, uint16_t type, eth_rcv_fn rcv, const char *name);
int ip_proto_register(struct stack *st, uint8_t proto, const struct ip_proto *p);
int net_notifier_register(struct stack *st, net_event_fn fn);
/* Register a layer's per-namespace set-up. Namespaces made afterwards get it (register
 * before the first net_new). -EEXIST if already registered, -ENOSPC if full.
 * ops->id, when given, is assigned here: the same ops get the same id in every stack
 * of the process (Linux: net_generic ids are allocated once per pernet_operations). */
int pernet_register(struct stack *st, const struct pernet_ops *ops);
/* The state a layer registered with pernet_ops {.id, .size} (Linux net_generic). */
static inline void *net_generic(const struct net *net, unsigned id) { return net->gen[id]; }
void net_notify(struct netdev *dev, enum net_event ev, const void *info);

/* Cached routes and neighbours of this namespace are stale (Linux rt_cache_flush). */
static inline void rt_cache_flush(struct net *net) { net->rt_genid++; }

/* Counters */
static inline void mib_inc(struct net *net, enum mib_id id) { net->mib.v[id]++; }
static inline void mib_add(struct net *net, enum mib_id id, uint64_t n) { net->mib.v[id] += n; }

/* Drop a packet: count the reason in its namespace, note it in the trace, free it. */
void pkt_drop(struct net *net, struct pkt *p, enum drop why);
/* A packet's life ended normally (delivered / consumed). Prints its trace if on. */
void pkt_consume(struct pkt *p);
struct pkt *net_pkt_alloc(struct net *net, size_t size);

#endif
