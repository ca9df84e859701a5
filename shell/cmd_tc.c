/*
 * shell/cmd_tc.c — `tc qdisc`: show, add, change, replace and delete the root qdisc of a
 * device (iproute2 6.1's tc/tc_qdisc.c, its parsers in lib/utils.c and tc/tc_util.c).
 *
 *   tc [-s] [-d] [-n NS] qdisc add|change|replace|del dev DEV root [handle H:] KIND [OPTIONS]
 *   tc [-s] [-d] [-n NS] qdisc [show|list] [dev DEV] [root] [handle H:]
 *
 * KIND: netem (shell/cmd_tc_netem.c), pfifo [limit N], pfifo_fast, noqueue. The shell
 * parses and prints; the core (net/sch_generic.h) decides, with Linux's answers, which
 * tc prints as "Error: MESSAGE." (netlink extack). Output is tc's byte for byte:
 *
 *   qdisc netem 8001: dev tap0 root refcnt 2 limit 1000 delay 100ms  10ms loss 30%
 *    Sent 1234 bytes 12 pkt (dropped 3, overlimits 0 requeues 0)
 *    backlog 0b 0p requeues 0
 *
 * ("dev NAME" only without a dev filter; -s adds the two counter lines.) Errors are one
 * line "tc: ..." and tc's exit status (cmd_tc.h).
 */
#include "cmd_tc.h"
#include "net/netdev.h"
#include "net/sch_generic.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ------------------------------------------------------------------ word parsers */

bool tc_matches(const char *word, const char *full)
{
    if (!*word) return false;
    while (*full && *word == *full) { word++; full++; }
    return !*word;
}

/* strtod with the checks tc leaves to chance: a number, finite, not negative. */
static bool get_number(double *v, const char *s, const char **unit)
{
    char *end;
    *v = strtod(s, &end);
    if (end == s || !isfinite(*v) || *v < 0) return false;
    *unit = end;
    return true;
}

bool tc_get_time(uint32_t *us, const char *s)
{
    static const struct { const char *u[3]; double scale; } units[] = {
        { { "s", "sec", "secs" }, 1e6 }, { { "ms", "msec", "msecs" }, 1e3 }, { { "us", "usec", "usecs" }, 1 },
    };
    double t;
    const char *u;
    if (!get_number(&t, s, &u)) return false;
    if (*u) {
        size_t k = 0;
        while (k < ARRAY_SIZE(units) && strcasecmp(u, units[k].u[0]) && strcasecmp(u, units[k].u[1]) &&
               strcasecmp(u, units[k].u[2])) k++;
        if (k == ARRAY_SIZE(units)) return false;
        t *= units[k].scale;
    }
    if (t > UINT32_MAX) return false;
    *us = (uint32_t)t;
    return true;
}

bool tc_get_percent(uint32_t *v, const char *s)
{
    char *end;
    double per = strtod(s, &end) / 100.;
    if (end == s || isnan(per) || per > 1.0 || per < 0.0) return false;
    if (*end && strcmp(end, "%")) return false;
    *v = (uint32_t)rint(per * UINT32_MAX);      /* set_percent */
    return true;
}

bool tc_get_rate64(uint64_t *bytes_per_s, const char *s)
{
    static const struct { const char *name; double scale; } suffixes[] = {
        { "bit", 1. }, { "Kibit", 1024. }, { "kbit", 1000. }, { "mibit", 1024. * 1024. },
        { "mbit", 1e6 }, { "gibit", 1024. * 1024. * 1024. }, { "gbit", 1e9 },
        { "tibit", 1024. * 1024. * 1024. * 1024. }, { "tbit", 1e12 }, { "Bps", 8. },
        { "KiBps", 8. * 1024. }, { "KBps", 8000. }, { "MiBps", 8. * 1024 * 1024 }, { "MBps", 8e6 },
        { "GiBps", 8. * 1024. * 1024. * 1024. }, { "GBps", 8e9 },
        { "TiBps", 8. * 1024. * 1024. * 1024. * 1024. }, { "TBps", 8e12 },
    };
    double bps;
    const char *u;
    if (!get_number(&bps, s, &u)) return false;
    if (*u) {
        size_t k = 0;
        while (k < ARRAY_SIZE(suffixes) && strcasecmp(suffixes[k].name, u)) k++;
        if (k == ARRAY_SIZE(suffixes)) return false;
        bps *= suffixes[k].scale;
    }
    bps /= 8;
    if (bps >= 1.8e19) return false;
    *bytes_per_s = (uint64_t)bps;
    return true;
}

bool tc_get_size(uint32_t *v, const char *s)
{
    static const struct { const char *name; double scale; } units[] = {
        { "kb", 1024 }, { "k", 1024 }, { "gb", 1024. * 1024 * 1024 }, { "g", 1024. * 1024 * 1024 },
        { "gbit", 1024. * 1024 * 1024 / 8 }, { "mb", 1024 * 1024 }, { "m", 1024 * 1024 },
        { "mbit", 1024 * 1024 / 8 }, { "kbit", 1024 / 8 }, { "b", 1 },
    };
    double sz;
    const char *u;
    if (!get_number(&sz, s, &u)) return false;
    if (*u) {
        size_t k = 0;
        while (k < ARRAY_SIZE(units) && strcasecmp(u, units[k].name)) k++;
        if (k == ARRAY_SIZE(units)) return false;
        sz *= units[k].scale;
    }
    if (sz > UINT32_MAX || sz != floor(sz)) return false;     /* "detect if an overflow happened" */
    *v = (uint32_t)sz;
    return true;
}

bool tc_get_u32(uint32_t *v, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (!*s || end == s || *end || errno || x > UINT32_MAX || s[0] == '-') return false;
    *v = (uint32_t)x;
    return true;
}

bool tc_get_s32(int32_t *v, const char *s)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 0);
    if (!*s || end == s || *end || errno || x > INT32_MAX || x < INT32_MIN) return false;
    *v = (int32_t)x;
    return true;
}

/* ------------------------------------------------------------------ value printers */

void tc_sprint_time(char *buf, size_t len, uint32_t us)
{
    double t = us;
    if (us >= 1000000) snprintf(buf, len, "%.3gs", t / 1e6);
    else if (us >= 1000) snprintf(buf, len, "%.3gms", t / 1e3);
    else snprintf(buf, len, "%uus", us);
}

void tc_sprint_rate(char *buf, size_t len, uint64_t bytes_per_s)
{
    static const char *const units[] = { "", "K", "M", "G", "T" };
    uint64_t rate = bytes_per_s << 3;          /* bytes/s -> bit/s */
    size_t i = 0;
    for (; i < ARRAY_SIZE(units) - 1; i++) {
        if (rate < 1000) break;
        if (rate % 1000 && rate < 1000 * 1000) break;
        rate /= 1000;
    }
    snprintf(buf, len, "%.0f%sbit", (double)rate, units[i]);
}

void tc_sprint_size(char *buf, size_t len, uint32_t sz)
{
    double kilo = 1024, mega = 1024 * 1024, t = sz;
    if (sz >= mega && fabs(mega * rint(t / mega) - sz) < 1024) snprintf(buf, len, "%gMb", rint(t / mega));
    else if (sz >= kilo && fabs(kilo * rint(t / kilo) - sz) < 16) snprintf(buf, len, "%gKb", rint(t / kilo));
    else snprintf(buf, len, "%ub", sz);
}

/* ------------------------------------------------------------------ tc qdisc show */

struct tc_opts { bool stats; struct net *net; };

/* The options of a kind, as its qdisc_util prints them (prio's for pfifo_fast). */
static void print_qopt(struct cmd_ctx *c, const struct qdisc_info *in, const void *opt)
{
    if (!strcmp(in->kind, "netem")) { tc_netem_print(c, opt); return; }
    if (!strcmp(in->kind, "pfifo")) { cmd_printf(c, "limit %up", ((const struct fifo_opts *)opt)->limit); return; }
    if (!strcmp(in->kind, "pfifo_fast")) {
        const struct prio_opts *p = opt;
        cmd_printf(c, "bands %u priomap", (unsigned)p->bands);
        for (int i = 0; i <= TC_PRIO_MAX; i++) cmd_printf(c, " %d", p->priomap[i]);
    }
}

/* print_qdisc: one device's root. */
static void print_qdisc(struct cmd_ctx *c, const struct tc_opts *t, const struct netdev *d, bool with_dev)
{
    union { struct netem_opts netem; struct fifo_opts fifo; struct prio_opts prio; } opt;
    struct qdisc_info in;
    memset(&opt, 0, sizeof(opt));
    qdisc_dump_root(d, &in, &opt, sizeof(opt));
    cmd_printf(c, "qdisc %s %x: ", in.kind, in.handle >> 16);
    if (with_dev) cmd_printf(c, "dev %s ", d->name);
    cmd_printf(c, "root refcnt 2 ");
    if (in.opt_size) print_qopt(c, &in, &opt);
    cmd_printf(c, "\n");
    if (!t->stats) return;
    char b[32];
    tc_sprint_size(b, sizeof(b), in.stats.backlog);
    cmd_printf(c, " Sent %" PRIu64 " bytes %" PRIu64 " pkt (dropped %u, overlimits %u requeues %u) \n"
               " backlog %s %up requeues %u\n", in.stats.bytes, in.stats.packets, in.stats.drops,
               in.stats.overlimits, in.stats.requeues, b, in.stats.qlen, in.stats.requeues);
}

static int nodev(struct cmd_ctx *c, const char *name)
{
    cmd_error(c, "tc: Cannot find device \"%s\"", name);
    return TC_ST_OPT;
}

static int incomplete(struct cmd_ctx *c)
{
    cmd_error(c, "tc: Command line is not complete. Try option \"help\"");
    return TC_ST_USAGE;
}

/* get_qdisc_handle: "8001:" or "8001" (hex major), "none". */
static bool get_qdisc_handle(uint32_t *h, const char *s)
{
    if (!strcmp(s, "none")) { *h = 0; return true; }
    char *end;
    unsigned long maj = strtoul(s, &end, 16);
    if (end == s || maj >= 1u << 16 || (*end != ':' && *end) || (*end == ':' && end[1])) return false;
    *h = (uint32_t)maj << 16;
    return true;
}

static int invarg(struct cmd_ctx *c, const char *what, const char *word)
{
    cmd_error(c, "tc: Error: argument \"%s\" is wrong: %s", word, what);
    return TC_ST_USAGE;
}

/* For the loops that return a status (not the parse_req one). */
#define NEXT_ARG() do { if (++i >= argc) return incomplete(c); } while (0)

/* tc_qdisc_list */
static int qdisc_list(struct cmd_ctx *c, const struct tc_opts *t, int argc, char **argv)
{
    const char *dev = NULL;
    uint32_t handle = 0;
    bool by_handle = false, ingress = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); dev = argv[i]; }
        else if (!strcmp(argv[i], "root") || !strcmp(argv[i], "invisible")) {}
        else if (!strcmp(argv[i], "ingress") || !strcmp(argv[i], "clsact")) ingress = true;
        else if (tc_matches(argv[i], "handle")) {
            NEXT_ARG();
            if (!get_qdisc_handle(&handle, argv[i])) return invarg(c, "invalid handle ID", argv[i]);
            by_handle = true;
        } else {
            cmd_error(c, "tc: What is \"%s\"? Try \"tc qdisc help\".", argv[i]);
            return TC_ST_USAGE;
        }
    }
    struct netdev *only = dev ? netdev_by_name(t->net, dev) : NULL;
    if (dev && !only) return nodev(c, dev);
    if (ingress) return 0;                      /* no ingress qdiscs here */
    for (struct netdev *d = t->net->devs; d; d = d->next) {
        /* a device never up has the built-in noop, which Linux does not list
         * (tc_qdisc_dump_ignore: TCQ_F_BUILTIN) */
        if ((only && d != only) || !d->qdisc) continue;
        if (by_handle && (d->qdisc ? d->qdisc->handle : 0) != handle) continue;
        print_qdisc(c, t, d, !only);
    }
    return 0;
}

/* ------------------------------------------------------------------ tc qdisc add|change|... */

struct qdisc_req {
    const char *dev, *kind;
    uint32_t handle;
    bool root;
    union { struct netem_opts netem; struct fifo_opts fifo; } opt;
    size_t optlen;                  /* 0: no options sent */
};

/* The kind's option parser (tc's qdisc_util parse_qopt). */
static int parse_qopt(struct cmd_ctx *c, struct qdisc_req *r, int argc, char **argv)
{
    if (!strcmp(r->kind, "netem")) {
        r->optlen = sizeof(r->opt.netem);
        return tc_netem_parse(c, argc, argv, &r->opt.netem);
    }
    if (!strcmp(r->kind, "pfifo")) {                /* q_fifo.c */
        for (int i = 0; i < argc; i++) {
            if (!strcmp(argv[i], "limit")) {
                NEXT_ARG();
                if (!tc_get_size(&r->opt.fifo.limit, argv[i])) {
                    cmd_error(c, "tc: pfifo: Illegal value for \"limit\": \"%s\"", argv[i]);
                    return TC_ST_OPT;
                }
                r->optlen = sizeof(r->opt.fifo);
            } else {
                cmd_error(c, "tc: pfifo: unknown parameter \"%s\"", argv[i]);
                return TC_ST_OPT;
            }
        }
        return 0;
    }
    if (argc) {                                     /* parse_noqopt */
        cmd_error(c, "tc: Unknown qdisc \"%s\", hence option \"%s\" is unparsable", r->kind, argv[0]);
        return TC_ST_OPT;
    }
    return 0;
}

/* The words before the kind; returns the index of the first option word, or -status. */
static int parse_req(struct cmd_ctx *c, struct qdisc_req *r, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if ((!strcmp(w, "dev") || !strcmp(w, "handle")) && i + 1 >= argc) return -incomplete(c);
        if (!strcmp(w, "dev")) {
            i++;
            if (r->dev) { cmd_error(c, "tc: Error: duplicate \"dev\": \"%s\" is the second value.", argv[i]); return -TC_ST_USAGE; }
            r->dev = argv[i];
        } else if (!strcmp(w, "handle")) {
            if (r->handle) { cmd_error(c, "tc: Error: duplicate \"handle\": \"%s\" is the second value.", w); return -TC_ST_USAGE; }
            i++;
            if (!get_qdisc_handle(&r->handle, argv[i])) return -invarg(c, "invalid qdisc ID", argv[i]);
        } else if (!strcmp(w, "root")) {
            if (r->root) { cmd_error(c, "tc: Error: \"root\" is duplicate parent ID"); return -TC_ST_OPT; }
            r->root = true;
        } else if (!strcmp(w, "parent") || !strcmp(w, "ingress") || !strcmp(w, "clsact") ||
                   tc_matches(w, "estimator") || tc_matches(w, "stab") || tc_matches(w, "ingress_block") ||
                   tc_matches(w, "egress_block")) {
            cmd_error(c, "tc: \"%s\" is not available: only the root qdisc of a device can be set", w);
            return -TC_ST_OPT;
        } else {
            r->kind = w;
            return i + 1;
        }
    }
    return argc;
}

/* Linux's errno and extack as tc prints them. */
static int kernel_error(struct cmd_ctx *c, int err, const char *extack)
{
    if (extack) cmd_error(c, "tc: Error: %s.", extack);
    else cmd_error(c, "tc: RTNETLINK answers: %s", strerror(-err));
    return TC_ST_KERNEL;
}

static int qdisc_modify(struct cmd_ctx *c, const struct tc_opts *t, bool del, unsigned flags, int argc, char **argv)
{
    struct qdisc_req r;
    memset(&r, 0, sizeof(r));
    int first = parse_req(c, &r, argc, argv);
    if (first < 0) return -first;
    if (r.kind) {
        int st = parse_qopt(c, &r, argc - first, argv + first);
        if (st) return st;
    }
    struct netdev *d = r.dev ? netdev_by_name(t->net, r.dev) : NULL;
    if (r.dev && !d) return nodev(c, r.dev);
    if (!d) return kernel_error(c, -ENODEV, NULL);
    if (!r.root) {
        if (!r.handle) return kernel_error(c, -EINVAL, "Handle cannot be zero");
        cmd_error(c, "tc: only the root qdisc of a device can be set: add \"root\"");
        return TC_ST_OPT;
    }
    const char *extack = NULL;
    int err = del ? qdisc_delete_root(d, r.kind, r.handle, &extack)
                  : qdisc_modify_root(d, r.kind, r.handle, r.optlen ? &r.opt : NULL, r.optlen, flags, &extack);
    return err < 0 ? kernel_error(c, err, extack) : 0;
}

static int do_qdisc(struct cmd_ctx *c, const struct tc_opts *t, int argc, char **argv)
{
    if (argc < 1) return qdisc_list(c, t, 0, NULL);
    const char *w = argv[0];
    if (tc_matches(w, "add")) return qdisc_modify(c, t, false, QDISC_F_CREATE | QDISC_F_EXCL, argc - 1, argv + 1);
    if (tc_matches(w, "change")) return qdisc_modify(c, t, false, 0, argc - 1, argv + 1);
    if (tc_matches(w, "replace"))
        return qdisc_modify(c, t, false, QDISC_F_CREATE | QDISC_F_REPLACE, argc - 1, argv + 1);
    if (tc_matches(w, "link")) return qdisc_modify(c, t, false, QDISC_F_REPLACE, argc - 1, argv + 1);
    if (tc_matches(w, "delete")) return qdisc_modify(c, t, true, 0, argc - 1, argv + 1);
    if (tc_matches(w, "list") || tc_matches(w, "show") || tc_matches(w, "lst"))
        return qdisc_list(c, t, argc - 1, argv + 1);
    if (tc_matches(w, "help")) {
        cmd_printf(c, "Usage: tc qdisc [ add | del | replace | change | show ] dev STRING root\n"
                      "       [ handle QHANDLE ] [ QDISC_KIND [ OPTIONS ] ]\n"
                      "       tc qdisc { show | list } [ dev STRING ] [ root | handle QHANDLE ]\n"
                      "QDISC_KIND := { netem | pfifo | pfifo_fast | noqueue }\n");
        return 0;
    }
    cmd_error(c, "tc: Command \"%s\" is unknown, try \"tc qdisc help\".", w);
    return TC_ST_USAGE;
}

int cmd_tc(struct cmd_ctx *c, int argc, char **argv)
{
    struct tc_opts t = { .net = c->net };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--")) { i++; break; }
        if (tc_matches(o, "-stats") || tc_matches(o, "-statistics")) t.stats = true;
        else if (tc_matches(o, "-details")) {}
        else if (tc_matches(o, "-netns")) {
            if (++i >= argc) return incomplete(c);
            t.net = net_by_name(c->st, argv[i]);
            if (!t.net || !argv[i][0]) {
                cmd_error(c, "tc: Cannot open network namespace \"%s\": No such file or directory", argv[i]);
                return TC_ST_USAGE;
            }
        } else {
            cmd_error(c, "tc: Option \"%s\" is unknown, try \"tc -help\".", o);
            return TC_ST_USAGE;
        }
    }
    if (i >= argc) {
        cmd_error(c, "usage: tc [-s] [-n NS] qdisc [add|change|replace|del|show] ...");
        return TC_ST_USAGE;
    }
    if (tc_matches(argv[i], "qdisc")) return do_qdisc(c, &t, argc - i - 1, argv + i + 1);
    if (tc_matches(argv[i], "class") || tc_matches(argv[i], "filter") || tc_matches(argv[i], "chain") ||
        tc_matches(argv[i], "actions") || tc_matches(argv[i], "monitor")) {
        cmd_error(c, "tc: \"%s\" is not available: tc here manages root qdiscs (tc qdisc)", argv[i]);
        return TC_ST_USAGE;
    }
    cmd_error(c, "tc: Object \"%s\" is unknown, try \"tc help\".", argv[i]);
    return TC_ST_USAGE;
}
