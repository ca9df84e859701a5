/*
 * tests/veth/test_veth.c — veth pairs (veth/veth.c): creation in one and in two
 * namespaces, the carrier rule (both ends up), a ping between two namespaces over a pair
 * with matching counters, the pair's life (one end or its namespace deleted takes the
 * other), the scrub on a namespace crossing, an MTU per end, and a TCP super-segment
 * that crosses whole.
 */
#include "tests/fx_check.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/offload.h"
#include "veth/veth.h"

#define SEED 11
#define A1 FX_IP(192, 168, 7, 1)
#define A2 FX_IP(192, 168, 7, 2)

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
}

static void teardown(void) { fxc_teardown(); }

/* ip link add NAME type veth [peer name PEER [netns NS]] in net; 0 or -errno. */
static int add_pair(struct net *net, const char *name, const char *peer, const char *ns)
{
    char *argv[5] = { "peer", "name", (char *)peer, "netns", (char *)ns };
    struct link_args a = { .argc = !peer ? 0 : ns ? 5 : 3, .argv = argv };
    struct extack ext = { 0 };
    return link_newlink(net, "veth", name, &a, &ext);
}

static struct netdev *dev_in(struct net *net, const char *name)
{
    struct netdev *d = netdev_by_name(net, name);
    ck_assert_msg(d, "no device %s", name);
    return d;
}

START_TEST(test_create_one_namespace)
{
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", NULL), 0);
    struct netdev *v0 = dev_in(f->net, "v0"), *v1 = dev_in(f->net, "v1");
    ck_assert_ptr_eq(veth_peer(v0), v1);
    ck_assert_ptr_eq(veth_peer(v1), v0);
    ck_assert_ptr_eq(link_get_link(v0), v1);
    ck_assert_int_lt(v1->ifindex, v0->ifindex);         /* veth_newlink registers the peer first */
    ck_assert_ptr_eq(link_kind_of(v0), link_kind_find(f->st, "veth"));
    ck_assert(!(v0->flags & IFF_LOWER_UP) && !(v1->flags & IFF_LOWER_UP));
    ck_assert(v0->priv_flags & IFF_NO_QUEUE);
    ck_assert(!eth_addr_eq(&v0->addr, &v1->addr));
    /* VETH_FEATURES: any checksum and every GSO type, switchable */
    netdev_features_t want = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_GSO_MASK;
    ck_assert_uint_eq(v0->features & want, want);
    ck_assert_uint_eq(v0->hw_features & NETIF_F_GSO_MASK, NETIF_F_GSO_MASK);
    ck_assert_ptr_null(veth_peer(f->dev));              /* not a veth */
    /* no peer name: the first free vethN; names taken or equal fail, nothing half-made */
    ck_assert_int_eq(add_pair(f->net, "x0", NULL, NULL), 0);
    ck_assert_ptr_eq(veth_peer(dev_in(f->net, "x0")), dev_in(f->net, "veth0"));
    ck_assert_int_eq(add_pair(f->net, "y0", "eth0", NULL), -EEXIST);
    ck_assert_int_eq(add_pair(f->net, "y0", "y0", NULL), -EEXIST);
    ck_assert_int_eq(add_pair(f->net, "y0", "y1", "nosuch"), -EINVAL);
    ck_assert_int_eq(add_pair(f->net, "y0", "a/b", NULL), -EINVAL);
    ck_assert_ptr_null(netdev_by_name(f->net, "y0"));
    ck_assert_ptr_null(netdev_by_name(f->net, "y1"));
}
END_TEST

START_TEST(test_create_two_namespaces)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", "ns1"), 0);
    struct netdev *v0 = dev_in(f->net, "v0"), *v1 = dev_in(ns1, "v1");
    ck_assert_ptr_null(netdev_by_name(f->net, "v1"));
    ck_assert_ptr_eq(veth_peer(v0), v1);
    ck_assert_ptr_eq(v1->net, ns1);
    /* the same name may be used again in the other namespace */
    ck_assert_int_eq(add_pair(ns1, "v0", "w1", ""), -EINVAL);     /* "" is no namespace name */
    ck_assert_int_eq(add_pair(ns1, "v0", "w1", NULL), 0);
    /* moving an end keeps the pair */
    struct link_change ch = { .netns = f->net, .up = -1 };
    ck_assert_int_eq(link_setlink(dev_in(ns1, "w1"), &ch, NULL), 0);
    ck_assert_ptr_eq(veth_peer(dev_in(ns1, "v0")), dev_in(f->net, "w1"));
}
END_TEST

/* veth_open/veth_close: carrier on both ends only while both are up. */
START_TEST(test_carrier_follows_both_ends)
{
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", NULL), 0);
    struct netdev *v0 = dev_in(f->net, "v0"), *v1 = dev_in(f->net, "v1");
    ck_assert_int_eq(dev_open(v0), 0);
    ck_assert(!(v0->flags & (IFF_LOWER_UP | IFF_RUNNING)));
    ck_assert_int_eq(link_operstate(v0), IF_OPER_LOWERLAYERDOWN);
    ck_assert_int_eq(link_operstate(v1), IF_OPER_DOWN);
    ck_assert_int_eq(dev_open(v1), 0);
    ck_assert(netif_oper_up(v0) && netif_oper_up(v1));
    ck_assert(v0->flags & IFF_RUNNING);
    ck_assert_int_eq(link_operstate(v0), IF_OPER_UP);
    ck_assert_int_eq(dev_close(v1), 0);                 /* one end down: neither has carrier */
    ck_assert(!(v0->flags & (IFF_LOWER_UP | IFF_RUNNING)));
    ck_assert(!(v1->flags & IFF_LOWER_UP));
    ck_assert_int_eq(link_operstate(v0), IF_OPER_LOWERLAYERDOWN);
    ck_assert_int_eq(dev_open(v1), 0);
    ck_assert(netif_oper_up(v0) && netif_oper_up(v1));
}
END_TEST

static int replies;
static uint32_t reply_from;
static void on_reply(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *d, size_t n)
{
    (void)arg; (void)seq; (void)ttl; (void)d; (void)n;
    replies++;
    reply_from = from;
}
static void on_error(void *arg, uint32_t from, int type, int code, uint16_t seq)
{
    (void)arg; (void)from; (void)type; (void)code; (void)seq;
}

/* Two namespaces wired by a pair, each end addressed and up. */
static void wire(struct net *a, struct net *b, struct netdev **va, struct netdev **vb)
{
    ck_assert_int_eq(add_pair(a, "va", "vb", b->name), 0);
    *va = dev_in(a, "va");
    *vb = dev_in(b, "vb");
    ck_assert_int_eq(inet_addr_add(*va, A1, 24), 0);
    ck_assert_int_eq(inet_addr_add(*vb, A2, 24), 0);
    ck_assert_int_eq(dev_open(*va), 0);
    ck_assert_int_eq(dev_open(*vb), 0);
}

/* A ping from one namespace to another over the pair: ARP, request and reply cross
 * through the backlog; each end's tx is the other's rx; nothing reaches the wire. */
START_TEST(test_ping_between_namespaces)
{
    struct net *ns1 = fx_add_net(f, "ns1"), *ns2 = fx_add_net(f, "ns2");
    ck_assert(ns1 && ns2);
    struct netdev *va, *vb;
    wire(ns1, ns2, &va, &vb);
    fx_tx_clear(f);
    static const struct ping_sock_ops ops = { .reply = on_reply, .error = on_error };
    struct ping_sock *s = ping_sock_open(ns1, &ops, NULL);
    ck_assert_ptr_nonnull(s);
    static const uint8_t data[32] = "across a veth pair";
    for (uint16_t seq = 1; seq <= 3; seq++) {
        ck_assert_int_eq(ping_sock_send(s, A2, seq, data, sizeof(data), 0, 0), 0);
        for (int i = 0; i < 4; i++) stack_poll(f->st);
    }
    ck_assert_int_eq(replies, 3);
    ck_assert_uint_eq(reply_from, A2);
    ck_assert_uint_eq(ns2->mib.v[MIB_IcmpInEchos], 3);
    ck_assert_uint_eq(ns1->mib.v[MIB_IcmpInEchoReps], 3);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    struct netdev_stats a, b;
    dev_get_stats(va, &a);
    dev_get_stats(vb, &b);
    ck_assert_uint_ge(a.tx_packets, 4);                 /* ARP request + 3 echo requests */
    ck_assert_uint_eq(a.tx_packets, b.rx_packets);
    ck_assert_uint_eq(a.tx_bytes, b.rx_bytes);
    ck_assert_uint_eq(b.tx_packets, a.rx_packets);
    ck_assert_uint_eq(b.tx_bytes, a.rx_bytes);
    ck_assert_uint_eq(a.tx_dropped + b.tx_dropped + a.rx_dropped + b.rx_dropped, 0);
    ping_sock_close(s);
}
END_TEST

/* veth_dellink: either end deleted, both go; so does the peer of an end whose namespace
 * is deleted. */
START_TEST(test_delete_takes_both)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", NULL), 0);
    ck_assert_int_eq(link_dellink(dev_in(f->net, "v1"), NULL), 0);
    ck_assert_ptr_null(netdev_by_name(f->net, "v0"));
    ck_assert_ptr_null(netdev_by_name(f->net, "v1"));
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", "ns1"), 0);
    ck_assert_int_eq(link_dellink(dev_in(f->net, "v0"), NULL), 0);
    ck_assert_ptr_null(netdev_by_name(ns1, "v1"));
    /* namespace deletion: the end outside it goes too, with frames still queued for it */
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", "ns1"), 0);
    ck_assert_int_eq(add_pair(ns1, "w0", "w1", NULL), 0);     /* a pair inside it */
    struct netdev *v0 = dev_in(f->net, "v0");
    ck_assert_int_eq(dev_open(v0), 0);
    ck_assert_int_eq(dev_open(dev_in(ns1, "v1")), 0);
    struct pkt *p = net_pkt_alloc(ns1, 64);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, 64), 0xff, 64);
    ck_assert_int_eq(dev_queue_xmit(dev_in(ns1, "v1"), p), 0);
    ck_assert_uint_eq(f->st->backlog_len, 1);                 /* waiting for v0 */
    net_free(ns1);
    ck_assert_ptr_null(netdev_by_name(f->net, "v0"));
    ck_assert_uint_eq(f->st->backlog_len, 0);
}
END_TEST

static int destructed;
static void count_destructor(struct pkt *p) { (void)p; destructed++; }

/* A frame to send: broadcast, 100 bytes, owned by a "socket" (a destructor). */
static struct pkt *owned_frame(struct net *net)
{
    struct pkt *p = net_pkt_alloc(net, 100);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, 100);
    memset(d, 0xff, 12);
    put_be16(d + 12, 0x88b5);                   /* local experimental ethertype */
    p->destructor = count_destructor;
    p->tstamp_us = 12345;
    p->pkt_type = PACKET_OUTGOING;
    return p;
}

/* __dev_forward_skb: the frame starts a new trip on the peer (skb_scrub_packet); across
 * namespaces the sender's socket lets go of it. */
START_TEST(test_scrub_on_crossing)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", NULL), 0);
    ck_assert_int_eq(add_pair(f->net, "x0", "x1", "ns1"), 0);
    struct netdev *v0 = dev_in(f->net, "v0"), *v1 = dev_in(f->net, "v1");
    struct netdev *x0 = dev_in(f->net, "x0"), *x1 = dev_in(ns1, "x1");
    ck_assert(!dev_open(v0) && !dev_open(v1) && !dev_open(x0) && !dev_open(x1));

    struct pkt *p = owned_frame(f->net);
    ck_assert_int_eq(dev_queue_xmit(v0, p), 0);
    ck_assert_ptr_eq(f->st->backlog_head, p);           /* on the backlog, the peer its device */
    ck_assert_ptr_eq(p->dev, v1);
    ck_assert_int_eq(p->pkt_type, PACKET_HOST);
    ck_assert_int_eq(destructed, 0);                    /* same namespace: still charged */
    ck_assert_ptr_eq(p->destructor, count_destructor);
    stack_poll(f->st);
    ck_assert_int_eq(destructed, 1);                    /* at the end of its life */

    p = owned_frame(f->net);
    ck_assert_int_eq(dev_queue_xmit(x0, p), 0);
    ck_assert_ptr_eq(p->dev, x1);
    ck_assert_int_eq(destructed, 2);                    /* released at the crossing */
    ck_assert_ptr_null(p->destructor);
    ck_assert_ptr_null(p->sk);
    ck_assert_uint_eq(p->tstamp_us, 0);
    stack_poll(f->st);
    ck_assert_int_eq(destructed, 2);
    struct netdev_stats s;
    dev_get_stats(x1, &s);
    ck_assert_uint_eq(s.rx_packets, 1);
}
END_TEST

/* Each end has its own MTU; a frame larger than the receiver's is dropped
 * (is_skb_forwardable) and counted on both ends, not as sent. */
START_TEST(test_mtu_per_end)
{
    ck_assert_int_eq(add_pair(f->net, "v0", "v1", NULL), 0);
    struct netdev *v0 = dev_in(f->net, "v0"), *v1 = dev_in(f->net, "v1");
    struct link_change ch = { .set_mtu = true, .mtu = 4000, .up = 1 };
    ck_assert_int_eq(link_setlink(v0, &ch, NULL), 0);
    ck_assert_int_eq(dev_open(v1), 0);
    ck_assert_uint_eq(v0->mtu, 4000);
    ck_assert_uint_eq(v1->mtu, 1500);
    struct pkt *p = net_pkt_alloc(f->net, 3000);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, 3000), 0xff, 3000);
    ck_assert_int_eq(dev_queue_xmit(v0, p), 0);
    ck_assert_uint_eq(f->st->backlog_len, 0);
    struct netdev_stats a, b;
    dev_get_stats(v0, &a);
    dev_get_stats(v1, &b);
    ck_assert_uint_eq(a.tx_packets, 0);
    ck_assert_uint_eq(a.tx_dropped, 1);
    ck_assert_uint_eq(b.rx_dropped, 1);
    ck_assert_uint_eq(a.tx_errors, 0);
    /* the frame fits when the receiver's MTU allows it */
    ch = (struct link_change){ .set_mtu = true, .mtu = 3000, .up = -1 };
    ck_assert_int_eq(link_setlink(v1, &ch, NULL), 0);
    p = net_pkt_alloc(f->net, 3000);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, 3000), 0xff, 3000);
    ck_assert_int_eq(dev_queue_xmit(v0, p), 0);
    ck_assert_uint_eq(f->st->backlog_len, 1);
    stack_poll(f->st);
    dev_get_stats(v1, &b);
    ck_assert_uint_eq(b.rx_packets, 1);
    ck_assert_uint_eq(b.rx_bytes, 3000);
    /* a peer that is down takes nothing either */
    ck_assert_int_eq(dev_close(v1), 0);
    p = net_pkt_alloc(f->net, 60);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, 60), 0xff, 60);
    ck_assert_int_eq(dev_queue_xmit(v0, p), 0);
    dev_get_stats(v0, &a);
    ck_assert_uint_eq(a.tx_dropped, 2);
    ck_assert_uint_eq(f->st->backlog_len, 0);
}
END_TEST

static unsigned seen_len, seen_gso, seen_frames;
static void rx_tap(struct ptap *t, struct netdev *dev, const struct pkt *p, int dir)
{
    (void)t; (void)dev;
    if (dir != PTAP_RX || p->len < ETH_HLEN || get_be16(p->data + 12) != ETH_P_IP) return;
    seen_frames++;                  /* IPv4 only: ns2's answer brings ARP back */
    seen_len = p->len;
    seen_gso = p->gso_size;
}

/* A TCP super-segment (partial checksum, gso_size) as TCP hands it down. */
static struct pkt *tcp_super(struct netdev *from, struct netdev *to, unsigned paylen, uint16_t mss)
{
    size_t len = ETH_HLEN + IP4_HLEN + TCP_HLEN + paylen;
    struct pkt *p = net_pkt_alloc(from->net, len);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, len), *ih = d + ETH_HLEN, *th = ih + IP4_HLEN;
    memset(d, 0, len);
    memcpy(d, to->addr.b, 6);
    memcpy(d + 6, from->addr.b, 6);
    put_be16(d + 12, ETH_P_IP);
    ih[0] = 0x45;
    put_be16(ih + IP4_OFF_LEN, (uint16_t)(IP4_HLEN + TCP_HLEN + paylen));
    put_be16(ih + IP4_OFF_FRAG, IP_DF);
    ih[IP4_OFF_TTL] = 64;
    ih[IP4_OFF_PROTO] = IPPROTO_TCP;
    put_be32(ih + IP4_OFF_SRC, A1);
    put_be32(ih + IP4_OFF_DST, A2);
    put_be16(ih + IP4_OFF_CSUM, fx_csum(ih, IP4_HLEN));
    put_be16(th, 40000);
    put_be16(th + 2, 5001);
    th[TCP_OFF_DOFF] = (TCP_HLEN / 4) << 4;
    th[TCP_OFF_FLAGS] = 0x18;
    p->mac_off = 0 + (int32_t)(d - p->head);
    p->nh_off = (int32_t)(ih - p->head);
    p->th_off = (int32_t)(th - p->head);
    p->protocol = ETH_P_IP;
    pkt_csum_partial_l4(p, th, TCP_OFF_CSUM, A1, A2, IPPROTO_TCP, (uint16_t)(TCP_HLEN + paylen));
    p->gso_size = mss;
    p->gso_type = PKT_GSO_TCPV4;
    return p;
}

/* VETH_FEATURES include TSO and any checksum: the super-segment reaches the peer whole,
 * larger than either MTU, with no software segmentation on the way. */
START_TEST(test_gso_crosses_unsegmented)
{
    struct net *ns1 = fx_add_net(f, "ns1"), *ns2 = fx_add_net(f, "ns2");
    ck_assert(ns1 && ns2);
    struct netdev *va, *vb;
    wire(ns1, ns2, &va, &vb);
    ck_assert(netif_gso_ok(va, PKT_GSO_TCPV4));
    struct ptap t = { .fn = rx_tap };
    ptap_add(vb, &t);
    struct pkt *p = tcp_super(va, vb, 3 * 1448, 1448);
    unsigned len = p->len;
    ck_assert_int_eq(dev_queue_xmit(va, p), 0);
    stack_poll(f->st);
    ck_assert_uint_eq(seen_frames, 1);
    ck_assert_uint_eq(seen_len, len);
    ck_assert_uint_gt(seen_len, vb->mtu + ETH_HLEN);
    ck_assert_uint_eq(seen_gso, 1448);
    ck_assert_uint_eq(va->offload_stats.tx_sw_gso_segs, 0);
    ck_assert_uint_eq(va->offload_stats.tx_gso_packets, 1);
    ptap_del(vb, &t);
}
END_TEST

Suite *veth_suite(void)
{
    Suite *s = suite_create("veth");
    TCase *tc = tcase_create("veth");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_one_namespace);
    tcase_add_test(tc, test_create_two_namespaces);
    tcase_add_test(tc, test_carrier_follows_both_ends);
    tcase_add_test(tc, test_ping_between_namespaces);
    tcase_add_test(tc, test_delete_takes_both);
    tcase_add_test(tc, test_scrub_on_crossing);
    tcase_add_test(tc, test_mtu_per_end);
    tcase_add_test(tc, test_gso_crosses_unsegmented);
    suite_add_tcase(s, tc);
    return s;
}
