/*
 * net/sch_netem.h — the network emulator qdisc (Linux: net/sched/sch_netem.c): delay with
 * jitter, random loss, duplication, corruption, reordering, a rate limit and a queue
 * limit on a device's egress, driven by the stack's clock and seeded generator, so a
 * --replay run impairs the same frames every time.
 *
 *   tc qdisc add dev tap0 root netem delay 100ms 10ms loss 30%
 *
 * The options are tc's (Linux struct tc_netem_qopt and its TCA_NETEM_* attributes):
 * probabilities are fractions of UINT32_MAX (tc's "30%" is rint(0.30 * UINT32_MAX)),
 * times nanoseconds, the rate bytes per second.
 */
#ifndef TS_SCH_NETEM_H
#define TS_SCH_NETEM_H
#include "sch_generic.h"

struct netem_opts {
    uint32_t limit;                 /* frames held at most (tc's default 1000) */
    uint64_t latency_ns;            /* delay */
    uint64_t jitter_ns;             /* uniform in [delay - jitter, delay + jitter) */
    uint32_t loss, duplicate;       /* probabilities (x / UINT32_MAX) */
    uint32_t gap;                   /* reorder: every gap-th frame may go at once (tc: 1) */
    /* Correlations (TCA_NETEM_CORR): each draw leans on the previous one by rho. */
    bool     has_corr;
    uint32_t delay_corr, loss_corr, dup_corr;
    bool     has_reorder;           /* TCA_NETEM_REORDER */
    uint32_t reorder, reorder_corr;
    bool     has_corrupt;           /* TCA_NETEM_CORRUPT */
    uint32_t corrupt, corrupt_corr;
    bool     has_rate;              /* TCA_NETEM_RATE */
    uint64_t rate;                  /* bytes per second; 0: none */
    int32_t  packet_overhead;       /* bytes added to each frame's length for the rate */
    uint32_t cell_size;             /* the rate counts whole cells of this size (ATM) */
    int32_t  cell_overhead;         /* bytes added per cell */
};
/* The optional parts (has_*) are sent only when given; a change keeps the ones not sent,
 * as Linux's netem_change does (all the others are replaced). */

extern const struct qdisc_ops netem_qdisc_ops;

#endif
