/*
 * shell/cmd.c — tokenising and dispatching command lines (see cmd.h).
 *
 * Grammar of a line: words separated by blanks; '...' and "..." quote; a backslash
 * escapes the next character; # at the start of a word begins a comment; `< FILE` and
 * `> FILE` (also `<FILE`, `>FILE`, `>> FILE`) redirect the command's stdin/stdout to host
 * files, which the stack opens itself (also over ctl: docs/commands.md).
 * `ip netns exec NS COMMAND...` runs COMMAND with c->net = NS.
 */
#include "cmd.h"
#include "net/netdev.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_ARGS 64

bool shell_exit_requested;

void cmd_write(struct cmd_ctx *c, int fd, const char *buf, size_t n)
{
    if (fd == 1 && c->out_fd >= 0) {
        while (n) {
            ssize_t w = write(c->out_fd, buf, n);
            if (w < 0) { if (errno == EINTR) continue; return; }
            buf += w; n -= (size_t)w;
        }
        return;
    }
    if (c->write) c->write(c->io, fd, buf, n);
}

static int cmd_vwrite(struct cmd_ctx *c, int fd, const char *fmt, va_list ap)
{
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0) { va_end(ap2); return n; }
    if ((size_t)n < sizeof(small)) {
        cmd_write(c, fd, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, ap2);
            cmd_write(c, fd, big, (size_t)n);
            free(big);
        }
    }
    va_end(ap2);
    return n;
}

int cmd_printf(struct cmd_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = cmd_vwrite(c, 1, fmt, ap);
    va_end(ap);
    return n;
}

int cmd_error(struct cmd_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = cmd_vwrite(c, 2, fmt, ap);
    va_end(ap);
    if (n > 0 && fmt[strlen(fmt) - 1] != '\n') cmd_write(c, 2, "\n", 1);
    return n;
}

/* A running command pins its namespace: `ip netns del` refuses it meanwhile. */
static void cmd_release_net(struct cmd_ctx *c)
{
    if (c->held) { c->held->cmd_refs--; c->held = NULL; }
}

static void cmd_close_redirs(struct cmd_ctx *c)
{
    if (c->out_fd >= 0) { close(c->out_fd); c->out_fd = -1; }
    if (c->in_fd >= 0) { close(c->in_fd); c->in_fd = -1; }
}

void cmd_finish(struct cmd_ctx *c, int status)
{
    if (c->finished) return;
    c->finished = true;
    if (c->cleanup) { c->cleanup(c); c->cleanup = NULL; }
    c->interrupt = NULL;
    c->priv = NULL;
    cmd_close_redirs(c);
    cmd_release_net(c);
    if (c->on_done) c->on_done(c, status);
}

static int cmd_exit(struct cmd_ctx *c, int argc, char **argv)
{
    shell_exit_requested = true;
    return 0;
}

static const struct cmd_def commands[] = {
    { "ip", cmd_ip, "ip [-s] [-d] [-br] [-4] [-n NS] link|addr|route|neigh|netns ...",
      "iproute2's grammar (a subset): ip link add/set/del/show, ip addr add/change/replace/\n"
      "del/flush/show, ip route add/del/change/append/replace/show/flush/get, ip neigh\n"
      "add/del/change/replace/get/show/flush, ip netns add/del/list/exec.\n"
      "`ip OBJECT help` prints an object's grammar." },
    { "ping", cmd_ping, "ping [-c N] [-s SIZE] [-i SECONDS] [-t TTL] [-W SECONDS] [-I DEV] [-f] [-q] HOST",
      "Send ICMP echo requests and print the replies as iputils ping does." },
    { "arp", cmd_arp, "arp [-n] [-a] [-v] [-i DEV] [HOST] | arp -s IP MAC [temp] | arp -d IP",
      "The neighbour table in net-tools' format; -s adds a permanent entry, -d deletes one." },
    { "route", cmd_route, "route [-n] | route add|del [-net|-host] TARGET [netmask M] [gw G] ...",
      "The main routing table in net-tools' format (also: metric N, reject, dev IF)." },
    { "fdb", cmd_fdb, "fdb [show|add|append|replace|del ...]",
      "The forwarding databases of bridges and VXLAN devices (= bridge fdb)." },
    { "bridge", cmd_bridge, "bridge fdb [show [dev DEV] [br BR]] | add|append|replace|del MAC dev DEV [self|master]\n"
      "    [static|permanent|dynamic] [dst IP] [port PORT] [vni VNI] [via DEV]",
      "Forwarding databases in iproute2's format: a bridge's learned stations, static and\n"
      "permanent entries (ip link add br0 type bridge; ip link set DEV master br0), and a\n"
      "VXLAN device's remote VTEPs (dst; append adds one more for broadcasts)." },
    { "ethtool", cmd_ethtool, "ethtool -k DEV | -K DEV FEATURE on|off ... | -S DEV",
      "Offload features as ethtool shows them (-k) and switches them (-K: rx, tx, sg, tso,\n"
      "gso, or a feature name such as rx-gro-hw); on a TAP, rx and rx-gro-hw also tell the\n"
      "kernel (TUNSETOFFLOAD) whether it may send partial checksums and super-frames.\n"
      "-S: the device's offload counters (rx_csum_sw_bytes: bytes checksummed in software)." },
    { "sysctl", cmd_sysctl, "sysctl [-n] KEY... | sysctl [-n] -w KEY=VALUE... | sysctl -a",
      "Read or set a tunable by its Linux name, e.g. net.ipv4.ip_forward or\n"
      "net.ipv4.neigh.tap0.base_reachable_time_ms; -n prints the value alone, -a lists all." },
    { "tcpdump", cmd_tcpdump, "tcpdump -i DEV [-w FILE] [-c N] [-n] [-e] [-v]",
      "Capture frames on a device, both directions; -w writes a pcap file." },
    { "trace", cmd_trace, "trace on [-v] [DEV] | trace off [DEV]",
      "Print each packet's journey through the stack when it ends: its summary as tcpdump -n\n"
      "prints it, then one line per device it crossed (\"[NS] DEV rx|tx: stages\"), each stage\n"
      "tapstack's function with the Linux function that plays its role: ours(linux: detail).\n"
      "\"then SUMMARY\" marks where the frame changed (decapsulated, encapsulated, a reply).\n"
      "Drops end in drop(REASON). -v: one stage a line, ours and Linux's in two columns." },
    { "nstat", cmd_nstat, "nstat [-a] [-z] [-s] [-n]",
      "Counters with Linux's names, then the drop reasons (TsDrop...); increments since the\n"
      "last call. -a: absolute values, -z: zeros too, -s: do not remember, -n: remember only." },
    { "nc", cmd_nc, "nc [-u] [-l] [-k] [-N] [-v] [-z] [-w SECONDS] [-i SECONDS] [-I LEN] [-O LEN] [-s ADDR] [-p PORT] [HOST] PORT [< FILE] [> FILE]",
      "OpenBSD netcat on the stack's sockets (TCP; -u: UDP). < and > are host files.\n"
      "-N: FIN at the end of the input; -w: connect and idle timeout; -i: UDP pacing (1 ms);\n"
      "-I/-O: SO_RCVBUF/SO_SNDBUF; -s/-p: local address/port (-l -p PORT: listen on PORT)." },
    { "serve", cmd_serve, "serve echo|discard|chargen udp|tcp PORT | serve list | serve stop PORT",
      "RFC 862/863/864 servers in the background (TCP or UDP); `serve list` prints PROTO PORT KIND\n"
      "CONNECTIONS (TCP: connections accepted; UDP: distinct peers)." },
    { "tc", cmd_tc, "tc [-s] qdisc add|change|replace|del|show [dev DEV] [root] [KIND OPTIONS]",
      "Queueing disciplines on a device's egress (iproute2's tc): `tc qdisc add dev tap0 root\n"
      "netem delay 100ms 10ms loss 30%` emulates a slow, lossy link (netem: delay TIME [JITTER],\n"
      "loss P%, duplicate P%, reorder P%, corrupt P%, rate RATE, limit N); `tc qdisc del dev\n"
      "tap0 root` restores the default (pfifo_fast); -s adds Sent/dropped/backlog counters.\n"
      "Kinds: netem, pfifo [limit N], pfifo_fast, noqueue." },
    { "ss", cmd_ss, "ss [-t] [-u] [-l] [-a] [-n] [-i] [-m]",
      "Sockets, as iproute2's ss prints them: -u UDP, -t TCP (the default; none in this build),\n"
      "-l unconnected ones, -a all, -n numeric ports, -m socket memory (skmem), -i protocol details." },
    { "sleep", cmd_sleep, "sleep SECONDS", "Wait (in replay runs: advance the virtual clock)." },
    { "echo", cmd_echo, "echo WORDS...", "Print the words (handy in scripts)." },
    { "help", cmd_help, "help [COMMAND]", "List the commands, or describe one." },
    { "exit", cmd_exit, "exit", "Stop the stack cleanly (host TAP devices are removed)." },
    { "quit", cmd_exit, "quit", "Same as exit." },
};

const struct cmd_def *cmd_table(int i)
{
    return i >= 0 && (size_t)i < ARRAY_SIZE(commands) ? &commands[i] : NULL;
}

const struct cmd_def *cmd_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (!strcmp(commands[i].name, name)) return &commands[i];
    return NULL;
}

int cmd_help(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc > 1) {
        const struct cmd_def *d = cmd_lookup(argv[1]);
        if (!d) { cmd_error(c, "help: no such command: %s", argv[1]); return 1; }
        cmd_printf(c, "usage: %s\n%s\n", d->usage, d->help);
        return 0;
    }
    cmd_printf(c, "Commands (help COMMAND for more):\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        cmd_printf(c, "  %s\n", commands[i].usage);
    cmd_printf(c, "  ip netns exec NS COMMAND...   run COMMAND in namespace NS\n");
    return 0;
}

int cmd_run_argv(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc == 0) return 0;
    /* ip netns exec NS COMMAND... prefixes any command */
    if (argc >= 3 && !strcmp(argv[0], "ip") && !strcmp(argv[1], "netns") && !strcmp(argv[2], "exec")) {
        if (argc < 5) { cmd_error(c, "ip: No netns name or command specified"); return 1; }
        struct net *ns = net_by_name(c->st, argv[3]);
        if (!ns || !argv[3][0]) {
            cmd_error(c, "ip: Cannot open network namespace \"%s\": No such file or directory", argv[3]);
            return 1;
        }
        c->net = ns;
        return cmd_run_argv(c, argc - 4, argv + 4);
    }
    const struct cmd_def *d = cmd_lookup(argv[0]);
    if (!d) {
        cmd_error(c, "%s: command not found (try \"help\")", argv[0]);
        return 127;
    }
    c->name = d->name;
    if (!c->held) { c->held = c->net; c->net->cmd_refs++; }
    return d->fn(c, argc, argv);
}

/* Split `line` into words written to `out` (as large as line + MAX_ARGS). Returns the
 * count, or -1 with a message on a syntax error. */
static int tokenize(const char *line, char *out, char **argv, int max, char **redir_in, char **redir_out,
                    bool *append, const char **errmsg)
{
    int argc = 0;
    const char *r = line;
    char *w = out;
    *redir_in = *redir_out = NULL;
    *append = false;
    for (;;) {
        while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n') r++;
        if (!*r || *r == '#') break;
        int kind = 0;                       /* 0 word, 1 <, 2 >, 3 >> */
        if (*r == '<') { kind = 1; r++; }
        else if (*r == '>') { kind = 2; r++; if (*r == '>') { kind = 3; r++; } }
        if (kind) while (*r == ' ' || *r == '\t') r++;
        char *start = w;
        bool any = false;
        while (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '\n') {
            if (*r == '<' || *r == '>') break;      /* a redirection starts a new word */
            if (*r == '\'' || *r == '"') {
                char q = *r++;
                while (*r && *r != q) {
                    if (q == '"' && *r == '\\' && r[1]) r++;
                    *w++ = *r++;
                }
                if (*r != q) { *errmsg = "unterminated quote"; return -1; }
                r++;
                any = true;
                continue;
            }
            if (*r == '\\' && r[1]) r++;
            *w++ = *r++;
            any = true;
        }
        *w++ = 0;
        if (!any) {
            if (kind) { *errmsg = "redirection without a file name"; return -1; }
            continue;
        }
        if (kind == 1) *redir_in = start;
        else if (kind >= 2) { *redir_out = start; *append = kind == 3; }
        else {
            if (argc == max - 1) { *errmsg = "too many words"; return -1; }
            argv[argc++] = start;
        }
    }
    argv[argc] = NULL;
    return argc;
}

int cmd_run_line(struct cmd_ctx *c, const char *line)
{
    size_t n = strlen(line);
    char *buf = malloc(n + MAX_ARGS + 2);
    if (!buf) return 1;
    char *argv[MAX_ARGS];
    char *rin, *rout;
    bool append;
    const char *err = NULL;
    c->finished = false;
    c->interrupt = NULL;
    c->cleanup = NULL;
    c->priv = NULL;
    c->out_fd = c->in_fd = -1;
    int argc = tokenize(line, buf, argv, MAX_ARGS, &rin, &rout, &append, &err);
    int status;
    if (argc < 0) {
        cmd_error(c, "tapstack: syntax error: %s", err);
        status = 2;
        goto out;
    }
    if (argc == 0) { status = 0; goto out; }
    if (rin) {
        c->in_fd = open(rin, O_RDONLY | O_CLOEXEC);
        if (c->in_fd < 0) { cmd_error(c, "%s: %s: %s", argv[0], rin, strerror(errno)); status = 1; goto out; }
    }
    if (rout) {
        c->out_fd = open(rout, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
        if (c->out_fd < 0) {
            cmd_error(c, "%s: %s: %s", argv[0], rout, strerror(errno));
            cmd_close_redirs(c);
            status = 1;
            goto out;
        }
    }
    status = cmd_run_argv(c, argc, argv);
    if (status != CMD_ASYNC) { cmd_close_redirs(c); cmd_release_net(c); }
out:
    free(buf);
    return status;
}
