/*
 * net/sch_generic.h — queueing disciplines: the transmit seam between dev_queue_xmit and
 * the driver (Linux: include/net/sch_generic.h, net/sched/sch_generic.c, sch_api.c).
 *
 *   dev_queue_xmit ──> root qdisc ──enqueue──> [ queue ] ──dequeue──> dev_hard_start_xmit
 *                         │                                            (taps, counters,
 *                         └── noqueue: straight to the driver           ops->xmit)
 *
 * Every device has one root qdisc (dev->qdisc). A device that was never up has none (tc
 * and ip show "noop"); the first `ip link set DEV up` attaches the default: noqueue for
 * devices that queue nothing of their own (loopback, IFF_NO_QUEUE, txqueuelen 0), else
 * pfifo_fast bounded by txqueuelen (Linux: attach_default_qdiscs). `tc qdisc add|change|
 * replace|del DEV root KIND` swaps it through qdisc_modify_root / qdisc_delete_root, the
 * only way a root qdisc changes (the shell parses and prints; Linux: tc_modify_qdisc).
 *
 * Running (Linux __dev_xmit_skb, __qdisc_run, qdisc_restart, sch_direct_xmit):
 *   - a work-conserving qdisc that is empty hands the frame straight to the driver
 *     (TCQ_F_CAN_BYPASS), so the default qdisc adds no delay and no copy;
 *   - otherwise the frame is enqueued and the qdisc is run: frames are dequeued in
 *     batches (up to QDISC_BULK) and given to the driver with netdev_xmit_more(dev)
 *     true for every frame but the last of a batch; at the end of a run the driver's
 *     optional ops->flush is called, so a driver may defer work while "more" is set;
 *   - a driver that cannot take a frame returns NETDEV_TX_BUSY without consuming it: the
 *     qdisc keeps it (and any frames after it) at its head, counts a requeue and sends
 *     it again when the driver wakes the queue (netif_wake_queue), or, if the driver did
 *     not stop the queue, after QDISC_BUSY_RETRY_US;
 *   - a run sends at most QDISC_TX_WEIGHT frames; the rest, and a queue the driver
 *     wakes, go from the next stack_poll round (net_tx_action: Linux's NET_TX_SOFTIRQ
 *     and its output_queue), so a run never starves the other work nor loops forever;
 *   - a qdisc that holds frames for later (netem) arms the qdisc's watchdog, a timer.
 *
 * Counters are iproute2's: Sent bytes/packets (counted at dequeue), dropped, overlimits,
 * requeues, backlog bytes and packets. Every drop is also a pkt_drop reason.
 */
#ifndef TS_SCH_GENERIC_H
#define TS_SCH_GENERIC_H
#include "types.h"
#include "drop.h"
#include "timer.h"

struct netdev;
struct pkt;
struct qdisc;

/* What enqueue returns (Linux NET_XMIT_*). BYPASS: the qdisc consumed the frame without
 * queueing it (netem's loss): success for the sender, nothing to account. */
enum { NET_XMIT_SUCCESS = 0, NET_XMIT_DROP = 1, NET_XMIT_CN = 2, NET_XMIT_MASK = 0x0f,
       NET_XMIT_BYPASS = 0x20000 };

/* Flags of a qdisc (Linux TCQ_F_*). */
enum { TCQ_F_CAN_BYPASS = 4 };

/* How a `tc qdisc` request may act (Linux's netlink flags NLM_F_CREATE/EXCL/REPLACE):
 * add = CREATE|EXCL, change = 0, replace = CREATE|REPLACE. */
enum { QDISC_F_CREATE = 0x400, QDISC_F_EXCL = 0x200, QDISC_F_REPLACE = 0x100 };

#define QDISC_TX_WEIGHT     64      /* frames per run (Linux: net.core.dev_weight_tx_bias * dev_weight) */
#define QDISC_BULK          8       /* frames per batch to the driver (try_bulk_dequeue_skb_slow) */
#define QDISC_BUSY_RETRY_US 1000    /* busy driver that did not stop its queue: retry after */

struct qdisc_stats {
    uint64_t bytes, packets;        /* Sent (gnet_stats_basic) */
    uint32_t drops, overlimits, requeues;   /* gnet_stats_queue */
    uint32_t qlen, backlog;         /* frames and bytes held now (requeued ones included) */
};

/* One kind of qdisc (Linux: struct Qdisc_ops). Options are the kind's own struct, as the
 * TCA_OPTIONS payload is: struct fifo_opts, struct prio_opts, struct netem_opts. */
struct qdisc_ops {
    const char *id;                 /* "pfifo_fast", "netem" ... as tc names them */
    size_t priv_size;               /* bytes of private state after struct qdisc */
    size_t opt_size;                /* sizeof the options struct; 0: takes none */
    /* Take p (always: queue, drop with qdisc_drop, or consume). NET_XMIT_*. NULL for
     * noqueue: frames go straight to the driver. */
    int  (*enqueue)(struct pkt *p, struct qdisc *q);
    /* The next frame ready to leave now, or NULL (and the watchdog armed if one is due). */
    struct pkt *(*dequeue)(struct qdisc *q);
    /* Drop every frame held (device down, qdisc replaced). */
    void (*reset)(struct qdisc *q, enum drop why);
    /* opt: NULL for the kind's defaults. init may fail with -errno and *extack. */
    int  (*init)(struct qdisc *q, const void *opt, const char **extack);
    int  (*change)(struct qdisc *q, const void *opt, const char **extack);
    void (*destroy)(struct qdisc *q);
    /* Fill the options struct (opt_size bytes) for `tc qdisc show`. */
    void (*dump)(const struct qdisc *q, void *opt);
};

struct qdisc {
    const struct qdisc_ops *ops;
    struct netdev *dev;
    uint32_t handle;                /* major << 16; 0 for the default qdisc */
    uint32_t flags;                 /* TCQ_F_* */
    uint32_t limit;                 /* packets, for the kinds that have one */
    struct qdisc_stats stats;
    /* Frames the driver refused (NETDEV_TX_BUSY), sent first (Linux: q->gso_skb). */
    struct pkt *requeue_head, *requeue_tail;
    bool     running;               /* qdisc_run_begin/end: one run at a time */
    bool     scheduled;             /* on the stack's tx_sched list (__QDISC_STATE_SCHED) */
    unsigned xmitted;               /* frames given to the driver in this run (flush) */
    struct qdisc *sched_next;
    struct timer run_timer;         /* the watchdog (netem) and the busy-driver retry */
    uint64_t priv[];                /* ops->priv_size bytes (qdisc_priv) */
};

static inline void *qdisc_priv(struct qdisc *q) { return q->priv; }
static inline const void *qdisc_priv_c(const struct qdisc *q) { return q->priv; }

/* ---- for qdisc kinds ---- */
/* Drop p, counted in the qdisc (dropped) and as the reason QDISC_DROP. NET_XMIT_DROP. */
int  qdisc_drop(struct pkt *p, struct qdisc *q);
/* Give p to the root qdisc of its device, accounted as any frame (netem's duplicates). */
int  qdisc_enqueue_root(struct pkt *p, struct qdisc *q);
/* Run q again when the stack clock reaches at_ns (Linux qdisc_watchdog_schedule_ns). */
void qdisc_watchdog_schedule_ns(struct qdisc *q, uint64_t at_ns);
/* The stack clock in nanoseconds (the qdisc clock: virtual in replay runs). */
uint64_t qdisc_now_ns(const struct qdisc *q);

/* A FIFO of packets linked through pkt->next (the bands and queues of the qdiscs). */
struct pkt_fifo { struct pkt *head, *tail; uint32_t len; };
void pkt_fifo_push(struct pkt_fifo *f, struct pkt *p);
void pkt_fifo_push_head(struct pkt_fifo *f, struct pkt *p);
struct pkt *pkt_fifo_pop(struct pkt_fifo *f);
/* Drop every packet with reason why (counted by pkt_drop in the device's namespace). */
void pkt_fifo_purge(struct pkt_fifo *f, struct netdev *dev, enum drop why);

/* ---- the transmit path (net/netdev.c calls these) ---- */
/* Linux __dev_xmit_skb: p through the root qdisc q of dev (q->ops->enqueue != NULL).
 * 0, or -ENOBUFS when the qdisc dropped it (NET_XMIT_DROP -> net_xmit_errno). */
int  qdisc_xmit(struct qdisc *q, struct netdev *dev, struct pkt *p);
/* Run the device's root qdisc now (Linux qdisc_run). */
void qdisc_run(struct qdisc *q);
/* stack_poll's transmit round: run the qdiscs scheduled since the last one (Linux
 * net_tx_action). Returns how many ran. */
int  net_tx_action(struct stack *st);
/* The driver can take frames again / cannot (Linux netif_wake_queue, netif_stop_queue). */
void netif_wake_queue(struct netdev *dev);
void netif_stop_queue(struct netdev *dev);

/* Device life (Linux dev_activate, dev_deactivate, dev_shutdown). */
int  dev_activate(struct netdev *dev);      /* on up: attach the default if none; -ENOMEM */
void dev_deactivate(struct netdev *dev);    /* on down: drop what is queued */
void dev_shutdown(struct netdev *dev);      /* on unregister / namespace move: destroy */

/* ---- configuration (tc qdisc) ---- */
/* add|change|replace the root qdisc of dev: kind (required to create), handle (0: a new
 * one is allocated, 8001: and up), opt/optlen the kind's options (NULL: defaults), flags
 * QDISC_F_*. 0, or -errno with *extack set to Linux's message. */
int  qdisc_modify_root(struct netdev *dev, const char *kind, uint32_t handle, const void *opt,
                       size_t optlen, unsigned flags, const char **extack);
/* tc qdisc del dev DEV root [handle H] [KIND]: back to the default. kind/handle may be
 * NULL/0. 0 or -errno with *extack. */
int  qdisc_delete_root(struct netdev *dev, const char *kind, uint32_t handle, const char **extack);
/* The root qdisc's kind: "noop" for a device never up (ip link's "qdisc X"). */
const char *qdisc_kind(const struct netdev *dev);
/* What `tc [-s] qdisc show` prints of dev's root. opt, a buffer of optlen bytes, gets
 * the kind's options struct (info->opt_size bytes) when it is large enough. */
struct qdisc_info {
    const char *kind;
    uint32_t handle;
    struct qdisc_stats stats;
    size_t opt_size;                /* the kind's options struct size (0: none) */
};
void qdisc_dump_root(const struct netdev *dev, struct qdisc_info *info, void *opt, size_t optlen);

/* ---- the kinds and their options ---- */
extern const struct qdisc_ops noqueue_qdisc_ops, pfifo_fast_ops, pfifo_qdisc_ops;

/* pfifo (Linux struct tc_fifo_qopt): limit in packets. */
struct fifo_opts { uint32_t limit; };
/* pfifo_fast as prio shows it (Linux struct tc_prio_qopt). */
#define TC_PRIO_MAX 15
struct prio_opts { int bands; uint8_t priomap[TC_PRIO_MAX + 1]; };

#endif
