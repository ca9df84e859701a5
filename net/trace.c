/* net/trace.c — building and printing packet journeys (see trace.h). */
#include "trace.h"
#include "netdev.h"
#include "stack.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void set_label(struct pkt_trace *t, struct net *net, const char *dev, const char *dir)
{
    if (net->name[0]) snprintf(t->label, sizeof(t->label), "[%s] %s %s", net->name, dev, dir);
    else              snprintf(t->label, sizeof(t->label), "%s %s", dev, dir);
}

/* A fresh record for p (tracing only: the one allocation a traced packet costs). */
static struct pkt_trace *trace_new(struct pkt *p, struct net *net, bool local)
{
    if (!p->tr) p->tr = malloc(sizeof(*p->tr));
    struct pkt_trace *t = p->tr;
    if (!t) return NULL;
    t->len = 0;
    t->buf[0] = 0;
    t->local = local;
    t->net = net;
    return t;
}

void trace_begin_rx(struct pkt *p, struct netdev *dev)
{
    if (!dev->net->st->tracing || !(dev->trace || dev->net->trace_all)) return;
    struct pkt_trace *t = trace_new(p, dev->net, false);
    if (t) set_label(t, dev->net, dev->name, "rx");
}

void trace_begin_local(struct net *net, struct pkt *p, const char *origin)
{
    if (!net->st->tracing) return;
    bool any = net->trace_all;
    for (struct netdev *d = net->devs; d && !any; d = d->next) any = d->trace;
    if (!any) return;
    struct pkt_trace *t = trace_new(p, net, true);
    if (t) set_label(t, net, origin, "tx");
}

void trace_stage(struct pkt *p, const char *fn, const char *linux_fn, const char *fmt, ...)
{
    struct pkt_trace *t = p->tr;
    if (!t) return;
    char detail[96] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    size_t room = sizeof(t->buf) - t->len;
    if (room < 8) return;                           /* full: keep what we have */
    const char *sep = t->len ? " > " : "";
    bool named = linux_fn && strcmp(linux_fn, fn);
    int n;
    if (named && detail[0]) n = snprintf(t->buf + t->len, room, "%s%s(%s: %s)", sep, fn, linux_fn, detail);
    else if (named)         n = snprintf(t->buf + t->len, room, "%s%s(%s)", sep, fn, linux_fn);
    else if (detail[0])     n = snprintf(t->buf + t->len, room, "%s%s(%s)", sep, fn, detail);
    else                    n = snprintf(t->buf + t->len, room, "%s%s", sep, fn);
    if (n < 0) return;
    t->len = (uint16_t)((size_t)n >= room ? sizeof(t->buf) - 1 : t->len + (size_t)n);
}

void trace_handover(struct pkt *from, struct pkt *to)
{
    if (!from->tr) return;
    free(to->tr);
    to->tr = from->tr;
    from->tr = NULL;
}

void trace_end(struct pkt *p, struct netdev *tx_dev)
{
    struct pkt_trace *t = p->tr;
    if (!t) return;
    if (t->local && tx_dev) {
        /* A local packet is named after the device it left by; filter by that device
         * (not traced there: the journey goes on, a loopback delivery may still end it). */
        if (!tx_dev->trace && !tx_dev->net->trace_all) return;
        set_label(t, tx_dev->net, tx_dev->name, "tx");
    }
    p->tr = NULL;                                   /* print once */
    if (t->net) stack_log(t->net->st, "%s: %s", t->label, t->buf);
    free(t);
}
