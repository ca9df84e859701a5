/*
 * shell/live.c — the live program: libev loop, real clock, TAP receive (NAPI-style
 * polls), the console (terminal, -f file, piped stdin) and the control socket server.
 *
 * The loop: a TAP fd becoming readable is the interrupt, and its io callback is the
 * poll: it reads at most dev_weight (64) frames, with one clock reading for the batch.
 * A device with frames left stays readable, so level-triggered epoll reports it again on
 * the next loop turn, after the other devices and the stack's own work: the round robin
 * of Linux's net_rx_action, without masking and unmasking the fd (no epoll_ctl) and
 * without an idle watcher (no extra epoll_wait) per interrupt. Only an empty packet pool
 * stops a device's watcher, for TAP_REFILL_DELAY_MS (virtio_net's delayed refill).
 * Before the loop blocks, the prepare watcher syncs the clock, runs due stack timers and
 * backlog work, starts queued commands, and arms one ev_timer at the stack's next deadline.
 *
 * The clock is CLOCK_MONOTONIC, so setting the wall clock never fires a timer early or
 * stalls one; it is shifted by an offset taken once at start, so that the times the stack
 * shows (tcpdump lines, tcpdump -w records, ping's payload timestamp) read as UTC.
 */
#include "app.h"
#include "ctl.h"
#include "term.h"
#include "ip/inet.h"
#include "net/netdev.h"
#include "net/tap.h"
#include "net/tap_link.h"
#include "net/netlink.h"
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct tap_watch {
    struct tap_watch *next;
    struct live *lv;
    struct netdev *dev;
    ev_io rx;               /* readable: read up to dev_weight frames */
    ev_timer refill;        /* the pool was empty: poll again after a pause */
};

struct live {
    struct app      app;
    struct ev_loop *loop;
    ev_prepare      prepare;
    ev_timer        timer;
    ev_idle         softirq;        /* backlog work pending */
    ev_signal       sigint, sigterm;
    ev_io           stdin_io;
    struct session  console;
    bool            interactive;    /* a terminal with line editing */
    bool            stdin_lines;    /* reading commands from non-terminal stdin */
    bool            daemon;
    char            inbuf[8192];
    size_t          inlen;
    struct tap_watch *taps;
    struct tap_backend tap_backend; /* the tap link kind creates devices here */
    struct ctl_server *ctl;
};

/* CLOCK_REALTIME - CLOCK_MONOTONIC at start, in µs: the stack clock reads as UTC. */
static uint64_t clock_wall_offset_us;

static uint64_t timespec_us(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * US_PER_S + (uint64_t)ts->tv_nsec / 1000;
}

/* One reading of the stack clock (st->clock_sync): monotonic, never backwards. */
static void live_clock_sync(struct stack *st)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = timespec_us(&ts) + clock_wall_offset_us;
    if (now > st->now_us) st->now_us = now;
}

static void console_write(void *io, int fd, const char *buf, size_t n)
{
    struct live *lv = io;
    term_write(lv->interactive, fd, buf, n);
}

static void stack_log_line(void *arg, const char *line)
{
    struct live *lv = arg;
    term_write(lv->interactive, 1, line, strlen(line));
    term_write(lv->interactive, 1, "\n", 1);
}

/* ---- TAP devices: interrupt and poll ---- */

/* The fd is readable: poll it at once (Linux: the interrupt schedules napi_poll). One
 * clock reading stamps the whole batch. Frames left over (a full budget) keep the fd
 * readable; epoll reports it again next turn, so every device gets its turn. */
static void tap_rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct tap_watch *tw = w->data;
    struct stack *st = tw->lv->app.st;
    int budget = (int)st->dev_weight, done = 0;
    for (int round = 0;; round++) {
        live_clock_sync(st);
        int n = tap_poll(tw->dev, budget - done);
        if (n < 0) {                /* no buffers: stop polling, retry later, do not spin */
            ev_io_stop(loop, &tw->rx);
            ev_timer_set(&tw->refill, TAP_REFILL_DELAY_MS / 1e3, 0);
            ev_timer_start(loop, &tw->refill);
            return;
        }
        if (round > 0 && n == 0) return;    /* nothing came back: to epoll (bounded: every */
        done += n;                          /* further round read a frame of the budget) */
        if (done >= budget) return; /* more waiting: epoll reports the fd on the next turn */
        /* Drained. Let the stack answer what came (socket callbacks run here, after the
         * batch, never inside the receive path); if that sent on this device, the host's
         * answer may already be queued (Linux answers a local peer inside write()), so
         * read again within the budget instead of going back to epoll_wait. */
        uint64_t sent = tw->dev->stats.tx_packets;
        stack_poll(st);
        if (tw->dev->stats.tx_packets == sent) return;
    }
}

static void tap_refill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct tap_watch *tw = w->data;
    ev_io_start(loop, &tw->rx);     /* still readable: epoll reports it on the next turn */
}

static void tap_gone(struct netdev *dev, void *arg)
{
    struct tap_watch *tw = arg;
    struct live *lv = tw->lv;
    ev_io_stop(lv->loop, &tw->rx);
    ev_timer_stop(lv->loop, &tw->refill);
    for (struct tap_watch **pp = &lv->taps; *pp; pp = &(*pp)->next)
        if (*pp == tw) { *pp = tw->next; break; }
    free(tw);
}

/* The tap kind's backend: a real TAP device, whose fd the event loop then watches. */
static int live_tap_create(void *ctx, struct net *net, const char *name, const char *ifname,
                           struct extack *ext)
{
    struct live *lv = ctx;
    char err[256] = "";
    struct netdev *dev = tap_create(net, name, ifname, err, sizeof(err));
    if (!dev) {
        NL_SET_ERR_MSG_FMT(ext, "%s", err);
        return -EINVAL;
    }
    struct tap_watch *tw = calloc(1, sizeof(*tw));
    if (!tw) { netdev_unregister(dev); return -ENOMEM; }
    tw->lv = lv;
    tw->dev = dev;
    ev_io_init(&tw->rx, tap_rx_cb, tap_fd(dev), EV_READ);
    ev_timer_init(&tw->refill, tap_refill_cb, 0, 0);
    tw->rx.data = tw->refill.data = tw;
    ev_io_start(lv->loop, &tw->rx);
    tap_set_destroy_cb(dev, tap_gone, tw);
    tw->next = lv->taps;
    lv->taps = tw;
    return 0;
}

/* ---- the stack's clock and work ---- */

static void softirq_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    struct live *lv = w->data;
    live_clock_sync(lv->app.st);
    stack_poll(lv->app.st);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct live *lv = w->data;
    live_clock_sync(lv->app.st);
    stack_poll(lv->app.st);
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    struct live *lv = w->data;
    struct stack *st = lv->app.st;
    live_clock_sync(st);
    stack_poll(st);
    app_run_pending(&lv->app);
    stack_poll(st);
    if (lv->app.quit) { ev_break(loop, EVBREAK_ALL); return; }
    /* Work left for the next turn: frames in the backlog, or a session whose command
     * finished during the last stack_poll (its next line waits): do not block in
     * epoll_wait until an unrelated timer. */
    if (st->backlog_head || lv->app.pending) ev_idle_start(loop, &lv->softirq);
    else ev_idle_stop(loop, &lv->softirq);
    uint64_t dl = stack_next_deadline(st);
    ev_timer_stop(loop, &lv->timer);
    if (dl != UINT64_MAX) {
        ev_now_update(loop);        /* libev counts the delay from its own (stale) now */
        double delay = dl > st->now_us ? (double)(dl - st->now_us) / 1e6 : 0;
        ev_timer_set(&lv->timer, delay, 0);
        ev_timer_start(loop, &lv->timer);
    }
}

/* ---- the console ---- */

static void console_drained(struct session *s)
{
    struct live *lv = s->owner;
    if (shell_exit_requested) { lv->app.quit = true; return; }
    if (lv->interactive) { term_prompt_on(); return; }
    if (lv->stdin_lines) {
        if (s->eof) lv->app.quit = true;            /* end of input, every command done */
        else ev_io_start(lv->loop, &lv->stdin_io);
    }
}

static void console_line(const char *line, void *arg)
{
    struct live *lv = arg;
    if (!line) {                                    /* ^D */
        term_write(true, 1, "\n", 1);
        lv->app.quit = true;
        return;
    }
    term_prompt_off();
    session_feed(&lv->console, line);
    session_pump(&lv->console);
}

static void stdin_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct live *lv = w->data;
    if (lv->interactive) { term_read_char(); return; }
    ssize_t n = read(0, lv->inbuf + lv->inlen, sizeof(lv->inbuf) - 1 - lv->inlen);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        ev_io_stop(loop, w);
        if (lv->inlen) { lv->inbuf[lv->inlen] = 0; session_feed(&lv->console, lv->inbuf); lv->inlen = 0; }
        lv->console.eof = true;
        session_pump(&lv->console);
        return;
    }
    lv->inlen += (size_t)n;
    lv->inbuf[lv->inlen] = 0;
    char *start = lv->inbuf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = 0;
        session_feed(&lv->console, start);
        start = nl + 1;
    }
    lv->inlen = strlen(start);
    memmove(lv->inbuf, start, lv->inlen + 1);
    if (lv->inlen == sizeof(lv->inbuf) - 1) {       /* an absurdly long line: run what we have */
        session_feed(&lv->console, lv->inbuf);
        lv->inlen = 0;
    }
    /* One command at a time: stop reading while one runs (the rest stays in the pipe). */
    if (lv->console.nlines) ev_io_stop(loop, w);
    session_pump(&lv->console);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct live *lv = w->data;
    if (w->signum == SIGINT && lv->interactive) {
        if (lv->console.busy) session_interrupt(&lv->console);
        else term_cancel_line();
        return;
    }
    if (w->signum == SIGINT && lv->console.busy && !lv->daemon) {
        session_interrupt(&lv->console);
        return;
    }
    lv->app.quit = true;            /* SIGTERM, or SIGINT to a daemon: clean shutdown */
    ev_break(loop, EVBREAK_ALL);
}

static bool read_file_lines(struct session *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return false; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        session_feed(s, line);
    }
    free(line);
    fclose(f);
    return true;
}

/* Freed memory stays with the process (as the kernel's slab caches keep freed sockets):
 * with glibc's default trim threshold (128 KiB) a connection's allocations freed next to
 * the heap's top shrink it with brk() at every close, and the next connection grows it
 * again, each time a page-table update with a TLB shootdown on the other CPUs and fresh
 * pages faulted in: half of the stack's CPU time per connection under a connect+close
 * load (bench/bench_tcp.sh). glibc still trims past this much free at the top. */
#define LIVE_MALLOC_TRIM_THRESHOLD (32 << 20)

int live_main(int argc, char **argv, struct app_opts *o)
{
    signal(SIGPIPE, SIG_IGN);
    mallopt(M_TRIM_THRESHOLD, LIVE_MALLOC_TRIM_THRESHOLD);
    struct live *lv = calloc(1, sizeof(*lv));
    if (!lv) return 1;
    struct timespec ts, mono;
    clock_gettime(CLOCK_REALTIME, &ts);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_wall_offset_us = timespec_us(&ts) - timespec_us(&mono);
    struct stack_cfg cfg = { .seed = o->seed ? o->seed : (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32,
                             .start_us = timespec_us(&mono) + clock_wall_offset_us };
    struct stack *st = inet_stack_new(&cfg);
    lv->tap_backend = (struct tap_backend){ .create = live_tap_create, .ctx = lv };
    if (!st || tap_link_register(st, &lv->tap_backend) < 0) {
        fprintf(stderr, "tapstack: cannot create the stack\n");
        stack_free(st);
        free(lv);
        return 1;
    }
    lv->app.st = st;
    lv->loop = ev_default_loop(EVFLAG_AUTO);
    lv->app.loop = lv->loop;
    lv->app.live = lv;
    lv->daemon = o->daemon;
    st->log = stack_log_line;
    st->clock_sync = live_clock_sync;
    st->log_arg = lv;

    ev_prepare_init(&lv->prepare, prepare_cb);
    ev_timer_init(&lv->timer, timer_cb, 0, 0);
    ev_idle_init(&lv->softirq, softirq_cb);
    ev_signal_init(&lv->sigint, signal_cb, SIGINT);
    ev_signal_init(&lv->sigterm, signal_cb, SIGTERM);
    lv->prepare.data = lv->timer.data = lv->softirq.data = lv->sigint.data = lv->sigterm.data = lv;
    ev_prepare_start(lv->loop, &lv->prepare);
    ev_signal_start(lv->loop, &lv->sigint);
    ev_signal_start(lv->loop, &lv->sigterm);

    int status = 0;
    char err[256];
    if (!o->empty && app_default_lab(&lv->app, true, err, sizeof(err)) < 0) {
        fprintf(stderr, "tapstack: default lab: %s\n", err);
        status = 1;
        goto out;
    }
    lv->ctl = ctl_server_start(&lv->app, o->ctl_path, err, sizeof(err));
    if (!lv->ctl) {
        if (o->daemon) { fprintf(stderr, "tapstack: %s\n", err); status = 1; goto out; }
        fprintf(stderr, "tapstack: control socket not available: %s\n", err);
    }
    session_init(&lv->console, &lv->app, console_write, lv);
    lv->console.owner = lv;
    lv->console.drained = console_drained;
    if (o->file && !read_file_lines(&lv->console, o->file, err, sizeof(err))) {
        fprintf(stderr, "tapstack: %s\n", err);
        status = 1;
        goto out;
    }
    if (!o->daemon) {
        lv->interactive = isatty(0) && isatty(1);
        lv->stdin_lines = !lv->interactive;
        ev_io_init(&lv->stdin_io, stdin_cb, 0, EV_READ);
        lv->stdin_io.data = lv;
        if (lv->interactive) term_start(st, console_line, lv);
        else fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
        if (!lv->console.nlines) {
            if (lv->interactive) { ev_io_start(lv->loop, &lv->stdin_io); term_prompt_on(); }
            else ev_io_start(lv->loop, &lv->stdin_io);
        } else if (lv->interactive) ev_io_start(lv->loop, &lv->stdin_io);
    }
    session_pump(&lv->console);
    if (!lv->app.quit) ev_run(lv->loop, 0);
    status = lv->app.exit_status;
    if (!o->daemon && !lv->interactive && lv->console.failures) status = 1;
out:
    if (lv->interactive) term_stop();
    session_free(&lv->console);
    ctl_server_stop(lv->ctl);
    serve_shutdown(st);             /* background servers close their sockets first */
    stack_free(st);                 /* closes the TAP fds: host interfaces disappear */
    ev_loop_destroy(lv->loop);
    free(lv);
    return status;
}
