/*
 * net/timer.h — one min-heap of deadlines per process (struct stack). Nothing sleeps: the
 * event loop asks timer_next_deadline() and calls timers_run(now) when it has passed, with
 * the real clock or the virtual one. Times are absolute microseconds of the stack clock.
 * A timer is embedded in its owner (neighbour entry, fragment queue, ping run...);
 * timer_arm() on an armed timer moves it.
 */
#ifndef TS_TIMER_H
#define TS_TIMER_H
#include <stdbool.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
    uint64_t expires_us;
    uint64_t seq;        /* insertion order: equal deadlines fire first-armed first (determinism) */
    int      heap_idx;   /* -1 when not armed */
    timer_fn fn;
    void    *arg;
};

struct timer_heap {
    struct timer **v;
    int n, cap;
    uint64_t seq;
};

void timer_init(struct timer *t, timer_fn fn, void *arg);
void timer_arm(struct timer_heap *h, struct timer *t, uint64_t expires_us);
void timer_cancel(struct timer_heap *h, struct timer *t);
static inline bool timer_pending(const struct timer *t) { return t->heap_idx >= 0; }
/* UINT64_MAX if none. Inline: the poll loop asks it after every batch. */
static inline uint64_t timer_next_deadline(const struct timer_heap *h)
{ return h->n ? h->v[0]->expires_us : UINT64_MAX; }
/* Run every timer whose deadline is <= now, in deadline order; returns how many ran. */
int  timers_run(struct timer_heap *h, uint64_t now_us);
void timer_heap_free(struct timer_heap *h);

#endif
