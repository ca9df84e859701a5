/*
 * net/sch_netem.c — netem, the network emulator qdisc (Linux: net/sched/sch_netem.c).
 *
 * Enqueue decides each frame's fate with the stack's seeded generator, in Linux's order
 * (netem_enqueue): duplicate? lost? (a lost frame is counted as dropped and the sender
 * sees success) corrupt one bit? over the limit? then either
 *   - reorder: the frame goes at once, ahead of the delayed ones (counted as a requeue),
 *     when reordering is on (gap) and the draw says so; or
 *   - delay: time_to_send = now + delay ± jitter, and with a rate the frame also waits
 *     for the frames before it to leave the wire (len / rate each, serialized).
 * A duplicate is a clone of the frame given to the root qdisc again (with duplication
 * off meanwhile, so a duplicate is never duplicated) before the frame itself is queued.
 * Delayed frames wait in time order (equal times in arrival order, as Linux's tfifo);
 * dequeue releases those whose time has come and arms the qdisc's watchdog for the next.
 *
 * Times are nanoseconds of the stack clock (microseconds in tapstack, so a frame due at
 * 1.5 us leaves at the 2 us tick). Random draws use stack_rand32 only: a --replay run
 * with the same seed loses, duplicates, corrupts and delays the same frames.
 */
#include "sch_netem.h"
#include "offload.h"
#include "netdev.h"
#include "stack.h"
#include "trace.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>

#define NSEC_PER_SEC 1000000000ULL

/* A correlated draw (Linux struct crndstate / get_crandom). */
struct crndstate { uint32_t last, rho; };

struct netem_priv {
    struct pkt_fifo tfifo;          /* delayed frames, by time_to_send (Linux t_root + t_head) */
    struct pkt_fifo now_q;          /* reordered frames: they go first (Linux sch->q) */
    int64_t  latency, jitter;       /* ns; jitter <= INT_MAX as tabledist takes it */
    uint64_t rate;                  /* bytes per second */
    int32_t  packet_overhead, cell_overhead;
    uint32_t cell_size;
    uint32_t loss, duplicate, reorder, corrupt, gap, counter;
    struct crndstate delay_cor, loss_cor, dup_cor, reorder_cor, corrupt_cor;
};

/* The frame's departure time while it waits here (Linux netem_skb_cb in skb->cb). */
static inline uint64_t *time_to_send(struct pkt *p) { return &p->cb[0]; }

static struct stack *netem_stack(const struct qdisc *q) { return q->dev->net->st; }

/* ------------------------------------------------------------------ randomness */

static void init_crandom(struct stack *st, struct crndstate *s, uint32_t rho)
{
    s->rho = rho;
    s->last = stack_rand32(st);
}

/* Linux get_crandom: uniform, or leaning on the last value by rho / 2^32. */
static uint32_t get_crandom(struct stack *st, struct crndstate *s)
{
    uint64_t value = stack_rand32(st);
    if (s->rho == 0) return (uint32_t)value;
    uint64_t rho = (uint64_t)s->rho + 1;
    s->last = (uint32_t)((value * ((1ULL << 32) - rho) + (uint64_t)s->last * rho) >> 32);
    return s->last;
}

/* Linux tabledist without a distribution table: uniform in [mu - sigma, mu + sigma). */
static int64_t tabledist(struct stack *st, int64_t mu, int64_t sigma, struct crndstate *s)
{
    if (sigma == 0) return mu;
    uint32_t rnd = get_crandom(st, s);
    return (int64_t)(rnd % (2 * (uint32_t)sigma)) + mu - sigma;
}

/* Linux loss_event, the random model: a loss when the draw is at most the probability. */
static bool loss_event(struct stack *st, struct netem_priv *q)
{
    return q->loss && q->loss >= get_crandom(st, &q->loss_cor);
}

/* Linux packet_time_ns: how long len bytes hold the emulated wire. */
static uint64_t packet_time_ns(uint64_t len, const struct netem_priv *q)
{
    len += (uint64_t)(int64_t)q->packet_overhead;
    if (q->cell_size) {
        uint64_t cells = (len + q->cell_size - 1) / q->cell_size;
        len = cells * (uint64_t)((int64_t)q->cell_size + q->cell_overhead);
    }
    return len * NSEC_PER_SEC / q->rate;
}

/* ------------------------------------------------------------------ the time-ordered queue */

/* Linux tfifo_enqueue: append when not earlier than the last (the usual case), else
 * insert after every frame due at or before it. O(queue) for an early frame; the queue
 * is bounded by the limit. */
static void tfifo_enqueue(struct netem_priv *q, struct pkt *p)
{
    uint64_t t = *time_to_send(p);
    struct pkt_fifo *f = &q->tfifo;
    if (!f->tail || *time_to_send(f->tail) <= t) { pkt_fifo_push(f, p); return; }
    if (*time_to_send(f->head) > t) { pkt_fifo_push_head(f, p); return; }
    struct pkt *prev = f->head;
    while (prev->next && *time_to_send(prev->next) <= t) prev = prev->next;
    p->next = prev->next;
    prev->next = p;
    f->len++;
}

/* The departure time of the last frame queued, for the rate (Linux: the latest of
 * sch->q.tail, the tfifo's last and t_tail). 0 when none. */
static uint64_t netem_last_time(struct netem_priv *q)
{
    uint64_t last = q->tfifo.tail ? *time_to_send(q->tfifo.tail) : 0;
    if (q->now_q.tail && *time_to_send(q->now_q.tail) > last) last = *time_to_send(q->now_q.tail);
    return last;
}

/* Delay the frame (now + delay ± jitter; with a rate, after the frame before it). */
static void netem_delay(struct qdisc *sch, struct netem_priv *q, struct pkt *p)
{
    struct stack *st = netem_stack(sch);
    int64_t delay = tabledist(st, q->latency, q->jitter, &q->delay_cor);
    uint64_t now = qdisc_now_ns(sch);
    if (q->rate) {
        uint64_t last = netem_last_time(q);
        if (last) {
            /* the last frame queued is the reference: its time is a head start */
            delay -= (int64_t)(last - now);
            if (delay < 0) delay = 0;
            now = last;
        }
        delay += (int64_t)packet_time_ns(p->len, q);
    }
    *time_to_send(p) = (uint64_t)((int64_t)now + delay);
    q->counter++;
    TRACEF(p, "netem_enqueue", NULL, "delay %" PRId64 " us", delay / 1000);
    tfifo_enqueue(q, p);
}

/* ------------------------------------------------------------------ enqueue */

/* Flip one random bit of one random byte (Linux: after skb_unshare). 0, or the frame was
 * dropped (and counted). */
static int netem_corrupt(struct qdisc *sch, struct pkt *p)
{
    struct stack *st = netem_stack(sch);
    /* A checksum left for the device is finished in software first (Linux: netem_enqueue
     * calls skb_checksum_help), or the device would cover the damage with a fresh one. */
    if (!p->len || pkt_make_writable(p) < 0 || pkt_checksum_help(p) != DROP_NONE) {
        qdisc_drop(p, sch);
        return -1;
    }
    uint32_t byte = stack_rand_range(st, 0, p->len - 1);
    p->data[byte] ^= (uint8_t)(1u << stack_rand_range(st, 0, 7));
    return 0;
}

static int netem_enqueue(struct pkt *p, struct qdisc *sch)
{
    struct netem_priv *q = qdisc_priv(sch);
    struct stack *st = netem_stack(sch);
    int count = 1;
    if (q->duplicate && q->duplicate >= get_crandom(st, &q->dup_cor)) count++;
    if (loss_event(st, q)) count--;
    if (count == 0) {
        qdisc_drop(p, sch);
        return NET_XMIT_SUCCESS | NET_XMIT_BYPASS;     /* lost on the "wire": not the sender's error */
    }
    /* held for a while: the sender's buffer is not (skb_orphan_partial) */
    if (q->latency || q->jitter || q->rate) pkt_orphan(p);
    struct pkt *dup = count > 1 ? pkt_clone(p) : NULL;     /* before p is changed */
    if (q->corrupt && q->corrupt >= get_crandom(st, &q->corrupt_cor) && netem_corrupt(sch, p) < 0) {
        if (dup) pkt_drop(sch->dev->net, dup, DROP_QDISC_DROP);
        return NET_XMIT_DROP;
    }
    if (sch->stats.qlen >= sch->limit) {
        if (dup) pkt_drop(sch->dev->net, dup, DROP_QDISC_DROP);
        return qdisc_drop(p, sch);
    }
    if (dup) {
        uint32_t save = q->duplicate;      /* a duplicate is not duplicated again */
        q->duplicate = 0;
        qdisc_enqueue_root(dup, sch);
        q->duplicate = save;
    }
    if (q->gap == 0 || q->counter < q->gap - 1 || q->reorder < get_crandom(st, &q->reorder_cor)) {
        netem_delay(sch, q, p);
    } else {
        /* one frame out of order: at the head, to go at once */
        *time_to_send(p) = qdisc_now_ns(sch);
        q->counter = 0;
        TRACEF(p, "netem_enqueue", NULL, "reorder");
        pkt_fifo_push(&q->now_q, p);
        sch->stats.requeues++;
    }
    return NET_XMIT_SUCCESS;
}

/* ------------------------------------------------------------------ dequeue */

static struct pkt *netem_dequeue(struct qdisc *sch)
{
    struct netem_priv *q = qdisc_priv(sch);
    struct pkt *p = pkt_fifo_pop(&q->now_q);
    if (p) return p;
    p = q->tfifo.head;
    if (!p) return NULL;
    if (*time_to_send(p) <= qdisc_now_ns(sch)) return pkt_fifo_pop(&q->tfifo);
    qdisc_watchdog_schedule_ns(sch, *time_to_send(p));
    return NULL;
}

static void netem_reset(struct qdisc *sch, enum drop why)
{
    struct netem_priv *q = qdisc_priv(sch);
    pkt_fifo_purge(&q->now_q, sch->dev, why);
    pkt_fifo_purge(&q->tfifo, sch->dev, why);
}

/* ------------------------------------------------------------------ options */

/* Linux netem_change: the base options always; correlations, reordering, corruption and
 * the rate only when the request carries them. */
static int netem_change(struct qdisc *sch, const void *opt, const char **extack)
{
    const struct netem_opts *o = opt;
    struct netem_priv *q = qdisc_priv(sch);
    struct stack *st = netem_stack(sch);
    if (!o) return -EINVAL;
    if (o->latency_ns > INT64_MAX / 2) { *extack = "netem: delay too large"; return -EINVAL; }
    sch->limit = o->limit;
    q->latency = (int64_t)o->latency_ns;
    q->jitter = o->jitter_ns > INT_MAX ? INT_MAX : (int64_t)o->jitter_ns;
    q->gap = o->gap;
    q->counter = 0;
    q->loss = o->loss;
    q->duplicate = o->duplicate;
    if (q->gap) q->reorder = UINT32_MAX;        /* a gap alone means "always" */
    if (o->has_corr) {
        init_crandom(st, &q->delay_cor, o->delay_corr);
        init_crandom(st, &q->loss_cor, o->loss_corr);
        init_crandom(st, &q->dup_cor, o->dup_corr);
    }
    if (o->has_reorder) { q->reorder = o->reorder; init_crandom(st, &q->reorder_cor, o->reorder_corr); }
    if (o->has_corrupt) { q->corrupt = o->corrupt; init_crandom(st, &q->corrupt_cor, o->corrupt_corr); }
    if (o->has_rate) {
        q->rate = o->rate;
        q->packet_overhead = o->packet_overhead;
        q->cell_size = o->cell_size;
        q->cell_overhead = o->cell_overhead;
    }
    return 0;
}

static void netem_dump(const struct qdisc *sch, void *opt)
{
    const struct netem_priv *q = qdisc_priv_c(sch);
    struct netem_opts *o = opt;
    *o = (struct netem_opts){
        .limit = sch->limit, .latency_ns = (uint64_t)q->latency, .jitter_ns = (uint64_t)q->jitter,
        .loss = q->loss, .duplicate = q->duplicate, .gap = q->gap,
        .has_corr = true, .delay_corr = q->delay_cor.rho, .loss_corr = q->loss_cor.rho,
        .dup_corr = q->dup_cor.rho,
        .has_reorder = true, .reorder = q->reorder, .reorder_corr = q->reorder_cor.rho,
        .has_corrupt = true, .corrupt = q->corrupt, .corrupt_corr = q->corrupt_cor.rho,
        .has_rate = true, .rate = q->rate, .packet_overhead = q->packet_overhead,
        .cell_size = q->cell_size, .cell_overhead = q->cell_overhead,
    };
}

const struct qdisc_ops netem_qdisc_ops = {
    .id = "netem", .priv_size = sizeof(struct netem_priv), .opt_size = sizeof(struct netem_opts),
    .enqueue = netem_enqueue, .dequeue = netem_dequeue, .reset = netem_reset,
    .init = netem_change, .change = netem_change, .dump = netem_dump,
};
