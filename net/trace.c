/* net/trace.c — building and printing packet journeys (see trace.h). */
#include "trace.h"
#include "netdev.h"
#include "stack.h"
#include <stdarg.h>
#include <stdio.h>

static void set_label(struct pkt *p, struct net *net, const char *dev, const char *dir)
{
    if (net->name[0]) snprintf(p->tr.label, sizeof(p->tr.label), "[%s] %s %s", net->name, dev, dir);
    else              snprintf(p->tr.label, sizeof(p->tr.label), "%s %s", dev, dir);
}

void trace_begin_rx(struct pkt *p, struct netdev *dev)
{
    if (!dev->net->st->tracing || !(dev->trace || dev->net->trace_all)) return;
    p->tr.on = true; p->tr.silent = false; p->tr.local = false;
    p->tr.len = 0; p->tr.buf[0] = 0;
    p->tr.net = dev->net;
    set_label(p, dev->net, dev->name, "rx");
}

void trace_begin_local(struct net *net, struct pkt *p, const char *origin)
{
    if (!net->st->tracing) return;
    bool any = net->trace_all;
    for (struct netdev *d = net->devs; d && !any; d = d->next) any = d->trace;
    if (!any) return;
    p->tr.on = true; p->tr.silent = false; p->tr.local = true;
    p->tr.len = 0; p->tr.buf[0] = 0;
    p->tr.net = net;
    set_label(p, net, origin, "tx");
}

void trace_stage(struct pkt *p, const char *fn, const char *linux_fn, const char *fmt, ...)
{
    struct pkt_trace *t = &p->tr;
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
    if (!from->tr.on) return;
    to->tr = from->tr;
    from->tr.silent = true;
}

void trace_end(struct pkt *p, struct netdev *tx_dev)
{
    struct pkt_trace *t = &p->tr;
    if (!t->on || t->silent || !t->net) return;
    t->silent = true;                               /* print once */
    if (t->local && tx_dev) {
        /* A local packet is named after the device it left by; filter by that device. */
        if (!tx_dev->trace && !tx_dev->net->trace_all) return;
        set_label(p, tx_dev->net, tx_dev->name, "tx");
    }
    stack_log(t->net->st, "%s: %s", t->label, t->buf);
}
