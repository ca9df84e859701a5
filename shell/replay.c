/*
 * shell/replay.c — deterministic runs: `tapstack --replay IN.pcap --dev NAME --out OUT.pcap`.
 *
 * A virtual clock drives every timer. The clock starts at the first input frame's
 * timestamp (0 with no frames). The -f script runs first, line by line; a command that
 * takes time (ping, sleep) advances the virtual clock until it finishes, and every input
 * frame whose timestamp is reached on the way enters device NAME then. After the script,
 * the remaining frames enter at their times. Every frame the stack sends on NAME is
 * written to OUT.pcap at the virtual time it left. Randomness comes from --seed (default 1),
 * so the same inputs give a byte-identical OUT.pcap.
 *
 * TAP devices here are not real: `ip link add X type tap` (and the default lab's tap0)
 * make a replay device whose transmit only feeds the capture.
 */
#include "app.h"
#include "decode.h"
#include "ip/inet.h"
#include "net/netdev.h"
#include "net/tap.h"
#include "net/tap_link.h"
#include "net/netlink.h"
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

#define REPLAY_MAX_US (24ULL * 3600 * US_PER_S)    /* one virtual day bounds any command */

struct frame { uint64_t t_us; uint32_t len; uint8_t *data; };

struct replay {
    struct app app;
    struct session s;
    const char *dev_name, *out_path;
    struct pcap_tap *out;
    struct frame *frames;
    size_t nframes, next;
    uint64_t start_us;
    bool out_error;
    struct tap_backend tap_backend;     /* the tap link kind creates devices here */
};

static void replay_write(void *io, int fd, const char *buf, size_t n)
{
    if (fd == 2) fflush(stdout);        /* keep stdout and stderr in the order written */
    fwrite(buf, 1, n, fd == 2 ? stderr : stdout);
    if (fd == 2) fflush(stderr);
}

static void replay_log(void *arg, const char *line) { printf("%s\n", line); }

static int replay_xmit(struct netdev *dev, struct pkt *p) { pkt_free(p); return 0; }
static const struct netdev_ops replay_tap_ops = { .kind = "tap", .xmit = replay_xmit, .xmit_name = "tap_xmit" };

/* The tap kind's backend: a device whose transmit feeds the capture of --dev NAME. */
static int replay_tap_create(void *ctx, struct net *net, const char *name, const char *ifname,
                             struct extack *ext)
{
    struct replay *r = ctx;
    struct netdev *dev = netdev_alloc(net, name, &replay_tap_ops, 0);
    if (!dev) return -ENOMEM;
    netdev_random_mac(net->st, &dev->addr);
    netif_carrier_on(dev);
    int err = netdev_register(dev);
    if (err < 0) { free(dev); return err; }
    if (!r->out && net == net->st->init_net && !strcmp(name, r->dev_name)) {
        char msg[256];
        r->out = pcap_tap_open(dev, r->out_path, PTAP_TX, msg, sizeof(msg));
        if (!r->out) {
            r->out_error = true;
            NL_SET_ERR_MSG_FMT(ext, "%s", msg);
            return -EIO;
        }
    }
    return 0;
}

static bool load_frames(struct replay *r, const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, errbuf);
    if (!pc) { fprintf(stderr, "tapstack: %s\n", errbuf); return false; }
    if (pcap_datalink(pc) != DLT_EN10MB) {
        fprintf(stderr, "tapstack: %s: not an Ethernet capture\n", path);
        pcap_close(pc);
        return false;
    }
    size_t cap = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        if (r->nframes == cap) {
            cap = cap ? cap * 2 : 64;
            struct frame *v = realloc(r->frames, cap * sizeof(*v));
            if (!v) { pcap_close(pc); return false; }
            r->frames = v;
        }
        struct frame *f = &r->frames[r->nframes];
        f->t_us = (uint64_t)h->ts.tv_sec * US_PER_S + (uint64_t)h->ts.tv_usec;
        f->len = h->caplen;
        f->data = malloc(h->caplen ? h->caplen : 1);
        if (!f->data) { pcap_close(pc); return false; }
        memcpy(f->data, data, h->caplen);
        r->nframes++;
    }
    pcap_close(pc);
    return true;
}

static void inject_due(struct replay *r)
{
    struct stack *st = r->app.st;
    while (r->next < r->nframes && r->frames[r->next].t_us <= st->now_us) {
        struct frame *f = &r->frames[r->next++];
        struct netdev *dev = netdev_by_name(st->init_net, r->dev_name);
        if (!dev) { fprintf(stderr, "tapstack: replay: no device %s for frame %zu\n", r->dev_name, r->next); continue; }
        struct pkt *p = pkt_alloc(&st->pool, f->len);
        if (!p) { st->init_net->drops[DROP_NOMEM]++; continue; }
        memcpy(pkt_put(p, f->len), f->data, f->len);
        netif_receive(dev, p);
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
        if (r->next < r->nframes && r->frames[r->next].t_us < t) t = r->frames[r->next].t_us;
        if (t > until) { if (until > st->now_us) st->now_us = until; return; }
        if (t > st->now_us) st->now_us = t;
    }
    fprintf(stderr, "tapstack: replay: too many events without progress\n");
}


int replay_main(const struct app_opts *o)
{
    struct replay *r = calloc(1, sizeof(*r));
    if (!r) return 1;
    r->dev_name = o->replay_dev;
    r->out_path = o->replay_out;
    int status = 0;
    if (!load_frames(r, o->replay_in)) { status = 1; goto out_frames; }
    r->start_us = r->nframes ? r->frames[0].t_us : 0;
    struct stack_cfg cfg = { .seed = o->seed ? o->seed : 1, .virtual_clock = true, .start_us = r->start_us };
    struct stack *st = inet_stack_new(&cfg);
    r->tap_backend = (struct tap_backend){ .create = replay_tap_create, .ctx = r };
    if (!st || tap_link_register(st, &r->tap_backend) < 0) { stack_free(st); status = 1; goto out_frames; }
    r->app.st = st;
    st->log = replay_log;
    session_init(&r->s, &r->app, replay_write, r);
    char err[256];
    if (!o->empty && app_default_lab(&r->app, false, err, sizeof(err)) < 0) {
        fprintf(stderr, "tapstack: default lab: %s\n", err);
        status = 1;
        goto out;
    }
    if (o->file) {
        FILE *f = fopen(o->file, "r");
        if (!f) { fprintf(stderr, "tapstack: %s: %s\n", o->file, strerror(errno)); status = 1; goto out; }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) >= 0) {
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
            session_feed(&r->s, line);
        }
        free(line);
        fclose(f);
    }
    /* Run the script: each line to completion on the virtual clock. */
    session_pump(&r->s);
    while (!r->app.quit && (r->s.busy || r->s.next < r->s.nlines)) {
        if (!r->s.busy) { session_pump(&r->s); continue; }
        advance(r, st->now_us + REPLAY_MAX_US, true);
        if (r->s.busy && stack_next_deadline(st) == UINT64_MAX && r->next >= r->nframes) {
            fprintf(stderr, "tapstack: replay: command waits for something that cannot happen\n");
            session_interrupt(&r->s);
            app_run_pending(&r->app);
        }
    }
    if (!r->out && !r->out_error) {
        fprintf(stderr, "tapstack: replay: device %s was never created\n", r->dev_name);
        status = 1;
    }
    /* The rest of the input, at its own times. */
    if (r->nframes) advance(r, r->frames[r->nframes - 1].t_us, false);
    inject_due(r);
    stack_poll(st);
    if (r->out_error) status = 1;
out:
    session_free(&r->s);
    pcap_tap_close(r->out);         /* before its device goes with the stack */
    serve_shutdown(st);             /* background servers close their sockets first */
    stack_free(st);
out_frames:
    for (size_t i = 0; i < r->nframes; i++) free(r->frames[i].data);
    free(r->frames);
    free(r);
    fflush(stdout);
    return status;
}
