/*
 * shell/replay.c — deterministic runs on a virtual clock, with one or more replay devices:
 *
 *   tapstack --replay IN.pcap --dev NAME --out OUT.pcap [-n] [-f FILE] [--seed N]
 *   tapstack --replay --dev [NS/]NAME=[IN.pcap]:OUT.pcap [--dev ...] [-n] [-f FILE] [--seed N]
 *
 * The first form is the second with one device: `--dev NAME=IN.pcap:OUT.pcap`. Each --dev
 * is a port: the device NAME in namespace NS (none: the default namespace), the frames of
 * IN.pcap that enter it (none when IN is empty), and OUT.pcap, where every frame the stack
 * sends on it is written at the virtual time it left.
 *
 * Devices and namespaces come from the -f script (and the default lab's tap0 unless -n):
 * in replay mode `ip link add X type tap` makes a replay device, whose transmit only
 * feeds the capture. A port binds to the first replay device that appears as NAME in NS
 * — created there, or moved there with `ip link set X netns NS` — and stays with it until
 * the device is deleted. A frame due while its port has no device is reported and lost.
 *
 * The virtual clock starts at the earliest first frame of all inputs (0 with no frames).
 * The script runs first, line by line; a command that takes time (ping, sleep) advances
 * the clock until it finishes, and every input frame whose timestamp is reached on the
 * way enters its device then. After the script, the remaining frames enter at their
 * times. Frames of several inputs merge in time order; frames with the same time enter
 * in the order of the --dev options, and each input keeps its own file order. Randomness
 * comes from --seed (default 1), so the same inputs give byte-identical OUT.pcap files.
 */
#include "app.h"
#include "decode.h"
#include "ip/inet.h"
#include "net/netdev.h"
#include "net/tap.h"
#include "net/tap_link.h"
#include "net/netlink.h"
#include "pcap_file.h"
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

#define REPLAY_MAX_US (24ULL * 3600 * US_PER_S)    /* one virtual day bounds any command */


/* One --dev: a device by namespace and name, its input frames and its capture. */
struct replay_port {
    char ns[32], name[IFNAMSIZ];    /* ns "": the default namespace */
    char *paths;                    /* our copy of "IN:OUT", split in place */
    const char *in_path, *out_path; /* in_path NULL: no input */
    struct pcap_file in;            /* IN.pcap, read whole */
    const struct pcap_rec *frames;  /* its records */
    size_t nframes, next;
    struct netdev *dev;             /* the bound device; NULL before and after it */
    bool bound;                     /* it had a device once */
    struct pcap_tap *out;
};

struct replay {
    struct app app;
    struct session s;
    struct replay_port *ports;
    size_t nports;
    bool out_error;
    struct tap_backend tap_backend;     /* the tap link kind creates devices here */
};

/* The private part of a replay device. */
struct replay_tap {
    struct replay *r;
    struct replay_port *port;       /* NULL until a port claims the device */
};

static void replay_write(void *io, int fd, const char *buf, size_t n)
{
    if (fd == 2) fflush(stdout);        /* keep stdout and stderr in the order written */
    fwrite(buf, 1, n, fd == 2 ? stderr : stdout);
    if (fd == 2) fflush(stderr);
}

static void replay_log(void *arg, const char *line) { printf("%s\n", line); }

/* ---- replay devices and their ports ---- */

static int replay_xmit(struct netdev *dev, struct pkt *p) { pkt_free(p); return 0; }

static void replay_tap_destroy(struct netdev *dev)
{
    struct replay_tap *rt = dev->priv;
    if (rt->port) rt->port->dev = NULL;     /* its capture detached itself (dev_gone) */
}

static const struct netdev_ops replay_tap_ops = {
    .kind = "tap", .xmit = replay_xmit, .destroy = replay_tap_destroy, .xmit_name = "tap_xmit",
};

static bool port_matches(const struct replay_port *pt, const struct netdev *dev)
{
    struct stack *st = dev->net->st;
    return !pt->bound && !strcmp(pt->name, dev->name) && net_by_name(st, pt->ns) == dev->net;
}

/* A device appeared in a namespace (NETDEV_REGISTER: created, or moved there): the first
 * replay device that appears as a port's NS/NAME becomes that port's device. */
static void replay_netdev_event(struct netdev *dev, enum net_event ev, const void *info)
{
    if (ev != NETDEV_REGISTER || dev->ops != &replay_tap_ops) return;
    struct replay_tap *rt = dev->priv;
    if (rt->port) return;                   /* already bound: the port follows its device */
    struct replay *r = rt->r;
    for (size_t i = 0; i < r->nports; i++) {
        struct replay_port *pt = &r->ports[i];
        if (!port_matches(pt, dev)) continue;
        char err[256];
        pt->out = pcap_tap_open(dev, pt->out_path, PTAP_TX, err, sizeof(err));
        if (!pt->out) {
            fprintf(stderr, "tapstack: replay: %s: %s\n", pt->out_path, err);
            r->out_error = true;
        }
        pt->dev = dev;
        pt->bound = true;
        rt->port = pt;
        return;
    }
}

/* The tap kind's backend: a device whose transmit feeds the capture of --dev NAME. */
static int replay_tap_create(void *ctx, struct net *net, const char *name, const char *ifname,
                             struct extack *ext)
{
    struct replay *r = ctx;
    struct netdev *dev = netdev_alloc(net, name, &replay_tap_ops, sizeof(struct replay_tap));
    if (!dev) return -ENOMEM;
    struct replay_tap *rt = dev->priv;
    rt->r = r;
    dev->hw_features = NETIF_F_RXCSUM;      /* `ethtool -K DEV rx on`: see inject_due */
    netdev_random_mac(net->st, &dev->addr);
    netif_carrier_on(dev);
    int err = netdev_register(dev);     /* replay_netdev_event binds a waiting --dev */
    if (err < 0) { free(dev); return err; }
    return 0;
}

/* ---- the ports: parsing and input ---- */

/* "[NS/]NAME" into the port. */
static bool port_set_name(struct replay_port *pt, const char *s, size_t len)
{
    const char *slash = memchr(s, '/', len);
    size_t nslen = slash ? (size_t)(slash - s) : 0;
    const char *name = slash ? slash + 1 : s;
    size_t namelen = len - (size_t)(name - s);
    if ((slash && !nslen) || nslen >= sizeof(pt->ns) || !namelen || namelen >= sizeof(pt->name) ||
        memchr(name, '/', namelen))
        return false;
    memcpy(pt->ns, s, nslen);
    memcpy(pt->name, name, namelen);
    return true;
}

/* --dev [NS/]NAME=[IN]:OUT, split at the first '=' and the last ':'; or the legacy
 * --dev NAME with --replay IN and --out OUT. */
static bool port_parse(struct replay_port *pt, const char *arg, const struct app_opts *o)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        pt->in_path = o->replay_in;
        pt->out_path = o->replay_out;
        return port_set_name(pt, arg, strlen(arg));
    }
    if (!port_set_name(pt, arg, (size_t)(eq - arg)) || !(pt->paths = strdup(eq + 1))) return false;
    char *colon = strrchr(pt->paths, ':');
    if (!colon || !colon[1]) return false;
    *colon = 0;
    pt->in_path = pt->paths[0] ? pt->paths : NULL;
    pt->out_path = colon + 1;
    return true;
}

static const char *port_label(const struct replay_port *pt, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", pt->ns, pt->ns[0] ? "/" : "", pt->name);
    return buf;
}

/* Parse every --dev; refuse two ports for one device or one file for two captures. */
static bool ports_parse(struct replay *r, const struct app_opts *o)
{
    r->ports = calloc((size_t)o->n_replay_devs, sizeof(*r->ports));
    if (!r->ports) return false;
    for (int i = 0; i < o->n_replay_devs; i++) {
        struct replay_port *pt = &r->ports[r->nports++];
        if (!port_parse(pt, o->replay_devs[i], o)) {
            fprintf(stderr, "tapstack: --dev %s: expected [NS/]NAME=[IN.pcap]:OUT.pcap\n", o->replay_devs[i]);
            return false;
        }
        for (int k = 0; k < i; k++) {
            const struct replay_port *q = &r->ports[k];
            char a[64];
            if (!strcmp(q->ns, pt->ns) && !strcmp(q->name, pt->name)) {
                fprintf(stderr, "tapstack: --dev %s given twice\n", port_label(pt, a, sizeof(a)));
                return false;
            }
            if (!strcmp(q->out_path, pt->out_path)) {
                fprintf(stderr, "tapstack: %s is the output of two devices\n", pt->out_path);
                return false;
            }
        }
    }
    return true;
}

static bool load_frames(struct replay_port *pt)
{
    if (!pt->in_path) return true;
    char err[512];
    if (pcap_file_load(&pt->in, pt->in_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "tapstack: %s\n", err);
        return false;
    }
    pt->frames = pt->in.recs;
    pt->nframes = pt->in.n;
    return true;
}

static void ports_free(struct replay *r)
{
    for (size_t i = 0; i < r->nports; i++) {
        struct replay_port *pt = &r->ports[i];
        pcap_file_free(&pt->in);
        free(pt->paths);
    }
    free(r->ports);
}

/* The port whose next frame is due first; ties go to the earlier --dev. NULL: none left. */
static struct replay_port *next_port(struct replay *r)
{
    struct replay_port *best = NULL;
    for (size_t i = 0; i < r->nports; i++) {
        struct replay_port *pt = &r->ports[i];
        if (pt->next < pt->nframes && (!best || pt->frames[pt->next].t_us < best->frames[best->next].t_us))
            best = pt;
    }
    return best;
}

static void inject_due(struct replay *r)
{
    struct stack *st = r->app.st;
    struct replay_port *pt;
    while ((pt = next_port(r)) && pt->frames[pt->next].t_us <= st->now_us) {
        const struct pcap_rec *f = &pt->frames[pt->next++];
        if (!pt->dev) {
            char a[64];
            fprintf(stderr, "tapstack: replay: no device %s for frame %zu\n", port_label(pt, a, sizeof(a)), pt->next);
            continue;
        }
        struct pkt *p = pkt_alloc(&st->pool, f->len);
        if (!p) { pt->dev->net->drops[DROP_NOMEM]++; continue; }
        memcpy(pkt_put(p, f->len), f->data, f->len);
        if (pt->dev->features & NETIF_F_RXCSUM) {
            /* rx-checksumming on: the device stands for a link whose frames come verified
             * (the kernel's TAP marks what its own stack sent DATA_VALID or NEEDS_CSUM),
             * so they go up as CHECKSUM_UNNECESSARY, unchecked. Off by default. */
            p->ip_summed = CHECKSUM_UNNECESSARY;
            pt->dev->offload_stats.rx_csum_unnecessary++;
        }
        netif_receive(pt->dev, p);
        stack_poll(st);
    }
}

/* Advance virtual time up to `until`; with until_idle, stop as soon as the script's
 * running command has finished (the next line runs at that same virtual time). */
static void advance(struct replay *r, uint64_t until, bool until_idle)
{
    struct stack *st = r->app.st;
    for (unsigned long guard = 0; guard < 50000000UL; guard++) {
        inject_due(r);
        stack_poll(st);
        app_run_pending(&r->app);
        if ((until_idle && !r->s.busy) || r->app.quit) return;
        uint64_t t = stack_next_deadline(st);
        struct replay_port *pt = next_port(r);
        if (pt && pt->frames[pt->next].t_us < t) t = pt->frames[pt->next].t_us;
        if (t > until) { if (until > st->now_us) st->now_us = until; return; }
        if (t > st->now_us) st->now_us = t;
    }
    fprintf(stderr, "tapstack: replay: too many events without progress\n");
}

/* Run the script: each line to completion on the virtual clock. */
static void run_script(struct replay *r)
{
    struct stack *st = r->app.st;
    session_pump(&r->s);
    while (!r->app.quit && (r->s.busy || r->s.next < r->s.nlines)) {
        if (!r->s.busy) { session_pump(&r->s); continue; }
        advance(r, st->now_us + REPLAY_MAX_US, true);
        if (r->s.busy && stack_next_deadline(st) == UINT64_MAX && !next_port(r)) {
            fprintf(stderr, "tapstack: replay: command waits for something that cannot happen\n");
            session_interrupt(&r->s);
            app_run_pending(&r->app);
        }
    }
}

static bool feed_script(struct replay *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "tapstack: %s: %s\n", path, strerror(errno)); return false; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        session_feed(&r->s, line);
    }
    free(line);
    fclose(f);
    return true;
}

int replay_main(const struct app_opts *o)
{
    struct replay *r = calloc(1, sizeof(*r));
    if (!r) return 1;
    int status = 0;
    if (!ports_parse(r, o)) { status = 2; goto out_ports; }
    bool any = false;
    uint64_t start_us = 0, last_us = 0;     /* first frames' earliest, last frames' latest */
    for (size_t i = 0; i < r->nports; i++) {
        struct replay_port *pt = &r->ports[i];
        if (!load_frames(pt)) { status = 1; goto out_ports; }
        if (!pt->nframes) continue;
        if (!any || pt->frames[0].t_us < start_us) start_us = pt->frames[0].t_us;
        if (!any || pt->frames[pt->nframes - 1].t_us > last_us) last_us = pt->frames[pt->nframes - 1].t_us;
        any = true;
    }
    struct stack_cfg cfg = { .seed = o->seed ? o->seed : 1, .virtual_clock = true, .start_us = start_us };
    struct stack *st = inet_stack_new(&cfg);
    r->tap_backend = (struct tap_backend){ .create = replay_tap_create, .ctx = r };
    if (!st || tap_link_register(st, &r->tap_backend) < 0) { stack_free(st); status = 1; goto out_ports; }
    r->app.st = st;
    st->log = replay_log;
    if (net_notifier_register(st, replay_netdev_event) < 0) {
        fprintf(stderr, "tapstack: replay: too many device notifiers\n");
        status = 1;
        goto out_stack;
    }
    session_init(&r->s, &r->app, replay_write, r);
    char err[256];
    if (!o->empty && app_default_lab(&r->app, false, err, sizeof(err)) < 0) {
        fprintf(stderr, "tapstack: default lab: %s\n", err);
        status = 1;
        goto out;
    }
    if (o->file && !feed_script(r, o->file)) { status = 1; goto out; }
    run_script(r);
    for (size_t i = 0; i < r->nports; i++) {
        char a[64];
        if (r->ports[i].bound) continue;
        fprintf(stderr, "tapstack: replay: device %s was never created\n", port_label(&r->ports[i], a, sizeof(a)));
        status = 1;
    }
    /* The rest of the input, at its own times. */
    if (any) advance(r, last_us, false);
    inject_due(r);
    stack_poll(st);
    if (r->out_error) status = 1;
out:
    session_free(&r->s);
    for (size_t i = 0; i < r->nports; i++)
        pcap_tap_close(r->ports[i].out);        /* before its device goes with the stack */
out_stack:
    serve_shutdown(st);             /* background servers close their sockets first */
    stack_free(st);
out_ports:
    ports_free(r);
    free(r);
    fflush(stdout);
    return status;
}
