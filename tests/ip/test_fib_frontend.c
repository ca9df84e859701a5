/*
 * tests/ip/test_fib_frontend.c — route configuration in the core (ip/fib_frontend.c:
 * ip_route_add, ip_route_del), one test per rule of Linux's fib_create_info /
 * fib_check_nh / fib_table_insert / fib_table_delete, called directly (not through the
 * shell), with the errno and the extack message each refusal carries.
 *
 * The fixture: eth0 10.0.0.2/24 up, default route via 10.0.0.1; "eth1" 192.168.1.2/24
 * added up where needed, "eth2" down with 172.16.0.2/24.
 */
#include "tests/fx_check.h"
#include "ip/ip.h"
#include "net/link.h"
#include "net/netlink.h"
#include <errno.h>

static const struct eth_addr mac1 = { { 0x02, 0, 0, 0, 1, 2 } };
static const struct eth_addr mac2 = { { 0x02, 0, 0, 0, 2, 2 } };
static struct extack ext;

static void setup(void)
{
    f = fx_new(0xf1b);
    ck_assert_ptr_nonnull(f);
    memset(&ext, 0, sizeof(ext));
}

static void teardown(void) { fxc_teardown(); }

/* What `ip route add` sends by default. */
static struct fib_config cfg_add(uint32_t dst, int plen)
{
    return (struct fib_config){ .dst = dst, .dst_len = plen, .scope = RT_SCOPE_NOWHERE, .protocol = RTPROT_BOOT,
                                .nlflags = NLM_F_CREATE | NLM_F_EXCL };
}

static const struct fib_route *find(uint32_t dst, int plen) { return fib_find(fib_get_table(f->net), dst, plen); }

static void refused(const struct fib_config *c, int err, const char *msg)
{
    memset(&ext, 0, sizeof(ext));
    unsigned before = fib_count(fib_get_table(f->net));
    ck_assert_int_eq(ip_route_add(f->net, c, &ext), err);
    if (msg) ck_assert_msg(ext.msg && !strcmp(ext.msg, msg), "extack [%s], want [%s]", ext.msg ? ext.msg : "(none)", msg);
    else ck_assert_ptr_null(ext.msg);
    ck_assert_uint_eq(fib_count(fib_get_table(f->net)), before);     /* nothing changed */
}

static struct netdev *eth_down(void)
{
    struct netdev *d = fx_add_dev(f, "eth2", &mac2, FX_IP(172, 16, 0, 2), 24, 0);
    ck_assert_ptr_nonnull(d);
    struct link_change down = { .up = 0 };
    ck_assert_int_eq(link_setlink(d, &down, NULL), 0);
    return d;
}

START_TEST(test_gateway_finds_device_and_defaults)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 0), 24);
    c.gateway = FX_PEER;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    const struct fib_route *r = find(FX_IP(192, 0, 2, 0), 24);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->ifindex, f->dev->ifindex);          /* the gateway's connected route */
    ck_assert_uint_eq(r->scope, RT_SCOPE_UNIVERSE);
    ck_assert_uint_eq(r->type, RTN_UNICAST);
    ck_assert_uint_eq(r->protocol, RTPROT_BOOT);
    /* no gateway: scope link; explicit scope kept */
    c = cfg_add(FX_IP(192, 0, 3, 0), 24);
    c.oif = f->dev->ifindex;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(FX_IP(192, 0, 3, 0), 24)->scope, RT_SCOPE_LINK);
    c = cfg_add(FX_IP(192, 0, 4, 0), 24);
    c.oif = f->dev->ifindex;
    c.scope = RT_SCOPE_UNIVERSE;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(FX_IP(192, 0, 4, 0), 24)->scope, RT_SCOPE_UNIVERSE);
    /* local: scope host, table local by type; table local without type means local */
    c = cfg_add(FX_IP(10, 9, 9, 9), 32);
    c.oif = f->dev->ifindex;
    c.table = RT_TABLE_LOCAL;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(FX_IP(10, 9, 9, 9), 32)->type, RTN_LOCAL);
    ck_assert_uint_eq(find(FX_IP(10, 9, 9, 9), 32)->scope, RT_SCOPE_HOST);
    c = cfg_add(FX_IP(10, 0, 0, 127), 32);
    c.type = RTN_BROADCAST;
    c.oif = f->dev->ifindex;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(FX_IP(10, 0, 0, 127), 32)->scope, RT_SCOPE_LINK);
    ck_assert_ptr_null(ext.msg);
}
END_TEST

START_TEST(test_gateway_must_be_on_link)
{
    struct fib_config c = cfg_add(FX_IP(8, 8, 0, 0), 16);
    c.gateway = FX_IP(192, 168, 99, 1);                  /* no connected route covers it */
    refused(&c, -ENETUNREACH, "Nexthop has invalid gateway");
    c.gateway = FX_IP(10, 0, 0, 1);                      /* reached only via the default route's... */
    struct netdev *eth1 = fx_add_dev(f, "eth1", &mac1, FX_IP(192, 168, 1, 2), 24, 0);
    c.oif = eth1->ifindex;                               /* ...connected route of eth0, not eth1 */
    refused(&c, -ENETUNREACH, "Nexthop has invalid gateway");
    c.oif = f->dev->ifindex;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    /* a gateway behind a gateway route is not on the link either */
    struct fib_config g = cfg_add(FX_IP(9, 0, 0, 0), 8);
    g.gateway = FX_IP(8, 8, 1, 1);
    refused(&g, -ENETUNREACH, "Nexthop has invalid gateway");
}
END_TEST

START_TEST(test_onlink)
{
    struct fib_config c = cfg_add(FX_IP(8, 8, 0, 0), 16);
    c.gateway = FX_IP(192, 168, 99, 1);
    c.flags = RTNH_F_ONLINK;
    refused(&c, -ENODEV, "Nexthop device required for onlink");
    c.oif = eth_down()->ifindex;
    refused(&c, -ENETDOWN, "Nexthop device is not up");
    c.oif = f->dev->ifindex;
    c.gateway = FX_ADDR;                                 /* one of ours */
    refused(&c, -EINVAL, "Nexthop has invalid gateway");
    c.gateway = FX_BCAST;
    refused(&c, -EINVAL, "Nexthop has invalid gateway");
    c.gateway = FX_IP(192, 168, 99, 1);
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_int_eq(find(FX_IP(8, 8, 0, 0), 16)->ifindex, f->dev->ifindex);
    ck_assert_uint_eq(find(FX_IP(8, 8, 0, 0), 16)->gateway, FX_IP(192, 168, 99, 1));
    ck_assert_uint_eq(find(FX_IP(8, 8, 0, 0), 16)->nh_flags, RTNH_F_ONLINK);
}
END_TEST

START_TEST(test_device_rules)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 0), 24);
    refused(&c, -ENODEV, NULL);                          /* no device, no gateway */
    c.oif = 999;
    refused(&c, -ENODEV, NULL);                          /* no such device */
    c.oif = eth_down()->ifindex;
    refused(&c, -ENETDOWN, "Nexthop device is not up");
}
END_TEST

START_TEST(test_prefix_rules)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 3), 24);
    c.oif = f->dev->ifindex;
    refused(&c, -EINVAL, "Invalid prefix for given prefix length");
    c.dst = FX_IP(192, 0, 2, 0);
    c.dst_len = 33;
    refused(&c, -EINVAL, "Invalid prefix length");
    c.dst_len = -1;
    refused(&c, -EINVAL, "Invalid prefix length");
    c = cfg_add(FX_IP(1, 0, 0, 0), 0);                   /* default with host bits */
    c.oif = f->dev->ifindex;
    refused(&c, -EINVAL, "Invalid prefix for given prefix length");
}
END_TEST

START_TEST(test_reject_routes)
{
    struct fib_config c = cfg_add(FX_IP(10, 9, 0, 0), 16);
    c.type = RTN_BLACKHOLE;
    c.oif = f->dev->ifindex;
    refused(&c, -EINVAL, "Gateway, device and multipath can not be specified for this route type");
    c.oif = 0;
    c.gateway = FX_PEER;
    c.type = RTN_PROHIBIT;
    refused(&c, -EINVAL, "Gateway, device and multipath can not be specified for this route type");
    c.gateway = 0;
    c.type = RTN_UNREACHABLE;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    const struct fib_route *r = find(FX_IP(10, 9, 0, 0), 16);
    ck_assert_uint_eq(r->type, RTN_UNREACHABLE);
    ck_assert_int_eq(r->ifindex, 0);
    ck_assert_uint_eq(r->scope, RT_SCOPE_UNIVERSE);
}
END_TEST

START_TEST(test_prefsrc_and_table)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 0), 24);
    c.oif = f->dev->ifindex;
    c.prefsrc = FX_IP(1, 2, 3, 4);
    refused(&c, -EINVAL, "Invalid prefsrc address");
    c.prefsrc = FX_ADDR;
    c.table = RT_TABLE_LOCAL;
    c.type = RTN_UNICAST;
    refused(&c, -EINVAL, "tapstack keeps local and broadcast routes in table local, the others in table main");
    c.table = RT_TABLE_MAIN;
    c.type = RTN_LOCAL;
    refused(&c, -EINVAL, "tapstack keeps local and broadcast routes in table local, the others in table main");
    c.type = 0;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(FX_IP(192, 0, 2, 0), 24)->prefsrc, FX_ADDR);
}
END_TEST

/* NLM_F_EXCL: the same prefix and metric in the same table is taken, whatever the type;
 * another metric, or the other table, is not. */
START_TEST(test_excl_same_prefix_and_metric)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 0), 24);
    c.oif = f->dev->ifindex;
    c.priority = 10;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    refused(&c, -EEXIST, NULL);
    struct fib_config bh = cfg_add(FX_IP(192, 0, 2, 0), 24);
    bh.type = RTN_BLACKHOLE;
    bh.priority = 10;
    refused(&bh, -EEXIST, NULL);                         /* another type, same metric */
    bh.priority = 20;
    ck_assert_int_eq(ip_route_add(f->net, &bh, &ext), 0);
    struct fib_config lo = cfg_add(FX_IP(192, 0, 2, 0), 24);
    lo.type = RTN_LOCAL;
    lo.oif = f->dev->ifindex;
    lo.priority = 10;
    ck_assert_int_eq(ip_route_add(f->net, &lo, &ext), 0);     /* table local: no clash */
    /* the default route of the fixture, again */
    struct fib_config d = cfg_add(0, 0);
    d.gateway = FX_PEER;
    refused(&d, -EEXIST, NULL);
}
END_TEST

/* NLM_F_REPLACE swaps the route of that prefix, metric and table; without NLM_F_CREATE a
 * missing one is ENOENT (`ip route change`). */
START_TEST(test_replace_and_change)
{
    struct fib_config c = cfg_add(0, 0);
    c.gateway = FX_IP(10, 0, 0, 3);
    c.nlflags = NLM_F_REPLACE;                           /* change */
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(0, 0)->gateway, FX_IP(10, 0, 0, 3));
    unsigned n = fib_count(fib_get_table(f->net));
    c.gateway = FX_IP(10, 0, 0, 4);
    c.nlflags = NLM_F_CREATE | NLM_F_REPLACE;            /* replace */
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    ck_assert_uint_eq(find(0, 0)->gateway, FX_IP(10, 0, 0, 4));
    ck_assert_uint_eq(fib_count(fib_get_table(f->net)), n);
    struct fib_config m = cfg_add(FX_IP(192, 0, 2, 0), 24);
    m.oif = f->dev->ifindex;
    m.nlflags = NLM_F_REPLACE;
    refused(&m, -ENOENT, NULL);
    m.nlflags = NLM_F_CREATE | NLM_F_REPLACE;
    ck_assert_int_eq(ip_route_add(f->net, &m, &ext), 0);
    /* a replacement that fails its checks leaves the old route */
    c.gateway = FX_IP(192, 168, 99, 1);
    refused(&c, -ENETUNREACH, "Nexthop has invalid gateway");
    ck_assert_uint_eq(find(0, 0)->gateway, FX_IP(10, 0, 0, 4));
    /* append (no EXCL, no REPLACE): one route per prefix, metric and type */
    c.gateway = FX_IP(10, 0, 0, 5);
    c.nlflags = NLM_F_CREATE | NLM_F_APPEND;
    refused(&c, -EEXIST, NULL);
}
END_TEST

START_TEST(test_delete)
{
    struct fib_config c = cfg_add(FX_IP(192, 0, 2, 0), 24);
    c.oif = f->dev->ifindex;
    c.priority = 5;
    ck_assert_int_eq(ip_route_add(f->net, &c, &ext), 0);
    struct fib_config d = { .dst = FX_IP(192, 0, 2, 0), .dst_len = 24, .gateway = FX_PEER };
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -ESRCH);       /* gateway must match */
    d.gateway = 0;
    d.priority = 6;
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -ESRCH);       /* so must a metric given */
    d.priority = 0;
    d.type = RTN_BLACKHOLE;
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -ESRCH);       /* and a type given */
    d.type = 0;
    d.dst = FX_IP(192, 0, 2, 1);
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -EINVAL);
    ck_assert_str_eq(ext.msg, "Invalid prefix for given prefix length");
    d.dst = FX_IP(192, 0, 2, 0);
    d.table = RT_TABLE_LOCAL;
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -ESRCH);       /* not in table local */
    d.table = 0;
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), 0);            /* any type of table main */
    ck_assert_ptr_null(find(FX_IP(192, 0, 2, 0), 24));
    ck_assert_int_eq(ip_route_del(f->net, &d, &ext), -ESRCH);
    /* the kernel's local route of our address, by table */
    struct fib_config l = { .dst = FX_ADDR, .dst_len = 32, .table = RT_TABLE_LOCAL };
    ck_assert_int_eq(ip_route_del(f->net, &l, &ext), 0);
    ck_assert_ptr_null(find(FX_ADDR, 32));
}
END_TEST

START_TEST(test_onlink_dev)
{
    ck_assert_ptr_eq(fib_onlink_dev(f->net, FX_IP(10, 0, 0, 77)), f->dev);
    ck_assert_ptr_null(fib_onlink_dev(f->net, FX_IP(8, 8, 8, 8)));          /* via the default route */
    ck_assert_ptr_null(fib_onlink_dev(f->net, FX_ADDR));                    /* local */
}
END_TEST

Suite *fib_frontend_suite(void)
{
    Suite *s = suite_create("fib_frontend");
    TCase *tc = tcase_create("fib_frontend");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_gateway_finds_device_and_defaults);
    tcase_add_test(tc, test_gateway_must_be_on_link);
    tcase_add_test(tc, test_onlink);
    tcase_add_test(tc, test_device_rules);
    tcase_add_test(tc, test_prefix_rules);
    tcase_add_test(tc, test_reject_routes);
    tcase_add_test(tc, test_prefsrc_and_table);
    tcase_add_test(tc, test_excl_same_prefix_and_metric);
    tcase_add_test(tc, test_replace_and_change);
    tcase_add_test(tc, test_delete);
    tcase_add_test(tc, test_onlink_dev);
    suite_add_tcase(s, tc);
    return s;
}
