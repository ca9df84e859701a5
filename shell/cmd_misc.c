/*
 * shell/cmd_misc.c — sysctl, nstat, trace, sleep, echo.
 */
#include "cmd.h"
#include "net/netdev.h"
#include "net/sysctl.h"
#include "icmp/icmp.h"
#include "udp/udp.h"
#include "decode.h"
#include <errno.h>
#include <stdlib.h>

/* ---- sysctl (procps-ng's sysctl) ---- */

static void sysctl_print(struct cmd_ctx *c, const struct sysctl_entry *e, bool value_only)
{
    char v[64];                     /* a vector: three ints, tab-separated */
    sysctl_format(e, v, sizeof(v));
    if (value_only) cmd_printf(c, "%s\n", v);
    else cmd_printf(c, "%s = %s\n", e->name, v);
}

static int sysctl_one(struct cmd_ctx *c, const char *arg, bool write, bool value_only)
{
    char key[128];
    const char *eq = strchr(arg, '=');
    if (write && !eq) {
        cmd_error(c, "sysctl: \"%s\" must be of the form name=value", arg);
        return 1;
    }
    size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
    if (klen >= sizeof(key)) klen = sizeof(key) - 1;
    memcpy(key, arg, klen);
    key[klen] = 0;
    while (klen && key[klen - 1] == ' ') key[--klen] = 0;
    struct sysctl_entry *e = sysctl_find(c->net, key);
    if (!e) {
        char path[160];
        snprintf(path, sizeof(path), "%s", key);
        for (char *p = path; *p; p++) if (*p == '.') *p = '/';
        cmd_error(c, "sysctl: cannot stat /proc/sys/%s: No such file or directory", path);
        return 1;
    }
    if (eq) {
        const char *val = eq + 1;
        while (*val == ' ') val++;
        int err = sysctl_write(c->net, e, val);
        if (err) {
            cmd_error(c, "sysctl: setting key \"%s\": %s", key, err == -ERANGE ? "Invalid argument" : "Invalid argument");
            return 1;
        }
    }
    sysctl_print(c, e, value_only);
    return 0;
}

int cmd_sysctl(struct cmd_ctx *c, int argc, char **argv)
{
    bool write = false, value_only = false, all = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'w') write = true;
            else if (*f == 'n') value_only = true;
            else if (*f == 'a' || *f == 'A') all = true;
            else if (*f == 'q') ;
            else { cmd_error(c, "sysctl: unknown option -%c", *f); return 2; }
        }
    }
    if (all || i == argc) {
        if (!all) { cmd_error(c, "sysctl: no variables specified (try sysctl -a)"); return 2; }
        struct sysctl_table *t = c->net->sysctl;
        /* sorted by name, as sysctl -a prints */
        int *idx = malloc(sizeof(int) * (size_t)(t->n ? t->n : 1));
        if (!idx) return 1;
        for (int k = 0; k < t->n; k++) idx[k] = k;
        for (int a = 1; a < t->n; a++)
            for (int b = a; b > 0 && strcmp(t->v[idx[b - 1]].name, t->v[idx[b]].name) > 0; b--) {
                int tmp = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = tmp;
            }
        for (int k = 0; k < t->n; k++) sysctl_print(c, &t->v[idx[k]], value_only);
        free(idx);
        return 0;
    }
    int status = 0;
    for (; i < argc; i++)
        status |= sysctl_one(c, argv[i], write || strchr(argv[i], '='), value_only);
    return status;
}

/* ---- nstat (iproute2): increments since the last call ---- */

int cmd_nstat(struct cmd_ctx *c, int argc, char **argv)
{
    bool absolute = false, zeros = false, no_update = false, no_output = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') { cmd_error(c, "nstat: unexpected argument \"%s\"", argv[i]); return 1; }
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'a') absolute = true;
            else if (*f == 'z') zeros = true;
            else if (*f == 's') no_update = true;
            else if (*f == 'n') no_output = true;       /* update history only */
            else { cmd_error(c, "nstat: invalid option -- '%c'", *f); return 1; }
        }
    }
    struct net *net = c->net;
    struct icmpmsg_mib *msg = icmpmsg_mib(net);
    if (no_output) goto update;
    cmd_printf(c, "#kernel\n");
    for (int i = 0; i < MIB_MAX; i++) {
        uint64_t v = net->mib.v[i] - (absolute ? 0 : net->mib_seen.v[i]);
        if (v || zeros) cmd_printf(c, "%-32s%-16llu%6.1f\n", mib_name((enum mib_id)i), (unsigned long long)v, 0.0);
        if (i == MIB_IcmpOutEchoReps && msg) {
            /* IcmpMsg: only the types seen at all, as /proc/net/snmp lists them */
            for (int t = 0; t < 256; t++) {
                char name[32];
                uint64_t in = msg->in[t] - (absolute ? 0 : msg->in_seen[t]);
                uint64_t out = msg->out[t] - (absolute ? 0 : msg->out_seen[t]);
                snprintf(name, sizeof(name), "IcmpMsgInType%d", t);
                if (in || (zeros && msg->in[t])) cmd_printf(c, "%-32s%-16llu%6.1f\n", name, (unsigned long long)in, 0.0);
                snprintf(name, sizeof(name), "IcmpMsgOutType%d", t);
                if (out || (zeros && msg->out[t])) cmd_printf(c, "%-32s%-16llu%6.1f\n", name, (unsigned long long)out, 0.0);
            }
        }
    }
    /* Drop reasons (Linux keeps these only in tracepoints; here they are counters). */
    for (int i = 1; i < DROP_MAX; i++) {
        uint64_t v = net->drops[i] - (absolute ? 0 : net->drops_seen[i]);
        char name[48];
        snprintf(name, sizeof(name), "TsDrop%s", drop_name((enum drop)i));
        if (v || zeros) cmd_printf(c, "%-32s%-16llu%6.1f\n", name, (unsigned long long)v, 0.0);
    }
update:
    if (!no_update) {
        net->mib_seen = net->mib;
        if (msg) {
            memcpy(msg->in_seen, msg->in, sizeof(msg->in_seen));
            memcpy(msg->out_seen, msg->out, sizeof(msg->out_seen));
        }
        memcpy(net->drops_seen, net->drops, sizeof(net->drops));
    }
    return 0;
}

/* ---- trace on [-v] [DEV] | trace off [DEV] ---- */

/* The summary that begins a journey (the stack's trace_summary hook): tcpdump -n's line
 * for the frame. VXLAN is decoded on 4789 as tcpdump does, and also on 8472 (Linux's
 * historic VXLAN port, flannel's; tcpdump reads it as OTV unless told -T vxlan) and on
 * the port of every encapsulation socket of the namespace (a vxlan device's dstport),
 * so an encapsulated frame shows its outer and its inner packet. */
#define TRACE_VXLAN_PORTS 8
struct encap_ports { uint16_t port[TRACE_VXLAN_PORTS]; unsigned n; };

static void add_encap_port(struct sock *sk, void *arg)
{
    struct encap_ports *e = arg;
    if (e->n < TRACE_VXLAN_PORTS && udp_sk_is_encap(sk)) e->port[e->n++] = sk->local.port;
}

static void trace_frame_summary(struct net *net, const uint8_t *frame, size_t len, char *out, size_t n)
{
    struct encap_ports e = { .port = { 8472 }, .n = 1 };
    udp_for_each(net, add_encap_port, &e);
    const struct decode_opts o = { .flags = 0, .vxlan_ports = e.port, .n_vxlan_ports = e.n };
    frame_decode_opts(out, n, frame, len, len, &o);
}

static void trace_recompute(struct stack *st)
{
    bool any = false;
    for (struct net *n = st->nets; n && !any; n = n->next) {
        any = n->trace_all;
        for (struct netdev *d = n->devs; d && !any; d = d->next) any = d->trace;
    }
    st->tracing = any;
}

int cmd_trace(struct cmd_ctx *c, int argc, char **argv)
{
    const char *name = NULL;
    bool on = argc >= 2 && !strcmp(argv[1], "on"), bad = argc < 2 || (!on && strcmp(argv[1], "off"));
    uint8_t level = on;
    for (int i = 2; i < argc && !bad; i++) {
        if (on && !strcmp(argv[i], "-v")) level = 2;            /* one stage a line */
        else if (!name && argv[i][0] != '-') name = argv[i];
        else bad = true;
    }
    if (bad) {
        cmd_error(c, "trace: usage: trace on [-v] [DEV] | trace off [DEV]");
        return 2;
    }
    if (name) {
        struct netdev *d = netdev_by_name(c->net, name);
        if (!d) { cmd_error(c, "trace: Cannot find device \"%s\"", name); return 1; }
        d->trace = level;
    } else {
        c->net->trace_all = level;
        if (!on) for (struct netdev *d = c->net->devs; d; d = d->next) d->trace = 0;
    }
    c->st->trace_summary = trace_frame_summary;
    trace_recompute(c->st);
    return 0;
}

/* ---- sleep: waits on the stack clock, so replay runs advance virtual time ---- */

struct sleep_state { struct timer t; struct cmd_ctx *c; };

static void sleep_done(struct timer *t, void *arg)
{
    struct sleep_state *s = arg;
    cmd_finish(s->c, 0);
}

static void sleep_cleanup(struct cmd_ctx *c)
{
    struct sleep_state *s = c->priv;
    timer_stop(c->st, &s->t);
    free(s);
}

static void sleep_interrupt(struct cmd_ctx *c) { cmd_finish(c, 130); }

int cmd_sleep(struct cmd_ctx *c, int argc, char **argv)
{
    char *end;
    double secs = argc == 2 ? strtod(argv[1], &end) : -1;
    if (argc != 2 || *end || secs < 0 || secs > 86400 * 365) {
        cmd_error(c, "sleep: invalid time interval '%s'", argc > 1 ? argv[1] : "");
        return 1;
    }
    struct sleep_state *s = calloc(1, sizeof(*s));
    if (!s) return 1;
    s->c = c;
    timer_init(&s->t, sleep_done, s);
    c->priv = s;
    c->cleanup = sleep_cleanup;
    c->interrupt = sleep_interrupt;
    timer_arm_in(c->st, &s->t, (uint64_t)(secs * 1e6));
    return CMD_ASYNC;
}

int cmd_echo(struct cmd_ctx *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) cmd_printf(c, "%s%s", argv[i], i + 1 < argc ? " " : "");
    cmd_printf(c, "\n");
    return 0;
}
