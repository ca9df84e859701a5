/*
 * tests/fuzz/fuzz_rx.c — libFuzzer target for the whole receive path, from raw frame bytes.
 *
 * The input is a sequence of records: a 2-byte big-endian word whose low 14 bits are a
 * length, that many frame bytes, then one byte of clock advance (in 64 ms steps, so
 * timers — neighbour probes, reassembly timeouts — fire in between). When the word's
 * top bit is set, the record's bytes start with a 10-byte virtio-net header, parsed as a
 * TAP read is (virtio_net_receive): partial checksums, verified ones and GSO
 * super-frames reach UDP, ICMP and forwarding. Frames enter an Ethernet device that has an address, a
 * neighbour, routes and a TAP's offloads, with forwarding on to a device without any
 * (so the software segmentation and checksum fallbacks run). Two VXLAN devices share UDP
 * port 4789 on eth0: vxlan0 (VNI 42, learning, 192.168.42.2/24, its default VTEP
 * resolved) and vxlan1 (VNI 43, nolearning, 192.168.43.2/24, three VTEPs to replicate
 * to, one unresolved), so a datagram to 4789 reaches vxlan_rcv, learning, and the inner
 * frame's whole receive path on the vxlan device, whose answers go back through the
 * tunnel. TCP has a listener on port 80 and a connection in every state (fuzz_tcp.c); a
 * record whose length has bit 0x4000 set is a TCP segment aimed at one of them. After
 * each run the stack is torn down and must hold no packet (the pool is
 * checked), and ASan/UBSan watch every read. Whatever the bytes, nothing may crash,
 * hang or leak. Every packet's journey is traced (net/trace.c) and formatted.
 */
#include "ip/inet.h"
#include "ip/ip.h"
#include "arp/arp.h"
#include "arp/neigh.h"
#include "net/netdev.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/stack.h"
#include "net/sock.h"
#include "net/virtio_net.h"
#include "udp/udp.h"
#include "vxlan/vxlan.h"
#include "tcp/tcp.h"
#include "fuzz_tcp.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fuzz_xmit(struct netdev *dev, struct pkt *p) { pkt_free(p); return 0; }
static void fuzz_log(void *arg, const char *line) { (void)arg; if (getenv("FUZZ_LOG")) fprintf(stderr, "%s\n", line); }
static const struct netdev_ops fuzz_ops = { .kind = "fuzz", .xmit = fuzz_xmit, .xmit_name = "fuzz_xmit" };

/* A UDP echo socket on port 7 (replies exercise the send path) and an encapsulation
 * socket on 6081 whose hook consumes odd-length datagrams and passes even ones on (the
 * hook's "not mine" return, which VXLAN never takes). */
static void echo_ready(struct sock *sk, unsigned events, void *arg)
{
    static uint8_t buf[65536];
    struct sock_addr from;
    long n;
    while ((n = sock_recvfrom(sk, buf, sizeof(buf), &from)) >= 0)
        sock_sendto(sk, buf, (size_t)n, &from);
}

static int fuzz_encap_rcv(struct sock *sk, struct pkt *p)
{
    if (p->len & 1) { pkt_free(p); return 0; }
    return 1;
}

static void add_udp(struct net *net)
{
    int err;
    struct sock *echo = sock_create(net, 2 /* SOCK_DGRAM */, IPPROTO_UDP, &err);
    if (!echo || sock_bind(echo, 0, 7) < 0) abort();
    struct sock_cb cb = { .ready = echo_ready };
    sock_set_cb(echo, &cb, NULL);
    struct sock *encap = sock_create(net, 2, IPPROTO_UDP, &err);
    if (!encap || sock_bind(encap, 0, 6081) < 0) abort();
    udp_set_encap(encap, fuzz_encap_rcv, NULL, NULL);
}

/* A ping socket (identifier 0x1234, IP_RECVERR) read dry of errors and replies: echo
 * replies and ICMP errors quoting an echo request with that identifier reach its queues. */
static void ping_ready(struct sock *sk, unsigned events, void *arg)
{
    static uint8_t buf[65536];
    struct iovec iov = { buf, sizeof(buf) };
    struct sk_msghdr m = { .iov = &iov, .iovlen = 1, .flags = SK_MSG_ERRQUEUE };
    while (sock_recvmsg(sk, &m) >= 0) m.flags = SK_MSG_ERRQUEUE;
    do m.flags = 0; while (sock_recvmsg(sk, &m) != -EAGAIN);   /* the pending error, then data */
}

static void add_ping(struct net *net)
{
    int err, one = 1;
    struct sock *sk = sock_create(net, 2 /* SOCK_DGRAM */, IPPROTO_ICMP, &err);
    if (!sk || sock_bind(sk, 0, 0x1234) < 0) abort();
    if (sock_setsockopt_level(sk, SOL_IP, IP_RECVERR, &one, sizeof(one)) < 0) abort();
    struct sock_cb cb = { .ready = ping_ready };
    sock_set_cb(sk, &cb, NULL);
}

/* `ip link add NAME type vxlan ARGS...`, its address, up (the words split on blanks). */
static struct netdev *add_vxlan(struct net *net, const char *name, char *words, uint32_t addr, uint8_t last)
{
    char *argv[16];
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    struct link_args a = { .argc = argc, .argv = argv };
    if (link_newlink(net, "vxlan", name, &a, NULL) < 0) abort();
    struct netdev *dev = netdev_by_name(net, name);
    struct eth_addr mac = { { 0x02, 0, 0, 0, 0x42, last } };
    struct link_change ch = { .up = 1, .addr = &mac };
    if (!dev || inet_rtm_newaddr(dev, addr, 24, NLM_F_CREATE | NLM_F_EXCL, NULL) < 0 || link_setlink(dev, &ch, NULL) < 0)
        abort();
    return dev;
}

static void fdb_add(struct netdev *dev, uint8_t mac_last, uint32_t dst, unsigned nlflags)
{
    struct vxlan_fdb_req r = { .addr = { { 0x02, 0, 0, 0, 0x42, mac_last } }, .dst = dst, .has_dst = true,
                               .state = NUD_PERMANENT };
    if (!mac_last) r.addr = (struct eth_addr){ { 0 } };
    if (vxlan_fdb_add(dev, &r, FDB_NLM_F_CREATE | nlflags, NULL) < 0) abort();
}

static void add_vxlans(struct net *net, struct netdev *under)
{
    char w0[] = "id 42 remote 10.0.0.5 dev eth0", w1[] = "id 43 remote 10.0.0.1 dev eth0 nolearning ageing 30";
    struct netdev *v0 = add_vxlan(net, "vxlan0", w0, 0xc0a82a02, 2);      /* 192.168.42.2/24 */
    struct netdev *v1 = add_vxlan(net, "vxlan1", w1, 0xc0a82b02, 3);      /* 192.168.43.2/24 */
    struct eth_addr vtep = { { 0x02, 0, 0, 0, 0, 5 } };
    if (neigh_admin_set(net, under, 0x0a000005, &vtep, NUD_PERMANENT, NLM_F_CREATE | NLM_F_REPLACE, NULL) < 0)
        abort();
    fdb_add(v0, 0x09, 0x0a000006, FDB_NLM_F_EXCL);     /* 02:00:00:00:42:09 is static, behind .6 */
    fdb_add(v1, 0, 0x0a000005, FDB_NLM_F_APPEND);      /* vxlan1 floods to .1, .5 and .6 */
    fdb_add(v1, 0, 0x0a000006, FDB_NLM_F_APPEND);
    fdb_add(v1, 0x01, 0x0a000005, FDB_NLM_F_EXCL);     /* the corpus's inner peer, behind .5 */
}

static struct netdev *add_dev(struct net *net, const char *name, uint32_t addr, uint8_t last)
{
    struct netdev *dev = netdev_alloc(net, name, &fuzz_ops, 0);
    if (!dev) abort();
    struct eth_addr mac = { { 0x02, 0, 0, 0, 0, last } };
    dev->addr = mac;
    netif_carrier_on(dev);
    if (netdev_register(dev) < 0) abort();
    struct link_change up = { .up = 1 };
    if (inet_rtm_newaddr(dev, addr, 24, NLM_F_CREATE | NLM_F_EXCL, NULL) < 0 || link_setlink(dev, &up, NULL) < 0)
        abort();
    return dev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stack_cfg cfg = { .seed = 7, .virtual_clock = true, .start_us = 1000 * US_PER_S, .pool_max = 4u << 20 };
    struct stack *st = inet_stack_new(&cfg);
    if (!st) abort();
    struct net *net = st->init_net;
    struct netdev *dev = add_dev(net, "eth0", 0x0a000002, 2);     /* 10.0.0.2/24 */
    struct netdev *eth1 = add_dev(net, "eth1", 0xc0a80101, 3);    /* 192.168.1.1/24 */
    /* 192.168.1.10 is resolved (forwarded frames reach eth1's transmit path at once);
     * 192.168.1.9 is not (they wait in the neighbour queue) */
    struct eth_addr mac10 = { { 0x02, 0, 0, 0, 1, 10 } };
    if (neigh_admin_set(net, eth1, 0xc0a8010a, &mac10, NUD_PERMANENT, NLM_F_CREATE | NLM_F_REPLACE, NULL) < 0)
        abort();
    /* eth0 receives as a TAP with every offload on; eth1 has none */
    dev->hw_features = dev->features = dev->wanted_features = NETIF_F_SG | NETIF_F_HW_CSUM |
        NETIF_F_TSO | NETIF_F_TSO_ECN | NETIF_F_GSO_UDP_L4 | NETIF_F_RXCSUM | NETIF_F_GRO_HW;
    net->ipv4.ip_forward = 1;
    st->log = fuzz_log;
    add_udp(net);
    add_ping(net);
    add_vxlans(net, dev);
    struct fib_config def = { .scope = RT_SCOPE_NOWHERE, .protocol = RTPROT_BOOT, .gateway = 0x0a000001,
                              .oif = dev->ifindex, .nlflags = NLM_F_CREATE | NLM_F_EXCL };
    if (ip_route_add(net, &def, NULL) < 0) abort();
    fuzz_tcp_setup(st, net, dev);       /* the same every run: not traced */
    /* every journey is recorded and formatted (-v for odd-sized inputs), then discarded */
    st->tracing = true;
    net->trace_all = (size & 1) ? 2 : 1;
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = ((size_t)data[off] << 8 | data[off + 1]) & 0x3fff;
        bool vnet = data[off] & 0x80, tcp = data[off] & 0x40;
        off += 2;
        if (len > size - off) len = size - off;
        if (tcp) {
            fuzz_tcp_record(data + off, len, vnet);
            off += len;
            if (off < size) st->now_us += (uint64_t)data[off++] * 64 * US_PER_MS;
            stack_poll(st);
            continue;
        }
        const uint8_t *hdr = data + off, *frame = data + off;
        size_t flen = len;
        if (vnet && len >= VNET_HDR_LEN) { frame += VNET_HDR_LEN; flen -= VNET_HDR_LEN; }
        else vnet = false;
        struct pkt *p = pkt_alloc(&st->pool, flen);
        if (p) {
            memcpy(pkt_put(p, flen), frame, flen);
            if (vnet) virtio_net_receive(dev, hdr, p);
            else netif_receive(dev, p);
        }
        off += len;
        stack_poll(st);
        if (off < size) st->now_us += (uint64_t)data[off++] * 64 * US_PER_MS;
        stack_poll(st);
    }
    /* Let every pending timer run out (reassembly 30 s, neighbour probes, gc). */
    for (int i = 0; i < 8; i++) { st->now_us += 20 * US_PER_S; stack_poll(st); }
    net_free(net);               /* releases held fragments and queued packets */
    st->init_net = NULL;
    if (pkt_pool_live(&st->pool) != 0) {
        fprintf(stderr, "fuzz_rx: %u packets leaked\n", pkt_pool_live(&st->pool));
        abort();
    }
    stack_free(st);
    return 0;
}
