/*
 * net/sch_fifo.c — pfifo: one FIFO of at most `limit` packets, tail drop (Linux:
 * net/sched/sch_fifo.c). `tc qdisc add dev DEV root pfifo [limit N]`; without a limit it
 * takes the device's txqueuelen when created.
 */
#include "sch_generic.h"
#include "netdev.h"
#include <errno.h>

struct fifo_priv { struct pkt_fifo q; };

static int pfifo_enqueue(struct pkt *p, struct qdisc *q)
{
    struct fifo_priv *f = qdisc_priv(q);
    if (f->q.len >= q->limit) return qdisc_drop(p, q);
    pkt_fifo_push(&f->q, p);
    return NET_XMIT_SUCCESS;
}

static struct pkt *pfifo_dequeue(struct qdisc *q)
{
    return pkt_fifo_pop(&((struct fifo_priv *)qdisc_priv(q))->q);
}

static void pfifo_reset(struct qdisc *q, enum drop why)
{
    pkt_fifo_purge(&((struct fifo_priv *)qdisc_priv(q))->q, q->dev, why);
}

/* Linux fifo_init / fifo_change: the limit, and bypass only when a frame fits at all. */
static int pfifo_change(struct qdisc *q, const void *opt, const char **extack)
{
    const struct fifo_opts *o = opt;
    q->limit = o ? o->limit : q->dev->txqlen;
    if (q->limit >= 1) q->flags |= TCQ_F_CAN_BYPASS;
    else q->flags &= ~(uint32_t)TCQ_F_CAN_BYPASS;
    return 0;
}

static void pfifo_dump(const struct qdisc *q, void *opt)
{
    ((struct fifo_opts *)opt)->limit = q->limit;
}

const struct qdisc_ops pfifo_qdisc_ops = {
    .id = "pfifo", .priv_size = sizeof(struct fifo_priv), .opt_size = sizeof(struct fifo_opts),
    .enqueue = pfifo_enqueue, .dequeue = pfifo_dequeue, .reset = pfifo_reset,
    .init = pfifo_change, .change = pfifo_change, .dump = pfifo_dump,
};
