/*
 * shell/cmd_tcpdump.c — `tcpdump -i DEV [-w FILE] [-c N] [-n] [-e] [-v]`: capture every
 * frame a device receives or sends, as Linux's packet taps do (struct ptap, net/netdev.h:
 * rx before the stack, tx just before the driver), and print each one as `tcpdump -n`
 * does (shell/decode.c) or write it to a pcap file through libpcap.
 *
 * What it prints follows tcpdump 4.99 on Linux:
 *   stderr  "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode"
 *           "listening on DEV, link-type EN10MB (Ethernet), snapshot length 262144 bytes"
 *           (with -v or -w: "tcpdump: listening on ...")
 *   stdout  "HH:MM:SS.uuuuuu LINE" per frame; the time is the stack clock in UTC (wall
 *           time when the clock is real, the virtual time in replay runs)
 *   stderr  at the end: "N packets captured", "N packets received by filter",
 *           "0 packets dropped by kernel" (after an empty line on stdout when interrupted,
 *           as tcpdump does in case a line was half printed)
 * It runs asynchronously: -c N ends it after N frames, Ctrl-C (c->interrupt) at once, and
 * the device going away (the tap's dev_gone, called by netdev_unregister; or
 * capture_detach_all) with tcpdump's "pcap_loop: The interface disappeared" and status 1. No filter expressions (no BPF here): extra words are an
 * error. -n is accepted and changes nothing (names are never resolved); -S, -l and -U are
 * accepted for the same reason (numbers are absolute, output unbuffered). On a loopback
 * device only the received copy of a frame is shown, as libpcap does on Linux.
 *
 * Also here, because they need the stack: pcap_tap_open/close (the replay mode's pcap
 * writer) and capture_detach_all, declared in shell/decode.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cmd.h"
#include "decode.h"
#include "net/netdev.h"
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#define SNAPLEN 262144

/* A pcap record for frame p, stamped with the stack clock. */
static void pcap_write(pcap_dumper_t *dumper, uint64_t now_us, const struct pkt *p)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(now_us / US_PER_S);
    h.ts.tv_usec = (suseconds_t)(now_us % US_PER_S);
    h.len = p->len;
    h.caplen = p->len < SNAPLEN ? p->len : SNAPLEN;
    pcap_dump((u_char *)dumper, &h, p->data);
    pcap_dump_flush(dumper);            /* a reader always sees whole records */
}

/* ================================================================== tcpdump command */

struct capture {
    struct ptap     tap;                /* on dev->taps while attached */
    struct cmd_ctx *c;
    struct netdev  *dev;                /* NULL once detached */
    pcap_t         *pd;                 /* -w: the "dead" handle the dumper belongs to */
    pcap_dumper_t  *dumper;
    unsigned long   count, limit;       /* frames seen; -c (0: no limit) */
    unsigned        flags;              /* DECODE_LINK | DECODE_VERBOSE */
    bool            stopping;
};

static void err_printf(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_printf(struct cmd_ctx *c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0) cmd_write(c, 2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static const char *plural(unsigned long n) { return n == 1 ? "" : "s"; }

/* End the capture: detach first (no frame may arrive while finishing), then tcpdump's
 * closing lines, then cmd_finish (which frees everything through capture_cleanup). */
static void capture_stop(struct capture *cap, bool interrupted, const char *error)
{
    if (cap->stopping) return;
    cap->stopping = true;
    struct cmd_ctx *c = cap->c;
    if (cap->dev) {
        ptap_del(cap->dev, &cap->tap);
        cap->dev = NULL;
    }
    if (interrupted && !cap->dumper) cmd_printf(c, "\n");
    if (error) err_printf(c, "tcpdump: pcap_loop: %s\n", error);
    err_printf(c, "%lu packet%s captured\n", cap->count, plural(cap->count));
    err_printf(c, "%lu packet%s received by filter\n", cap->count, plural(cap->count));
    err_printf(c, "0 packets dropped by kernel\n");
    cmd_finish(c, error ? 1 : 0);       /* cap and maybe c are gone after this */
}

static void capture_tap(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir)
{
    struct capture *cap = t->arg;
    if (cap->stopping) return;
    /* libpcap on Linux drops what the loopback device sends: it comes back as received */
    if (dir == PTAP_TX && (dev->flags & IFF_LOOPBACK)) return;
    uint64_t now = dev->net->st->now_us;
    cap->count++;
    if (cap->dumper) {
        pcap_write(cap->dumper, now, p);
    } else {
        char ts[32], small[2048], *line = small, *big = NULL;
        time_t secs = (time_t)(now / US_PER_S);
        struct tm tm;
        if (!gmtime_r(&secs, &tm)) memset(&tm, 0, sizeof(tm));
        snprintf(ts, sizeof(ts), "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(now % US_PER_S));
        size_t need = frame_decode_ex(small, sizeof(small), p->data, p->len, p->len, cap->flags);
        if (need >= sizeof(small) && (big = malloc(need + 1)) != NULL) {
            frame_decode_ex(big, need + 1, p->data, p->len, p->len, cap->flags);
            line = big;
        }
        cmd_printf(cap->c, "%s %s\n", ts, line);
        free(big);
    }
    if (cap->limit && cap->count >= cap->limit) capture_stop(cap, false, NULL);
}

/* The device is being unregistered; netdev_unregister has unlinked the tap already. */
static void capture_dev_gone(struct ptap *t, struct netdev *dev)
{
    struct capture *cap = t->arg;
    cap->dev = NULL;
    capture_stop(cap, false, "The interface disappeared");
}

static void capture_interrupt(struct cmd_ctx *c)
{
    if (c->priv) capture_stop(c->priv, true, NULL);
}

static void capture_cleanup(struct cmd_ctx *c)
{
    struct capture *cap = c->priv;
    if (!cap) return;
    if (cap->dev) ptap_del(cap->dev, &cap->tap);
    if (cap->dumper) pcap_dump_close(cap->dumper);
    if (cap->pd) pcap_close(cap->pd);
    free(cap);
}

int cmd_tcpdump(struct cmd_ctx *c, int argc, char **argv)
{
    const char *ifname = NULL, *file = NULL;
    unsigned long limit = 0;
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            cmd_error(c, "tcpdump: filter expressions are not supported: '%s'", a);
            return 1;
        }
        for (const char *o = a + 1; *o; o++) {
            char opt = *o;
            if (opt == 'n' || opt == 'S' || opt == 'l' || opt == 'U') continue;
            if (opt == 'e') { flags |= DECODE_LINK; continue; }
            if (opt == 'v') { flags |= DECODE_VERBOSE; continue; }
            if (opt != 'i' && opt != 'w' && opt != 'c') {
                cmd_error(c, "tcpdump: invalid option -- '%c'", opt);
                return 1;
            }
            /* getopt: the rest of this word, or the next one */
            const char *v = o[1] ? o + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                cmd_error(c, "tcpdump: option requires an argument -- '%c'", opt);
                return 1;
            }
            if (opt == 'i') ifname = v;
            else if (opt == 'w') file = v;
            else {
                char *end;
                errno = 0;
                long n = strtol(v, &end, 10);
                if (!*v || *end || errno || n <= 0) {
                    cmd_error(c, "tcpdump: invalid packet count %s", v);
                    return 1;
                }
                limit = (unsigned long)n;
            }
            break;
        }
    }

    struct netdev *dev = NULL;
    if (ifname) {
        dev = netdev_by_name(c->net, ifname);
        if (!dev) {
            cmd_error(c, "tcpdump: %s: No such device exists", ifname);
            return 1;
        }
    } else {
        /* as tcpdump: the first interface that is up and not a loopback */
        for (struct netdev *d = c->net->devs; d && !dev; d = d->next)
            if (netif_running(d) && !(d->flags & IFF_LOOPBACK)) dev = d;
        if (!dev) {
            cmd_error(c, "tcpdump: no suitable device found");
            return 1;
        }
    }

    struct capture *cap = calloc(1, sizeof(*cap));
    if (!cap) {
        cmd_error(c, "tcpdump: %s", strerror(ENOMEM));
        return 1;
    }
    if (file) {
        cap->pd = pcap_open_dead(DLT_EN10MB, SNAPLEN);
        if (cap->pd) cap->dumper = pcap_dump_open(cap->pd, file);
        if (!cap->dumper) {
            if (cap->pd) cmd_error(c, "tcpdump: %s", pcap_geterr(cap->pd));
            else cmd_error(c, "tcpdump: %s: %s", file, strerror(ENOMEM));
            if (cap->pd) pcap_close(cap->pd);
            free(cap);
            return 1;
        }
    }
    cap->c = c;
    cap->dev = dev;
    cap->limit = limit;
    cap->flags = flags;
    cap->tap.fn = capture_tap;
    cap->tap.dev_gone = capture_dev_gone;
    cap->tap.arg = cap;

    if (!(flags & DECODE_VERBOSE) && !file)
        err_printf(c, "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n");
    else
        err_printf(c, "tcpdump: ");
    err_printf(c, "listening on %s, link-type EN10MB (Ethernet), snapshot length %d bytes\n", dev->name, SNAPLEN);

    c->priv = cap;
    c->cleanup = capture_cleanup;
    c->interrupt = capture_interrupt;
    ptap_add(dev, &cap->tap);
    return CMD_ASYNC;
}

/* ============================================================ pcap writer for replays */

struct pcap_tap {
    struct ptap    tap;
    struct netdev *dev;                 /* NULL once the device went away */
    pcap_t        *pd;
    pcap_dumper_t *dumper;
    int            dirmask;
};

static void pcap_tap_fn(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir)
{
    struct pcap_tap *pt = t->arg;
    if (dir & pt->dirmask) pcap_write(pt->dumper, dev->net->st->now_us, p);
}

/* The device is going away: keep the file (valid up to here) until pcap_tap_close. */
static void pcap_tap_dev_gone(struct ptap *t, struct netdev *dev)
{
    struct pcap_tap *pt = t->arg;
    pt->dev = NULL;
}

struct pcap_tap *pcap_tap_open(struct netdev *dev, const char *file, int dirmask, char *err, size_t errlen)
{
    struct pcap_tap *pt = calloc(1, sizeof(*pt));
    if (pt) pt->pd = pcap_open_dead(DLT_EN10MB, SNAPLEN);       /* microsecond timestamps */
    if (pt && pt->pd) pt->dumper = pcap_dump_open(pt->pd, file);
    if (!pt || !pt->dumper) {
        if (err && errlen) {
            if (pt && pt->pd) snprintf(err, errlen, "%s", pcap_geterr(pt->pd));
            else snprintf(err, errlen, "%s: %s", file, strerror(ENOMEM));
        }
        if (pt && pt->pd) pcap_close(pt->pd);
        free(pt);
        return NULL;
    }
    pt->dev = dev;
    pt->dirmask = dirmask;
    pt->tap.fn = pcap_tap_fn;
    pt->tap.dev_gone = pcap_tap_dev_gone;
    pt->tap.arg = pt;
    ptap_add(dev, &pt->tap);
    return pt;
}

void pcap_tap_close(struct pcap_tap *pt)
{
    if (!pt) return;
    if (pt->dev) ptap_del(pt->dev, &pt->tap);
    pcap_dump_close(pt->dumper);
    pcap_close(pt->pd);
    free(pt);
}

/* ==================================================================== device removal */

/* What netdev_unregister does through dev_gone, for this file's taps only. */
void capture_detach_all(struct netdev *dev)
{
    /* A stop may change the list (a finished command's successor may capture too), so
     * start over from the head after every one. */
    for (struct ptap *t = dev->taps; t; ) {
        if (t->fn == capture_tap || t->fn == pcap_tap_fn) {
            ptap_del(dev, t);
            t->dev_gone(t, dev);
            t = dev->taps;
        } else {
            t = t->next;
        }
    }
}
