/*
 * tests/fuzz/fuzz_tcp.c — TCP for the receive-path fuzzer: connections in every state,
 * and fuzz records turned into segments addressed to them.
 *
 * The prelude (fuzz_tcp_setup, the same every run) plays a peer at 10.0.0.7 against
 * tapstack 10.0.0.2 with crafted segments, as the scripted runner does, until there is
 * one socket in each state: LISTEN (port 80), SYN_SENT, SYN_RECV, ESTABLISHED (with and
 * without options, with data in flight, with data held out of order), FIN_WAIT1 (an
 * orphan), FIN_WAIT2, CLOSE_WAIT, CLOSING, LAST_ACK and TIME_WAIT.
 *
 * A TCP record (length word with bit 0x4000 set; with 0x8000 too it arrives as a GSO
 * super-frame behind a virtio-net header) is:
 *   [0]      target: the low nibble picks one of the sockets above (modulo their
 *            number); for the listener the high nibble picks one of 16 new peer ports
 *   [1]      TCP flags, all eight bits
 *   [2..5]   sequence number, added to the target's rcv_nxt (absolute for the listener)
 *   [6..9]   acknowledgment number, added to the target's snd_una
 *   [10..11] window
 *   [12]     low 6 bits: option bytes n (at most 40); bit 6: "relative" — a timestamp
 *            option's TSval is added to the target's TS.Recent and TSecr to our clock,
 *            SACK blocks to snd_una, so mutations of small numbers stay meaningful;
 *            bit 7: not a segment but an ICMP error from the peer quoting one of ours
 *            (tcp_v4_err): type and code are the window's bytes, the next-hop MTU the
 *            first two payload bytes, our sequence number snd_una + [6..9]
 *   [13]     GSO: gso_size = 64 + 8 * this byte (used with 0x8000 only)
 *   [14..]   n option bytes as given (any kind, any length: malformed ones too), then
 *            the payload
 * The checksum is always right, so every segment reaches the state machine. The target
 * is found again by its 4-tuple each time: a socket the input has closed falls back to
 * absolute numbers.
 */
#include "fuzz_tcp.h"
#include "ip/ip.h"
#include "arp/arp.h"
#include "arp/neigh.h"
#include "net/csum.h"
#include "net/virtio_net.h"
#include "net/netlink.h"
#include "tcp/tcp_priv.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PEER_ADDR   0x0a000007u     /* 10.0.0.7 */
#define LOCAL_ADDR  0x0a000002u     /* 10.0.0.2 */
#define LISTEN_PORT 80

struct fuzz_target { uint16_t lport, pport; uint32_t peer_isn; };

enum { T_LISTEN, T_SYN_SENT, T_SYN_RECV, T_ESTAB, T_ESTAB_NOOPT, T_ESTAB_OFO, T_FIN_WAIT1, T_FIN_WAIT2,
       T_CLOSE_WAIT, T_CLOSING, T_LAST_ACK, T_TIME_WAIT, T_COUNT };

static struct fuzz_target targets[T_COUNT];

/* One segment from the peer, on the wire as a TAP would hand it over. */
struct peer_seg {
    uint16_t sport, dport, win;
    uint32_t seq, ack;
    uint8_t  flags;
    const uint8_t *opt, *data;
    size_t   olen, dlen;
    unsigned gso_size;              /* > 0: a GSO super-frame behind a virtio-net header */
};

static size_t build_frame(uint8_t *buf, size_t cap, const struct peer_seg *s, bool partial)
{
    size_t ol = (MIN(s->olen, 40u) + 3) & ~3u, tl = TCP_HLEN + ol + s->dlen, total = IP4_HLEN + tl;
    if (ETH_HLEN + total > cap || total > 65535) return 0;
    uint8_t *e = buf, *ih = buf + ETH_HLEN, *th = ih + IP4_HLEN;
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 7 };
    memcpy(e, macs, 12);
    put_be16(e + 12, ETH_P_IP);
    memset(ih, 0, IP4_HLEN);
    ih[0] = 0x45; put_be16(ih + 2, (uint16_t)total); put_be16(ih + 6, 0x4000);
    ih[8] = 64; ih[9] = IPPROTO_TCP;
    put_be32(ih + 12, PEER_ADDR); put_be32(ih + 16, LOCAL_ADDR);
    put_be16(ih + 10, inet_csum(ih, IP4_HLEN));
    memset(th, 0, TCP_HLEN + ol);
    put_be16(th + TCP_OFF_SPORT, s->sport); put_be16(th + TCP_OFF_DPORT, s->dport);
    put_be32(th + TCP_OFF_SEQ, s->seq); put_be32(th + TCP_OFF_ACK, s->ack);
    th[TCP_OFF_DOFF] = (uint8_t)(((TCP_HLEN + ol) / 4) << 4);
    th[TCP_OFF_FLAGS] = s->flags;
    put_be16(th + TCP_OFF_WIN, s->win);
    if (s->olen) memcpy(th + TCP_HLEN, s->opt, MIN(s->olen, 40u));
    if (s->dlen) memcpy(th + TCP_HLEN + ol, s->data, s->dlen);
    uint32_t ph = csum_pseudo(PEER_ADDR, LOCAL_ADDR, IPPROTO_TCP, (uint16_t)tl);
    /* a partial checksum (NEEDS_CSUM) carries the pseudo-header's folded sum */
    put_be16(th + TCP_OFF_CSUM, partial ? (uint16_t)~csum_fold(ph) : csum_fold(csum_partial(th, tl, ph)));
    return ETH_HLEN + total;
}

static void peer_send(struct stack *st, struct netdev *dev, const struct peer_seg *s)
{
    static uint8_t frame[ETH_HLEN + 65536];
    size_t len = build_frame(frame, sizeof(frame), s, s->gso_size > 0);
    if (!len) return;
    struct pkt *p = pkt_alloc(&st->pool, len);
    if (!p) return;
    memcpy(pkt_put(p, len), frame, len);
    if (s->gso_size) {
        uint8_t h[VNET_HDR_LEN];
        uint16_t hdr_len = (uint16_t)(ETH_HLEN + IP4_HLEN + ((MIN(s->olen, 40u) + 3) & ~3u) + TCP_HLEN);
        uint16_t f[5] = { 0, hdr_len, (uint16_t)s->gso_size, ETH_HLEN + IP4_HLEN, TCP_OFF_CSUM };
        h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h[1] = VIRTIO_NET_HDR_GSO_TCPV4 | (s->flags & 0x40 ? VIRTIO_NET_HDR_GSO_ECN : 0);
        memcpy(h + 2, f + 1, 8);                     /* host byte order, as a TAP gives it */
        virtio_net_receive(dev, h, p);
    } else {
        netif_receive(dev, p);
    }
    stack_poll(st);
}

/* ---- the prelude ---- */

static struct net *fz_net;
static struct stack *fz_st;
static struct netdev *fz_dev;
static uint32_t peer_tsval;                 /* the peer's clock in its timestamps */

static struct tcp_sock *target_sock(int t)
{
    return tcp_lookup_established(fz_net, PEER_ADDR, targets[t].pport, LOCAL_ADDR, targets[t].lport);
}

/* MSS 1460, SACK permitted, timestamps (TSval 100), window scale 7: Linux's SYN. */
static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7 };
static const uint8_t mss_only[] = { 2, 4, 0x05, 0xb4 };

/* A segment of the peer on connection t: seq at its rcv_nxt, ack at our snd_nxt - back. */
static void conn_send(int t, uint8_t flags, uint32_t back, const uint8_t *data, size_t dlen, uint32_t seq_off)
{
    struct tcp_sock *tp = target_sock(t);
    if (!tp) abort();
    uint8_t ts[12] = { 1, 1, 8, 10 };
    put_be32(ts + 4, ++peer_tsval);
    put_be32(ts + 8, (uint32_t)(fz_st->now_us / US_PER_MS));
    struct peer_seg s = { .sport = targets[t].pport, .dport = targets[t].lport, .win = 512,
                          .seq = tp->rcv_nxt + seq_off, .ack = tp->snd_nxt - back, .flags = flags,
                          .opt = ts, .olen = tp->tstamp_ok ? sizeof(ts) : 0, .data = data, .dlen = dlen };
    peer_send(fz_st, fz_dev, &s);
}

/* The peer opens a connection to the listener from pport; complete: ACK it and accept. */
static struct sock *passive_open(struct sock *l, int t, uint16_t pport, bool opts, bool complete)
{
    targets[t] = (struct fuzz_target){ LISTEN_PORT, pport, 1000000u * (uint32_t)t };
    struct peer_seg syn = { .sport = pport, .dport = LISTEN_PORT, .win = 65535, .seq = targets[t].peer_isn,
                            .flags = TCP_FLAG_SYN, .opt = opts ? syn_opts : mss_only,
                            .olen = opts ? sizeof(syn_opts) : sizeof(mss_only) };
    peer_send(fz_st, fz_dev, &syn);
    if (!complete) return NULL;
    conn_send(t, TCP_FLAG_ACK, 0, NULL, 0, 0);
    int err;
    struct sock *sk = sock_accept(l, &err);
    if (!sk) abort();
    return sk;
}

/* Connections in every state (see the top of the file). */
void fuzz_tcp_setup(struct stack *st, struct net *net, struct netdev *dev)
{
    int err;
    static uint8_t bytes[30000];
    fz_st = st; fz_net = net; fz_dev = dev; peer_tsval = 100;
    memset(targets, 0, sizeof(targets));
    struct eth_addr mac = { { 0x02, 0, 0, 0, 0, 7 } };
    if (neigh_admin_set(net, dev, PEER_ADDR, &mac, NUD_PERMANENT, NLM_F_CREATE | NLM_F_REPLACE, NULL) < 0) abort();
    struct sock *l = sock_create(net, 1 /* SOCK_STREAM */, IPPROTO_TCP, &err);
    /* a backlog of 4: a few SYNs fill the SYN queue (SYN cookies), a few handshakes the
     * accept queue (ListenOverflows) */
    if (!l || sock_bind(l, 0, LISTEN_PORT) < 0 || sock_listen(l, 4) < 0) abort();
    targets[T_LISTEN] = (struct fuzz_target){ LISTEN_PORT, 3000, 0 };
    struct sock *c = sock_create(net, 1, IPPROTO_TCP, &err);
    if (!c || sock_connect(c, PEER_ADDR, 5001) != -EINPROGRESS) abort();
    targets[T_SYN_SENT] = (struct fuzz_target){ c->local.port, 5001, 0 };
    passive_open(l, T_SYN_RECV, 1002, true, false);
    struct sock *e = passive_open(l, T_ESTAB, 1003, true, true);
    sock_sendto(e, bytes, sizeof(bytes), NULL);                   /* ten segments in flight */
    struct sock *n = passive_open(l, T_ESTAB_NOOPT, 1004, false, true);
    sock_sendto(n, bytes, 8000, NULL);
    passive_open(l, T_ESTAB_OFO, 1005, true, true);
    conn_send(T_ESTAB_OFO, TCP_FLAG_ACK, 0, bytes, 500, 1000);   /* held after a hole */
    sock_close(passive_open(l, T_FIN_WAIT1, 1006, true, true));  /* an orphan */
    sock_shutdown(passive_open(l, T_FIN_WAIT2, 1007, true, true), 1);
    conn_send(T_FIN_WAIT2, TCP_FLAG_ACK, 0, NULL, 0, 0);
    passive_open(l, T_CLOSE_WAIT, 1008, true, true);
    conn_send(T_CLOSE_WAIT, TCP_FLAG_ACK | TCP_FLAG_FIN, 0, NULL, 0, 0);
    sock_shutdown(passive_open(l, T_CLOSING, 1009, true, true), 1);
    conn_send(T_CLOSING, TCP_FLAG_ACK | TCP_FLAG_FIN, 1, NULL, 0, 0);     /* not acking our FIN */
    struct sock *la = passive_open(l, T_LAST_ACK, 1010, true, true);
    conn_send(T_LAST_ACK, TCP_FLAG_ACK | TCP_FLAG_FIN, 0, NULL, 0, 0);
    sock_shutdown(la, 1);
    sock_shutdown(passive_open(l, T_TIME_WAIT, 1011, true, true), 1);
    conn_send(T_TIME_WAIT, TCP_FLAG_ACK | TCP_FLAG_FIN, 0, NULL, 0, 0);
    static const uint8_t want[T_COUNT] = { SK_LISTEN, SK_SYN_SENT, SK_SYN_RECV, SK_ESTABLISHED, SK_ESTABLISHED,
        SK_ESTABLISHED, SK_FIN_WAIT1, SK_FIN_WAIT2, SK_CLOSE_WAIT, SK_CLOSING, SK_LAST_ACK, SK_TIME_WAIT };
    for (int t = T_SYN_SENT; t < T_COUNT; t++)
        if (!target_sock(t) || target_sock(t)->sk.state != want[t]) abort();   /* the prelude went wrong */
}

/* Option values made relative to the target (record byte 12, bit 6). */
static void relocate_options(uint8_t *o, size_t n, const struct tcp_sock *tp)
{
    uint32_t ts_base = tp ? tp->ts_recent : 0, una = tp ? tp->snd_una : 0;
    uint32_t now_ms = (uint32_t)(fz_st->now_us / US_PER_MS);
    for (size_t i = 0; i < n;) {
        if (o[i] == TCPOPT_EOL) break;
        if (o[i] == TCPOPT_NOP) { i++; continue; }
        if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i) break;
        size_t len = o[i + 1];
        if (o[i] == TCPOPT_TIMESTAMP && len == TCPOLEN_TIMESTAMP) {
            put_be32(o + i + 2, get_be32(o + i + 2) + ts_base);
            put_be32(o + i + 6, get_be32(o + i + 6) + now_ms);
        } else if (o[i] == TCPOPT_SACK) {
            for (size_t k = i + 2; k + 4 <= i + len; k += 4) put_be32(o + k, get_be32(o + k) + una);
        }
        i += len;
    }
}

/* An ICMP error about a segment we sent on target t (record bit 0x80 of byte 12). */
static void icmp_error(int t, const struct tcp_sock *tp, const uint8_t *r, size_t len)
{
    static uint8_t frame[ETH_HLEN + IP4_HLEN + 8 + IP4_HLEN + 8];
    uint8_t *ih = frame + ETH_HLEN, *ic = ih + IP4_HLEN, *q = ic + 8, *qt = q + IP4_HLEN;
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 7 };
    memcpy(frame, macs, 12);
    put_be16(frame + 12, ETH_P_IP);
    memset(ih, 0, sizeof(frame) - ETH_HLEN);
    q[0] = 0x45; put_be16(q + 2, 1400); q[8] = 64; q[9] = IPPROTO_TCP;      /* the quote: ours */
    put_be32(q + 12, LOCAL_ADDR); put_be32(q + 16, PEER_ADDR);
    put_be16(qt, targets[t].lport); put_be16(qt + 2, targets[t].pport);
    put_be32(qt + 4, get_be32(r + 6) + (tp ? tp->snd_una : 0));
    ic[0] = r[10]; ic[1] = r[11];
    if (len >= 16) put_be16(ic + 6, get_be16(r + 14));                      /* next-hop MTU */
    put_be16(ic + 2, inet_csum(ic, 8 + IP4_HLEN + 8));
    ih[0] = 0x45; put_be16(ih + 2, IP4_HLEN + 8 + IP4_HLEN + 8); ih[8] = 64; ih[9] = IPPROTO_ICMP;
    put_be32(ih + 12, PEER_ADDR); put_be32(ih + 16, LOCAL_ADDR);
    put_be16(ih + 10, inet_csum(ih, IP4_HLEN));
    struct pkt *p = pkt_alloc(&fz_st->pool, sizeof(frame));
    if (!p) return;
    memcpy(pkt_put(p, sizeof(frame)), frame, sizeof(frame));
    netif_receive(fz_dev, p);
    stack_poll(fz_st);
}

void fuzz_tcp_record(const uint8_t *r, size_t len, bool gso)
{
    if (len < 14) return;
    int t = (r[0] & 0x0f) % T_COUNT;
    struct tcp_sock *tp = t == T_LISTEN ? NULL : target_sock(t);
    uint8_t opt[40];
    size_t n = MIN((size_t)(r[12] & 0x3f), MIN((size_t)40, len - 14));
    memcpy(opt, r + 14, n);
    if (r[12] & 0x40) relocate_options(opt, n, tp);
    if (r[12] & 0x80) { icmp_error(t, tp, r, len); return; }
    struct peer_seg s = {
        .sport = t == T_LISTEN ? (uint16_t)(targets[t].pport + (r[0] >> 4)) : targets[t].pport,
        .dport = targets[t].lport, .flags = r[1], .win = get_be16(r + 10),
        .seq = get_be32(r + 2) + (tp ? tp->rcv_nxt : targets[t].peer_isn),
        .ack = get_be32(r + 6) + (tp ? tp->snd_una : 0),
        .opt = opt, .olen = n, .data = r + 14 + n, .dlen = len - 14 - n,
        .gso_size = gso ? 64u + 8u * r[13] : 0,
    };
    int before = tp ? tp->sk.state : SK_LISTEN;
    peer_send(fz_st, fz_dev, &s);
    if (getenv("FUZZ_LOG")) {                         /* what a seed does, for its author */
        struct tcp_sock *after = t == T_LISTEN ? NULL : target_sock(t);
        fprintf(stderr, "tcp record: target %d flags 0x%02x len %zu: state %d -> %d\n", t, s.flags, s.dlen,
                before, after ? after->sk.state : -1);
    }
}
