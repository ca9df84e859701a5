/*
 * shell/cmd_ss.c — ss, iproute2's socket lister, over the stack's sockets:
 *   ss [-t] [-u] [-l] [-a] [-n] [-i]
 * As iproute2 6.1: sockets are listed by their state (sk->state, Linux's numbering):
 * UDP ones are UNCONN (bound) or ESTAB (connected). Without -a or -l the connected states
 * are listed and the State column is left out (one state shown); -l lists LISTEN and
 * UNCONN ones, -a all. With -m, the socket's memory (skmem, as iproute2 prints it); with
 * -i, a protocol's detail line (struct proto's get_info)
 * follows its socket. Columns size themselves to their contents; addresses are
 * right-aligned before ':' and ports left-aligned after it. Without -n, ports with a
 * name in /etc/services are printed by name. The sockets come from the protocols
 * (sock_for_each), so a protocol registered later is listed without changes here.
 */
#include "cmd.h"
#include "net/sock.h"
#include <netdb.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

struct ss_row { char state[12], recvq[24], sendq[24], laddr[20], lport[24], paddr[20], pport[24], info[768]; };
struct ss_collect {
    struct ss_row *rows; int n, cap;
    bool all, listening, numeric, info, mem;
    const char *proto;              /* for /etc/services */
};

/* iproute2's sstate_name, indexed by sk_state */
static const char *const ss_state_name[SK_STATE_MAX] = {
    [0] = "UNKNOWN", [SK_ESTABLISHED] = "ESTAB", [SK_SYN_SENT] = "SYN-SENT", [SK_SYN_RECV] = "SYN-RECV",
    [SK_FIN_WAIT1] = "FIN-WAIT-1", [SK_FIN_WAIT2] = "FIN-WAIT-2", [SK_TIME_WAIT] = "TIME-WAIT",
    [SK_CLOSE] = "UNCONN", [SK_CLOSE_WAIT] = "CLOSE-WAIT", [SK_LAST_ACK] = "LAST-ACK",
    [SK_LISTEN] = "LISTEN", [SK_CLOSING] = "CLOSING",
};

/* iproute2's default filter (SS_CONN) leaves out listening, closed, TIME-WAIT and
 * SYN-RECV sockets; -l shows LISTEN and UNCONN only; -a everything. */
static bool ss_wanted(const struct ss_collect *col, unsigned state)
{
    bool listening = state == SK_LISTEN || state == SK_CLOSE;
    if (col->all) return true;
    if (col->listening) return listening;
    return !listening && state != SK_TIME_WAIT && state != SK_SYN_RECV;
}

static void port_str(char *buf, size_t n, uint16_t port, bool numeric, const char *proto)
{
    if (!port) { snprintf(buf, n, "*"); return; }
    if (!numeric) {
        struct servent *se = getservbyport(htons(port), proto);
        if (se) { snprintf(buf, n, "%s", se->s_name); return; }
    }
    snprintf(buf, n, "%u", port);
}

static void ss_one(struct sock *sk, void *arg)
{
    struct ss_collect *col = arg;
    unsigned state = sk->state < SK_STATE_MAX ? sk->state : 0;
    if (!ss_wanted(col, state)) return;
    if (col->n == col->cap) {
        int cap = col->cap ? col->cap * 2 : 16;
        struct ss_row *v = realloc(col->rows, (size_t)cap * sizeof(*v));
        if (!v) return;
        col->rows = v; col->cap = cap;
    }
    struct ss_row *r = &col->rows[col->n++];
    bool peer = state != SK_CLOSE && state != SK_LISTEN;
    snprintf(r->state, sizeof(r->state), "%s", ss_state_name[state]);
    unsigned rq, sq;
    sock_get_queues(sk, &rq, &sq);
    snprintf(r->recvq, sizeof(r->recvq), "%u", rq);
    snprintf(r->sendq, sizeof(r->sendq), "%u", sq);
    ip4_ntop(sk->local.addr, r->laddr);
    port_str(r->lport, sizeof(r->lport), sk->local.port, col->numeric, col->proto);
    ip4_ntop(peer ? sk->remote.addr : 0, r->paddr);
    port_str(r->pport, sizeof(r->pport), peer ? sk->remote.port : 0, col->numeric, col->proto);
    r->info[0] = '\0';
    size_t used = 0;
    if (col->mem) {
        /* iproute2's print_skmeminfo (SK_MEMINFO_*): queued receive memory, its limit,
         * send memory in flight, its limit, forward alloc, write queue, options, backlog,
         * drops; tapstack charges packets whole, so forward alloc and backlog are 0. */
        int k = snprintf(r->info, sizeof(r->info), "skmem:(r%u,rb%d,t%u,tb%d,f0,w0,o0,bl0,d%llu)",
                         sk->rmem, sk->rcvbuf, sk->wmem, sk->sndbuf, (unsigned long long)sk->drops);
        used = k > 0 ? MIN((size_t)k, sizeof(r->info) - 1) : 0;
    }
    if (col->info && used + 2 < sizeof(r->info)) {
        char *at = r->info + used;
        if (used) { *at++ = ' '; used++; }
        sock_get_info(sk, at, sizeof(r->info) - used, col->numeric ? SOCK_INFO_NUMERIC : 0);
        if (!*at && used) r->info[used - 1] = '\0';        /* no protocol info: no space */
    }
}

static int width(int w, const char *s) { int l = (int)strlen(s); return l > w ? l : w; }

int cmd_ss(struct cmd_ctx *c, int argc, char **argv)
{
    bool tcp = false, udp = false, listening = false, all = false, numeric = false, info = false, mem = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') { cmd_error(c, "ss: filters are not supported (\"%s\")", argv[i]); return 1; }
        for (const char *f = argv[i] + 1; *f; f++) {
            switch (*f) {
            case 't': tcp = true; break;
            case 'u': udp = true; break;
            case 'l': listening = true; break;
            case 'a': all = true; break;
            case 'n': numeric = true; break;
            case 'i': info = true; break;
            case 'm': mem = true; break;
            case 'e': case 'p': case '4': break;
            default: cmd_error(c, "ss: invalid option -- '%c'", *f); return 1;
            }
        }
    }
    if (!tcp && !udp) { tcp = true; }
    struct ss_collect col = { .all = all, .listening = listening, .numeric = numeric, .info = info, .mem = mem };
    /* As ss lists them: TCP first, then UDP. No TCP registered lists nothing. */
    col.proto = "tcp";
    if (tcp) sock_for_each(c->net, SOCK_STREAM, IPPROTO_TCP, ss_one, &col);
    col.proto = "udp";
    if (udp) sock_for_each(c->net, SOCK_DGRAM, IPPROTO_UDP, ss_one, &col);
    bool show_state = all || listening;
    int ws = 5, wr = 6, wq = 6, wla = 13, wlp = 4, wpa = 12, wpp = 4;
    for (int i = 0; i < col.n; i++) {
        struct ss_row *r = &col.rows[i];
        ws = width(ws, r->state); wr = width(wr, r->recvq); wq = width(wq, r->sendq);
        wla = width(wla, r->laddr); wlp = width(wlp, r->lport);
        wpa = width(wpa, r->paddr); wpp = width(wpp, r->pport);
    }
    if (show_state) cmd_printf(c, "%-*s ", ws, "State");
    cmd_printf(c, "%-*s %-*s %*s:%-*s %*s:%-*sProcess\n", wr, "Recv-Q", wq, "Send-Q", wla, "Local Address",
               wlp, "Port", wpa, "Peer Address", wpp, "Port");
    for (int i = 0; i < col.n; i++) {
        struct ss_row *r = &col.rows[i];
        if (show_state) cmd_printf(c, "%-*s ", ws, r->state);
        cmd_printf(c, "%-*s %-*s %*s:%-*s %*s:%-*s%-7s\n", wr, r->recvq, wq, r->sendq, wla, r->laddr, wlp,
                   r->lport, wpa, r->paddr, wpp, r->pport, "");
        if (r->info[0]) cmd_printf(c, "\t %s\n", r->info);
    }
    free(col.rows);
    return 0;
}
