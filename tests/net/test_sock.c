/*
 * tests/net/test_sock.c — the socket layer itself (net/sock.c, net/datagram.c,
 * net/stream.c, net/socket.c) and a connected socket's route cache (ip/dst.c):
 *
 *   proto    the protocol table in struct stack (duplicates refused, protocol 0 picks
 *            the type's permanent protocol), obj_size embedding, dispatch to a
 *            test-only stream protocol through inet_stream_ops, protocol-level options,
 *            `ss -i` info, lingering close and namespace exit
 *   dgram    one datagram per read: truncation, SK_MSG_TRUNC, SK_MSG_PEEK, scatter,
 *            control data, errors before data, shutdown; the ping socket through the
 *            BSD face and its error queue (IP_RECVERR)
 *   dst      the cached route and neighbour: used (no FIB or neighbour lookup per
 *            send) and dropped on a route change, a neighbour change, a device going
 *            down, an address deleted, an MTU change
 *
 * The stack is the fixture's (eth0 10.0.0.2/24, default route via 10.0.0.1); 10.0.0.1
 * and 10.0.0.9 are PERMANENT neighbours. Each test runs in its own process (CK_FORK), so
 * a protocol a test registers lives only in its stack.
 */
#include "net/socket.h"             /* first: its <netinet/in.h> must precede ip/ip_wire.h */
#undef IPPROTO_ICMP
#undef IPPROTO_TCP
#undef IPPROTO_UDP
#include "tests/fx_check.h"
#include "tests/udp/udp_frames.h"
#include "net/datagram.h"
#include "net/stream.h"
#include "ip/dst.h"
#include "udp/udp.h"
#include "shell/cmd.h"
#include <errno.h>

#define SEED  0x50c
#define PEER2 FX_IP(10, 0, 0, 9)
#define FARNET FX_IP(198, 51, 100, 1)       /* beyond the default gateway */
#define IPPROTO_TEST 253                    /* RFC 3692 experimental */
#define IPPROTO_FAKE 254                    /* RFC 3692 experimental: the test stream protocol */

static const struct eth_addr peer2_mac = { { 0x02, 0, 0, 0, 0, 0x09 } };
static const struct eth_addr eth1_mac  = { { 0x02, 0, 0, 0, 1, 0x02 } };
static const struct eth_addr far1_mac  = { { 0x02, 0, 0, 0, 1, 0x05 } };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, PEER2, &peer2_mac, NUD_PERMANENT));
}

static void teardown(void) { fxc_teardown(); }

/* ------------------------------------------------------------------ a test protocol */

/* A stream protocol that records what the socket layer asks of it. */
struct test_sock {
    struct sock sk;
    uint32_t magic;
    uint8_t tail[512];              /* written whole: ASan sees an undersized allocation */
};
static struct test_sock *test_sk(struct sock *sk) { return container_of(sk, struct test_sock, sk); }

static struct {
    int init, destroy, close, unhash, recvmsg, poll, shutdown, listen, accept, setopt, getopt, sendmsg;
    int how, backlog, level, opt, val;
    bool linger;                    /* close keeps the socket (as TIME_WAIT would) */
} calls;

static int tp_init(struct sock *sk)
{
    calls.init++;
    test_sk(sk)->magic = 0x7e57;
    memset(test_sk(sk)->tail, 0xab, sizeof(test_sk(sk)->tail));
    return 0;
}
static void tp_destroy(struct sock *sk) { calls.destroy++; }
static void tp_unhash(struct sock *sk) { calls.unhash++; }
static void tp_close(struct sock *sk)
{
    calls.close++;
    if (calls.linger) sock_hold(sk);
    else sk_common_release(sk);
}
static int tp_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    sk->local = (struct sock_addr){ addr, port };
    sk->bound = true;
    return 0;
}
static int tp_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    sk->remote = (struct sock_addr){ addr, port };
    sk->state = SK_ESTABLISHED;
    return 0;
}
static long tp_sendmsg(struct sock *sk, const struct sk_msghdr *msg) { calls.sendmsg++; return 0; }
/* A stream read: up to the room, the rest stays (here: a fixed text). */
static long tp_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    static const char text[] = "stream bytes";
    calls.recvmsg++;
    size_t n = MIN(msg->iov[0].iov_len, sizeof(text) - 1);
    memcpy(msg->iov[0].iov_base, text, n);
    return (long)n;
}
static unsigned tp_poll(const struct sock *sk) { calls.poll++; return SK_WRITABLE; }
static int tp_shutdown(struct sock *sk, int how) { calls.shutdown++; calls.how = how; return 0; }
static int tp_listen(struct sock *sk, int backlog)
{
    calls.listen++;
    calls.backlog = backlog;
    sk->state = SK_LISTEN;
    return 0;
}
static struct sock *tp_accept(struct sock *sk, int *err)
{
    calls.accept++;
    struct sock *n = sk_clone(sk, err);
    if (!n) return NULL;
    n->local = sk->local;
    n->remote = (struct sock_addr){ FX_PEER, 40000 };
    n->state = SK_ESTABLISHED;
    return n;
}
static int tp_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len)
{
    calls.setopt++;
    calls.level = level;
    calls.opt = opt;
    if (len < sizeof(int)) return -EINVAL;
    memcpy(&calls.val, val, sizeof(int));
    return level == IPPROTO_TEST ? 0 : -ENOPROTOOPT;
}
static int tp_getsockopt(struct sock *sk, int level, int opt, void *val, size_t *len)
{
    calls.getopt++;
    if (level != IPPROTO_TEST || *len < sizeof(int)) return -ENOPROTOOPT;
    memcpy(val, &calls.val, sizeof(int));
    *len = sizeof(int);
    return 0;
}
static int tp_get_info(const struct sock *sk, char *buf, size_t len, unsigned flags)
{
    return snprintf(buf, len, "cubic rto:204 cwnd:10");
}

static const struct proto test_prot = {
    .name = "test", .obj_size = sizeof(struct test_sock), .init = tp_init, .bind = tp_bind,
    .connect = tp_connect, .sendmsg = tp_sendmsg, .recvmsg = tp_recvmsg, .poll = tp_poll,
    .shutdown = tp_shutdown, .listen = tp_listen, .accept = tp_accept, .setsockopt = tp_setsockopt,
    .getsockopt = tp_getsockopt, .get_info = tp_get_info, .close = tp_close, .destroy = tp_destroy,
    .unhash = tp_unhash,
};
/* A permanent stream entry beside TCP (which inet_extra_init registered first). */
static const struct inet_protosw test_sw = {
    .type = SOCK_STREAM, .protocol = IPPROTO_FAKE, .prot = &test_prot, .ops = &inet_stream_ops,
    .flags = INET_PROTOSW_PERMANENT,
};

/* A stream protocol that provides nothing but sendmsg. */
static const struct proto bare_prot = { .name = "bare", .obj_size = sizeof(struct sock), .sendmsg = tp_sendmsg };
static const struct inet_protosw bare_sw = {
    .type = SOCK_STREAM, .protocol = IPPROTO_TEST, .prot = &bare_prot, .ops = &inet_stream_ops,
};

static struct sock *sk_make(int type, int protocol)
{
    int err = 1;
    struct sock *sk = sock_create(f->net, type, protocol, &err);
    ck_assert_msg(sk && err == 0, "sock_create(%d, %d): %d", type, protocol, err);
    return sk;
}

/* ------------------------------------------------------------------ proto */

START_TEST(test_register_refuses_duplicates)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), -EEXIST);
    /* UDP, the ping socket and TCP are already there (udp_init, icmp_init, tcp_enable) */
    struct inet_protosw tcp_again = { SOCK_STREAM, IPPROTO_TCP, &test_prot, &inet_stream_ops, 0 };
    ck_assert_int_eq(inet_register_protosw(f->st, &tcp_again), -EEXIST);
    struct inet_protosw udp_again = { SOCK_DGRAM, IPPROTO_UDP, &test_prot, &inet_dgram_ops, 0 };
    struct inet_protosw ping_again = { SOCK_DGRAM, IPPROTO_ICMP, &test_prot, &inet_dgram_ops, 0 };
    ck_assert_int_eq(inet_register_protosw(f->st, &udp_again), -EEXIST);
    ck_assert_int_eq(inet_register_protosw(f->st, &ping_again), -EEXIST);
    /* the same protocol number under another type is another entry */
    struct inet_protosw udp_stream = { SOCK_STREAM, IPPROTO_UDP, &test_prot, &inet_stream_ops, 0 };
    ck_assert_int_eq(inet_register_protosw(f->st, &udp_stream), 0);
    /* malformed entries */
    struct proto small = test_prot;
    small.obj_size = sizeof(struct sock) - 1;
    struct inet_protosw bad = { SOCK_STREAM, 200, &small, &inet_stream_ops, 0 };
    ck_assert_int_eq(inet_register_protosw(f->st, &bad), -EINVAL);
    struct proto nosend = test_prot;
    nosend.sendmsg = NULL;
    bad.prot = &nosend;
    ck_assert_int_eq(inet_register_protosw(f->st, &bad), -EINVAL);
    bad.prot = &test_prot;
    bad.ops = NULL;
    ck_assert_int_eq(inet_register_protosw(f->st, &bad), -EINVAL);
    /* a bounded table */
    static struct inet_protosw many[STACK_MAX_PROTOSW];
    int ok = 0, full = 0;
    for (int i = 0; i < STACK_MAX_PROTOSW; i++) {
        many[i] = (struct inet_protosw){ SOCK_STREAM, 100 + i, &test_prot, &inet_stream_ops, 0 };
        int r = inet_register_protosw(f->st, &many[i]);
        if (r == 0) ok++;
        else { ck_assert_int_eq(r, -ENOSPC); full++; }
    }
    ck_assert_int_eq(f->st->n_protosw, STACK_MAX_PROTOSW);
    ck_assert_int_gt(full, 0);
    ck_assert_int_eq(ok + 5, STACK_MAX_PROTOSW);            /* udp, ping, tcp, test, udp_stream */
}
END_TEST

START_TEST(test_protocol_zero_picks_the_permanent_one)
{
    /* icmp_init registered the ping socket before udp_init registered UDP, and yet */
    struct sock *sk = sk_make(SOCK_DGRAM, 0);
    ck_assert_int_eq(sk->protocol, IPPROTO_UDP);
    ck_assert_str_eq(sk->prot->name, "udp");
    ck_assert_ptr_eq(sk->ops, &inet_dgram_ops);
    struct sock *ping = sk_make(SOCK_DGRAM, IPPROTO_ICMP);
    ck_assert_str_eq(ping->prot->name, "ping");
    struct sock *tcp = sk_make(SOCK_STREAM, 0);             /* TCP: the stream default */
    ck_assert_str_eq(tcp->prot->name, "tcp");
    ck_assert_int_eq(inet_register_protosw(f->st, &bare_sw), 0);       /* not permanent */
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);       /* permanent: before bare */
    int at_test = -1, at_bare = -1;
    for (int i = 0; i < f->st->n_protosw; i++) {
        if (f->st->protosw[i] == &test_sw) at_test = i;
        if (f->st->protosw[i] == &bare_sw) at_bare = i;
    }
    ck_assert_int_ge(at_test, 0);
    ck_assert_int_lt(at_test, at_bare);
    struct sock *st = sk_make(SOCK_STREAM, 0);              /* the first permanent one stays */
    ck_assert_str_eq(st->prot->name, "tcp");
    ck_assert_str_eq(sk_make(SOCK_STREAM, IPPROTO_FAKE)->prot->name, "test");
    ck_assert_str_eq(sk_make(SOCK_STREAM, IPPROTO_TEST)->prot->name, "bare");
    int err = 0;
    ck_assert_ptr_null(sock_create(f->net, SOCK_STREAM, 99, &err));
    ck_assert_int_eq(err, -EPROTONOSUPPORT);
    sock_close(sk);
    sock_close(ping);
    sock_close(tcp);
    sock_close(st);
    while (f->net->socks) sock_close(f->net->socks);
}
END_TEST

START_TEST(test_obj_size_embeds_the_socket)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    struct sock *sk = sk_make(SOCK_STREAM, IPPROTO_FAKE);
    struct test_sock *ts = test_sk(sk);
    ck_assert_ptr_eq(&ts->sk, sk);
    ck_assert_int_eq(calls.init, 1);
    ck_assert_uint_eq(ts->magic, 0x7e57);
    for (size_t i = 0; i < sizeof(ts->tail); i++) ck_assert_uint_eq(ts->tail[i], 0xab);
    ck_assert_int_eq(sk->state, SK_CLOSE);
    ck_assert_ptr_eq(f->net->socks, sk);                    /* on the namespace's list */
    sock_close(sk);
    ck_assert_int_eq(calls.close, 1);
    ck_assert_int_eq(calls.destroy, 1);                     /* sk_common_release */
    ck_assert_int_eq(calls.unhash, 1);
    ck_assert_ptr_null(f->net->socks);
}
END_TEST

START_TEST(test_stream_ops_reach_the_protocol)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    int fd = ts_socket(f->net, AF_INET, SOCK_STREAM, IPPROTO_FAKE);
    ck_assert_int_ge(fd, 0);
    struct sock *lsk = ts_sock(f->st, fd);
    int err;
    ck_assert_ptr_null(sock_accept(lsk, &err));
    ck_assert_int_eq(err, -EINVAL);                         /* not listening: inet_accept */
    ck_assert_int_eq(calls.accept, 0);
    ck_assert_int_eq(sock_shutdown(lsk, 1), -ENOTCONN);     /* closed: nothing to shut */
    ck_assert(lsk->shut_wr);
    ck_assert_int_eq(calls.shutdown, 1);
    lsk->shut_wr = false;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
    ck_assert_int_eq(ts_bind(f->st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(ts_listen(f->st, fd, 17), 0);
    ck_assert_int_eq(calls.listen, 1);
    ck_assert_int_eq(calls.backlog, 17);
    ck_assert_int_eq(lsk->state, SK_LISTEN);
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int cfd = ts_accept(f->st, fd, (struct sockaddr *)&peer, &plen);
    ck_assert_int_ge(cfd, 0);
    ck_assert_int_eq(calls.accept, 1);
    ck_assert_uint_eq(ntohl(peer.sin_addr.s_addr), FX_PEER);
    ck_assert_uint_eq(ntohs(peer.sin_port), 40000);
    struct sock *csk = ts_sock(f->st, cfd);
    ck_assert_ptr_eq(csk->prot, &test_prot);
    ck_assert_int_eq(calls.init, 2);                        /* sk_clone ran init */
    ck_assert_int_eq(sock_listen(csk, 1), -EINVAL);         /* connected: inet_listen */
    /* a stream read leaves the rest: the protocol's recvmsg decides */
    char buf[6];
    ck_assert_int_eq(ts_recv(f->st, cfd, buf, sizeof(buf), 0), 6);
    ck_assert_mem_eq(buf, "stream", 6);
    ck_assert_int_eq(calls.recvmsg, 1);
    ck_assert_int_eq(ts_recv(f->st, cfd, buf, sizeof(buf), MSG_ERRQUEUE), -1);
    ck_assert_int_eq(errno, EAGAIN);                        /* no error queue on streams */
    unsigned polls = (unsigned)calls.poll;
    ck_assert_uint_eq(sock_poll(csk), SK_WRITABLE);
    ck_assert_int_eq(calls.poll, polls + 1);
    ck_assert_int_eq(ts_shutdown(f->st, cfd, SHUT_WR), 0);
    ck_assert_int_eq(calls.shutdown, 2);
    ck_assert_int_eq(calls.how, SHUT_WR);
    ck_assert(csk->shut_wr && !csk->shut_rd);
    ck_assert_int_eq(ts_send(f->st, cfd, "x", 1, 0), -1);   /* after SHUT_WR: EPIPE */
    ck_assert_int_eq(errno, EPIPE);
    ck_assert_int_eq(calls.sendmsg, 0);
    ck_assert_int_eq(ts_close(f->st, cfd), 0);
    ck_assert_int_eq(ts_close(f->st, fd), 0);
    ck_assert_int_eq(calls.destroy, 2);
}
END_TEST

START_TEST(test_stream_without_ops_is_eopnotsupp)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &bare_sw), 0);
    struct sock *sk = sk_make(SOCK_STREAM, IPPROTO_TEST);
    char buf[4];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -EOPNOTSUPP);
    ck_assert_int_eq(sock_listen(sk, 1), -EOPNOTSUPP);
    int err = 0;
    ck_assert_ptr_null(sock_accept(sk, &err));
    ck_assert_int_eq(err, -EOPNOTSUPP);
    ck_assert_uint_eq(sock_poll(sk), 0);
    ck_assert_int_eq(sock_bind(sk, 0, 1), -EOPNOTSUPP);
    ck_assert_int_eq(sock_connect(sk, FX_PEER, 1), -EOPNOTSUPP);
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_IP, IP_TTL, &err, sizeof(err)), -ENOPROTOOPT);
    ck_assert_int_eq(sock_get_info(sk, buf, sizeof(buf), 0), 0);
    ck_assert_str_eq(buf, "");
    sock_close(sk);
}
END_TEST

START_TEST(test_dgram_has_no_listen_or_accept)
{
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ts_listen(f->st, fd, 5), -1);
    ck_assert_int_eq(errno, EOPNOTSUPP);                    /* sock_no_listen */
    ck_assert_int_eq(ts_accept(f->st, fd, NULL, NULL), -1);
    ck_assert_int_eq(errno, EOPNOTSUPP);
    ck_assert_int_eq(ts_close(f->st, fd), 0);
}
END_TEST

START_TEST(test_options_by_level)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    struct sock *sk = sk_make(SOCK_STREAM, IPPROTO_FAKE);
    int v = 1;
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
    ck_assert(sk->reuseaddr);
    ck_assert_int_eq(calls.setopt, 0);                      /* SOL_SOCKET stays generic */
    v = 42;
    ck_assert_int_eq(sock_setsockopt_level(sk, IPPROTO_TEST, 7, &v, sizeof(v)), 0);
    ck_assert_int_eq(calls.setopt, 1);
    ck_assert_int_eq(calls.level, IPPROTO_TEST);
    ck_assert_int_eq(calls.opt, 7);
    int got = 0;
    size_t len = sizeof(got);
    ck_assert_int_eq(sock_getsockopt_level(sk, IPPROTO_TEST, 7, &got, &len), 0);
    ck_assert_int_eq(got, 42);
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_IP, IP_TTL, &v, sizeof(v)), -ENOPROTOOPT);
    sock_close(sk);

    /* UDP's SOL_IP: IP_TTL on the wire, -1 the default again, 0 refused */
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    v = 7;
    ck_assert_int_eq(ts_setsockopt(f->st, fd, SOL_IP, IP_TTL, &v, sizeof(v)), 0);
    socklen_t sl = sizeof(got);
    ck_assert_int_eq(ts_getsockopt(f->st, fd, SOL_IP, IP_TTL, &got, &sl), 0);
    ck_assert_int_eq(got, 7);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_sendto(f->st, fd, "ttl", 3, 0, (struct sockaddr *)&to, sizeof(to)), 3);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    ck_assert_uint_eq(ip.ttl, 7);
    v = 0;
    ck_assert_int_eq(ts_setsockopt(f->st, fd, SOL_IP, IP_TTL, &v, sizeof(v)), -1);
    ck_assert_int_eq(errno, EINVAL);
    v = -1;
    ck_assert_int_eq(ts_setsockopt(f->st, fd, SOL_IP, IP_TTL, &v, sizeof(v)), 0);
    ck_assert_int_eq(ts_getsockopt(f->st, fd, SOL_IP, IP_TTL, &got, &sl), 0);
    ck_assert_int_eq(got, 64);                              /* ip_default_ttl */
    ck_assert_int_eq(ts_setsockopt(f->st, fd, IPPROTO_TEST, 1, &v, sizeof(v)), -1);
    ck_assert_int_eq(errno, ENOPROTOOPT);
    v = 1;                                                  /* UDP has no error queue yet */
    ck_assert_int_eq(ts_setsockopt(f->st, fd, SOL_IP, IP_RECVERR, &v, sizeof(v)), -1);
    ck_assert_int_eq(errno, ENOPROTOOPT);
    ck_assert_int_eq(ts_close(f->st, fd), 0);
}
END_TEST

/* ss lists what the protocol table holds, with its state names and -i info. */
static char ss_out[4096];
static size_t ss_len;
static void ss_write(void *io, int fd, const char *buf, size_t n)
{
    if (fd != 1 || ss_len + n >= sizeof(ss_out)) return;
    memcpy(ss_out + ss_len, buf, n);
    ss_len += n;
    ss_out[ss_len] = 0;
}

static const char *ss_run(const char *line)
{
    struct cmd_ctx c = { .st = f->st, .net = f->net, .write = ss_write, .out_fd = -1, .in_fd = -1 };
    ss_len = 0;
    ss_out[0] = 0;
    ck_assert_int_eq(cmd_run_line(&c, line), 0);
    return ss_out;
}

START_TEST(test_ss_lists_a_registered_stream_protocol)
{
    ck_assert_str_eq(ss_run("ss -tn"), "Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n");
    /* another stream protocol's sockets are not TCP's: ss -t leaves them out */
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    struct sock *fake = sk_make(SOCK_STREAM, IPPROTO_FAKE);
    ck_assert_int_eq(sock_bind(fake, FX_ADDR, 81), 0);
    ck_assert_int_eq(sock_listen(fake, 4), 0);
    ck_assert_msg(!strstr(ss_run("ss -tan"), ":81 "), "%s", ss_out);
    /* TCP's: a listener and a connection being opened (SYN-SENT is a connected state) */
    struct sock *l = sk_make(SOCK_STREAM, 0), *e = sk_make(SOCK_STREAM, 0);
    ck_assert_int_eq(sock_bind(l, FX_ADDR, 80), 0);
    ck_assert_int_eq(sock_listen(l, 4), 0);
    ck_assert_int_eq(sock_bind(e, FX_ADDR, 5555), 0);
    ck_assert_int_eq(sock_connect(e, FX_PEER, 80), -EINPROGRESS);
    const char *o = ss_run("ss -tn");                       /* connected only, no State */
    ck_assert_msg(strstr(o, "10.0.0.2:5555") && strstr(o, "10.0.0.1:80") && !strstr(o, "LISTEN") &&
                  !strstr(o, "SYN-SENT") && !strstr(o, "\t"), "%s", o);
    o = ss_run("ss -tan");
    ck_assert_msg(strstr(o, "LISTEN") && strstr(o, "SYN-SENT"), "%s", o);
    o = ss_run("ss -tln");
    ck_assert_msg(strstr(o, "LISTEN") && !strstr(o, "SYN-SENT") && strstr(o, "10.0.0.2:80"), "%s", o);
    sock_close(l);
    sock_close(e);
    sock_close(fake);
}
END_TEST

START_TEST(test_lingering_close_and_namespace_exit)
{
    ck_assert_int_eq(inet_register_protosw(f->st, &test_sw), 0);
    calls.linger = true;
    struct sock *sk = sk_make(SOCK_STREAM, IPPROTO_FAKE);
    sock_close(sk);
    ck_assert_int_eq(calls.close, 1);
    ck_assert_int_eq(calls.destroy, 0);
    ck_assert_ptr_eq(f->net->socks, sk);                    /* still an endpoint (ss sees it) */
    ck_assert(sk->closed);
    ck_assert_int_eq(sock_bind(sk, 0, 1), -EBADF);
    sk_common_release(sk);                                  /* the protocol is done with it */
    ck_assert_int_eq(calls.destroy, 1);
    ck_assert_ptr_null(f->net->socks);
    sock_put(sk);                                           /* freed: ASan checks */

    /* a namespace going away releases what lingers in it, and destroys once */
    struct net *ns = net_new(f->st, "ns1");
    ck_assert_ptr_nonnull(ns);
    int err;
    struct sock *a = sock_create(ns, SOCK_STREAM, IPPROTO_FAKE, &err), *b = sock_create(ns, SOCK_STREAM, IPPROTO_FAKE, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    sock_close(a);                                          /* lingering; b still open */
    net_free(ns);
    ck_assert_int_eq(calls.close, 3);
    ck_assert_int_eq(calls.destroy, 3);
}
END_TEST

/* ------------------------------------------------------------------ dgram */

static void inject_udp(uint32_t src, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    struct udpf s = { .src = src, .dst = FX_ADDR, .sport = sport, .dport = dport, .data = data, .len = len };
    size_t n = udpf_build(fxc_buf, sizeof(fxc_buf), &s);
    ck_assert_uint_gt(n, 0);
    fx_inject(f, fxc_buf, n);
}

static struct sock *udp_bound(uint16_t port)
{
    struct sock *sk = sk_make(SOCK_DGRAM, IPPROTO_UDP);
    ck_assert_int_eq(sock_bind(sk, 0, port), 0);
    return sk;
}

START_TEST(test_dgram_one_per_read_and_truncation)
{
    struct sock *sk = udp_bound(7000);
    inject_udp(FX_PEER, 4000, 7000, "0123456789", 10);
    inject_udp(PEER2, 4001, 7000, "abc", 3);
    ck_assert_uint_eq(sk->rq_len, 2);
    char a[2], b[3];
    struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
    struct sock_addr from;
    struct sk_msghdr msg = { .iov = iov, .iovlen = 2, .name = &from };
    ck_assert_int_eq(sock_recvmsg(sk, &msg), 5);            /* scattered over both iovecs */
    ck_assert_mem_eq(a, "01", 2);
    ck_assert_mem_eq(b, "234", 3);
    ck_assert(msg.flags & SK_MSG_TRUNC);                    /* the rest is gone */
    ck_assert_uint_eq(from.addr, FX_PEER);
    ck_assert_uint_eq(from.port, 4000);
    ck_assert_uint_eq(msg.dst, FX_ADDR);                    /* IP_PKTINFO */
    ck_assert_uint_eq(msg.ttl, 64);                         /* IP_RECVTTL */
    msg = (struct sk_msghdr){ .iov = iov, .iovlen = 1, .name = &from };
    ck_assert_int_eq(sock_recvmsg(sk, &msg), 2);            /* the next datagram, not the rest */
    ck_assert_mem_eq(a, "ab", 2);
    ck_assert_uint_eq(from.addr, PEER2);
    ck_assert_uint_eq(sk->rq_len, 0);
    ck_assert_uint_eq(sk->rmem, 0);
    inject_udp(FX_PEER, 4000, 7000, "0123456789", 10);
    msg = (struct sk_msghdr){ .iov = iov, .iovlen = 1, .flags = SK_MSG_TRUNC };
    ck_assert_int_eq(sock_recvmsg(sk, &msg), 10);           /* MSG_TRUNC: the real length */
    ck_assert(msg.flags & SK_MSG_TRUNC);
    ck_assert_int_eq(sock_recvfrom(sk, a, sizeof(a), NULL), -EAGAIN);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 3);
    sock_close(sk);
}
END_TEST

START_TEST(test_dgram_peek_leaves_it_queued)
{
    struct sock *sk = udp_bound(7001);
    inject_udp(FX_PEER, 4000, 7001, "peek", 4);
    unsigned rmem = sk->rmem;
    char buf[8];
    struct iovec iov = { buf, sizeof(buf) };
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .flags = SK_MSG_PEEK };
    ck_assert_int_eq(sock_recvmsg(sk, &msg), 4);
    ck_assert_uint_eq(sk->rq_len, 1);
    ck_assert_uint_eq(sk->rmem, rmem);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 0);          /* udp_recvmsg: not when peeking */
    ck_assert(sock_poll(sk) & SK_READABLE);
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), 4);
    ck_assert_uint_eq(sk->rq_len, 0);
    ck_assert_uint_eq(MIB(MIB_UdpInDatagrams), 1);
    ck_assert(!(sock_poll(sk) & SK_READABLE));
    sock_close(sk);
}
END_TEST

START_TEST(test_dgram_error_first_then_data_then_shutdown)
{
    struct sock *sk = udp_bound(7002);
    inject_udp(FX_PEER, 4000, 7002, "data", 4);
    sk_set_err(sk, ECONNREFUSED);
    ck_assert_uint_eq(sock_poll(sk), SK_READABLE | SK_ERROR | SK_WRITABLE);
    char buf[8];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -ECONNREFUSED);
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), 4);
    /* unconnected: ENOTCONN, but reading is shut all the same (inet_shutdown) */
    ck_assert_int_eq(sock_shutdown(sk, SHUT_RD), -ENOTCONN);
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), 0);
    inject_udp(FX_PEER, 4000, 7002, "late", 4);
    ck_assert_uint_eq(sk->drops, 1);                        /* refused, counted */
    ck_assert_uint_eq(MIB(MIB_UdpRcvbufErrors), 1);
    ck_assert_int_eq(sock_shutdown(sk, 3), -EINVAL);
    sock_close(sk);
}
END_TEST

/* An echo request as a ping socket's caller writes it: type 8, code 0, seq, payload. */
static size_t echo_req(uint8_t *b, uint8_t type, uint16_t seq, const char *payload)
{
    size_t n = strlen(payload);
    memset(b, 0, 8);
    b[0] = type;
    put_be16(b + 6, seq);
    memcpy(b + 8, payload, n);
    return 8 + n;
}

START_TEST(test_ping_socket_through_the_bsd_face)
{
    struct stack *st = f->st;
    int fd = ts_socket(f->net, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    ck_assert_int_ge(fd, 0);
    uint8_t req[32];
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(FX_PEER) };
    ck_assert_int_eq(ts_sendto(st, fd, req, echo_req(req, ICMP_ECHOREPLY, 1, "x"), 0,
                               (struct sockaddr *)&to, sizeof(to)), -1);
    ck_assert_int_eq(errno, EINVAL);                        /* only echo requests */
    ck_assert_int_eq(ts_sendto(st, fd, req, 4, 0, (struct sockaddr *)&to, sizeof(to)), -1);
    ck_assert_int_eq(errno, EINVAL);                        /* shorter than a header */
    ck_assert_int_eq(ts_send(st, fd, req, echo_req(req, ICMP_ECHO, 1, "x"), 0), -1);
    ck_assert_int_eq(errno, EDESTADDRREQ);
    size_t n = echo_req(req, ICMP_ECHO, 5, "abcd");
    ck_assert_int_eq(ts_sendto(st, fd, req, n, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)n);
    struct sockaddr_in me;
    socklen_t mlen = sizeof(me);
    ck_assert_int_eq(ts_getsockname(st, fd, (struct sockaddr *)&me, &mlen), 0);
    uint16_t ident = ntohs(me.sin_port);
    ck_assert_uint_ne(ident, 0);                            /* autobound: the identifier */
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.type, ICMP_ECHO);
    ck_assert_uint_eq(ic.ident, ident);
    ck_assert_uint_eq(ic.seq, 5);
    ck_assert(ic.csum_ok);
    ck_assert_uint_eq(ic.dlen, 4);
    ck_assert_mem_eq(ic.data, "abcd", 4);
    ck_assert_uint_eq(MIB(MIB_IcmpOutEchos), 1);

    size_t fl = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, ICMP_ECHOREPLY, ident, 5, "abcd", 4);
    fx_inject(f, fxc_buf, fl);
    fl = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, ICMP_ECHOREPLY, ident ^ 1, 6, "zz", 2);
    fx_inject(f, fxc_buf, fl);
    ck_assert_uint_eq(DROPS(DROP_NO_SOCKET), 1);            /* not ours */
    uint8_t buf[64];
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ck_assert_int_eq(ts_recvfrom(st, fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 12);
    ck_assert_uint_eq(buf[0], ICMP_ECHOREPLY);              /* the whole ICMP message */
    ck_assert_uint_eq(get_be16(buf + 4), ident);
    ck_assert_uint_eq(get_be16(buf + 6), 5);
    ck_assert_mem_eq(buf + 8, "abcd", 4);
    ck_assert_uint_eq(ntohl(from.sin_addr.s_addr), FX_PEER);
    ck_assert_uint_eq(from.sin_port, 0);
    ck_assert_int_eq(ts_recv(st, fd, buf, sizeof(buf), 0), -1);
    ck_assert_int_eq(errno, EAGAIN);
    /* an identifier is taken once */
    int fd2 = ts_socket(f->net, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    struct sockaddr_in same = { .sin_family = AF_INET, .sin_port = htons(ident) };
    ck_assert_int_eq(ts_bind(st, fd2, (struct sockaddr *)&same, sizeof(same)), -1);
    ck_assert_int_eq(errno, EADDRINUSE);
    ck_assert_int_eq(ts_close(st, fd2), 0);
    ck_assert_int_eq(ts_close(st, fd), 0);
}
END_TEST

/* The far end's router answers an echo request with "host unreachable". */
static void inject_unreach(uint8_t code)
{
    size_t flen;
    const uint8_t *fr = fxc_pop(&flen, NULL);
    struct fx_ipv4 ip;
    ck_assert(fx_parse_ipv4(fr, flen, &ip));
    uint8_t ic[8 + 28];
    size_t iclen = fx_build_icmp(ic, sizeof(ic), ICMP_DEST_UNREACH, code, 0, ip.hdr, 28);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 1, 0, ic, iclen);
    fx_inject(f, fxc_buf, len);
}

START_TEST(test_ping_error_queue)
{
    struct sock *sk = sk_make(SOCK_DGRAM, IPPROTO_ICMP);
    int one = 1;
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_IP, IP_RECVERR, &one, sizeof(one)), 0);
    uint8_t req[32];
    struct sock_addr to = { FARNET, 0 };
    ck_assert_int_ge(sock_sendto(sk, req, echo_req(req, ICMP_ECHO, 42, ""), &to), 0);
    inject_unreach(ICMP_HOST_UNREACH);
    ck_assert_uint_eq(sk->eq_len, 1);
    ck_assert(sock_poll(sk) & SK_ERROR);
    char buf[64];
    ck_assert_int_eq(sock_recvfrom(sk, buf, sizeof(buf), NULL), -EHOSTUNREACH);  /* ping_err's sk_err */
    struct iovec iov = { buf, sizeof(buf) };
    struct sock_addr where;
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .name = &where, .flags = SK_MSG_ERRQUEUE };
    ck_assert_int_eq(sock_recvmsg(sk, &msg), 8);            /* the quoted echo header */
    ck_assert_uint_eq((uint8_t)buf[0], ICMP_ECHO);
    ck_assert_uint_eq(get_be16((uint8_t *)buf + 6), 42);
    ck_assert(msg.flags & SK_MSG_ERRQUEUE);
    ck_assert_uint_eq(msg.ee.ee_errno, EHOSTUNREACH);
    ck_assert_uint_eq(msg.ee.ee_origin, SK_EE_ORIGIN_ICMP);
    ck_assert_uint_eq(msg.ee.ee_type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(msg.ee.ee_code, ICMP_HOST_UNREACH);
    ck_assert_uint_eq(msg.ee.offender, FX_PEER);
    ck_assert_uint_eq(where.addr, FARNET);
    ck_assert_uint_eq(sk->rmem, 0);
    msg.flags = SK_MSG_ERRQUEUE;
    ck_assert_int_eq(sock_recvmsg(sk, &msg), -EAGAIN);
    ck_assert(!(sock_poll(sk) & SK_ERROR));
    sock_close(sk);

    /* without IP_RECVERR an unconnected socket hears nothing (ping_err: hard and
     * connected only); a connected one gets the hard error as its pending error */
    sk = sk_make(SOCK_DGRAM, IPPROTO_ICMP);
    ck_assert_int_ge(sock_sendto(sk, req, echo_req(req, ICMP_ECHO, 1, ""), &to), 0);
    inject_unreach(ICMP_PORT_UNREACH);
    ck_assert_uint_eq(sk->eq_len, 0);
    ck_assert_int_eq(sk->err, 0);
    ck_assert_int_eq(sock_connect(sk, FARNET, 0), 0);
    ck_assert_int_ge(sock_sendto(sk, req, echo_req(req, ICMP_ECHO, 2, ""), NULL), 0);
    inject_unreach(ICMP_PORT_UNREACH);
    ck_assert_int_eq(sk->err, ECONNREFUSED);
    ck_assert_uint_eq(sk->eq_len, 0);
    sock_close(sk);
}
END_TEST

START_TEST(test_ping_error_queue_is_bounded)
{
    struct sock *sk = sk_make(SOCK_DGRAM, IPPROTO_ICMP);
    int one = 1;
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_IP, IP_RECVERR, &one, sizeof(one)), 0);
    ck_assert_int_eq(sock_setsockopt(sk, SO_RCVBUF, 1), 0);     /* the 2304-byte floor */
    uint8_t req[32];
    struct sock_addr to = { FARNET, 0 };
    for (int i = 0; i < 3; i++) {
        long r = sock_sendto(sk, req, echo_req(req, ICMP_ECHO, (uint16_t)i, ""), &to);
        if (r == -EHOSTUNREACH)             /* the last error reported (and cleared) first */
            r = sock_sendto(sk, req, echo_req(req, ICMP_ECHO, (uint16_t)i, ""), &to);
        ck_assert_int_ge(r, 0);
        inject_unreach(ICMP_HOST_UNREACH);
    }
    /* sock_queue_err_skb: refused once rmem + truesize reaches rcvbuf. One error packet
     * (a small buffer) fits under the 2304-byte floor; the next ones do not. */
    ck_assert_uint_eq(sk->eq_len, 1);
    ck_assert_uint_eq(sk->drops, 2);
    ck_assert_uint_eq(DROPS(DROP_SOCKET_RCVBUFF), 2);
    sock_close(sk);
}
END_TEST

/* The in-process face: a callback that closes the socket leaves the rest unread. */
static int face_replies;
static struct ping_sock *face_sock;
static void face_reply(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *d, size_t n)
{
    face_replies++;
    ping_sock_close(face_sock);
}
static const struct ping_sock_ops face_ops = { .reply = face_reply };

START_TEST(test_ping_face_close_from_callback)
{
    face_sock = ping_sock_open(f->net, &face_ops, NULL);
    ck_assert_ptr_nonnull(face_sock);
    uint16_t ident = ping_sock_ident(face_sock);
    for (int i = 0; i < 3; i++) {           /* three replies in one batch, then the loop */
        size_t fl = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, ICMP_ECHOREPLY, ident,
                                       (uint16_t)i, "r", 1);
        struct pkt *p = net_pkt_alloc(f->net, fl);
        ck_assert_ptr_nonnull(p);
        memcpy(pkt_put(p, fl), fxc_buf, fl);
        netif_receive(f->dev, p);
    }
    stack_poll(f->st);
    ck_assert_int_eq(face_replies, 1);
    ck_assert_ptr_null(f->net->socks);                      /* closed; the rest purged */
}
END_TEST

/* ------------------------------------------------------------------ dst */

static uint64_t slow(void) { return f->net->rt_stat.out_slow_tot; }
static uint64_t hits(void) { return f->net->rt_stat.out_hit; }

static struct sock *udp_connected(uint32_t addr)
{
    struct sock *sk = sk_make(SOCK_DGRAM, IPPROTO_UDP);
    ck_assert_int_eq(sock_connect(sk, addr, 9), 0);
    return sk;
}

/* One datagram on the connected socket; returns the frame's destination MAC. */
static struct eth_addr send_one(struct sock *sk, int *ifindex)
{
    ck_assert_int_eq(sock_sendto(sk, "d", 1, NULL), 1);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, ifindex);
    return ip.eth_dst;
}

START_TEST(test_dst_cache_is_used)
{
    uint64_t s0 = slow();
    struct sock *sk = udp_connected(FARNET);
    ck_assert_uint_eq(slow(), s0 + 1);                      /* connect looked the route up */
    struct eth_addr mac = send_one(sk, NULL);
    fxc_assert_mac(&mac, &fx_peer_mac);
    uint64_t lookups = arp_table(f->net)->lookups;            /* the neighbour is now cached */
    for (int i = 0; i < 3; i++) send_one(sk, NULL);
    ck_assert_uint_eq(slow(), s0 + 1);                      /* no FIB lookup per send */
    ck_assert_uint_eq(hits(), 4);
    ck_assert_uint_eq(arp_table(f->net)->lookups, lookups);   /* nor a neighbour lookup */
    ck_assert_uint_eq(MIB(MIB_UdpOutDatagrams), 4);
    /* sendto, even to the peer, and an unconnected socket route every time */
    struct sock_addr to = { FARNET, 9 };
    ck_assert_int_eq(sock_sendto(sk, "d", 1, &to), 1);
    ck_assert_uint_eq(slow(), s0 + 2);
    struct sock *u = sk_make(SOCK_DGRAM, IPPROTO_UDP);
    ck_assert_int_eq(sock_sendto(u, "d", 1, &to), 1);
    ck_assert_int_eq(sock_sendto(u, "d", 1, &to), 1);
    ck_assert_uint_eq(slow(), s0 + 4);
    ck_assert_uint_eq(hits(), 4);
    /* disconnect and connect elsewhere: the old route is not reused */
    ck_assert_int_eq(sock_disconnect(sk), 0);
    ck_assert_int_eq(sock_connect(sk, PEER2, 9), 0);
    fx_tx_clear(f);
    mac = send_one(sk, NULL);
    fxc_assert_mac(&mac, &peer2_mac);
    sock_close(u);
    sock_close(sk);
}
END_TEST

START_TEST(test_dst_invalidated_by_route_change)
{
    struct sock *sk = udp_connected(FARNET);
    send_one(sk, NULL);
    uint64_t s0 = slow();
    ck_assert_int_eq(fx_route_add(f, FX_IP(198, 51, 100, 0), 24, PEER2, f->dev), 0);
    struct eth_addr mac = send_one(sk, NULL);
    fxc_assert_mac(&mac, &peer2_mac);                       /* the new, more specific route */
    ck_assert_uint_eq(slow(), s0 + 1);
    send_one(sk, NULL);
    ck_assert_uint_eq(slow(), s0 + 1);                      /* cached again */
    ck_assert_int_eq(fx_route_del(f, FX_IP(198, 51, 100, 0), 24), 0);
    mac = send_one(sk, NULL);
    fxc_assert_mac(&mac, &fx_peer_mac);
    ck_assert_uint_eq(slow(), s0 + 2);
    sock_close(sk);
}
END_TEST

START_TEST(test_dst_invalidated_by_neighbour_change)
{
    static const struct eth_addr moved = { { 0x02, 0, 0, 0, 0, 0x77 } };
    struct sock *sk = udp_connected(FX_PEER);
    send_one(sk, NULL);
    uint64_t s0 = slow();
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &moved, NUD_PERMANENT));   /* new lladdr */
    struct eth_addr mac = send_one(sk, NULL);
    fxc_assert_mac(&mac, &moved);
    ck_assert_uint_eq(slow(), s0 + 1);
    /* the entry goes away: the cache must not touch it (ASan), output makes a new one */
    neigh_destroy(fx_neigh(f, FX_PEER));
    ck_assert_int_eq(sock_sendto(sk, "d", 1, NULL), 1);
    ck_assert_uint_eq(slow(), s0 + 2);
    ck_assert_uint_eq(fx_neigh_state(f, FX_PEER), NUD_INCOMPLETE);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);                                  /* the datagram waits for it */
    ck_assert_uint_eq(a.tpa, FX_PEER);
    fxc_peer_reply(&fx_peer_mac);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    sock_close(sk);
}
END_TEST

/* eth1 10.1.0.2/24 with a PERMANENT neighbour 10.1.0.5, and a socket connected to it. */
static struct netdev *eth1_with_peer(struct sock **skp)
{
    struct netdev *eth1 = fx_add_dev(f, "eth1", &eth1_mac, FX_IP(10, 1, 0, 2), 24, 1500);
    ck_assert_ptr_nonnull(eth1);
    ck_assert_ptr_nonnull(fx_neigh_set(f, eth1, FX_IP(10, 1, 0, 5), &far1_mac, NUD_PERMANENT));
    *skp = udp_connected(FX_IP(10, 1, 0, 5));
    int ifindex;
    struct eth_addr mac = send_one(*skp, &ifindex);
    ck_assert_int_eq(ifindex, eth1->ifindex);
    fxc_assert_mac(&mac, &far1_mac);
    return eth1;
}

START_TEST(test_dst_invalidated_by_device_down)
{
    struct sock *sk;
    struct netdev *eth1 = eth1_with_peer(&sk);
    uint64_t s0 = slow();
    ck_assert_int_eq(dev_close(eth1), 0);
    /* the subnet route went with the link: the default route takes it now */
    int ifindex;
    struct eth_addr mac = send_one(sk, &ifindex);
    ck_assert_int_eq(ifindex, f->dev->ifindex);
    fxc_assert_mac(&mac, &fx_peer_mac);
    ck_assert_uint_eq(slow(), s0 + 1);
    /* back up: through eth1 again, whose neighbours went with the link (neigh_ifdown) */
    ck_assert_int_eq(dev_open(eth1), 0);
    fx_tx_clear(f);
    ck_assert_int_eq(sock_sendto(sk, "d", 1, NULL), 1);
    struct fx_arp a;
    fxc_pop_arp(&a, &ifindex);
    ck_assert_int_eq(ifindex, eth1->ifindex);
    ck_assert_uint_eq(a.tpa, FX_IP(10, 1, 0, 5));
    ck_assert_uint_eq(slow(), s0 + 2);
    sock_close(sk);
}
END_TEST

START_TEST(test_dst_invalidated_by_address_delete)
{
    struct sock *sk;
    struct netdev *eth1 = eth1_with_peer(&sk);
    uint64_t s0 = slow();
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(10, 1, 0, 2), 24), 0);
    int ifindex;
    struct eth_addr mac = send_one(sk, &ifindex);
    ck_assert_int_eq(ifindex, f->dev->ifindex);
    fxc_assert_mac(&mac, &fx_peer_mac);
    ck_assert_uint_eq(slow(), s0 + 1);
    /* without any route at all the send fails, and nothing is cached */
    ck_assert_int_eq(fx_route_del(f, 0, 0), 0);
    ck_assert_int_eq(sock_sendto(sk, "d", 1, NULL), -ENETUNREACH);
    ck_assert_int_eq(sock_sendto(sk, "d", 1, NULL), -ENETUNREACH);
    ck_assert_uint_eq(slow(), s0 + 3);
    ck_assert_uint_eq(MIB(MIB_IpOutNoRoutes), 2);
    sock_close(sk);
}
END_TEST

START_TEST(test_dst_invalidated_by_mtu_change)
{
    /* a device event that leaves the FIB alone still drops the cache (rt_genid) */
    struct sock *sk = udp_connected(FX_PEER);
    send_one(sk, NULL);
    uint64_t s0 = slow();
    uint32_t fib = fib_genid(fib_get_table(f->net));
    ck_assert_int_eq(dev_set_mtu(f->dev, 1400), 0);
    ck_assert_uint_eq(fib_genid(fib_get_table(f->net)), fib);
    send_one(sk, NULL);
    ck_assert_uint_eq(slow(), s0 + 1);
    sock_close(sk);
}
END_TEST

Suite *sock_suite(void)
{
    Suite *s = suite_create("sock");
    TCase *proto = tcase_create("proto");
    tcase_add_checked_fixture(proto, setup, teardown);
    tcase_add_test(proto, test_register_refuses_duplicates);
    tcase_add_test(proto, test_protocol_zero_picks_the_permanent_one);
    tcase_add_test(proto, test_obj_size_embeds_the_socket);
    tcase_add_test(proto, test_stream_ops_reach_the_protocol);
    tcase_add_test(proto, test_stream_without_ops_is_eopnotsupp);
    tcase_add_test(proto, test_dgram_has_no_listen_or_accept);
    tcase_add_test(proto, test_options_by_level);
    tcase_add_test(proto, test_ss_lists_a_registered_stream_protocol);
    tcase_add_test(proto, test_lingering_close_and_namespace_exit);
    suite_add_tcase(s, proto);
    TCase *dgram = tcase_create("dgram");
    tcase_add_checked_fixture(dgram, setup, teardown);
    tcase_add_test(dgram, test_dgram_one_per_read_and_truncation);
    tcase_add_test(dgram, test_dgram_peek_leaves_it_queued);
    tcase_add_test(dgram, test_dgram_error_first_then_data_then_shutdown);
    tcase_add_test(dgram, test_ping_socket_through_the_bsd_face);
    tcase_add_test(dgram, test_ping_error_queue);
    tcase_add_test(dgram, test_ping_error_queue_is_bounded);
    tcase_add_test(dgram, test_ping_face_close_from_callback);
    suite_add_tcase(s, dgram);
    TCase *dst = tcase_create("dst");
    tcase_add_checked_fixture(dst, setup, teardown);
    tcase_add_test(dst, test_dst_cache_is_used);
    tcase_add_test(dst, test_dst_invalidated_by_route_change);
    tcase_add_test(dst, test_dst_invalidated_by_neighbour_change);
    tcase_add_test(dst, test_dst_invalidated_by_device_down);
    tcase_add_test(dst, test_dst_invalidated_by_address_delete);
    tcase_add_test(dst, test_dst_invalidated_by_mtu_change);
    suite_add_tcase(s, dst);
    return s;
}
