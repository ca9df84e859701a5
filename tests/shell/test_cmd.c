/*
 * tests/shell/test_cmd.c — the command interpreter (shell/cmd.c) through cmd_run_line,
 * and the small commands it dispatches to (shell/cmd_misc.c, cmd_serve.c, cmd_ss.c,
 * cmd_nc.c): the tokenizer (quotes, backslashes, # comments), < and > redirections on
 * real temporary files, `ip netns exec`, asynchronous commands on the virtual clock, and
 * the output formats Linux's tools use.
 *
 * Each test runs on the shared fixture (tests/fixture.h): a stack with eth0 10.0.0.2/24
 * and a PERMANENT peer 10.0.0.1, so UDP frames can be injected and their answers seen.
 * Output is captured through the context's write function, as a terminal or a ctl
 * client would receive it. Error contract (shell/cmd.h): one stderr line that begins with
 * the command's name, nothing on stdout, a non-zero status.
 */
#include "net/sock.h"               /* before <sys/socket.h>: it names the SO_* options itself */
#include "shell/cmd.h"
#include "tests/fx_check.h"
#include "tests/udp/udp_frames.h"
#include "udp/udp.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define SEED 0xc3d

static struct cmd_ctx ctx;
static char out[65536], err[8192];
static size_t out_len, err_len;
static int done_calls, done_status;
static char tmpdir[64];

static void cap_write(void *io, int fd, const char *buf, size_t n)
{
    char *dst = fd == 2 ? err : out;
    size_t *len = fd == 2 ? &err_len : &out_len;
    size_t cap = fd == 2 ? sizeof(err) : sizeof(out);
    if (*len + n >= cap) n = cap - 1 - *len;
    memcpy(dst + *len, buf, n);
    *len += n;
    dst[*len] = 0;
}

static void cap_done(struct cmd_ctx *c, int status)
{
    done_calls++;
    done_status = status;
}

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    memset(&ctx, 0, sizeof(ctx));
    ctx.st = f->st;
    ctx.net = f->net;
    ctx.write = cap_write;
    ctx.out_fd = ctx.in_fd = -1;
    ctx.on_done = cap_done;
    done_calls = done_status = 0;
    out_len = err_len = 0;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tapstack-cmd-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    static const char *const names[] = { "out", "out2", "in", "missing" };
    char p[128];
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

static void teardown(void)
{
    if (f && !ctx.finished && ctx.interrupt) ctx.interrupt(&ctx);   /* a command still running */
    if (f) serve_shutdown(f->st);
    rm_tmpdir();
    fxc_teardown();
}

/* Run one line as a session does: each line starts in the default namespace. */
static int run(const char *line)
{
    out_len = err_len = 0;
    out[0] = err[0] = 0;
    ctx.net = f->net;
    return cmd_run_line(&ctx, line);
}

static int runf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int runf(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return run(line);
}

/* The line succeeds and prints exactly `want` (and nothing on stderr). */
static void out_is(const char *line, const char *want)
{
    int st = run(line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, err);
    ck_assert_msg(!strcmp(out, want), "\"%s\" printed\n[%s]\nwant\n[%s]", line, out, want);
    ck_assert_msg(err_len == 0, "\"%s\" wrote to stderr: %s", line, err);
}

/* The line fails with `status`, nothing on stdout, one stderr line starting with `prefix`. */
static void fails(const char *line, int status, const char *prefix)
{
    int st = run(line);
    ck_assert_msg(st == status, "\"%s\" returned %d, want %d (stderr: %s)", line, st, status, err);
    ck_assert_msg(out_len == 0, "\"%s\" wrote to stdout: %s", line, out);
    ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "\"%s\" said [%s], want prefix [%s]", line, err, prefix);
    ck_assert_msg(err_len && strchr(err, '\n') == err + err_len - 1, "\"%s\": not exactly one line: [%s]", line, err);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *read_file(const char *path)
{
    static char buf[4096];
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

/* The lowest free descriptor: equal before and after means no descriptor leaked. */
static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return fd;
}

/* ------------------------------------------------------------------ tokenizer */

START_TEST(test_cmd_quoting)
{
    out_is("echo 'a b' \"c\\\"d\" e\\ f", "a b c\"d e f\n");
    out_is("echo 'it''s' \"x'y\" 'q\"q'", "its x'y q\"q\n");
    out_is("echo '' x", " x\n");                        /* an empty quoted word is a word */
    out_is("echo   spaced\tout  ", "spaced out\n");
    /* one word with a blank inside: the error names it whole */
    fails("help 'no such'", 1, "help: no such command: no such\n");
    fails("echo 'unterminated", 2, "tapstack: syntax error: unterminated quote");
    fails("echo \"unterminated", 2, "tapstack: syntax error");
}
END_TEST

START_TEST(test_cmd_comments_and_empty_lines)
{
    out_is("", "");
    out_is("   \t ", "");
    out_is("# a comment", "");
    out_is("   # an indented comment", "");
    out_is("echo x # trailing comment", "x\n");
    out_is("echo a#b", "a#b\n");                        /* # inside a word is a character */
    out_is("echo '#quoted'", "#quoted\n");
}
END_TEST

START_TEST(test_cmd_unknown_command)
{
    fails("frobnicate --now", 127, "frobnicate: command not found");
    ck_assert_str_eq(err, "frobnicate: command not found (try \"help\")\n");
    ck_assert_int_eq(f->net->cmd_refs, 0);
}
END_TEST

/* ------------------------------------------------------------------ ip netns exec */

START_TEST(test_cmd_netns_exec)
{
    out_is("ip netns add ns1", "");
    struct net *ns1 = net_by_name(f->st, "ns1");
    ck_assert_ptr_nonnull(ns1);
    out_is("sysctl -w net.ipv4.ip_forward=1", "net.ipv4.ip_forward = 1\n");
    out_is("ip netns exec ns1 sysctl net.ipv4.ip_forward", "net.ipv4.ip_forward = 0\n");
    out_is("sysctl net.ipv4.ip_forward", "net.ipv4.ip_forward = 1\n");
    out_is("ip netns exec ns1 echo x", "x\n");
    ck_assert_int_eq(ns1->cmd_refs, 0);                 /* released when the command ended */
    fails("ip netns exec nosuch echo x", 1, "ip: ");
    ck_assert_ptr_nonnull(strstr(err, "\"nosuch\""));
    fails("ip netns exec ns1", 1, "ip: ");
    fails("ip netns exec ns1 frobnicate", 127, "frobnicate: ");
    ck_assert_int_eq(ns1->cmd_refs, 0);
    out_is("ip netns del ns1", "");
    ck_assert_ptr_null(net_by_name(f->st, "ns1"));
}
END_TEST

/* ------------------------------------------------------------------ redirections */

START_TEST(test_cmd_redirections)
{
    char path[128], path2[128], missing[128];
    snprintf(path, sizeof(path), "%s/out", tmpdir);
    snprintf(path2, sizeof(path2), "%s/out2", tmpdir);
    snprintf(missing, sizeof(missing), "%s/missing", tmpdir);
    int fd0 = lowest_free_fd();
    ck_assert_int_eq(runf("echo hello > %s", path), 0);
    ck_assert_uint_eq(out_len, 0);                      /* stdout went to the file */
    ck_assert_str_eq(read_file(path), "hello\n");
    ck_assert_int_eq(runf("echo again >> %s", path), 0);
    ck_assert_str_eq(read_file(path), "hello\nagain\n");
    ck_assert_int_eq(runf("echo over >%s", path), 0);  /* no blank, and > truncates */
    ck_assert_str_eq(read_file(path), "over\n");
    ck_assert_int_eq(runf("echo a>%s b", path2), 0);   /* a redirection ends a word */
    ck_assert_str_eq(read_file(path2), "a b\n");
    /* stderr is not redirected */
    ck_assert_int_eq(runf("sysctl net.ipv4.foo > %s", path2), 1);
    ck_assert_str_eq(read_file(path2), "");
    ck_assert_ptr_nonnull(strstr(err, "sysctl: cannot stat"));
    /* < FILE opens the file for the command (echo does not read it) */
    ck_assert_int_eq(runf("echo hi < %s", path), 0);
    ck_assert_str_eq(out, "hi\n");
    char line[300];
    snprintf(line, sizeof(line), "echo hi < %s", missing);
    fails(line, 1, "echo: ");
    char want[300];
    snprintf(want, sizeof(want), "echo: %s: No such file or directory\n", missing);
    ck_assert_str_eq(err, want);
    snprintf(line, sizeof(line), "echo hi > %s/nodir/x", tmpdir);
    fails(line, 1, "echo: ");
    /* a redirection without a file name is a syntax error */
    fails("echo hi >", 2, "tapstack: syntax error: redirection without a file name");
    fails("echo hi > ", 2, "tapstack: syntax error");
    fails("echo hi <", 2, "tapstack: syntax error");
    fails("echo hi >>", 2, "tapstack: syntax error");
    ck_assert_int_eq(lowest_free_fd(), fd0);           /* every file was closed */
    ck_assert_int_eq(ctx.out_fd, -1);
    ck_assert_int_eq(ctx.in_fd, -1);
}
END_TEST

START_TEST(test_cmd_stdin_file_feeds_nc)
{
    char in[128];
    snprintf(in, sizeof(in), "%s/in", tmpdir);
    write_file(in, "a datagram from a file\n");
    int fd0 = lowest_free_fd();
    ck_assert_int_eq(runf("nc -u -w 1 10.0.0.1 9 < %s", in), CMD_ASYNC);
    stack_poll(f->st);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    struct udpf_rx u;
    ck_assert(udpf_parse(&ip, &u));
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(u.dport, 9);
    ck_assert_uint_eq(u.dlen, 23);
    ck_assert_mem_eq(u.data, "a datagram from a file\n", 23);
    ck_assert(u.csum_ok);
    ck_assert_int_eq(done_calls, 0);
    fx_advance_ms(f, 1100);                             /* -w 1: one idle second */
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_int_eq(ctx.in_fd, -1);
    ck_assert_int_eq(lowest_free_fd(), fd0);
    ck_assert_ptr_null(f->net->socks);                  /* nc closed its socket */
    ck_assert_int_eq(f->net->cmd_refs, 0);
}
END_TEST

/* ------------------------------------------------------------------ help */

START_TEST(test_cmd_help)
{
    ck_assert_int_eq(run("help"), 0);
    ck_assert_msg(!strncmp(out, "Commands (help COMMAND for more):\n", 34), "help printed [%s]", out);
    for (int i = 0; cmd_table(i); i++) {
        char want[256];
        snprintf(want, sizeof(want), "\n  %s\n", cmd_table(i)->usage);
        ck_assert_msg(strstr(out, want) != NULL, "help does not list [%s]", cmd_table(i)->usage);
    }
    ck_assert_ptr_nonnull(strstr(out, "  ip netns exec NS COMMAND..."));
    const struct cmd_def *ping = cmd_lookup("ping");
    ck_assert_ptr_nonnull(ping);
    char want[1024];
    snprintf(want, sizeof(want), "usage: %s\n%s\n", ping->usage, ping->help);
    out_is("help ping", want);
    ck_assert_ptr_nonnull(strstr(out, "ping [-c N]"));
    fails("help nosuch", 1, "help: no such command: nosuch\n");
}
END_TEST

/* ------------------------------------------------------------------ sleep */

START_TEST(test_cmd_sleep_is_asynchronous)
{
    ck_assert_int_eq(run("sleep 2"), CMD_ASYNC);
    ck_assert_int_eq(done_calls, 0);
    ck_assert_int_eq(f->net->cmd_refs, 1);              /* the namespace is pinned meanwhile */
    fx_advance_ms(f, 1999);
    ck_assert_int_eq(done_calls, 0);
    fx_advance_ms(f, 1);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_int_eq(f->net->cmd_refs, 0);
    ck_assert_int_eq(run("sleep 0.25"), CMD_ASYNC);
    fx_advance_ms(f, 250);
    ck_assert_int_eq(done_calls, 2);
    /* ^C */
    ck_assert_int_eq(run("sleep 5"), CMD_ASYNC);
    ck_assert_ptr_nonnull(ctx.interrupt);
    ctx.interrupt(&ctx);
    ck_assert_int_eq(done_calls, 3);
    ck_assert_int_eq(done_status, 130);
    fx_advance_ms(f, 6000);
    ck_assert_int_eq(done_calls, 3);                    /* its timer went with it */
    fails("sleep abc", 1, "sleep: invalid time interval 'abc'\n");
    fails("sleep", 1, "sleep: ");
}
END_TEST

/* ------------------------------------------------------------------ sysctl */

START_TEST(test_cmd_sysctl)
{
    out_is("sysctl net.ipv4.ip_forward", "net.ipv4.ip_forward = 0\n");
    out_is("sysctl -w net.ipv4.ip_forward=1", "net.ipv4.ip_forward = 1\n");
    out_is("sysctl net.ipv4.ip_forward", "net.ipv4.ip_forward = 1\n");
    ck_assert_int_eq(f->net->ipv4.ip_forward, 1);
    out_is("sysctl -n net.ipv4.ip_forward", "1\n");
    fails("sysctl net.ipv4.foo", 1, "sysctl: ");
    ck_assert_str_eq(err, "sysctl: cannot stat /proc/sys/net/ipv4/foo: No such file or directory\n");
    fails("sysctl -w net.ipv4.foo=1", 1, "sysctl: cannot stat /proc/sys/net/ipv4/foo: No such file or directory\n");
    fails("sysctl -w net.ipv4.ip_forward", 1, "sysctl: \"net.ipv4.ip_forward\" must be of the form name=value\n");
    ck_assert_int_eq(f->net->ipv4.ip_forward, 1);
    /* a three-number sysctl: quoted as one word, shown tab-separated, bad values refused */
    out_is("sysctl net.ipv4.tcp_rmem", "net.ipv4.tcp_rmem = 4096\t131072\t6291456\n");
    out_is("sysctl -w net.ipv4.tcp_rmem=\"4096 262144 8388608\"", "net.ipv4.tcp_rmem = 4096\t262144\t8388608\n");
    fails("sysctl -w net.ipv4.tcp_rmem=\"4096 0 8388608\"", 1, "sysctl: setting key \"net.ipv4.tcp_rmem\": Invalid argument\n");
    out_is("sysctl -n net.ipv4.tcp_wmem", "4096\t16384\t4194304\n");
}
END_TEST

/* ------------------------------------------------------------------ nstat */

static void inject_to_closed_port(uint16_t sport)
{
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = sport, .dport = 7999, .data = "knock", .len = 5 };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    fx_inject(f, fxc_buf, n);
    fx_tx_clear(f);                                     /* the port unreachable */
}

START_TEST(test_cmd_nstat_increments)
{
    /* iproute2's format: name in 32 columns, value in 16, then the rate "%6.1f" */
    static const char one[] = "UdpNoPorts                      1                  0.0\n";
    static const char two[] = "UdpNoPorts                      2                  0.0\n";
    inject_to_closed_port(1000);
    ck_assert_int_eq(run("nstat"), 0);
    ck_assert_msg(!strncmp(out, "#kernel\n", 8), "nstat printed [%s]", out);
    ck_assert_msg(strstr(out, one) != NULL, "nstat printed [%s]", out);
    ck_assert_ptr_nonnull(strstr(out, "\nIcmpOutDestUnreachs             1 "));
    out_is("nstat", "#kernel\n");                       /* nothing new since */
    ck_assert_int_eq(run("nstat -a"), 0);               /* absolute */
    ck_assert_msg(strstr(out, one) != NULL, "nstat -a printed [%s]", out);
    out_is("nstat", "#kernel\n");
    inject_to_closed_port(1001);
    ck_assert_int_eq(run("nstat"), 0);
    ck_assert_msg(strstr(out, one) != NULL, "nstat printed [%s]", out);
    ck_assert_int_eq(run("nstat -a"), 0);
    ck_assert_msg(strstr(out, two) != NULL, "nstat -a printed [%s]", out);
    fails("nstat -q", 1, "nstat: ");
}
END_TEST

/* ------------------------------------------------------------------ ss */

START_TEST(test_cmd_ss_udp)
{
    int e;
    struct sock *sk = sock_create(f->net, SOCK_DGRAM, IPPROTO_UDP, &e);
    ck_assert_ptr_nonnull(sk);
    ck_assert_int_eq(sock_bind(sk, 0, 7), 0);
    out_is("ss -uan",
           "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
           "UNCONN 0      0            0.0.0.0:7         0.0.0.0:*          \n");
    out_is("ss -uln",
           "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
           "UNCONN 0      0            0.0.0.0:7         0.0.0.0:*          \n");
    /* -m: the socket's memory as iproute2's print_skmeminfo (this host's ss prints the
     * same line for an unused UDP socket) */
    out_is("ss -uanm",
           "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
           "UNCONN 0      0            0.0.0.0:7         0.0.0.0:*          \n"
           "\t skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)\n");
    /* without -a or -l only connected sockets are listed, and no State column */
    out_is("ss -un", "Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n");
    struct sock *c = sock_create(f->net, SOCK_DGRAM, IPPROTO_UDP, &e);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(sock_bind(c, FX_ADDR, 5000), 0);
    ck_assert_int_eq(sock_connect(c, FX_PEER, 53), 0);
    ck_assert_int_eq(run("ss -un"), 0);
    ck_assert_ptr_nonnull(strstr(out, "10.0.0.2:5000"));
    ck_assert_ptr_nonnull(strstr(out, "10.0.0.1:53"));
    ck_assert_ptr_null(strstr(out, "0.0.0.0:7"));
    ck_assert_int_eq(run("ss -uan"), 0);
    ck_assert_ptr_nonnull(strstr(out, "\nUNCONN "));
    ck_assert_ptr_nonnull(strstr(out, "\nESTAB "));
    fails("ss -u 'dst 10.0.0.1'", 1, "ss: ");
    sock_close(sk);
    sock_close(c);
}
END_TEST

/* ------------------------------------------------------------------ serve */

START_TEST(test_cmd_serve_echo)
{
    out_is("serve echo udp 7", "");
    out_is("serve list", "udp 7 echo 0\n");
    ck_assert_int_eq(run("ss -uan"), 0);
    ck_assert_ptr_nonnull(strstr(out, "0.0.0.0:7 "));
    struct udpf s = { .src = FX_PEER, .dst = FX_ADDR, .sport = 5555, .dport = 7, .data = "ping?", .len = 5 };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    fx_inject(f, fxc_buf, n);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    struct udpf_rx u;
    ck_assert(udpf_parse(&ip, &u));
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(u.sport, 7);
    ck_assert_uint_eq(u.dport, 5555);
    ck_assert_mem_eq(u.data, "ping?", 5);
    out_is("serve list", "udp 7 echo 1\n");
    fails("serve echo udp 7", 1, "serve: bind udp port 7: Address already in use\n");
    out_is("serve echo tcp 7", "");                      /* TCP's port 7 is another port */
    out_is("serve list", "tcp 7 echo 0\nudp 7 echo 1\n");
    ck_assert_int_eq(run("ss -tln"), 0);
    ck_assert_ptr_nonnull(strstr(out, "LISTEN"));
    ck_assert_ptr_nonnull(strstr(out, "0.0.0.0:7 "));
    fails("serve echo tcp 7", 1, "serve: bind tcp port 7: Address already in use\n");
    fails("serve echo udp 70000", 2, "serve: ");
    out_is("serve stop 7", "");
    out_is("serve stop 7", "");
    out_is("serve list", "");
    fails("serve stop 7", 1, "serve: no server on port 7\n");
    fx_inject(f, fxc_buf, n);                           /* closed now */
    ck_assert_uint_eq(MIB(MIB_UdpNoPorts), 1);
    ck_assert_ptr_null(f->net->socks);
    ck_assert_int_eq(f->net->cmd_refs, 0);
}
END_TEST

/* ------------------------------------------------------------------ nc */

START_TEST(test_cmd_nc_errors)
{
    fails("nc -u", 1, "nc: missing hostname and port\n");
    fails("nc -u 10.0.0.1", 1, "nc: ");
    fails("nc -u -l", 1, "nc: missing port number\n");
    fails("nc -u 10.0.0.1 0", 1, "nc: port number invalid: 0\n");
    fails("nc -u 10.0.0.1 seven", 1, "nc: port number invalid: seven\n");
    fails("nc -u not-an-address 7", 1, "nc: ");
    fails("nc -x 10.0.0.1 7", 1, "nc: invalid option -- 'x'\n");
    /* without -u: TCP, the same checks */
    fails("nc 10.0.0.1", 1, "nc: missing hostname and port\n");
    fails("nc -l", 1, "nc: missing port number\n");
    fails("nc 10.0.0.1 65536", 1, "nc: port number invalid: 65536\n");
    ck_assert_ptr_null(f->net->socks);                  /* nothing left open */
    ck_assert_int_eq(f->net->cmd_refs, 0);
    ck_assert_int_eq(done_calls, 0);
}
END_TEST

/* nc over TCP against serve echo tcp, over lo on the virtual clock: the file goes out,
 * -N sends the FIN, the echo comes back whole (also after the FIN: half-close), and the
 * client ends when both directions have. A closed port refuses at once; -z -v connects. */
START_TEST(test_cmd_nc_tcp_echo)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/in", tmpdir);
    static char data[40000];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, sizeof(data), fp), sizeof(data));
    fclose(fp);
    out_is("serve echo tcp 7", "");
    ck_assert_int_eq(runf("nc -N 127.0.0.1 7 < %s", path), CMD_ASYNC);
    fx_advance_ms(f, 1);
    for (int i = 0; i < 100 && !done_calls; i++) fx_advance_ms(f, 10);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_uint_eq(out_len, sizeof(data));
    ck_assert_mem_eq(out, data, sizeof(data));
    out_is("serve list", "tcp 7 echo 1\n");
    /* nothing listens on 9: the RST fails the connect at once, status 1 */
    done_calls = 0;
    ck_assert_int_eq(run("nc 127.0.0.1 9"), CMD_ASYNC);
    fx_advance_ms(f, 1);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 1);
    ck_assert_str_eq(err, "nc: connect to 127.0.0.1 port 9 (tcp) failed: Connection refused\n");
    done_calls = 0;
    ck_assert_int_eq(run("nc -z -v 127.0.0.1 7"), CMD_ASYNC);
    fx_advance_ms(f, 1);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_msg(!strncmp(err, "Connection to 127.0.0.1 7 port [tcp/", 36), "%s", err);
}
END_TEST

/* OpenBSD nc's -I / -O (SO_RCVBUF / SO_SNDBUF, set before listen or connect: accepted
 * connections inherit the listener's, and Linux doubles the value) and -s / -p (the
 * connecting socket's local address and port; Debian's `nc -l -p PORT` listens on PORT).
 * Bad values get nc's own messages. */
START_TEST(test_cmd_nc_tcp_socket_options)
{
    static const char *const bad[][2] = {
        { "nc -I 0 10.0.0.1 7", "nc: TCP receive window too small: 0\n" },
        { "nc -O abc 10.0.0.1 7", "nc: TCP send window invalid: abc\n" },
        { "nc -I 2000000000 10.0.0.1 7", "nc: TCP receive window too large: 2000000000\n" },
        { "nc -p 70000 10.0.0.1 7", "nc: port number invalid: 70000\n" },
        { "nc -s nowhere 10.0.0.1 7", "nc: getaddrinfo for host \"nowhere\" port 0: Name or service not known\n" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) fails(bad[i][0], 1, bad[i][1]);
    ck_assert_ptr_null(f->net->socks);
    /* each nc runs in a context of its own (one running command per context) */
    struct cmd_ctx lctx = ctx, cctx = ctx;
    ck_assert_int_eq(cmd_run_line(&lctx, "nc -l -w 1 -I 8192 -O 16384 -p 5001"), CMD_ASYNC);
    ck_assert_int_eq(run("ss -tlm"), 0);
    ck_assert_msg(strstr(out, "0.0.0.0:5001 "), "%s", out);
    ck_assert_msg(strstr(out, "rb16384,") && strstr(out, "tb32768,"), "%s", out);
    ck_assert_int_eq(cmd_run_line(&cctx, "nc -w 1 -s 127.0.0.1 -p 40000 127.0.0.1 5001"), CMD_ASYNC);
    fx_advance_ms(f, 1);
    ck_assert_int_eq(run("ss -tnm"), 0);
    /* the client from 127.0.0.1:40000, and the accepted end with the listener's buffers */
    ck_assert_msg(strstr(out, "127.0.0.1:40000 "), "%s", out);
    ck_assert_msg(strstr(out, "rb16384,") && strstr(out, "tb32768,"), "%s", out);
    for (int i = 0; i < 300 && done_calls < 2; i++) fx_advance_ms(f, 10);   /* -w 1: both end idle */
    ck_assert_int_eq(done_calls, 2);
}
END_TEST

/* ------------------------------------------------------------------ ping */

/* The echo sequence is 16 bits: the 65536th echo goes out as seq 0 and its reply counts
 * (iputils counts on across the wrap). Over lo, reply-paced (-f), on the virtual clock. */
START_TEST(test_cmd_ping_seq_wraps)
{
    ck_assert_int_eq(run("ping -f -q -c 65537 127.0.0.1"), CMD_ASYNC);
    for (int i = 0; i < 100 && !done_calls; i++) fx_advance_ms(f, 10);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_msg(strstr(out, "65537 packets transmitted, 65537 received, 0% packet loss"), "%s", out);
}
END_TEST

/* ------------------------------------------------------------------ linux_compat */

/* LINUX_DIFF: Linux has one entry net.ipv4.ip_local_port_range holding both ends
 * ("32768\t60999" in /proc, as procps prints it); tapstack registers two invented keys,
 * net.ipv4.ip_local_port_range.lo / .hi (net/stack.c), so `sysctl
 * net.ipv4.ip_local_port_range` fails with "cannot stat". */
START_TEST(test_cmd_sysctl_ip_local_port_range)
{
    out_is("sysctl net.ipv4.ip_local_port_range", "net.ipv4.ip_local_port_range = 32768\t60999\n");
}
END_TEST

/* ping -f past 65535 echoes: the sequence numbers wrap to 0 (16 bits, as iputils'), and
 * the reply numbered 0 is one of ours like any other. Two namespaces on a veth pair. */
START_TEST(test_cmd_ping_seq_wraps_veth)
{
    out_is("ip netns add p1", "");
    out_is("ip netns add p2", "");
    out_is("ip -n p1 link add eth0 type veth peer name eth0 netns p2", "");
    out_is("ip -n p1 addr add 10.9.0.1/24 dev eth0", "");
    out_is("ip -n p2 addr add 10.9.0.2/24 dev eth0", "");
    out_is("ip -n p1 link set eth0 up", "");
    out_is("ip -n p2 link set eth0 up", "");
    ck_assert_int_eq(run("ip netns exec p1 ping -f -q -c 65540 10.9.0.2"), CMD_ASYNC);
    for (int i = 0; i < 2000 && !done_calls; i++) fx_advance_ms(f, 1);
    ck_assert_int_eq(done_calls, 1);
    ck_assert_int_eq(done_status, 0);
    ck_assert_msg(strstr(out, "65540 packets transmitted, 65540 received, 0% packet loss"), "%s", out);
}
END_TEST

Suite *cmd_suite(void)
{
    Suite *s = suite_create("cmd");
    struct { const char *name; const TTest *tests[12]; } groups[] = {
        { "tokenizer", { test_cmd_quoting, test_cmd_comments_and_empty_lines, test_cmd_unknown_command } },
        { "netns", { test_cmd_netns_exec, test_cmd_ping_seq_wraps_veth } },
        { "redirect", { test_cmd_redirections, test_cmd_stdin_file_feeds_nc } },
        { "commands", { test_cmd_help, test_cmd_sleep_is_asynchronous, test_cmd_sysctl, test_cmd_nstat_increments,
                        test_cmd_ss_udp, test_cmd_serve_echo, test_cmd_nc_errors,
                        test_cmd_nc_tcp_echo, test_cmd_nc_tcp_socket_options } },
        { "ping", { test_cmd_ping_seq_wraps } },
        { "linux_compat", { test_cmd_sysctl_ip_local_port_range } },
    };
    for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
        TCase *tc = tcase_create(groups[g].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 20);
        for (size_t i = 0; i < ARRAY_SIZE(groups[g].tests) && groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}
