/* net/trace.c — recording and printing packet journeys (see trace.h). */
#include "trace.h"
#include "netdev.h"
#include "stack.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ------------------------------------------------------------------ the record */

static struct pkt_trace *trace_alloc(struct stack *st)
{
    struct pkt_trace *t = malloc(sizeof(*t));       /* tracing only: untraced packets never get here */
    if (!t) return NULL;
    t->st = st;
    t->nlines = t->origin_level = 0;
    t->full = false;
    t->nstages = t->lost_stages = t->pool_len = 0;
    return t;
}

unsigned trace_dev_level(const struct netdev *dev)
{
    unsigned a = dev->trace, b = dev->net->trace_all;
    return a > b ? a : b;
}

/* The highest level of anything traced in net (a local packet's origin). */
static unsigned trace_net_level(const struct net *net)
{
    unsigned level = net->trace_all;
    for (const struct netdev *d = net->devs; d; d = d->next)
        if (d->trace > level) level = d->trace;
    return level;
}

static void make_label(char *buf, const struct net *net, const char *name, enum trace_dir dir)
{
    const char *d = dir == TRACE_RX ? "rx" : "tx";
    if (net->name[0]) snprintf(buf, TRACE_LABEL_LEN, "[%s] %s %s", net->name, name, d);
    else              snprintf(buf, TRACE_LABEL_LEN, "%s %s", name, d);
}

static uint16_t pool_put(struct pkt_trace *t, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > (size_t)(TRACE_POOL - t->pool_len)) return TRACE_NONE;
    uint16_t off = t->pool_len;
    memcpy(t->pool + off, s, n);
    t->pool_len = (uint16_t)(off + n);
    return off;
}

static bool line_open(struct pkt_trace *t, const char *label, unsigned level, bool bound)
{
    if (t->nlines == TRACE_MAX_LINES) {
        t->full = true;                             /* recording stops here */
        return false;
    }
    struct trace_line *l = &t->line[t->nlines++];
    snprintf(l->label, sizeof(l->label), "%s", label);
    l->level = (uint8_t)level;
    l->bound = bound;
    l->summary = TRACE_NONE;
    l->first = t->nstages;
    return true;
}

/* ------------------------------------------------------------------ summaries */

/* The frame at p->data as `tcpdump -n` prints it (the shell's decoder, through the hook;
 * net/ has no decoder of its own: without one, the ethertype and the length). */
static void frame_summary(struct net *net, const uint8_t *frame, size_t len, char *out, size_t n)
{
    if (net->st->trace_summary) { net->st->trace_summary(net, frame, len, out, n); return; }
    unsigned type = len >= ETH_HLEN ? (unsigned)(frame[12] << 8 | frame[13]) : 0;
    snprintf(out, n, "ethertype 0x%04x, length %zu", type, len);
}

static const char *last_summary(const struct pkt_trace *t)
{
    for (int i = t->nlines - 1; i >= 0; i--)
        if (t->line[i].summary != TRACE_NONE) return t->pool + t->line[i].summary;
    return NULL;
}

/* Why every line does not carry a summary, and why some do: a frame that crosses a veth
 * or a bridge is the same frame (only its MACs or TTL change, which tcpdump -n does not
 * show), so repeating its summary would hide the lines where it really changes — the
 * inner frame after decapsulation, the outer one after encapsulation, the reply a
 * request handed its journey to. A learner sees the frame as each device sees it. */
static void note_summary(struct pkt_trace *t, struct net *net, const struct pkt *p)
{
    char s[512];
    frame_summary(net, p->data, p->len, s, sizeof(s));
    const char *last = last_summary(t);
    if (last && !strcmp(last, s)) return;
    t->line[t->nlines - 1].summary = pool_put(t, s);
}

/* A local packet that never became a frame (dropped before a device): its IP header, if
 * it has one, behind a made-up Ethernet header (tcpdump -n shows no MACs). */
static void note_unframed_summary(struct pkt_trace *t, const struct pkt *p)
{
    char s[512];
    const uint8_t *nh = p->nh_off >= 0 ? p->head + p->nh_off : NULL;
    if (nh && nh >= p->data && nh < p->data + p->len && t->st->trace_summary) {
        uint8_t f[ETH_HLEN + 256] = { 0 };
        size_t n = (size_t)(p->data + p->len - nh), cap = n < 256 ? n : 256;
        f[12] = ETH_P_IP >> 8;
        f[13] = ETH_P_IP & 0xff;
        memcpy(f + ETH_HLEN, nh, cap);
        t->st->trace_summary(t->st->init_net, f, ETH_HLEN + cap, s, sizeof(s));
    } else {
        snprintf(s, sizeof(s), "(not yet a frame)");
    }
    if (t->nlines) t->line[0].summary = pool_put(t, s);
}

/* ------------------------------------------------------------------ recording */

static void add_causes(struct pkt_trace *t, const struct net *net, const char *origin);

void trace_cross(struct pkt *p, struct netdev *dev, enum trace_dir dir)
{
    struct stack *st = dev->net->st;
    struct pkt_trace *t = p->tr;
    unsigned level = trace_dev_level(dev);
    if (!t) {
        if (!st->tracing || !level || !(t = p->tr = trace_alloc(st))) return;
    }
    if (t->full) return;
    char label[TRACE_LABEL_LEN];
    make_label(label, dev->net, dev->name, dir);
    struct trace_line *cur = t->nlines ? &t->line[t->nlines - 1] : NULL;
    if (cur && !cur->bound && dir == TRACE_TX) {
        /* a local packet reaches its first device: the line is that device's */
        snprintf(cur->label, sizeof(cur->label), "%s", label);
        cur->bound = true;
        cur->level = (uint8_t)level;
    } else if (cur && !strcmp(cur->label, label)) {
        return;                                     /* still on this line */
    } else if (!line_open(t, label, level, true)) {
        return;
    }
    note_summary(t, dev->net, p);
}

void trace_begin_local(struct net *net, struct pkt *p, const char *origin)
{
    struct stack *st = net->st;
    if (!st->tracing) return;
    struct pkt_trace *t = p->tr ? p->tr : trace_alloc(st);
    if (!t) return;
    p->tr = t;
    t->nlines = 0;
    t->full = false;
    t->nstages = t->lost_stages = t->pool_len = 0;
    t->origin_level = (uint8_t)trace_net_level(net);
    char label[TRACE_LABEL_LEN];
    make_label(label, net, origin, TRACE_TX);
    if (line_open(t, label, 0, false)) add_causes(t, net, origin);
}

static void add_stage(struct pkt_trace *t, const char *fn, const char *linux_fn, const char *detail)
{
    if (t->full || !t->nlines) return;
    if (t->nstages == TRACE_MAX_STAGES) {
        if (t->lost_stages < UINT16_MAX) t->lost_stages++;
        return;
    }
    struct trace_stage *s = &t->stage[t->nstages++];
    s->fn = fn;
    s->linux_fn = linux_fn && strcmp(linux_fn, fn) ? linux_fn : NULL;
    s->detail = detail && detail[0] ? pool_put(t, detail) : TRACE_NONE;
}

void trace_stage(struct pkt *p, const char *fn, const char *linux_fn, const char *fmt, ...)
{
    struct pkt_trace *t = p->tr;
    if (!t || t->full || !t->nlines) return;
    char detail[96] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    add_stage(t, fn, linux_fn, detail);
}

/* ------------------------------------------------------------------ causes, events */

void trace_cause_push(struct net *net, struct trace_cause *c, const char *origin, const char *fn,
                      const char *linux_fn, const char *fmt, ...)
{
    struct stack *st = net->st;
    c->st = st;
    c->net = net;
    c->origin = origin;
    c->fn = fn;
    c->linux_fn = linux_fn;
    c->detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
        va_end(ap);
    }
    c->up = st->trace_cause;
    st->trace_cause = c;
}

void trace_cause_pop(struct trace_cause *c)
{
    for (struct trace_cause **pp = &c->st->trace_cause; *pp; pp = &(*pp)->up)
        if (*pp == c) { *pp = c->up; break; }       /* always the innermost but one never knows */
    c->st = NULL;
}

/* A new local journey's first stages: the open causes of its namespace and origin,
 * outermost first. */
static void add_causes(struct pkt_trace *t, const struct net *net, const char *origin)
{
    const struct trace_cause *open[TRACE_CAUSE_MAX];
    int n = 0;
    for (const struct trace_cause *c = net->st->trace_cause; c && n < TRACE_CAUSE_MAX; c = c->up)
        if (c->net == net && !strcmp(c->origin, origin)) open[n++] = c;
    while (n--) add_stage(t, open[n]->fn, open[n]->linux_fn, open[n]->detail);
}

bool trace_net_on(const struct net *net) { return net->st->tracing && trace_net_level(net) > 0; }

void trace_event(struct net *net, const char *fmt, ...)
{
    if (!trace_net_on(net) || !net->st->log) return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    uint64_t now = net->st->now_us;
    time_t secs = (time_t)(now / US_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    if (net->name[0])
        stack_log(net->st, "%02d:%02d:%02d.%06u [%s] %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  (unsigned)(now % US_PER_S), net->name, text);
    else
        stack_log(net->st, "%02d:%02d:%02d.%06u %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  (unsigned)(now % US_PER_S), text);
}

void trace_handover(struct pkt *from, struct pkt *to)
{
    if (!from->tr) return;
    free(to->tr);
    to->tr = from->tr;
    from->tr = NULL;
}

void trace_clone(const struct pkt *from, struct pkt *to)
{
    const struct pkt_trace *f = from->tr;
    if (!f) return;
    struct pkt_trace *t = malloc(sizeof(*t));
    if (!t) return;                                 /* the clone goes on untraced */
    memcpy(t, f, offsetof(struct pkt_trace, pool) + f->pool_len);
    free(to->tr);
    to->tr = t;
    trace_stage(to, "pkt_clone", "skb_clone", NULL);
}

/* 0: not printed; else 1 or 2 (-v), the highest level of the devices it crossed. */
static unsigned journey_level(const struct pkt_trace *t)
{
    unsigned level = 0;
    bool bound = false;
    for (unsigned i = 0; i < t->nlines; i++) {
        if (t->line[i].level > level) level = t->line[i].level;
        bound |= t->line[i].bound;
    }
    return bound ? level : t->origin_level;
}

static void log_line(void *arg, const char *line)
{
    stack_log(arg, "%s", line);
}

void trace_end(struct pkt *p)
{
    struct pkt_trace *t = p->tr;
    if (!t) return;
    p->tr = NULL;                                   /* print once */
    unsigned level = journey_level(t);
    if (level && t->st->log) {
        if (t->nlines && t->line[0].summary == TRACE_NONE) note_unframed_summary(t, p);
        trace_format(t, level > 1, log_line, t->st);
    }
    free(t);
}

/* ------------------------------------------------------------------ printing */

/* A line being built, cut (with "...") where the console's line would end. */
#define TRACE_LINE_MAX 1000
struct tline { char b[TRACE_LINE_MAX + 1]; size_t n; bool cut; };

static void tl_add(struct tline *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tl_add(struct tline *l, const char *fmt, ...)
{
    if (l->cut) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->b + l->n, sizeof(l->b) - l->n, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof(l->b) - l->n) { l->n += (size_t)n; return; }
    l->cut = true;
    memcpy(l->b + TRACE_LINE_MAX - 3, "...", 4);
    l->n = TRACE_LINE_MAX;
}

static void tl_emit(struct tline *l, void (*emit)(void *, const char *), void *arg, int *count)
{
    while (l->n && l->b[l->n - 1] == ' ') l->b[--l->n] = 0;     /* no trailing blanks */
    emit(arg, l->b);
    (*count)++;
    l->n = 0;
    l->b[0] = 0;
    l->cut = false;
}

static const char *detail_of(const struct pkt_trace *t, const struct trace_stage *s)
{
    return s->detail == TRACE_NONE ? NULL : t->pool + s->detail;
}

/* ours(linux), name(detail), ours(linux: detail), or the bare name */
static void stage_inline(struct tline *l, const struct pkt_trace *t, const struct trace_stage *s)
{
    const char *d = detail_of(t, s);
    if (s->linux_fn && d) tl_add(l, "%s(%s: %s)", s->fn, s->linux_fn, d);
    else if (s->linux_fn) tl_add(l, "%s(%s)", s->fn, s->linux_fn);
    else if (d)           tl_add(l, "%s(%s)", s->fn, d);
    else                  tl_add(l, "%s", s->fn);
}

static unsigned line_end(const struct pkt_trace *t, unsigned i)
{
    return i + 1 < t->nlines ? t->line[i + 1].first : t->nstages;
}

/* -v: the column widths, from the longest names (capped: a long name pushes its row). */
static void column_widths(const struct pkt_trace *t, int *w1, int *w2)
{
    size_t a = 0, b = 0;
    for (unsigned i = 0; i < t->nstages; i++) {
        const struct trace_stage *s = &t->stage[i];
        size_t la = strlen(s->fn), lb = strlen(s->linux_fn ? s->linux_fn : s->fn);
        if (la > a) a = la;
        if (lb > b) b = lb;
    }
    *w1 = (int)(a < 24 ? a : 24);
    *w2 = (int)(b < 28 ? b : 28);
}

int trace_format(const struct pkt_trace *t, bool verbose,
                 void (*emit)(void *arg, const char *line), void *arg)
{
    struct tline l;
    int count = 0, w1 = 0, w2 = 0;
    l.n = 0; l.cut = false; l.b[0] = 0;
    if (verbose) column_widths(t, &w1, &w2);
    for (unsigned i = 0; i < t->nlines; i++) {
        const struct trace_line *ln = &t->line[i];
        if (i == 0) {
            tl_add(&l, "%s", ln->summary != TRACE_NONE ? t->pool + ln->summary : "(no summary)");
            tl_emit(&l, emit, arg, &count);
        } else if (ln->summary != TRACE_NONE) {
            tl_add(&l, "then %s", t->pool + ln->summary);
            tl_emit(&l, emit, arg, &count);
        }
        tl_add(&l, verbose ? "  %s" : "  %s: ", ln->label);
        if (verbose) tl_emit(&l, emit, arg, &count);
        for (unsigned k = ln->first; k < line_end(t, i); k++) {
            const struct trace_stage *s = &t->stage[k];
            if (!verbose) {
                if (k > ln->first) tl_add(&l, " > ");
                stage_inline(&l, t, s);
                continue;
            }
            const char *d = detail_of(t, s);
            tl_add(&l, "    %-*s  %-*s  %s", w1, s->fn, w2, s->linux_fn ? s->linux_fn : s->fn, d ? d : "");
            tl_emit(&l, emit, arg, &count);
        }
        if (!verbose) tl_emit(&l, emit, arg, &count);
    }
    if (t->lost_stages) {
        tl_add(&l, "  ... %u more stages not recorded", t->lost_stages);
        tl_emit(&l, emit, arg, &count);
    }
    if (t->full) {
        tl_add(&l, "  ... (it went on through more devices than a journey keeps)");
        tl_emit(&l, emit, arg, &count);
    }
    return count;
}
