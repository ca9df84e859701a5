/* net/timer.c — binary min-heap of timers ordered by (expires, seq). */
#include "timer.h"
#include <stdlib.h>

static bool before(const struct timer *a, const struct timer *b)
{
    return a->expires_us < b->expires_us || (a->expires_us == b->expires_us && a->seq < b->seq);
}

static void place(struct timer_heap *h, int i, struct timer *t) { h->v[i] = t; t->heap_idx = i; }

static void sift_up(struct timer_heap *h, int i)
{
    struct timer *t = h->v[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!before(t, h->v[parent])) break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct timer_heap *h, int i)
{
    struct timer *t = h->v[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && before(h->v[c + 1], h->v[c])) c++;
        if (!before(h->v[c], t)) break;
        place(h, i, h->v[c]);
        i = c;
    }
    place(h, i, t);
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
    t->expires_us = 0; t->seq = 0; t->heap_idx = -1; t->fn = fn; t->arg = arg;
}

void timer_cancel(struct timer_heap *h, struct timer *t)
{
    int i = t->heap_idx;
    if (i < 0) return;
    t->heap_idx = -1;
    struct timer *last = h->v[--h->n];
    if (i == h->n) return;
    place(h, i, last);
    sift_down(h, i);
    sift_up(h, last->heap_idx);
}

void timer_arm(struct timer_heap *h, struct timer *t, uint64_t expires_us)
{
    timer_cancel(h, t);
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 64;
        struct timer **v = realloc(h->v, (size_t)cap * sizeof(*v));
        if (!v) abort();            /* our own bookkeeping, not packet input */
        h->v = v; h->cap = cap;
    }
    t->expires_us = expires_us;
    t->seq = ++h->seq;
    place(h, h->n++, t);
    sift_up(h, t->heap_idx);
}


int timers_run(struct timer_heap *h, uint64_t now_us)
{
    int ran = 0;
    while (h->n && h->v[0]->expires_us <= now_us) {
        struct timer *t = h->v[0];
        timer_cancel(h, t);
        t->fn(t, t->arg);
        ran++;
    }
    return ran;
}

void timer_heap_free(struct timer_heap *h) { free(h->v); h->v = NULL; h->n = h->cap = 0; }
