/*
 * tests/ip/test_devinet.c — IPv4 addresses in the core (ip/devinet.c): Linux's
 * primary/secondary rule (IFA_F_SECONDARY), list order, promotion on delete, the
 * promotion-safe flush, inet_rtm_newaddr's request flags, and the routes that follow.
 *
 * eth0 is the fixture's (10.0.0.2/24 up); "eth1" is a second fake device, up, without
 * an address unless a test adds one.
 */
#include "tests/fx_check.h"
#include "ip/ip.h"
#include "net/link.h"
#include "net/netlink.h"
#include <errno.h>

static const struct eth_addr mac1 = { { 0x02, 0, 0, 0, 1, 2 } };
static struct netdev *eth1;

static void setup(void)
{
    f = fx_new(0xde1);
    ck_assert_ptr_nonnull(f);
    eth1 = fx_add_dev(f, "eth1", &mac1, 0, 0, 0);
    ck_assert_ptr_nonnull(eth1);
}

static void teardown(void) { fxc_teardown(); }

/* eth1's addresses as "A/N[s] ..." in list order (s: secondary). */
static const char *addrs(void)
{
    static char buf[256];
    size_t n = 0;
    buf[0] = 0;
    for (const struct in_ifaddr *a = eth1->ifa_list; a && n < sizeof(buf) - 32; a = a->next) {
        char ab[16];
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s/%u%s", n ? " " : "", ip4_ntop(a->addr, ab), a->plen,
                              (a->flags & IFA_F_SECONDARY) ? "s" : "");
    }
    return buf;
}

static void add(uint32_t a, int plen) { ck_assert_int_eq(inet_addr_add(eth1, a, plen), 0); }

static const struct fib_route *route(uint32_t dst, int plen) { return fib_find(fib_get_table(f->net), dst, plen); }

START_TEST(test_secondary_flag_and_order)
{
    add(FX_IP(192, 168, 1, 1), 24);
    add(FX_IP(192, 168, 1, 2), 24);                 /* same subnet and length: secondary */
    add(FX_IP(172, 16, 0, 1), 16);                  /* new subnet: primary, before the secondary */
    add(FX_IP(192, 168, 1, 3), 25);                 /* other length: a primary of its own */
    add(FX_IP(172, 16, 9, 9), 16);
    ck_assert_str_eq(addrs(), "192.168.1.1/24 172.16.0.1/16 192.168.1.3/25 192.168.1.2/24s 172.16.9.9/16s");
    ck_assert_int_eq(inet_addr_add(eth1, FX_IP(192, 168, 1, 2), 24), -EEXIST);
    ck_assert_int_eq(inet_addr_add(eth1, FX_IP(192, 168, 1, 2), 23), 0);       /* other length: fine */
    ck_assert_int_eq(inet_addr_add(eth1, FX_IP(1, 1, 1, 1), 33), -EINVAL);
    ck_assert_int_eq(inet_addr_add(eth1, FX_IP(1, 1, 1, 1), -1), -EINVAL);
    /* a secondary is never chosen as source */
    ck_assert_uint_eq(inet_select_addr(eth1, FX_IP(192, 168, 1, 77)), FX_IP(192, 168, 1, 1));
    ck_assert_uint_eq(inet_select_addr(eth1, FX_IP(8, 8, 8, 8)), FX_IP(192, 168, 1, 1));
    ck_assert_ptr_eq(inet_addr_dev(f->net, FX_IP(172, 16, 9, 9)), eth1);
    ck_assert(inet_is_bcast(eth1, FX_IP(192, 168, 1, 255)));
    ck_assert(inet_is_bcast(eth1, FX_IP(192, 168, 1, 127)));                   /* the /25's */
    ck_assert(!inet_is_bcast(eth1, FX_IP(192, 168, 1, 254)));
}
END_TEST

/* Deleting a primary promotes its first secondary, which takes over the subnet's routes
 * (Linux __inet_del_ifa with promote_secondaries). */
START_TEST(test_promotion)
{
    add(FX_IP(192, 168, 1, 1), 24);
    add(FX_IP(10, 1, 0, 1), 16);
    add(FX_IP(192, 168, 1, 2), 24);
    add(FX_IP(192, 168, 1, 3), 24);
    ck_assert_str_eq(addrs(), "192.168.1.1/24 10.1.0.1/16 192.168.1.2/24s 192.168.1.3/24s");
    ck_assert_uint_eq(route(FX_IP(192, 168, 1, 0), 24)->prefsrc, FX_IP(192, 168, 1, 1));
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(192, 168, 1, 1), 24), 0);
    ck_assert_str_eq(addrs(), "10.1.0.1/16 192.168.1.2/24 192.168.1.3/24s");
    const struct fib_route *r = route(FX_IP(192, 168, 1, 0), 24);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->prefsrc, FX_IP(192, 168, 1, 2));
    ck_assert_ptr_nonnull(route(FX_IP(192, 168, 1, 255), 32));        /* broadcast stays */
    ck_assert_ptr_null(route(FX_IP(192, 168, 1, 1), 32));             /* the gone one's local route */
    ck_assert_uint_eq(route(FX_IP(192, 168, 1, 2), 32)->type, RTN_LOCAL);
    /* deleting a secondary promotes nothing */
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(192, 168, 1, 3), 24), 0);
    ck_assert_str_eq(addrs(), "10.1.0.1/16 192.168.1.2/24");
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(192, 168, 1, 3), 24), -EADDRNOTAVAIL);
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(192, 168, 1, 2), 25), -EADDRNOTAVAIL);  /* length must match */
    ck_assert_int_eq(inet_addr_del(eth1, FX_IP(192, 168, 1, 2), -1), 0);               /* unless not given */
    ck_assert_str_eq(addrs(), "10.1.0.1/16");
    ck_assert_ptr_null(route(FX_IP(192, 168, 1, 0), 24));
}
END_TEST

START_TEST(test_flush_secondaries_first)
{
    add(FX_IP(192, 168, 1, 1), 24);
    add(FX_IP(192, 168, 1, 2), 24);
    add(FX_IP(10, 1, 0, 1), 16);
    ck_assert_int_eq(inet_addr_flush(eth1), 3);
    ck_assert_ptr_null(eth1->ifa_list);
    ck_assert_int_eq(inet_addr_flush(eth1), 0);
    /* every route through eth1 went with its last address */
    struct fib_config c = { .dst = FX_IP(192, 168, 1, 0), .dst_len = 24, .oif = eth1->ifindex };
    ck_assert_int_eq(ip_route_del(f->net, &c, NULL), -ESRCH);
    ck_assert_ptr_null(route(FX_IP(192, 168, 1, 1), 32));
}
END_TEST

/* `ip address add|replace|change` (Linux inet_rtm_newaddr). */
START_TEST(test_rtm_newaddr_flags)
{
    struct extack ext = { 0 };
    uint32_t a = FX_IP(192, 168, 1, 1);
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 24, NLM_F_CREATE | NLM_F_EXCL, &ext), 0);
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 24, NLM_F_CREATE | NLM_F_EXCL, &ext), -EEXIST);   /* add */
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 24, NLM_F_CREATE | NLM_F_REPLACE, &ext), 0);      /* replace */
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 24, NLM_F_REPLACE, &ext), 0);                     /* change */
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 24, NLM_F_CREATE, &ext), -EEXIST);
    ck_assert_str_eq(addrs(), "192.168.1.1/24");
    /* a missing address is added even by change: Linux does not check NLM_F_CREATE here */
    ck_assert_int_eq(inet_rtm_newaddr(eth1, FX_IP(10, 1, 0, 1), 16, NLM_F_REPLACE, &ext), 0);
    ck_assert_str_eq(addrs(), "192.168.1.1/24 10.1.0.1/16");
    ck_assert_ptr_null(ext.msg);
    ck_assert_int_eq(inet_rtm_newaddr(eth1, a, 40, NLM_F_CREATE | NLM_F_EXCL, &ext), -EINVAL);
    ck_assert_str_eq(ext.msg, "Invalid prefix length");
}
END_TEST

/* Addresses go before anyone hears the device is going; lo gets 127.0.0.1/8 at birth. */
START_TEST(test_device_events)
{
    add(FX_IP(192, 168, 1, 1), 24);
    add(FX_IP(192, 168, 1, 2), 24);
    struct net *ns = net_new(f->st, "ns1");
    ck_assert_ptr_nonnull(ns);
    ck_assert_ptr_nonnull(ns->loopback->ifa_list);
    ck_assert_uint_eq(ns->loopback->ifa_list->addr, FX_IP(127, 0, 0, 1));
    ck_assert_uint_eq(ns->loopback->ifa_list->plen, 8);
    ck_assert(!netif_running(ns->loopback));                            /* down, as in Linux */
    struct link_change move = { .netns = ns, .up = -1 };
    ck_assert_int_eq(link_setlink(eth1, &move, NULL), 0);
    ck_assert_ptr_null(eth1->ifa_list);
    ck_assert_ptr_null(inet_addr_dev(f->net, FX_IP(192, 168, 1, 1)));
    ck_assert_ptr_null(route(FX_IP(192, 168, 1, 1), 32));
    ck_assert_ptr_null(route(FX_IP(192, 168, 1, 0), 24));
    ck_assert_int_eq(inet_addr_add(eth1, FX_IP(192, 168, 7, 1), 24), 0);
    netdev_unregister(eth1);
    eth1 = NULL;
    ck_assert_ptr_null(inet_addr_dev(ns, FX_IP(192, 168, 7, 1)));       /* freed with it (ASan) */
}
END_TEST

Suite *devinet_suite(void)
{
    Suite *s = suite_create("devinet");
    TCase *tc = tcase_create("devinet");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_secondary_flag_and_order);
    tcase_add_test(tc, test_promotion);
    tcase_add_test(tc, test_flush_secondaries_first);
    tcase_add_test(tc, test_rtm_newaddr_flags);
    tcase_add_test(tc, test_device_events);
    suite_add_tcase(s, tc);
    return s;
}
