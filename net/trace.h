/*
 * net/trace.h — the packet journey trace (`trace on [-v] [DEV]`).
 *
 * A traced packet carries a record of what happened to it; when its life ends
 * (delivered, transmitted by a driver that frees it, dropped) the whole journey is
 * printed at once: the frame's one-line summary as `tcpdump -n` prints it, then one line
 * per device and direction it went through, each with its stages:
 *
 *   IP 172.17.0.2 > 172.17.0.3: ICMP echo request, id 7, seq 1, length 64
 *     [c1] eth0 tx: ping_sendmsg(seq 1) > ... > neigh_output(REACHABLE) > veth_xmit(ndo_start_xmit)
 *     veth1 rx: netif_rx > enqueue_to_backlog > process_backlog > br_handle_frame > ...
 *     veth2 tx: veth_xmit(ndo_start_xmit)
 *     [c2] eth0 rx: netif_rx > enqueue_to_backlog > process_backlog > eth_rcv(...) > ...
 *
 * A stage prints as ours(linux) when the Linux function that plays its role has another
 * name, as name(detail) when the names agree and there is a detail to show; with both,
 * ours(linux: detail). `trace on -v` prints one stage a line, ours and Linux's in two
 * aligned columns, the detail after them. Drops end with drop(REASON), the name `nstat`
 * counts.
 *
 * Where a line starts (the crossing points, all in the core, so a driver that uses
 * netif_rx / netif_receive / dev_queue_xmit gets its lines for free): a frame received
 * on a device (netif_receive, netif_rx: a veth peer, a decapsulated VXLAN frame, the
 * bridge passing a frame up), or given to a device to send (dev_queue_xmit: a bridge
 * port, a veth, the underlay of a tunnel), when that device and direction is not the
 * current line's. Each line is labelled "[NS] DEV rx|tx" (no namespace for the default
 * one). A line that starts with a frame whose summary differs from the last one shown
 * (a decapsulated inner frame, an encapsulated outer one, the echo reply a request
 * handed its journey to) is preceded by "then SUMMARY": the summary follows the frame
 * as each device sees it, and is not repeated while it stays the same.
 *
 * Which packets: a packet the stack creates is recorded whenever any trace is on; a
 * received one from the first traced device it reaches. The journey is printed if any
 * of its lines is on a traced device (or, for a local packet that never reached a
 * device, if its namespace traces anything). A packet that causes another (an echo
 * reply, the first fragment of a datagram, a reassembled datagram) hands its journey
 * over; a clone (a bridge's flood, a tunnel's head-end replication) continues a copy.
 * Everything is bounded: TRACE_MAX_LINES lines and TRACE_MAX_STAGES stages a journey.
 */
#ifndef TS_TRACE_H
#define TS_TRACE_H
#include "pkt.h"

#define TRACE_MAX_LINES  32     /* device lines a journey keeps: a pod-to-pod round trip over an overlay takes 22 */
#define TRACE_MAX_STAGES 256    /* stages a journey keeps */
#define TRACE_POOL       8192   /* its details and summaries */
#define TRACE_LABEL_LEN  72     /* "[ns] dev rx": a 31-char namespace and a 15-char device */
#define TRACE_NONE       0xffffu

enum trace_dir { TRACE_RX, TRACE_TX };

/* One device line: where, and whether that device was traced when the frame got there
 * (0 off, 1 `trace on`, 2 `trace on -v`). */
struct trace_line {
    char     label[TRACE_LABEL_LEN];
    uint8_t  level;
    bool     bound;             /* false: a local packet that has not reached a device yet */
    uint16_t summary;           /* pool offset of the frame's summary if it changed here */
    uint16_t first;             /* index of the line's first stage */
};

/* fn and linux_fn are string constants (TRACE's arguments); detail is copied. */
struct trace_stage {
    const char *fn, *linux_fn;
    uint16_t    detail;         /* pool offset, TRACE_NONE if none */
};

/* The journey record: allocated when a packet starts being traced, freed when it ends,
 * so an untraced packet pays one pointer (Linux keeps tracepoints off the skb). It
 * holds no pointer to a device or namespace: a journey may outlive both. */
struct pkt_trace {
    struct stack *st;
    uint8_t  nlines, origin_level;
    bool     full;              /* a crossing past TRACE_MAX_LINES: recording stopped */
    uint16_t nstages, lost_stages;
    uint16_t pool_len;
    struct trace_line  line[TRACE_MAX_LINES];
    struct trace_stage stage[TRACE_MAX_STAGES];
    char     pool[TRACE_POOL];
};

/* A device that is traced: its level (net/trace.c). */
unsigned trace_dev_level(const struct netdev *dev);
/* The crossing points (see above): the packet reaches dev going rx or tx. Starts a new
 * line when dev/dir is not the current line's; starts the journey if the packet is not
 * traced yet and dev is. The frame (Ethernet header) is at p->data. */
void trace_cross(struct pkt *p, struct netdev *dev, enum trace_dir dir);
static inline void trace_begin_rx(struct pkt *p, struct netdev *dev) { trace_cross(p, dev, TRACE_RX); }
/* A packet the stack creates (origin: "ping", "udp", "icmp", or the device ARP uses):
 * its first line is "[NS] ORIGIN tx" until dev_queue_xmit names its device. */
void trace_begin_local(struct net *net, struct pkt *p, const char *origin);
void trace_stage(struct pkt *p, const char *fn, const char *linux_fn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define TRACE(p, fn, lfn) do { if ((p)->tr) trace_stage((p), (fn), (lfn), NULL); } while (0)
#define TRACEF(p, fn, lfn, ...) do { if ((p)->tr) trace_stage((p), (fn), (lfn), __VA_ARGS__); } while (0)
/* `to` continues the journey of `from`; `from` ends silently (its record moves). */
void trace_handover(struct pkt *from, struct pkt *to);
/* A clone made to be sent on its own (Linux deliver_clone's skb_clone): it continues a
 * copy of from's journey, with a pkt_clone stage (no-op if from is not traced). */
void trace_clone(const struct pkt *from, struct pkt *to);
/* The journey ends: print it (if it touched a traced device) and free the record.
 * pkt_free, pkt_consume and pkt_drop call it; call it directly where a packet's journey
 * ends but the packet lives on (queued for a reader). */
void trace_end(struct pkt *p);

/* Causes: what a socket call or a timer was doing when the stack made a packet. A
 * packet made later (a TCP segment cloned in tcp_transmit_skb, an ACK) records, as its
 * first stages, the causes open at that moment whose origin is its own ("tcp"), outermost
 * first: "tcp_sendmsg(100 bytes) > tcp_write_xmit > tcp_transmit_skb(...)", as Linux's
 * call stack would show; only a packet of the cause's namespace takes it (a segment
 * another namespace sends in answer, inside the same call, has causes of its own). A
 * cause lives in its function's frame and closes when the function returns (the
 * cleanup attribute), so no path can leave it open:
 *
 *     TRACE_CAUSE(net, "tcp", "tcp_write_xmit", NULL, NULL);
 *
 * With trace off it costs one store and one branch. At most TRACE_CAUSE_MAX are copied. */
#define TRACE_CAUSE_MAX 4
struct trace_cause {
    struct stack *st;               /* NULL: not open (trace was off) */
    const struct net *net;          /* whose packets take it */
    struct trace_cause *up;         /* the enclosing one */
    const char *origin, *fn, *linux_fn;
    char detail[48];
};
void trace_cause_push(struct net *net, struct trace_cause *c, const char *origin, const char *fn,
                      const char *linux_fn, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void trace_cause_pop(struct trace_cause *c);
static inline void trace_cause_end(struct trace_cause *c) { if (c->st) trace_cause_pop(c); }
#define TRACE_CAT2(a, b) a##b
#define TRACE_CAT(a, b) TRACE_CAT2(a, b)
#define TRACE_CAUSE(netp, origin, fn, lfn, ...) \
    struct trace_cause TRACE_CAT(trace_cause_, __LINE__) __attribute__((cleanup(trace_cause_end))); \
    TRACE_CAT(trace_cause_, __LINE__).st = NULL; \
    if ((netp)->st->tracing) trace_cause_push((netp), &TRACE_CAT(trace_cause_, __LINE__), (origin), (fn), (lfn), __VA_ARGS__)

/* Events: a line printed at once (not a packet's journey) for something that happens
 * to a connection rather than to a packet — a state change, a timer, cwnd moving:
 *
 *   22:13:20.010000 tcp 10.0.0.2:7 > 10.0.0.1:40000: SYN_RECV -> ESTABLISHED
 *
 * the stack clock as tcpdump prints it, "[NS] " before the protocol outside the default
 * namespace. Printed when the namespace traces anything (a device or all of it). */
bool trace_net_on(const struct net *net);
void trace_event(struct net *net, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define TRACE_EVENT(net, ...) do { if ((net)->st->tracing) trace_event((net), __VA_ARGS__); } while (0)

/* Formatting, for the tests and for trace_end: the journey as the lines it prints,
 * each passed to emit (verbose: the -v layout). Returns the number of lines. */
int trace_format(const struct pkt_trace *t, bool verbose,
                 void (*emit)(void *arg, const char *line), void *arg);

#endif
