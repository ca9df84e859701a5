/*
 * tests/net/test_link.c — link kinds and link configuration in the core (net/link.c,
 * net/tap_link.c, the loopback kind of net/loopback.c): the registry, link_newlink /
 * link_dellink / link_setlink with Linux's rules and messages, the tap kind's options
 * and details, and what `ip link` asks of a kind (operstate, qdisc). Called directly.
 */
#include "tests/fx_check.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/tap_link.h"
#include <errno.h>

static struct extack ext;

/* ---- a fake TAP backend that remembers what it was asked ---- */
struct fake_backend { int calls; char host[IFNAMSIZ]; int fail; };

static int fake_xmit(struct netdev *dev, struct pkt *p) { pkt_free(p); return 0; }
static const struct netdev_ops fake_tap_ops = { .kind = "tap", .xmit = fake_xmit };

static int fake_create(void *ctx, struct net *net, const char *name, const char *host, struct extack *e)
{
    struct fake_backend *b = ctx;
    b->calls++;
    snprintf(b->host, sizeof(b->host), "%s", host);
    if (b->fail) {
        NL_SET_ERR_MSG(e, "no TAP here");
        return b->fail;
    }
    struct netdev *d = netdev_alloc(net, name, &fake_tap_ops, 0);
    if (!d) return -ENOMEM;
    int err = netdev_register(d);
    if (err < 0) { free(d); return err; }
    netif_carrier_on(d);
    return 0;
}

static struct fake_backend fb;
static struct tap_backend be = { .create = fake_create, .ctx = &fb };

/* ---- a test kind with its own operstate and deletion ---- */
static const struct netdev_ops testk_netdev_ops = { .kind = "testk", .xmit = fake_xmit };
static int test_dellinks;
static void *test_ctx_seen;
static const struct link_ops test_ops;
struct testk_priv { uint64_t words[4]; };

static int test_newlink(void *ctx, struct net *net, const char *name, const struct link_args *a, struct extack *e)
{
    test_ctx_seen = ctx;
    struct netdev *d = link_alloc(net, name, &test_ops, &testk_netdev_ops);
    if (!d) return -ENOMEM;
    struct testk_priv *p = d->priv;                         /* priv_size bytes, zeroed */
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(p->words[i], 0);
    p->words[3] = 0x7e57;
    d->priv_flags |= IFF_NO_QUEUE;                          /* as veth: no qdisc of its own */
    int err = netdev_register(d);
    if (err < 0) free(d);
    return err;
}
static void test_dellink(void *ctx, struct netdev *dev) { test_dellinks++; netdev_unregister(dev); }
static enum if_oper test_operstate(const struct netdev *dev) { return IF_OPER_LOWERLAYERDOWN; }
static const struct link_ops test_ops = {
    .kind = "testk", .priv_size = sizeof(struct testk_priv), .newlink = test_newlink, .dellink = test_dellink, .operstate = test_operstate,
};

static void setup(void)
{
    f = fx_new(0x11c);
    ck_assert_ptr_nonnull(f);
    memset(&fb, 0, sizeof(fb));
    memset(&ext, 0, sizeof(ext));
    test_dellinks = 0;
    test_ctx_seen = NULL;
    ck_assert_int_eq(tap_link_register(f->st, &be), 0);
}

static void teardown(void) { fxc_teardown(); }

static int newlink(const char *kind, const char *name, int argc, char **argv)
{
    struct link_args a = { .argc = argc, .argv = argv };
    memset(&ext, 0, sizeof(ext));
    return link_newlink(f->net, kind, name, &a, &ext);
}

START_TEST(test_registry)
{
    ck_assert_ptr_nonnull(link_kind_find(f->st, "tap"));
    ck_assert_ptr_nonnull(link_kind_find(f->st, "loopback"));
    ck_assert_ptr_nonnull(link_kind_find(f->st, "veth"));           /* registered with the stack */
    ck_assert_ptr_nonnull(link_kind_find(f->st, "vxlan"));
    ck_assert_ptr_null(link_kind_find(f->st, "vlan"));                 /* no such driver */
    ck_assert_int_eq(tap_link_register(f->st, &be), -EEXIST);          /* one kind per name */
    ck_assert_int_eq(tap_link_register(f->st, &(struct tap_backend){ 0 }), -EINVAL);
    ck_assert_int_eq(link_kind_register(f->st, &(struct link_ops){ .kind = "" }, NULL), -EINVAL);
    static struct link_ops many[STACK_MAX_LINK_KINDS];
    static char names[STACK_MAX_LINK_KINDS][16];
    int ok = 0, full = 0, used = f->st->n_link_kinds;    /* tap, loopback, bridge ... */
    for (int i = 0; i < STACK_MAX_LINK_KINDS; i++) {
        snprintf(names[i], sizeof(names[i]), "k%d", i);
        many[i].kind = names[i];
        int rc = link_kind_register(f->st, &many[i], NULL);
        ok += rc == 0;
        full += rc == -ENOSPC;
    }
    ck_assert_int_eq(ok, STACK_MAX_LINK_KINDS - used);
    ck_assert_int_eq(full, used);
    link_kind_unregister(f->st, "k0");
    ck_assert_ptr_null(link_kind_find(f->st, "k0"));
    ck_assert_ptr_nonnull(link_kind_find(f->st, "k1"));                 /* the others stay */
    ck_assert_ptr_eq(link_kind_of(f->net->loopback), link_kind_find(f->st, "loopback"));
    ck_assert_ptr_null(link_kind_of(f->dev));                          /* the fixture's device */
    link_kind_unregister(f->st, "nosuch");
}
END_TEST

START_TEST(test_newlink_rules)
{
    ck_assert_int_eq(newlink("foo", "x1", 0, NULL), -EOPNOTSUPP);
    ck_assert_str_eq(ext.msg, "Unknown device type");
    ck_assert_int_eq(newlink("loopback", "lo2", 0, NULL), -EOPNOTSUPP);  /* no newlink: not creatable */
    ck_assert_str_eq(ext.msg, "Unknown device type");
    ck_assert_int_eq(newlink("tap", "eth0", 0, NULL), -EEXIST);        /* taken, before the kind */
    ck_assert_int_eq(newlink("foo", "eth0", 0, NULL), -EEXIST);
    ck_assert_int_eq(newlink("tap", "a/b", 0, NULL), -EINVAL);
    ck_assert_int_eq(newlink("tap", "waytoolongname16", 0, NULL), -EINVAL);
    ck_assert_int_eq(fb.calls, 0);
    /* the context given at registration comes back */
    static int token;
    ck_assert_int_eq(link_kind_register(f->st, &test_ops, &token), 0);
    ck_assert_int_eq(newlink("testk", "t0", 0, NULL), 0);
    ck_assert_ptr_eq(test_ctx_seen, &token);
    struct netdev *t0 = netdev_by_name(f->net, "t0");
    ck_assert_ptr_nonnull(t0);
    ck_assert_uint_eq(((struct testk_priv *)t0->priv)->words[3], 0x7e57);
    ck_assert_ptr_null(link_alloc(f->net, "a/b", &test_ops, &testk_netdev_ops));
}
END_TEST

/* The tap kind: `ifname HOSTIF` or the device's own name for the host side; anything
 * else refused with iproute2's words, before the backend is bothered. */
START_TEST(test_tap_kind_options)
{
    ck_assert_int_eq(newlink("tap", "tap1", 0, NULL), 0);
    ck_assert_int_eq(fb.calls, 1);
    ck_assert_str_eq(fb.host, "tap1");
    char *opts[] = { "ifname", "hosttap" };
    ck_assert_int_eq(newlink("tap", "tap2", 2, opts), 0);
    ck_assert_str_eq(fb.host, "hosttap");
    char *junk[] = { "ifname", "h", "mode", "x" };
    ck_assert_int_eq(newlink("tap", "tap3", 4, junk), -EINVAL);
    ck_assert_str_eq(ext.msg, "either \"ifname\" is duplicate, or \"mode\" is a garbage");
    char *missing[] = { "ifname" };
    ck_assert_int_eq(newlink("tap", "tap3", 1, missing), -EINVAL);
    ck_assert_str_eq(ext.msg, "argument for \"ifname\" is missing");
    char *bad[] = { "ifname", "a:b" };
    ck_assert_int_eq(newlink("tap", "tap3", 2, bad), -EINVAL);
    ck_assert_str_eq(ext.msg, "argument \"a:b\" is wrong: \"ifname\" not a valid ifname");
    ck_assert_int_eq(fb.calls, 2);
    fb.fail = -EPERM;                                                   /* the backend's own refusal */
    ck_assert_int_eq(newlink("tap", "tap3", 0, NULL), -EPERM);
    ck_assert_str_eq(ext.msg, "no TAP here");
    ck_assert_ptr_null(netdev_by_name(f->net, "tap3"));
}
END_TEST

START_TEST(test_dellink_rules)
{
    ck_assert_int_eq(link_dellink(f->net->loopback, &ext), -EOPNOTSUPP);     /* lo stays */
    ck_assert_int_eq(link_dellink(f->dev, &ext), -EOPNOTSUPP);               /* no kind */
    ck_assert_int_eq(newlink("tap", "tap1", 0, NULL), 0);
    ck_assert_int_eq(link_dellink(netdev_by_name(f->net, "tap1"), &ext), 0); /* default: unregister */
    ck_assert_ptr_null(netdev_by_name(f->net, "tap1"));
    ck_assert_int_eq(link_kind_register(f->st, &test_ops, NULL), 0);
    ck_assert_int_eq(newlink("testk", "t0", 0, NULL), 0);
    ck_assert_int_eq(link_dellink(netdev_by_name(f->net, "t0"), &ext), 0);
    ck_assert_int_eq(test_dellinks, 1);                                      /* the kind's own */
    ck_assert_ptr_null(netdev_by_name(f->net, "t0"));
}
END_TEST

/* do_setlink: namespace, address, MTU, queue length, then up/down; a refusal stops there. */
START_TEST(test_setlink)
{
    struct link_change ch = { .up = -1, .set_mtu = true, .mtu = 67 };
    ck_assert_int_eq(link_setlink(f->dev, &ch, &ext), -EINVAL);
    ck_assert_str_eq(ext.msg, "mtu less than device minimum");
    ch.mtu = ETH_MAX_MTU + 1;
    ck_assert_int_eq(link_setlink(f->dev, &ch, &ext), -EINVAL);
    ck_assert_str_eq(ext.msg, "mtu greater than device maximum");
    ch.mtu = 65536;                                                     /* lo's maximum is higher */
    ck_assert_int_eq(link_setlink(f->net->loopback, &ch, &ext), 0);
    ck_assert_uint_eq(f->net->loopback->mtu, 65536);
    /* the MAC goes in before the MTU is refused; up is never reached */
    struct eth_addr mac = { { 0x02, 0, 0, 0, 0, 0x77 } };
    struct link_change two = { .addr = &mac, .set_mtu = true, .mtu = 10, .up = 0 };
    ck_assert_int_eq(link_setlink(f->dev, &two, &ext), -EINVAL);
    fxc_assert_mac(&f->dev->addr, &mac);
    ck_assert(netif_running(f->dev));
    struct eth_addr mcast = { { 0x01, 0, 0x5e, 0, 0, 1 } };
    struct link_change bad = { .addr = &mcast, .up = 0 };
    ck_assert_int_eq(link_setlink(f->dev, &bad, &ext), -EADDRNOTAVAIL);
    ck_assert(netif_running(f->dev));
    struct link_change ok = { .set_mtu = true, .mtu = 1400, .set_txqlen = true, .txqlen = 7, .up = 0 };
    ck_assert_int_eq(link_setlink(f->dev, &ok, &ext), 0);
    ck_assert_uint_eq(f->dev->mtu, 1400);
    ck_assert_uint_eq(f->dev->txqlen, 7);
    ck_assert(!netif_running(f->dev));
    struct link_change up = { .up = 1 };
    ck_assert_int_eq(link_setlink(f->dev, &up, &ext), 0);
    ck_assert(netif_running(f->dev));
}
END_TEST

START_TEST(test_setlink_netns)
{
    struct net *ns = net_new(f->st, "ns1");
    ck_assert_ptr_nonnull(ns);
    struct link_change to = { .netns = ns, .up = 1 };
    ck_assert_int_eq(link_setlink(f->net->loopback, &to, &ext), -EINVAL);    /* lo stays home */
    ck_assert_int_eq(newlink("tap", "tap1", 0, NULL), 0);
    struct netdev *t = netdev_by_name(f->net, "tap1");
    ck_assert_int_eq(link_setlink(t, &to, &ext), 0);
    ck_assert_ptr_eq(t->net, ns);
    ck_assert_ptr_eq(netdev_by_name(ns, "tap1"), t);
    ck_assert(netif_running(t));                                             /* up came after the move */
    /* a name taken in the target namespace */
    ck_assert_int_eq(newlink("tap", "tap1", 0, NULL), 0);
    ck_assert_int_eq(link_setlink(netdev_by_name(f->net, "tap1"), &to, &ext), -EEXIST);
}
END_TEST

/* What `ip link show` asks of the kind. */
START_TEST(test_show_hooks)
{
    char buf[128];
    ck_assert_int_eq(newlink("tap", "tap1", 0, NULL), 0);
    struct netdev *t = netdev_by_name(f->net, "tap1");
    ck_assert(link_fill_info(t, buf, sizeof(buf)));
    ck_assert_str_eq(buf, "tun type tap pi off vnet_hdr off persist off");
    ck_assert(!link_fill_info(f->net->loopback, buf, sizeof(buf)));          /* lo: none */
    ck_assert(!link_fill_info(f->dev, buf, sizeof(buf)));                    /* no kind */
    ck_assert_str_eq(link_qdisc_name(t), "noop");                            /* never up */
    ck_assert_int_eq(link_operstate(t), IF_OPER_DOWN);
    struct link_change up = { .up = 1 };
    ck_assert_int_eq(link_setlink(t, &up, &ext), 0);
    ck_assert_str_eq(link_qdisc_name(t), "pfifo_fast");                      /* the default */
    ck_assert_int_eq(link_operstate(t), IF_OPER_UNKNOWN);                    /* tun sets none */
    netif_carrier_off(t);
    ck_assert_int_eq(link_operstate(t), IF_OPER_DOWN);
    ck_assert_str_eq(link_qdisc_name(f->net->loopback), "noqueue");
    ck_assert_str_eq(link_qdisc_name(f->dev), "pfifo_fast");
    ck_assert_int_eq(link_kind_register(f->st, &test_ops, NULL), 0);
    ck_assert_int_eq(newlink("testk", "t0", 0, NULL), 0);
    struct netdev *k = netdev_by_name(f->net, "t0");
    ck_assert_int_eq(link_setlink(k, &up, &ext), 0);
    ck_assert_int_eq(link_operstate(k), IF_OPER_LOWERLAYERDOWN);             /* the kind's own */
    ck_assert_str_eq(link_qdisc_name(k), "noqueue");                         /* IFF_NO_QUEUE */
}
END_TEST

START_TEST(test_args_helpers)
{
    char *w[] = { "peer", "v1", "id", "42" };
    struct link_args a = { .argc = 4, .argv = w };
    ck_assert_str_eq(link_arg(&a, "id"), "42");
    ck_assert_ptr_null(link_arg(&a, "v1"));                                   /* values are not keys */
    static const char *const keys[] = { "peer", "id", NULL };
    ck_assert_int_eq(link_args_check(&a, keys, &ext), 0);
    ck_assert(dev_valid_name("tap0"));
    ck_assert(!dev_valid_name(""));
    ck_assert(!dev_valid_name(".."));
    ck_assert(!dev_valid_name("a b"));
    ck_assert(dev_valid_name("fifteen_chars_x"));
    ck_assert(!dev_valid_name("sixteen_chars_xx"));
}
END_TEST

Suite *link_suite(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("link");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_newlink_rules);
    tcase_add_test(tc, test_tap_kind_options);
    tcase_add_test(tc, test_dellink_rules);
    tcase_add_test(tc, test_setlink);
    tcase_add_test(tc, test_setlink_netns);
    tcase_add_test(tc, test_show_hooks);
    tcase_add_test(tc, test_args_helpers);
    suite_add_tcase(s, tc);
    return s;
}
