/*
 * net/sch_generic.c — the qdisc framework: running a root qdisc, requeueing what a busy
 * driver refuses, attaching the default qdisc, `tc qdisc` changes; and the two qdiscs
 * every device may get by default, noqueue and pfifo_fast (Linux: net/sched/
 * sch_generic.c, the qdisc part of net/core/dev.c, and net/sched/sch_api.c).
 * See sch_generic.h for the picture.
 */
#include "sch_generic.h"
#include "sch_netem.h"
#include "netdev.h"
#include "stack.h"
#include <errno.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ packet FIFOs */

void pkt_fifo_push(struct pkt_fifo *f, struct pkt *p)
{
    p->next = NULL;
    if (f->tail) f->tail->next = p; else f->head = p;
    f->tail = p;
    f->len++;
}

void pkt_fifo_push_head(struct pkt_fifo *f, struct pkt *p)
{
    p->next = f->head;
    f->head = p;
    if (!f->tail) f->tail = p;
    f->len++;
}

struct pkt *pkt_fifo_pop(struct pkt_fifo *f)
{
    struct pkt *p = f->head;
    if (!p) return NULL;
    f->head = p->next;
    if (!f->head) f->tail = NULL;
    f->len--;
    p->next = NULL;
    return p;
}

void pkt_fifo_purge(struct pkt_fifo *f, struct netdev *dev, enum drop why)
{
    struct pkt *p;
    while ((p = pkt_fifo_pop(f))) pkt_drop(dev->net, p, why);
}

/* ------------------------------------------------------------------ accounting */

int qdisc_drop(struct pkt *p, struct qdisc *q)
{
    q->stats.drops++;
    pkt_drop(q->dev->net, p, DROP_QDISC_DROP);
    return NET_XMIT_DROP;
}

uint64_t qdisc_now_ns(const struct qdisc *q) { return q->dev->net->st->now_us * 1000; }

/* Linux qdisc_enqueue + qdisc_qstats_backlog_inc: a frame the qdisc kept is held. */
static int qdisc_enqueue(struct pkt *p, struct qdisc *q)
{
    uint32_t len = p->len;
    int ret = q->ops->enqueue(p, q);
    if (ret == NET_XMIT_SUCCESS) {
        q->stats.qlen++;
        q->stats.backlog += len;
    }
    return ret & NET_XMIT_MASK;
}

int qdisc_enqueue_root(struct pkt *p, struct qdisc *q)
{
    struct qdisc *root = q->dev->qdisc;
    return qdisc_enqueue(p, root ? root : q);
}

/* Linux qdisc_dequeue_head + qdisc_bstats_update: Sent counts what leaves the qdisc. */
static struct pkt *qdisc_dequeue(struct qdisc *q)
{
    struct pkt *p = q->ops->dequeue(q);
    if (p) {
        q->stats.qlen--;
        q->stats.backlog -= p->len;
        q->stats.bytes += p->len;
        q->stats.packets++;
    }
    return p;
}

/* ------------------------------------------------------------------ running */

/* The watchdog: run the qdisc from the timer heap at `at_us` (the earliest asked). */
static void qdisc_schedule_at(struct qdisc *q, uint64_t at_us)
{
    if (timer_pending(&q->run_timer) && q->run_timer.expires_us <= at_us) return;
    timer_arm_at(q->dev->net->st, &q->run_timer, at_us);
}

/* Linux __netif_schedule: run q at the next stack_poll round (net_tx_action), once. */
static void netif_schedule(struct qdisc *q)
{
    struct stack *st = q->dev->net->st;
    if (q->scheduled) return;
    q->scheduled = true;
    q->sched_next = NULL;
    if (st->tx_sched_tail) st->tx_sched_tail->sched_next = q; else st->tx_sched_head = q;
    st->tx_sched_tail = q;
}

static void netif_unschedule(struct qdisc *q)
{
    struct stack *st = q->dev->net->st;
    if (!q->scheduled) return;
    struct qdisc *prev = NULL;
    for (struct qdisc **pp = &st->tx_sched_head; *pp; prev = *pp, pp = &(*pp)->sched_next)
        if (*pp == q) {
            *pp = q->sched_next;
            if (st->tx_sched_tail == q) st->tx_sched_tail = prev;
            break;
        }
    q->scheduled = false;
}

void qdisc_watchdog_schedule_ns(struct qdisc *q, uint64_t at_ns)
{
    qdisc_schedule_at(q, (at_ns + 999) / 1000);     /* the first clock tick at or after */
}

/* Linux dev_requeue_skb: the frames the driver did not take go back to the head, still
 * counted as held, and the qdisc runs again when the driver can take them. (Linux appends
 * to gso_skb; we put them back in front so a second refusal cannot reorder them.) */
static void dev_requeue_pkt(struct pkt *p, struct qdisc *q)
{
    struct pkt *last = p;
    unsigned n = 1;
    q->stats.backlog += p->len;
    while (last->next) { last = last->next; q->stats.backlog += last->len; n++; }
    last->next = q->requeue_head;
    if (!q->requeue_head) q->requeue_tail = last;
    q->requeue_head = p;
    q->stats.requeues += n;
    q->stats.qlen += n;
    if (!netif_queue_stopped(q->dev))
        qdisc_schedule_at(q, q->dev->net->st->now_us + QDISC_BUSY_RETRY_US);
    /* a stopped queue runs again from netif_wake_queue */
}

/* Linux dequeue_skb: requeued frames first (one at a time, already validated), then a
 * batch from the qdisc — nothing while the driver has stopped its queue. */
static struct pkt *dequeue_pkt(struct qdisc *q, bool *validate, int *packets)
{
    *packets = 1;
    *validate = false;
    if (netif_queue_stopped(q->dev)) return NULL;
    struct pkt *p = q->requeue_head;
    if (p) {
        q->requeue_head = p->next;
        if (!q->requeue_head) q->requeue_tail = NULL;
        p->next = NULL;
        q->stats.qlen--;
        q->stats.backlog -= p->len;
        return p;
    }
    *validate = true;
    p = qdisc_dequeue(q);
    /* try_bulk_dequeue_skb: what else is ready now goes in the same batch */
    for (struct pkt *last = p; last && *packets < QDISC_BULK; (*packets)++) {
        last->next = qdisc_dequeue(q);
        last = last->next;
        if (!last) break;
    }
    return p;
}

/* Linux sch_direct_xmit: a batch to the driver. false when the driver refused some of it
 * (requeued): the run stops. */
static bool sch_direct_xmit(struct pkt *p, struct qdisc *q, bool validate)
{
    struct netdev *dev = q->dev;
    if (validate) {
        p = validate_xmit_pkt_list(dev, p);
        if (!p) return true;
    }
    int ret = NETDEV_TX_BUSY;
    if (!netif_queue_stopped(dev)) {
        q->xmitted++;
        p = dev_hard_start_xmit(dev, p, &ret);
    }
    if (p) {
        dev_requeue_pkt(p, q);
        return false;
    }
    return true;
}

static bool qdisc_run_begin(struct qdisc *q)
{
    if (q->running) return false;       /* re-entered from its own driver: the outer run sends */
    q->running = true;
    return true;
}

static void qdisc_run_end(struct qdisc *q)
{
    if (q->xmitted) {
        q->xmitted = 0;
        if (q->dev->ops->flush) q->dev->ops->flush(q->dev);
    }
    q->running = false;
}

/* Linux __qdisc_run: batches until the qdisc is empty, not ready, the driver busy, or the
 * quota spent (then the rest goes from a timer at "now", as the softirq would). */
static void __qdisc_run(struct qdisc *q)
{
    int quota = QDISC_TX_WEIGHT, packets;
    bool validate;
    struct pkt *p;
    while ((p = dequeue_pkt(q, &validate, &packets))) {
        if (!sch_direct_xmit(p, q, validate)) break;
        quota -= packets;
        if (quota <= 0) { netif_schedule(q); break; }
    }
}

void qdisc_run(struct qdisc *q)
{
    if (!q->ops->enqueue || !netif_running(q->dev)) return;
    if (qdisc_run_begin(q)) {
        __qdisc_run(q);
        qdisc_run_end(q);
    }
}

static void qdisc_timer_fn(struct timer *t, void *arg) { qdisc_run(arg); }

int net_tx_action(struct stack *st)
{
    /* only the qdiscs scheduled before this round: a run that schedules again (quota
     * spent) waits for the next one */
    int nsched = 0, n = 0;
    for (struct qdisc *q = st->tx_sched_head; q; q = q->sched_next) nsched++;
    while (n < nsched && st->tx_sched_head) {
        struct qdisc *q = st->tx_sched_head;
        netif_unschedule(q);
        qdisc_run(q);
        n++;
    }
    return n;
}

int qdisc_xmit(struct qdisc *q, struct netdev *dev, struct pkt *p)
{
    /* An empty work-conserving qdisc: straight to the driver (TCQ_F_CAN_BYPASS). */
    if ((q->flags & TCQ_F_CAN_BYPASS) && !q->stats.qlen && qdisc_run_begin(q)) {
        q->stats.bytes += p->len;
        q->stats.packets++;
        if (sch_direct_xmit(p, q, true)) __qdisc_run(q);
        qdisc_run_end(q);
        return 0;
    }
    int rc = qdisc_enqueue(p, q);
    qdisc_run(q);
    return rc == NET_XMIT_DROP ? -ENOBUFS : 0;      /* net_xmit_errno; CN is success */
}

void netif_stop_queue(struct netdev *dev) { dev->tx_stopped = true; }

void netif_wake_queue(struct netdev *dev)
{
    dev->tx_stopped = false;
    if (dev->qdisc && dev->qdisc->ops->enqueue) netif_schedule(dev->qdisc);
}

/* ------------------------------------------------------------------ life of a qdisc */

static void qdisc_reset(struct qdisc *q, enum drop why)
{
    if (q->ops->reset) q->ops->reset(q, why);
    while (q->requeue_head) {
        struct pkt *p = q->requeue_head;
        q->requeue_head = p->next;
        pkt_drop(q->dev->net, p, why);
    }
    q->requeue_tail = NULL;
    q->stats.qlen = q->stats.backlog = 0;
    timer_stop(q->dev->net->st, &q->run_timer);
}

static void qdisc_destroy(struct qdisc *q, enum drop why)
{
    qdisc_reset(q, why);
    netif_unschedule(q);
    if (q->ops->destroy) q->ops->destroy(q);
    free(q);
}

/* Linux qdisc_create / qdisc_create_dflt: allocate and init (opt NULL: defaults). */
static struct qdisc *qdisc_create(struct netdev *dev, const struct qdisc_ops *ops, uint32_t handle,
                                  const void *opt, int *err, const char **extack)
{
    struct qdisc *q = calloc(1, sizeof(*q) + ops->priv_size);
    if (!q) { *err = -ENOMEM; return NULL; }
    q->ops = ops;
    q->dev = dev;
    q->handle = handle;
    timer_init(&q->run_timer, qdisc_timer_fn, q);
    if (ops->init && (*err = ops->init(q, opt, extack)) < 0) {
        free(q);
        return NULL;
    }
    return q;
}

/* Linux attach_one_default_qdisc: noqueue for devices that keep no queue of their own
 * (IFF_NO_QUEUE, or txqueuelen 0 when first brought up), else pfifo_fast. */
int dev_activate(struct netdev *dev)
{
    if (dev->qdisc) return 0;           /* kept across down/up, or set by tc while down */
    const struct qdisc_ops *ops = (dev->priv_flags & IFF_NO_QUEUE) || !dev->txqlen
                                ? &noqueue_qdisc_ops : &pfifo_fast_ops;
    const char *extack = NULL;
    int err = 0;
    dev->qdisc = qdisc_create(dev, ops, 0, NULL, &err, &extack);
    return dev->qdisc ? 0 : err;
}

void dev_deactivate(struct netdev *dev)
{
    if (dev->qdisc) qdisc_reset(dev->qdisc, DROP_DEV_READY);
}

void dev_shutdown(struct netdev *dev)
{
    if (!dev->qdisc) return;
    qdisc_destroy(dev->qdisc, DROP_DEV_READY);
    dev->qdisc = NULL;
}

/* ------------------------------------------------------------------ tc qdisc */

/* The kinds tc can attach (Linux: register_qdisc). noop is only the "never up" state. */
static const struct qdisc_ops *const qdisc_kinds[] = {
    &pfifo_fast_ops, &pfifo_qdisc_ops, &noqueue_qdisc_ops, &netem_qdisc_ops,
};

static const struct qdisc_ops *qdisc_lookup_ops(const char *kind)
{
    for (size_t i = 0; kind && i < ARRAY_SIZE(qdisc_kinds); i++)
        if (!strcmp(qdisc_kinds[i]->id, kind)) return qdisc_kinds[i];
    return NULL;
}

/* Linux qdisc_alloc_handle: 8001:, 8002: ... per process, skipping the one in use. */
static uint32_t qdisc_alloc_handle(struct netdev *dev)
{
    struct stack *st = dev->net->st;
    for (int i = 0x8000; i > 0; i--) {
        if (st->qdisc_autohandle < 0x80000000u) st->qdisc_autohandle = 0x80000000u;
        st->qdisc_autohandle += 0x10000;
        if (st->qdisc_autohandle == 0xffff0000u) st->qdisc_autohandle = 0x80000000u;
        if (!dev->qdisc || dev->qdisc->handle != st->qdisc_autohandle) return st->qdisc_autohandle;
    }
    return 0;
}

static int qdisc_change(struct qdisc *q, const void *opt, const char **extack)
{
    if (!opt) return 0;
    if (!q->ops->change) { *extack = "Change operation not supported by specified qdisc"; return -EINVAL; }
    return q->ops->change(q, opt, extack);
}

/* Linux qdisc_graft at the root: the new qdisc takes over; what the old one held is lost. */
static int qdisc_create_graft(struct netdev *dev, const char *kind, uint32_t handle, const void *opt,
                              unsigned flags, const char **extack)
{
    if (!(flags & QDISC_F_CREATE)) { *extack = "Qdisc not found. To create specify NLM_F_CREATE flag"; return -ENOENT; }
    const struct qdisc_ops *ops = qdisc_lookup_ops(kind);
    if (!ops) { *extack = "Specified qdisc kind is unknown"; return -ENOENT; }
    if (!handle && !(handle = qdisc_alloc_handle(dev))) {
        *extack = "Maximum number of qdisc handles was exceeded";
        return -ENOSPC;
    }
    int err = 0;
    struct qdisc *q = qdisc_create(dev, ops, handle, opt, &err, extack);
    if (!q) return err;
    if (dev->qdisc) qdisc_destroy(dev->qdisc, DROP_QDISC_DROP);
    dev->qdisc = q;
    return 0;
}

int qdisc_modify_root(struct netdev *dev, const char *kind, uint32_t handle, const void *opt,
                      size_t optlen, unsigned flags, const char **extack)
{
    *extack = NULL;
    const struct qdisc_ops *want = qdisc_lookup_ops(kind);
    if (opt && (!want || optlen != want->opt_size)) { *extack = "Invalid options for this qdisc"; return -EINVAL; }
    struct qdisc *q = dev->qdisc;
    if (q && q->handle == 0) q = NULL;          /* the default qdisc: replaced, never changed */
    if (!q || !handle || q->handle != handle) {
        if (handle) {
            if (q && !(flags & QDISC_F_REPLACE)) { *extack = "NLM_F_REPLACE needed to override"; return -EEXIST; }
            if (handle & 0xffff) { *extack = "Invalid minor handle"; return -EINVAL; }
            return qdisc_create_graft(dev, kind, handle, opt, flags, extack);
        }
        /* tc_modify_qdisc's "magic test": replace a qdisc of another kind, or add with EXCL */
        if (!q || ((flags & QDISC_F_CREATE) && (flags & QDISC_F_REPLACE) &&
                   ((flags & QDISC_F_EXCL) || (kind && strcmp(kind, q->ops->id)))))
            return qdisc_create_graft(dev, kind, handle, opt, flags, extack);
    }
    if (flags & QDISC_F_EXCL) { *extack = "Exclusivity flag on, cannot modify"; return -EEXIST; }
    if (kind && strcmp(kind, q->ops->id)) { *extack = "Invalid qdisc name: must match existing qdisc"; return -EINVAL; }
    return qdisc_change(q, opt, extack);
}

int qdisc_delete_root(struct netdev *dev, const char *kind, uint32_t handle, const char **extack)
{
    *extack = NULL;
    struct qdisc *q = dev->qdisc;
    uint32_t h = q ? q->handle : 0;
    if (handle && h != handle) { *extack = "Invalid handle"; return -EINVAL; }
    if (kind && strcmp(kind, qdisc_kind(dev))) { *extack = "Invalid qdisc name: must match existing qdisc"; return -EINVAL; }
    if (h == 0) { *extack = "Cannot delete qdisc with handle of zero"; return -ENOENT; }
    qdisc_destroy(q, DROP_QDISC_DROP);
    dev->qdisc = NULL;
    return netif_running(dev) ? dev_activate(dev) : 0;     /* the default again if up */
}

const char *qdisc_kind(const struct netdev *dev) { return dev->qdisc ? dev->qdisc->ops->id : "noop"; }

void qdisc_dump_root(const struct netdev *dev, struct qdisc_info *info, void *opt, size_t optlen)
{
    memset(info, 0, sizeof(*info));
    info->kind = qdisc_kind(dev);
    const struct qdisc *q = dev->qdisc;
    if (!q) return;
    info->handle = q->handle;
    info->stats = q->stats;
    info->opt_size = q->ops->dump ? q->ops->opt_size : 0;
    if (q->ops->dump && opt && optlen >= q->ops->opt_size) q->ops->dump(q, opt);
}

/* ------------------------------------------------------------------ noqueue */

/* No enqueue: dev_queue_xmit gives frames straight to the driver (Linux noqueue_init
 * clears sch->enqueue). Its counters stay zero, as Linux's do. */
const struct qdisc_ops noqueue_qdisc_ops = { .id = "noqueue" };

/* ------------------------------------------------------------------ pfifo_fast */

/* Linux's default qdisc: three FIFO bands, band 0 first; a frame's band comes from its
 * priority through the priomap (TC_PRIO_BESTEFFORT 0 -> band 1, INTERACTIVE 6 and
 * CONTROL 7 -> band 0, BULK 2 -> band 2). Each band holds up to txqueuelen frames
 * (Linux 6.1: one ring of tx_queue_len per band), read at enqueue so `ip link set DEV
 * txqueuelen N` applies at once. */
#define PFIFO_FAST_BANDS 3
static const uint8_t prio2band[TC_PRIO_MAX + 1] = { 1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 };

struct pfifo_fast_priv { struct pkt_fifo band[PFIFO_FAST_BANDS]; };

/* Linux rt_tos2priority (ip_tos2prio[IPTOS_TOS(tos) >> 1]), RFC 1349's TOS bits as a
 * priority: low delay -> interactive 6, throughput -> bulk 2, both -> interactive bulk 4,
 * anything else (reliability, cost, none) -> best effort 0. */
static unsigned rt_tos2priority(uint8_t tos)
{
    static const uint8_t ip_tos2prio[16] = { 0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4 };
    return ip_tos2prio[(tos & 0x1e) >> 1];
}

/* skb->priority: a socket's sk_priority (0 here: no SO_PRIORITY / IP_TOS yet), and for a
 * forwarded packet rt_tos2priority(tos), as ip_forward sets it. */
static unsigned pkt_priority(const struct pkt *p)
{
    if (!(p->dst.flags & RTCF_FORWARD) || p->nh_off < 0) return 0;
    return rt_tos2priority(pkt_network_header(p)[1]);
}

static int pfifo_fast_enqueue(struct pkt *p, struct qdisc *q)
{
    struct pfifo_fast_priv *pr = qdisc_priv(q);
    struct pkt_fifo *band = &pr->band[prio2band[pkt_priority(p) & TC_PRIO_MAX]];
    if (band->len >= q->dev->txqlen) return qdisc_drop(p, q);
    pkt_fifo_push(band, p);
    return NET_XMIT_SUCCESS;
}

static struct pkt *pfifo_fast_dequeue(struct qdisc *q)
{
    struct pfifo_fast_priv *pr = qdisc_priv(q);
    for (int b = 0; b < PFIFO_FAST_BANDS; b++)
        if (pr->band[b].head) return pkt_fifo_pop(&pr->band[b]);
    return NULL;
}

static void pfifo_fast_reset(struct qdisc *q, enum drop why)
{
    struct pfifo_fast_priv *pr = qdisc_priv(q);
    for (int b = 0; b < PFIFO_FAST_BANDS; b++) pkt_fifo_purge(&pr->band[b], q->dev, why);
}

static int pfifo_fast_init(struct qdisc *q, const void *opt, const char **extack)
{
    q->flags |= TCQ_F_CAN_BYPASS;
    return 0;
}

static void pfifo_fast_dump(const struct qdisc *q, void *opt)
{
    struct prio_opts *o = opt;
    o->bands = PFIFO_FAST_BANDS;
    memcpy(o->priomap, prio2band, sizeof(o->priomap));
}

const struct qdisc_ops pfifo_fast_ops = {
    .id = "pfifo_fast", .priv_size = sizeof(struct pfifo_fast_priv), .opt_size = sizeof(struct prio_opts),
    .enqueue = pfifo_fast_enqueue, .dequeue = pfifo_fast_dequeue, .reset = pfifo_fast_reset,
    .init = pfifo_fast_init, .dump = pfifo_fast_dump,
};
