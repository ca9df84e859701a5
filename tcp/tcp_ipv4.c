/*
 * tcp/tcp_ipv4.c — TCP over IPv4: the connection tables, ISNs and the receive entry
 * (Linux net/ipv4/tcp_ipv4.c, inet_hashtables.c, net/core/secure_seq.c).
 *
 *   tables     ehash: every socket with a peer (SYN_SENT .. TIME_WAIT), by a keyed hash
 *              of the 4-tuple (jhash, as inet_ehashfn: it runs for every segment); lhash: listeners by port; bhash: every socket holding a
 *              local port (bind conflicts, ephemeral ports). Fixed bucket arrays per
 *              namespace: a lookup is one bucket walk.
 *   ISN        RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key),
 *              M a 4 µs clock, F SipHash-2-4 keyed from the stack's seeded generator
 *              (so --replay runs give the same ISNs).
 *   tcp_v4_rcv header length and checksum, options, lookup (established first, then a
 *              listener), the state machine; no socket: RST (RFC 9293 §3.10.7.1).
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "net/datagram.h"
#include "net/sysctl.h"
#include "ip/ip.h"
#include <errno.h>

static unsigned tcp_net_id;
static uint64_t siphash_2u64(const uint64_t key[2], uint64_t a, uint64_t b);

/* The namespace's tables. The key is drawn from the seeded generator on first use, not
 * when the namespace is made: a run without TCP draws the same numbers as before TCP
 * existed (the golden captures' IP IDs and ping identifiers stay put). */
struct tcp_net *tcp_net(const struct net *net)
{
    struct tcp_net *tn = net_generic(net, tcp_net_id);
    if (!tn->key_set) {
        for (int i = 0; i < 2; i++)
            tn->isn_key[i] = (uint64_t)stack_rand32(net->st) << 32 | stack_rand32(net->st);
        tn->key_set = true;
        tn->ehash_secret = (uint32_t)siphash_2u64(tn->isn_key, 0, (uint64_t)1 << 62);
    }
    return tn;
}

/* The namespace's TCP settings without drawing the key (a socket's creation must not
 * change what the seeded generator hands out next). */
const struct tcp_net *tcp_net_sysctls(const struct net *net) { return net_generic(net, tcp_net_id); }

/* ---- SipHash-2-4 (Aumasson and Bernstein), for the ISN's F() and the table hash ---- */
#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
static void sip_round(uint64_t v[4])
{
    v[0] += v[1]; v[1] = ROTL64(v[1], 13); v[1] ^= v[0]; v[0] = ROTL64(v[0], 32);
    v[2] += v[3]; v[3] = ROTL64(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = ROTL64(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = ROTL64(v[1], 17); v[1] ^= v[2]; v[2] = ROTL64(v[2], 32);
}

/* SipHash-2-4 of two 64-bit words (the message is 16 bytes: the 4-tuple and a tag). */
static uint64_t siphash_2u64(const uint64_t key[2], uint64_t a, uint64_t b)
{
    uint64_t v[4] = { key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
                      key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull };
    uint64_t m[3] = { a, b, (uint64_t)16 << 56 };
    for (int i = 0; i < 3; i++) {
        v[3] ^= m[i];
        sip_round(v); sip_round(v);
        v[0] ^= m[i];
    }
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++) sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static uint64_t tuple_word(uint32_t saddr, uint32_t daddr) { return (uint64_t)saddr << 32 | daddr; }
static uint64_t ports_word(uint16_t sport, uint16_t dport, uint32_t tag) { return (uint64_t)tag << 32 | (uint32_t)sport << 16 | dport; }

/* secure_tcp_seq: the 4 µs clock plus the keyed hash of the connection. */
uint32_t tcp_v4_init_seq(struct net *net, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
    uint32_t f = (uint32_t)siphash_2u64(tcp_net(net)->isn_key, tuple_word(saddr, daddr), ports_word(sport, dport, 0));
    return f + (uint32_t)(net->st->now_us / 4);
}

/* cookie_hash: tags 2 and 3 keep it apart from the ISN's and the table's hashes. */
uint32_t tcp_cookie_hash(struct net *net, const struct tcp_cookie_tuple *t, uint32_t count, int c)
{
    uint64_t ports = (uint64_t)count << 32 | (uint32_t)t->sport << 16 | t->dport;
    return (uint32_t)siphash_2u64(tcp_net(net)->isn_key, tuple_word(t->saddr, t->daddr), ports ^ ((uint64_t)(2 + c) << 62));
}

/* jhash_3words (Bob Jenkins' lookup3 final mix, as Linux's include/linux/jhash.h): the
 * table hash of inet_ehashfn. A bucket index needs a keyed, well-mixed hash, not a
 * cryptographic one: SipHash here cost ~300 instructions of every received segment. */
static uint32_t rol32(uint32_t w, unsigned s) { return w << s | w >> (32 - s); }
static uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
{
    initval += 0xdeadbeef + (3 << 2);        /* JHASH_INITVAL + the length in bytes */
    a += initval; b += initval; c += initval;
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
    return c;
}

/* The ehash hash of a connection seen from our side (local, remote); its bucket is the
 * low bits. */
_Static_assert((TCP_EHASH_SIZE & (TCP_EHASH_SIZE - 1)) == 0, "ehash size is a power of two");
static uint32_t ehash_hash(const struct tcp_net *tn, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    return jhash_3words(laddr, raddr, (uint32_t)lport << 16 | rport, tn->ehash_secret);
}

/* The chains are Linux hlists: a socket knows the pointer that points at it (pprev),
 * so taking it out is O(1) however long its chain (every child of a listener holds
 * the listener's port: one bhash chain per busy port). Two link pairs: ehash (a
 * listener, never in ehash, uses it for lhash) and bhash. */
#define EHASH_LINK offsetof(struct tcp_sock, ehash_next), offsetof(struct tcp_sock, ehash_pprev)
#define BHASH_LINK offsetof(struct tcp_sock, bind_next), offsetof(struct tcp_sock, bind_pprev)
static struct tcp_sock **link_next(struct tcp_sock *tp, size_t off) { return (struct tcp_sock **)(void *)((char *)tp + off); }
static struct tcp_sock ***link_pprev(struct tcp_sock *tp, size_t off) { return (struct tcp_sock ***)(void *)((char *)tp + off); }

static void chain_add(struct tcp_sock **head, struct tcp_sock *tp, size_t next_off, size_t pprev_off)
{
    struct tcp_sock *first = *head;
    *link_next(tp, next_off) = first;
    if (first) *link_pprev(first, pprev_off) = link_next(tp, next_off);
    *head = tp;
    *link_pprev(tp, pprev_off) = head;
}

static void chain_del(struct tcp_sock *tp, size_t next_off, size_t pprev_off)
{
    struct tcp_sock *next = *link_next(tp, next_off), **pprev = *link_pprev(tp, pprev_off);
    *pprev = next;
    if (next) *link_pprev(next, pprev_off) = pprev;
    *link_next(tp, next_off) = NULL;
    *link_pprev(tp, pprev_off) = NULL;
}

void tcp_ehash_add(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    struct tcp_net *tn = tcp_net(sk->net);
    tp->ehash_hash = ehash_hash(tn, sk->local.addr, sk->local.port, sk->remote.addr, sk->remote.port);
    chain_add(&tn->ehash[tp->ehash_hash & (TCP_EHASH_SIZE - 1)], tp, EHASH_LINK);
    tp->ehashed = true;
}

void tcp_lhash_add(struct tcp_sock *tp)
{
    struct tcp_net *tn = tcp_net(tp->sk.net);
    tp->q_next = NULL;
    chain_add(&tn->lhash[tp->sk.local.port % TCP_BHASH_SIZE], tp, EHASH_LINK);
    tp->listening_hashed = true;
}

/* Linux inet_unhash + inet_put_port: out of every table. */
void tcp_unhash(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (!sk->net) return;
    if (tp->ehashed || tp->listening_hashed) {
        chain_del(tp, EHASH_LINK);
        tp->ehashed = tp->listening_hashed = false;
    }
    if (tp->bhashed) {
        chain_del(tp, BHASH_LINK);
        tp->bhashed = false;
        sk->bound = false;
    }
}

/* __inet_lookup_established: the exact 4-tuple. */
struct tcp_sock *tcp_lookup_established(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
    struct tcp_net *tn = tcp_net(net);
    uint32_t h = ehash_hash(tn, daddr, dport, saddr, sport);
    for (struct tcp_sock *tp = tn->ehash[h & (TCP_EHASH_SIZE - 1)]; tp; tp = tp->ehash_next) {
        if (tp->ehash_hash != h) continue;          /* Linux: sk_hash first, then the tuple */
        const struct sock *sk = &tp->sk;
        if (sk->local.port == dport && sk->remote.port == sport && sk->local.addr == daddr && sk->remote.addr == saddr)
            return tp;
    }
    return NULL;
}

/* The longest ehash chain (how evenly the hash spreads; tests and diagnostics). */
unsigned tcp_ehash_longest_chain(struct net *net)
{
    struct tcp_net *tn = tcp_net(net);
    unsigned longest = 0;
    for (unsigned b = 0; b < TCP_EHASH_SIZE; b++) {
        unsigned n = 0;
        for (struct tcp_sock *tp = tn->ehash[b]; tp; tp = tp->ehash_next) n++;
        longest = MAX(longest, n);
    }
    return longest;
}

/* __inet_lookup_listener: a listener on the port; one bound to the address wins over a
 * wildcard (inet_lhash2 scoring, simplified to those two ranks). */
struct tcp_sock *tcp_lookup_listener(struct net *net, uint32_t daddr, uint16_t dport)
{
    struct tcp_sock *wild = NULL;
    for (struct tcp_sock *tp = tcp_net(net)->lhash[dport % TCP_BHASH_SIZE]; tp; tp = tp->ehash_next) {
        if (tp->sk.local.port != dport) continue;
        if (tp->sk.local.addr == daddr) return tp;
        if (!tp->sk.local.addr) wild = tp;
    }
    return wild;
}

/* inet_csk_bind_conflict: the port on an overlapping address is taken unless both sides
 * set SO_REUSEADDR and the holder is not listening. */
static bool tcp_port_in_use(struct net *net, const struct sock *sk, uint32_t addr, uint16_t port)
{
    for (struct tcp_sock *tp = tcp_net(net)->bhash[port % TCP_BHASH_SIZE]; tp; tp = tp->bind_next) {
        const struct sock *o = &tp->sk;
        if (o == sk || o->local.port != port) continue;
        if (o->local.addr && addr && o->local.addr != addr) continue;
        if (sk->reuseaddr && o->reuseaddr && o->state != SK_LISTEN) continue;
        return true;
    }
    return false;
}

/* inet_csk_get_port: port 0 is an ephemeral one from ip_local_port_range, starting at a
 * random point. -EADDRINUSE when none is free. */
int tcp_get_port(struct sock *sk, uint16_t port)
{
    struct net *net = sk->net;
    if (!port) {
        int lo = net->ipv4.ip_local_port_lo, hi = net->ipv4.ip_local_port_hi;
        if (hi < lo) return -EADDRINUSE;
        uint32_t range = (uint32_t)(hi - lo + 1), start = stack_rand_range(net->st, 0, range - 1);
        for (uint32_t i = 0; i < range && !port; i++) {
            uint16_t cand = (uint16_t)(lo + (start + i) % range);
            if (!tcp_port_in_use(net, sk, sk->local.addr, cand)) port = cand;
        }
        if (!port) return -EADDRINUSE;
    } else if (tcp_port_in_use(net, sk, sk->local.addr, port)) {
        return -EADDRINUSE;
    }
    tcp_bhash_add(tcp_sk(sk), port);
    return 0;
}

/* Is the 4-tuple of sk (its remote set) on `port` free for a connect()? It is when no
 * connection has it, or when the one that has it is in TIME_WAIT and may be taken over
 * (tcp_twsk_unique): that one ends here (TWRecycled). Linux __inet_check_established. */
static bool tcp_v4_check_established(struct sock *sk, uint16_t port, bool port_search, uint32_t *isn)
{
    struct net *net = sk->net;
    struct tcp_sock *o = tcp_lookup_established(net, sk->remote.addr, sk->remote.port, sk->local.addr, port);
    if (!o) return true;
    if (o->sk.state != SK_TIME_WAIT || !tcp_twsk_unique(tcp_sk(sk), o, port_search, isn)) return false;
    mib_inc(net, MIB_TcpExtTWRecycled);
    tcp_done(&o->sk);                   /* inet_twsk_deschedule_put */
    return true;
}

/* May connect() share `port`? Only when every socket holding it got it from connect()
 * too (Linux: a bind bucket with fastreuse -1); a port bound by bind() or a listener's
 * is never shared. */
static bool tcp_port_connect_shared(struct net *net, uint16_t port, bool *free_port)
{
    *free_port = true;
    for (struct tcp_sock *tp = tcp_net(net)->bhash[port % TCP_BHASH_SIZE]; tp; tp = tp->bind_next) {
        if (tp->sk.local.port != port) continue;
        *free_port = false;
        if (!tp->port_by_connect) return false;
    }
    return true;
}

/* inet_hash_connect: a socket that bound a port keeps it if its 4-tuple is free; else
 * an ephemeral port from ip_local_port_range, from a random point (the seeded
 * generator), that is free or shared by connect()ed sockets only with this 4-tuple
 * free — so connections to different peers can share a local port, as on Linux. Then
 * the connection joins ehash. -EADDRNOTAVAIL when none is left. */
int tcp_v4_hash_connect(struct sock *sk, uint32_t *isn)
{
    struct net *net = sk->net;
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->bound) {
        if (!tcp_v4_check_established(sk, sk->local.port, false, isn)) return -EADDRNOTAVAIL;
        tcp_ehash_add(tp);
        return 0;
    }
    int lo = net->ipv4.ip_local_port_lo, hi = net->ipv4.ip_local_port_hi;
    if (hi < lo) return -EADDRNOTAVAIL;
    uint32_t range = (uint32_t)(hi - lo + 1), start = stack_rand_range(net->st, 0, range - 1);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(lo + (start + i) % range);
        bool free_port;
        if (!tcp_port_connect_shared(net, port, &free_port)) continue;
        if (!free_port && !tcp_v4_check_established(sk, port, true, isn)) continue;
        tp->port_by_connect = true;
        tcp_bhash_add(tp, port);
        tcp_ehash_add(tp);
        return 0;
    }
    return -EADDRNOTAVAIL;
}

/* Hold `port` (a child inherits its listener's, as Linux's inet_csk_clone_lock). */
void tcp_bhash_add(struct tcp_sock *tp, uint16_t port)
{
    tp->sk.local.port = port;
    tp->sk.bound = true;
    chain_add(&tcp_net(tp->sk.net)->bhash[port % TCP_BHASH_SIZE], tp, BHASH_LINK);
    tp->bhashed = true;
}

/* ---- receive ---- */

/* The header's checks (tcp_v4_rcv): length, data offset, checksum, options. DROP_NONE
 * or the reason; on success seg is filled and p->data is at the payload. */
static enum drop tcp_v4_check(struct net *net, struct pkt *p, struct tcp_seg *seg)
{
    if (p->len < TCP_HLEN) return DROP_PKT_TOO_SMALL;
    const uint8_t *th = p->data;
    unsigned doff = tcp_doff(th);
    if (doff < TCP_HLEN || doff > p->len) return DROP_PKT_TOO_SMALL;     /* Linux: doff < 5 is PKT_TOO_SMALL */
    const uint8_t *ih = pkt_network_header(p);
    seg->saddr = ip4_src(ih);
    seg->daddr = ip4_dst(ih);
    if (!pkt_csum_unnecessary(p)) {
        p->dev->offload_stats.rx_csum_sw_bytes += p->len;
        if (csum_fold(csum_partial(th, p->len, csum_pseudo(seg->saddr, seg->daddr, IPPROTO_TCP, (uint16_t)p->len))))
            return DROP_TCP_CSUM;
    }
    seg->th = th;
    seg->flags = tcp_flags(th);
    seg->sport = tcp_sport(th);
    seg->dport = tcp_dport(th);
    seg->seq = tcp_seq(th);
    seg->ack = tcp_ack_seq(th);
    seg->win = tcp_window(th);
    /* a malformed list: what came before the fault counts, the rest is ignored (Linux) */
    (void)tcp_parse_options(th + TCP_HLEN, doff - TCP_HLEN, seg->flags & TCP_FLAG_SYN, &seg->opt);
    pkt_pull(p, doff);
    seg->len = p->len;
    seg->tw_isn = 0;
    seg->end_seq = seg->seq + seg->len + !!(seg->flags & TCP_FLAG_SYN) + !!(seg->flags & TCP_FLAG_FIN);
    return DROP_NONE;
}

static void tcp_v4_rcv(struct pkt *p)
{
    struct net *net = p->dev->net;
    struct tcp_seg seg;
    TRACE(p, "tcp_v4_rcv", NULL);
    mib_inc(net, MIB_TcpInSegs);
    enum drop why = tcp_v4_check(net, p, &seg);
    if (why != DROP_NONE) {
        if (why == DROP_TCP_CSUM) mib_inc(net, MIB_TcpInCsumErrors);
        mib_inc(net, MIB_TcpInErrs);
        pkt_drop(net, p, why);
        return;
    }
    if (p->dst.flags & RTCF_BROADCAST) { pkt_drop(net, p, DROP_TCP_NOT_UNICAST); return; }   /* RFC 1122 4.2.3.10 */
    struct tcp_sock *tp = tcp_lookup_established(net, seg.saddr, seg.sport, seg.daddr, seg.dport);
    if (!tp) tp = tcp_lookup_listener(net, seg.daddr, seg.dport);
    if (!tp) {
        TRACEF(p, "__inet_lookup_skb", NULL, "port %u: no socket", seg.dport);
        tcp_v4_send_reset(net, &seg);
        pkt_drop(net, p, DROP_NO_SOCKET);
        return;
    }
    struct sock *sk = &tp->sk;
    sock_hold(sk);                  /* the state machine may close it under us */
    TCP_TRACE_RCV(p, sk);
    if (sk->state == SK_LISTEN) tcp_listen_rcv(sk, p, &seg);
    else tcp_rcv_state_process(sk, p, &seg);
    sock_put(sk);
}

/* The namespace's TCP sysctls (net_generic, not tcp_net(): that would draw the key). */
static int tcp_net_init(struct net *net)
{
    struct tcp_net *tn = net_generic(net, tcp_net_id);
    tcp_sysctl_net_init(net, tn);
    tcp_keepalive_net_init(net, tn);
    tcp_syncookies_net_init(net, tn);
    tcp_rcvbuf_net_init(net, tn);
    tcp_timewait_net_init(net, tn);
    tcp_rack_net_init(net, tn);
    return 0;
}

static void tcp_net_exit(struct net *net) { sysctl_unregister_owner(net, net_generic(net, tcp_net_id)); }

static const struct pernet_ops tcp_pernet = { .name = "tcp", .init = tcp_net_init, .exit = tcp_net_exit,
                                              .id = &tcp_net_id, .size = sizeof(struct tcp_net) };

static const struct ip_proto tcp_ip_proto = { .rcv = tcp_v4_rcv, .err = tcp_v4_err, .name = "tcp", .linux_name = "tcp_v4_rcv" };

int tcp_init(struct stack *st)
{
    if (pernet_register(st, &tcp_pernet) < 0) return -1;
    return tcp_cong_init(st);
}

extern const struct inet_protosw tcp_protosw;

int tcp_enable(struct stack *st)
{
    int err = inet_register_protosw(st, &tcp_protosw);
    if (err) return err;
    return ip_proto_register(st, IPPROTO_TCP, &tcp_ip_proto) < 0 ? -EEXIST : 0;
}
