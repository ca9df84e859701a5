/*
 * shell/cmd_tc_netem.c — netem's options for tc: the grammar of iproute2's tc/q_netem.c
 * (netem_parse_opt) and its `tc qdisc show` line (netem_print_opt), over the core's
 * struct netem_opts (net/sch_netem.h).
 *
 *   netem [ limit PACKETS ] [ delay TIME [ JITTER [ CORRELATION ] ] ]
 *         [ loss [ random ] PERCENT [ CORRELATION ] ] [ duplicate PERCENT [ CORRELATION ] ]
 *         [ corrupt PERCENT [ CORRELATION ] ] [ reorder PERCENT [ CORRELATION ] [ gap N ] ]
 *         [ rate RATE [ PACKETOVERHEAD [ CELLSIZE [ CELLOVERHEAD ] ] ] ]
 *
 * Times are tc 6.1's: whole microseconds (a number without a unit is us), at most what
 * fits in the kernel's 32-bit tick count (about 274 s). Linux: tc 6.1 sends them in 64 ns
 * ticks and reads them back rounded down, so "250us" may show as "249us"; tapstack keeps
 * the microseconds exact. The loss models "state" and "gemodel", delay distributions,
 * slot, seed and ecn are not built.
 */
#include "cmd_tc.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

/* One option word failed: tc's explain1() line. */
static int illegal(struct cmd_ctx *c, const char *what)
{
    cmd_error(c, "tc: Illegal \"%s\"", what);
    return TC_ST_OPT;
}

static int incomplete(struct cmd_ctx *c)
{
    cmd_error(c, "tc: Command line is not complete. Try option \"help\"");
    return TC_ST_USAGE;
}

/* NEXT_IS_NUMBER / NEXT_IS_SIGNED_NUMBER: the next word starts with a digit (or '-'). */
static bool next_is_number(int i, int argc, char **argv, bool sign)
{
    return i + 1 < argc && (isdigit((unsigned char)argv[i + 1][0]) || (sign && argv[i + 1][0] == '-'));
}

#define NEXT_ARG() do { if (++i >= argc) return incomplete(c); } while (0)

/* get_ticks: a time tc can send in the kernel's 32-bit count of 64 ns ticks
 * (tc_core_time2big with /proc/net/psched's 1000/64 ticks per microsecond). */
static int get_ticks(struct cmd_ctx *c, uint64_t *ns, const char *s, const char *what)
{
    uint32_t us;
    if (!tc_get_time(&us, s)) return illegal(c, what);
    if ((uint64_t)((double)us * 15.625) >> 32) {
        cmd_error(c, "tc: Illegal %u time (too large)", us);
        return TC_ST_OPT;
    }
    *ns = (uint64_t)us * 1000;
    return 0;
}

/* delay TIME [JITTER [CORRELATION]] */
static int parse_delay(struct cmd_ctx *c, int *ip, int argc, char **argv, struct netem_opts *o)
{
    int i = *ip, st;
    NEXT_ARG();
    if ((st = get_ticks(c, &o->latency_ns, argv[i], "latency"))) return st;
    if (next_is_number(i, argc, argv, false)) {
        NEXT_ARG();
        if ((st = get_ticks(c, &o->jitter_ns, argv[i], "latency"))) return st;
        if (next_is_number(i, argc, argv, false)) {
            NEXT_ARG();
            o->has_corr = true;
            if (!tc_get_percent(&o->delay_corr, argv[i])) return illegal(c, "latency");
        }
    }
    *ip = i;
    return 0;
}

/* loss [random] PERCENT [CORRELATION] */
static int parse_loss(struct cmd_ctx *c, int *ip, int argc, char **argv, struct netem_opts *o)
{
    int i = *ip;
    if (o->loss) return illegal(c, "duplicate loss argument");
    NEXT_ARG();
    if (!isdigit((unsigned char)argv[i][0])) {
        if (!strcmp(argv[i], "state") || !strcmp(argv[i], "gemodel")) {
            cmd_error(c, "tc: netem: the loss model \"%s\" is not available; use loss PERCENT", argv[i]);
            return TC_ST_OPT;
        }
        if (strcmp(argv[i], "random")) {
            cmd_error(c, "tc: Unknown loss parameter: %s", argv[i]);
            return TC_ST_OPT;
        }
        NEXT_ARG();
    }
    if (!tc_get_percent(&o->loss, argv[i])) return illegal(c, "loss percent");
    if (next_is_number(i, argc, argv, false)) {
        NEXT_ARG();
        o->has_corr = true;
        if (!tc_get_percent(&o->loss_corr, argv[i])) return illegal(c, "loss correlation");
    }
    *ip = i;
    return 0;
}

/* PERCENT [CORRELATION] for duplicate, reorder and corrupt. tc sends the correlations
 * of delay, loss and duplicate (TCA_NETEM_CORR) when one of delay, loss, reorder or
 * corrupt had one: a duplicate correlation alone is parsed and not sent (corr_given NULL). */
static int parse_prob(struct cmd_ctx *c, int *ip, int argc, char **argv, uint32_t *p, uint32_t *corr,
                      bool *corr_given, const char *what)
{
    int i = *ip;
    NEXT_ARG();
    if (!tc_get_percent(p, argv[i])) return illegal(c, what);
    if (next_is_number(i, argc, argv, false)) {
        NEXT_ARG();
        if (corr_given) *corr_given = true;
        if (!tc_get_percent(corr, argv[i])) return illegal(c, what);
    }
    *ip = i;
    return 0;
}

/* rate RATE [PACKETOVERHEAD [CELLSIZE [CELLOVERHEAD]]] */
static int parse_rate(struct cmd_ctx *c, int *ip, int argc, char **argv, struct netem_opts *o)
{
    int i = *ip;
    o->has_rate = true;
    NEXT_ARG();
    if (strchr(argv[i], '%')) {
        cmd_error(c, "tc: netem: a rate as a share of the link speed is not available; give RATE in bit/s");
        return TC_ST_OPT;
    }
    if (!tc_get_rate64(&o->rate, argv[i])) return illegal(c, "rate");
    if (next_is_number(i, argc, argv, true)) {
        NEXT_ARG();
        if (!tc_get_s32(&o->packet_overhead, argv[i])) return illegal(c, "rate");
    }
    if (next_is_number(i, argc, argv, false)) {
        NEXT_ARG();
        if (!tc_get_u32(&o->cell_size, argv[i])) return illegal(c, "rate");
    }
    if (next_is_number(i, argc, argv, true)) {
        NEXT_ARG();
        if (!tc_get_s32(&o->cell_overhead, argv[i])) return illegal(c, "rate");
    }
    *ip = i;
    return 0;
}

/* One option word at argv[*ip]; 0 or a status. */
static int parse_one(struct cmd_ctx *c, int *ip, int argc, char **argv, struct netem_opts *o)
{
    int i = *ip;
    const char *w = argv[i];
    if (tc_matches(w, "limit")) {
        NEXT_ARG();
        if (!tc_get_size(&o->limit, argv[i])) return illegal(c, "limit");
        *ip = i;
        return 0;
    }
    if (tc_matches(w, "latency") || tc_matches(w, "delay")) return parse_delay(c, ip, argc, argv, o);
    if (tc_matches(w, "loss") || tc_matches(w, "drop")) return parse_loss(c, ip, argc, argv, o);
    if (tc_matches(w, "reorder")) {
        o->has_reorder = true;
        return parse_prob(c, ip, argc, argv, &o->reorder, &o->reorder_corr, &o->has_corr, "reorder");
    }
    if (tc_matches(w, "corrupt")) {
        o->has_corrupt = true;
        return parse_prob(c, ip, argc, argv, &o->corrupt, &o->corrupt_corr, &o->has_corr, "corrupt");
    }
    if (tc_matches(w, "gap")) {
        NEXT_ARG();
        if (!tc_get_u32(&o->gap, argv[i])) return illegal(c, "gap");
        *ip = i;
        return 0;
    }
    if (tc_matches(w, "duplicate"))
        return parse_prob(c, ip, argc, argv, &o->duplicate, &o->dup_corr, NULL, "duplicate");
    if (tc_matches(w, "rate")) return parse_rate(c, ip, argc, argv, o);
    if (tc_matches(w, "seed") || tc_matches(w, "ecn") || tc_matches(w, "distribution") ||
        tc_matches(w, "slot")) {
        cmd_error(c, "tc: netem: \"%s\" is not available", w);
        return TC_ST_OPT;
    }
    if (strcmp(w, "help")) cmd_error(c, "tc: What is \"%s\"?", w);
    else cmd_error(c, "usage: tc qdisc add|change|replace dev DEV root netem [limit N] [delay TIME [JITTER]] "
                      "[loss P%%] [duplicate P%%] [reorder P%%] [corrupt P%%] [rate RATE]");
    return TC_ST_OPT;
}

int tc_netem_parse(struct cmd_ctx *c, int argc, char **argv, struct netem_opts *o)
{
    *o = (struct netem_opts){ .limit = 1000 };
    for (int i = 0; i < argc; i++) {
        int st = parse_one(c, &i, argc, argv, o);
        if (st) return st;
    }
    if (o->reorder) {
        if (!o->latency_ns) {
            cmd_error(c, "tc: reordering not possible without specifying some delay");
            return TC_ST_OPT;
        }
        if (!o->gap) o->gap = 1;
    } else if (o->gap) {
        cmd_error(c, "tc: gap specified without reorder probability");
        return TC_ST_OPT;
    }
    return 0;
}

/* ------------------------------------------------------------------ printing */

/* " NAME P%" and, when given, " CORR%" (tc's PRINT_PERCENT and print_corr). */
static void print_percent(struct cmd_ctx *c, const char *name, uint32_t v, bool corr_shown, uint32_t corr)
{
    if (name) cmd_printf(c, " %s %g%%", name, 100. * v / UINT32_MAX);
    if (corr_shown) cmd_printf(c, " %g%%", 100. * corr / UINT32_MAX);
}

void tc_netem_print(struct cmd_ctx *c, const struct netem_opts *o)
{
    char b[64];
    cmd_printf(c, "limit %d", (int)o->limit);
    if (o->latency_ns) {
        tc_sprint_time(b, sizeof(b), (uint32_t)(o->latency_ns / 1000));
        cmd_printf(c, " delay %s", b);
        if (o->jitter_ns) {
            tc_sprint_time(b, sizeof(b), (uint32_t)(o->jitter_ns / 1000));
            cmd_printf(c, "  %s", b);
        }
        print_percent(c, NULL, 0, o->jitter_ns && o->delay_corr, o->delay_corr);
    }
    if (o->loss) print_percent(c, "loss", o->loss, o->loss_corr, o->loss_corr);
    if (o->duplicate) print_percent(c, "duplicate", o->duplicate, o->dup_corr, o->dup_corr);
    if (o->reorder) print_percent(c, "reorder", o->reorder, o->reorder_corr, o->reorder_corr);
    if (o->corrupt) print_percent(c, "corrupt", o->corrupt, o->corrupt_corr, o->corrupt_corr);
    if (o->rate) {
        tc_sprint_rate(b, sizeof(b), o->rate);
        cmd_printf(c, " rate %s", b);
        if (o->packet_overhead) cmd_printf(c, " packetoverhead %d", (int)o->packet_overhead);
        if (o->cell_size) cmd_printf(c, " cellsize %u", o->cell_size);
        if (o->cell_overhead) cmd_printf(c, " celloverhead %d", (int)o->cell_overhead);
    }
    if (o->gap) cmd_printf(c, " gap %lu", (unsigned long)o->gap);
}
