/*
 * shell/cmd_ping.c — ping with iputils' options and output, on an echo socket
 * (icmp/ping.c). Runs asynchronously on the stack clock, so it behaves the same in a
 * live shell and in a replay run.
 */
#include "cmd.h"
#include "net/netdev.h"
#include "icmp/icmp.h"
#include "ip/ip.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct ping_run {
    struct cmd_ctx *c;
    struct ping_sock *sock;
    uint32_t dst;
    char host[64];
    long count;             /* 0: until interrupted */
    size_t size;
    uint64_t interval_us;
    uint64_t linger_us;     /* -W: wait for replies after the last send */
    uint8_t ttl;
    int oif;
    bool flood, quiet;
    long ntransmitted, nreceived, nerrors, nrepeats;
    uint64_t start_us, last_send_us;
    uint64_t tmin, tmax, tsum, tsum2;    /* microseconds */
    uint64_t rtt8;                  /* iputils' EWMA of the RTT, times 8 */
    int pipesize;                   /* most echoes in flight when one was answered */
    uint8_t *rcvd;          /* bitmap of seqs answered (duplicates) */
    uint8_t *payload;
    struct timer send_timer, linger_timer;
    bool done_sending;
};

static void ping_stats_and_finish(struct ping_run *r)
{
    struct cmd_ctx *c = r->c;
    cmd_printf(c, "\n--- %s ping statistics ---\n", r->host);
    cmd_printf(c, "%ld packets transmitted, %ld received", r->ntransmitted, r->nreceived);
    if (r->nrepeats) cmd_printf(c, ", +%ld duplicates", r->nrepeats);
    if (r->nerrors) cmd_printf(c, ", +%ld errors", r->nerrors);
    if (r->ntransmitted) {
        uint64_t t = r->last_send_us - r->start_us;
        cmd_printf(c, ", %g%% packet loss, time %llums",
                   (double)(float)(((long long)(r->ntransmitted - r->nreceived) * 100.0) / r->ntransmitted),
                   (unsigned long long)((t + 500) / 1000));
    }
    cmd_printf(c, "\n");
    /* iputils finish(): one more line with what applies — rtt, pipe, ipg/ewma — ended by a
     * newline even when none does */
    const char *comma = "";
    if (r->nreceived && r->size >= 16) {
        long total = r->nreceived + r->nrepeats;
        uint64_t avg = r->tsum / (uint64_t)total;
        /* iputils: tmvar = (tsum2 - tsum^2 / total) / total, in integer microseconds */
        uint64_t sq = r->tsum * r->tsum / (uint64_t)total;
        uint64_t var = r->tsum2 > sq ? (r->tsum2 - sq) / (uint64_t)total : 0;
        uint64_t mdev = (uint64_t)sqrt((double)var);
        cmd_printf(c, "rtt min/avg/max/mdev = %llu.%03llu/%llu.%03llu/%llu.%03llu/%llu.%03llu ms",
                   (unsigned long long)(r->tmin / 1000), (unsigned long long)(r->tmin % 1000),
                   (unsigned long long)(avg / 1000), (unsigned long long)(avg % 1000),
                   (unsigned long long)(r->tmax / 1000), (unsigned long long)(r->tmax % 1000),
                   (unsigned long long)(mdev / 1000), (unsigned long long)(mdev % 1000));
        comma = ", ";
    }
    if (r->pipesize > 1) {
        cmd_printf(c, "%spipe %d", comma, r->pipesize);
        comma = ", ";
    }
    if (r->nreceived && (r->interval_us == 0 || r->flood) && r->ntransmitted > 1) {
        uint64_t ipg = (r->last_send_us - r->start_us) / (uint64_t)(r->ntransmitted - 1);
        cmd_printf(c, "%sipg/ewma %llu.%03llu/%llu.%03llu ms", comma, (unsigned long long)(ipg / 1000),
                   (unsigned long long)(ipg % 1000), (unsigned long long)(r->rtt8 / 8000),
                   (unsigned long long)((r->rtt8 / 8) % 1000));
    }
    cmd_printf(c, "\n");
    cmd_finish(c, r->nreceived ? 0 : 1);
}

static bool ping_complete(const struct ping_run *r)
{
    return r->count && r->nreceived + r->nerrors >= r->count;
}

static void ping_send_one(struct ping_run *r);

static void ping_send_timer(struct timer *t, void *arg) { ping_send_one(arg); }
static void ping_linger_timer(struct timer *t, void *arg) { ping_stats_and_finish(arg); }

static void ping_schedule_next(struct ping_run *r)
{
    struct stack *st = r->c->st;
    if (r->count && r->ntransmitted >= r->count) {
        r->done_sending = true;
        timer_arm_in(st, &r->linger_timer, r->linger_us);
        return;
    }
    /* flood: as fast as replies come back, or 100 per second, whichever is more */
    timer_arm_in(st, &r->send_timer, r->flood ? 10000 : r->interval_us);
}

static void ping_send_one(struct ping_run *r)
{
    struct stack *st = r->c->st;
    uint16_t seq = (uint16_t)(r->ntransmitted + 1);
    if (st->clock_sync) st->clock_sync(st);        /* stamp the moment it leaves */
    uint64_t now = st->now_us;
    if (r->size >= 16) {
        /* a struct timeval, as iputils puts in the payload */
        uint64_t sec = now / US_PER_S, usec = now % US_PER_S;
        memcpy(r->payload, &sec, 8);
        memcpy(r->payload + 8, &usec, 8);
    }
    if (!r->ntransmitted) r->start_us = now;
    r->last_send_us = now;
    r->ntransmitted++;
    r->rcvd[seq >> 3] &= (uint8_t)~(1u << (seq & 7));
    int err = ping_sock_send(r->sock, r->dst, seq, r->payload, r->size, r->ttl, r->oif);
    if (err < 0) {
        if (err == -EMSGSIZE) cmd_printf(r->c, "ping: local error: message too long, mtu too small\n");
        else cmd_printf(r->c, "ping: sendmsg: %s\n", strerror(-err));
        r->nerrors++;
        if (r->flood && !r->quiet) cmd_printf(r->c, "E");
    } else if (r->flood && !r->quiet) {
        cmd_printf(r->c, ".");
    }
    if (ping_complete(r)) { ping_stats_and_finish(r); return; }
    ping_schedule_next(r);
}

/* Could seq be one of ours? The 16-bit sequence wraps after 65535 echoes (iputils
 * counts on: 65536 is sent as 0); before that, 0 and the numbers not sent yet are not. */
static bool ping_seq_sent(const struct ping_run *r, uint16_t seq)
{
    return r->ntransmitted > UINT16_MAX || (seq != 0 && seq <= r->ntransmitted);
}

static void ping_reply(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *data, size_t len)
{
    struct ping_run *r = arg;
    struct cmd_ctx *c = r->c;
    if (!ping_seq_sent(r, seq)) return;                   /* not one of ours */
    bool dup = r->rcvd[seq >> 3] & (1u << (seq & 7));
    r->rcvd[seq >> 3] |= (uint8_t)(1u << (seq & 7));
    uint64_t rtt = 0;
    bool timing = r->size >= 16 && len >= 16;
    if (timing && c->st->clock_sync) c->st->clock_sync(c->st);
    if (timing) {
        uint64_t sec, usec;
        memcpy(&sec, data, 8);
        memcpy(&usec, data + 8, 8);
        uint64_t sent = sec * US_PER_S + usec;
        rtt = c->st->now_us >= sent ? c->st->now_us - sent : 0;
    }
    if (dup) r->nrepeats++;
    else {
        int diff = (int)(uint16_t)((uint16_t)r->ntransmitted - seq);     /* iputils acknowledge() */
        if (diff + 1 > r->pipesize) r->pipesize = diff + 1;
        r->nreceived++;
        if (timing) {
            if (r->nreceived == 1 || rtt < r->tmin) r->tmin = rtt;
            if (rtt > r->tmax) r->tmax = rtt;
        }
    }
    if (timing) {
        r->tsum += rtt;
        r->tsum2 += rtt * rtt;
        r->rtt8 = r->rtt8 ? r->rtt8 + rtt - r->rtt8 / 8 : rtt * 8;
    }
    if (r->flood) {
        if (!dup && !r->quiet) cmd_printf(c, "\b \b");
    } else if (!r->quiet) {
        char ip[16], t[48] = "";
        if (timing) {
            /* iputils' precision: 3 decimals below 1 ms ... none from 100 ms */
            if (rtt >= 100000 - 50) snprintf(t, sizeof(t), " time=%llu ms", (unsigned long long)((rtt + 500) / 1000));
            else if (rtt >= 10000 - 5) snprintf(t, sizeof(t), " time=%llu.%01llu ms",
                     (unsigned long long)((rtt + 50) / 1000), (unsigned long long)(((rtt + 50) % 1000) / 100));
            else if (rtt >= 1000) snprintf(t, sizeof(t), " time=%llu.%02llu ms",
                     (unsigned long long)((rtt + 5) / 1000), (unsigned long long)(((rtt + 5) % 1000) / 10));
            else snprintf(t, sizeof(t), " time=%llu.%03llu ms", (unsigned long long)(rtt / 1000),
                          (unsigned long long)(rtt % 1000));
        }
        cmd_printf(c, "%zu bytes from %s: icmp_seq=%u ttl=%u%s%s\n", len + ICMP_HLEN, ip4_ntop(from, ip),
                   seq, ttl, t, dup ? " (DUP!)" : "");
    }
    if (ping_complete(r)) { ping_stats_and_finish(r); return; }
    if (r->flood && !r->done_sending) {
        timer_stop(c->st, &r->send_timer);
        ping_send_one(r);
    }
}

static const char *icmp_error_text(int type, int code, uint32_t info, char *buf, size_t n)
{
    if (type == ICMP_DEST_UNREACH) {
        switch (code) {
        case ICMP_NET_UNREACH:  return "Destination Net Unreachable";
        case ICMP_HOST_UNREACH: return "Destination Host Unreachable";
        case ICMP_PROT_UNREACH: return "Destination Protocol Unreachable";
        case ICMP_PORT_UNREACH: return "Destination Port Unreachable";
        case ICMP_FRAG_NEEDED:  snprintf(buf, n, "Frag needed and DF set (mtu = %u)", info); return buf;
        default: snprintf(buf, n, "Dest Unreachable, Bad Code: %d", code); return buf;
        }
    }
    if (type == ICMP_TIME_EXCEEDED)
        return code == ICMP_EXC_TTL ? "Time to live exceeded" : "Frag reassembly time exceeded";
    if (type == ICMP_PARAMETERPROB) return "Parameter problem";
    if (type == ICMP_SOURCE_QUENCH) return "Source Quench";
    snprintf(buf, n, "Bad ICMP type: %d", type);
    return buf;
}

static void ping_error(void *arg, uint32_t from, int type, int code, uint16_t seq)
{
    struct ping_run *r = arg;
    if (!ping_seq_sent(r, seq)) return;
    r->nerrors++;
    int diff = (int)(uint16_t)((uint16_t)r->ntransmitted - seq);
    if (diff + 1 > r->pipesize) r->pipesize = diff + 1;
    if (r->flood) { if (!r->quiet) cmd_printf(r->c, "\bE"); }
    else if (!r->quiet) {
        char ip[16], buf[64];
        cmd_printf(r->c, "From %s icmp_seq=%u %s\n", ip4_ntop(from, ip), seq,
                   icmp_error_text(type, code, 0, buf, sizeof(buf)));
    }
    if (ping_complete(r)) ping_stats_and_finish(r);
}

static const struct ping_sock_ops ping_ops = { .reply = ping_reply, .error = ping_error };

static void ping_cleanup(struct cmd_ctx *c)
{
    struct ping_run *r = c->priv;
    timer_stop(c->st, &r->send_timer);
    timer_stop(c->st, &r->linger_timer);
    ping_sock_close(r->sock);
    free(r->payload);
    free(r->rcvd);
    free(r);
}

static void ping_interrupt(struct cmd_ctx *c) { ping_stats_and_finish(c->priv); }

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || v < lo || v > hi || v != v) return false;
    *out = v;
    return true;
}

int cmd_ping(struct cmd_ctx *c, int argc, char **argv)
{
    double count = 0, size = 56, interval = 1, ttl = 0, wait = 10;
    const char *dev = NULL, *host = NULL;
    bool flood = false, quiet = false, have_interval = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (host) { cmd_error(c, "ping: extra argument \"%s\"", a); return 2; }
            host = a;
            continue;
        }
        char opt = a[1];
        if (opt == 'f' || opt == 'q') {
            for (const char *f = a + 1; *f; f++) {
                if (*f == 'f') flood = true;
                else if (*f == 'q') quiet = true;
                else { cmd_error(c, "ping: invalid option -- '%c'", *f); return 2; }
            }
            continue;
        }
        if (!strchr("csitWI", opt)) { cmd_error(c, "ping: invalid option -- '%c'", opt); return 2; }
        const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) { cmd_error(c, "ping: option requires an argument -- '%c'", opt); return 2; }
        bool ok = true;
        switch (opt) {
        case 'c': ok = parse_num(v, 1, 1e9, &count); break;
        case 's': ok = parse_num(v, 0, 65507, &size); break;
        case 'i': ok = parse_num(v, 0, 1e6, &interval); have_interval = true; break;
        case 't': ok = parse_num(v, 1, 255, &ttl); break;
        case 'W': ok = parse_num(v, 0, 1e6, &wait); break;
        case 'I': dev = v; break;
        }
        if (!ok) {
            const char *range = opt == 's' ? "0 <= value <= 65507" : opt == 't' ? "1 <= value <= 255" : "a positive number";
            cmd_error(c, "ping: invalid argument: '%s': out of range: %s", v, range);
            return 1;
        }
    }
    if (!host) { cmd_error(c, "ping: usage error: Destination address required"); return 1; }
    uint32_t dst;
    if (!ip4_pton(host, &dst)) { cmd_error(c, "ping: %s: Name or service not known", host); return 2; }
    int oif = 0;
    if (dev) {
        struct netdev *d = netdev_by_name(c->net, dev);
        if (!d) { cmd_error(c, "ping: SO_BINDTODEVICE %s: No such device", dev); return 2; }
        oif = d->ifindex;
    }
    struct rt_result rt;
    int err = ip_route_output(c->net, dst, oif, &rt);
    if (err < 0) { cmd_error(c, "ping: connect: %s", strerror(-err)); return 2; }

    struct ping_run *r = calloc(1, sizeof(*r));
    if (!r) return 1;
    r->c = c;
    r->dst = dst;
    snprintf(r->host, sizeof(r->host), "%s", host);
    r->count = (long)count;
    r->size = (size_t)size;
    r->interval_us = (uint64_t)(interval * 1e6);
    if (flood && !have_interval) r->interval_us = 0;
    r->linger_us = (uint64_t)(wait * 1e6);
    r->ttl = (uint8_t)ttl;
    r->oif = oif;
    r->flood = flood;
    r->quiet = quiet;
    r->payload = calloc(1, r->size ? r->size : 1);
    r->rcvd = calloc(65536 / 8, 1);
    r->sock = ping_sock_open(c->net, &ping_ops, r);
    if (!r->payload || !r->rcvd || !r->sock) {
        if (r->sock) ping_sock_close(r->sock);
        free(r->payload); free(r->rcvd); free(r);
        cmd_error(c, "ping: out of memory");
        return 1;
    }
    for (size_t i = 0; i < r->size; i++) r->payload[i] = (uint8_t)i;
    timer_init(&r->send_timer, ping_send_timer, r);
    timer_init(&r->linger_timer, ping_linger_timer, r);
    c->priv = r;
    c->cleanup = ping_cleanup;
    c->interrupt = ping_interrupt;
    char ip[16], src[16];
    if (dev) cmd_printf(c, "PING %s (%s) from %s %s: %zu(%zu) bytes of data.\n", host, ip4_ntop(dst, ip),
                        ip4_ntop(rt.src, src), dev, r->size, r->size + 28);
    else cmd_printf(c, "PING %s (%s) %zu(%zu) bytes of data.\n", host, ip4_ntop(dst, ip), r->size, r->size + 28);
    ping_send_one(r);
    return CMD_ASYNC;      /* even if it already finished: on_done has run */
}
