/*
 * tests/arp/test_neigh_admin.c — neighbour entries set and removed on request
 * (arp/neigh_admin.c: neigh_admin_set / neigh_admin_del), with netlink's flags as
 * `ip neigh add|change|replace|del` send them and with no device as the ARP ioctls of
 * `arp -s` / `arp -d` do. Called directly, not through the shell.
 */
#include "tests/fx_check.h"
#include "arp/arp.h"
#include "net/netlink.h"
#include <errno.h>

#define ADD     (NLM_F_CREATE | NLM_F_EXCL)
#define REPLACE (NLM_F_CREATE | NLM_F_REPLACE)
#define CHANGE  NLM_F_REPLACE

static const struct eth_addr m1 = { { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01 } };
static const struct eth_addr m2 = { { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x02 } };
static struct extack ext;

static void setup(void)
{
    f = fx_new(0xad1);
    ck_assert_ptr_nonnull(f);
    memset(&ext, 0, sizeof(ext));
}

static void teardown(void) { fxc_teardown(); }

static struct neigh *entry(uint32_t ip) { return neigh_lookup(arp_table(f->net), ip, f->dev); }

START_TEST(test_add_excl_and_defaults)
{
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_PERMANENT, ADD, &ext), 0);
    struct neigh *n = entry(FX_PEER);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->nud_state, NUD_PERMANENT);
    fxc_assert_mac(&n->ha, &m1);
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m2, NUD_PERMANENT, ADD, &ext), -EEXIST);
    fxc_assert_mac(&entry(FX_PEER)->ha, &m1);
    ck_assert_ptr_null(ext.msg);
    ck_assert_uint_eq(fx_tx_count(f), 0);                   /* an admin entry sends nothing */
}
END_TEST

/* Without NLM_F_CREATE a missing entry is ENOENT; with NLM_F_REPLACE the address is
 * overridden; without it an existing entry keeps its address (only the state moves). */
START_TEST(test_change_replace_override)
{
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_REACHABLE, CHANGE, &ext), -ENOENT);
    ck_assert_ptr_null(entry(FX_PEER));
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_STALE, REPLACE, &ext), 0);
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m2, NUD_REACHABLE, CHANGE, &ext), 0);
    fxc_assert_mac(&entry(FX_PEER)->ha, &m2);
    ck_assert_uint_eq(entry(FX_PEER)->nud_state, NUD_REACHABLE);
    /* NLM_F_CREATE alone on an existing entry: no override of a different address */
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_STALE, NLM_F_CREATE, &ext), 0);
    fxc_assert_mac(&entry(FX_PEER)->ha, &m2);
    /* an administrator may change a PERMANENT entry */
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_PERMANENT, REPLACE, &ext), 0);
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m2, NUD_STALE, REPLACE, &ext), 0);
    ck_assert_uint_eq(entry(FX_PEER)->nud_state, NUD_STALE);
    fxc_assert_mac(&entry(FX_PEER)->ha, &m2);
}
END_TEST

/* A state that needs an address, none given and none known: EINVAL with Linux's message,
 * and the entry made for the request is gone again. Keeping the known one works. */
START_TEST(test_no_lladdr)
{
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, NULL, NUD_PERMANENT, ADD, &ext), -EINVAL);
    ck_assert_str_eq(ext.msg, "No link layer address given");
    ck_assert_ptr_null(entry(FX_PEER));
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
    memset(&ext, 0, sizeof(ext));
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, NULL, NUD_FAILED, ADD, &ext), 0);   /* needs none */
    ck_assert_uint_eq(entry(FX_PEER)->nud_state, NUD_FAILED);
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, &m1, NUD_STALE, REPLACE, &ext), 0);
    ck_assert_int_eq(neigh_admin_set(f->net, f->dev, FX_PEER, NULL, NUD_PERMANENT, REPLACE, &ext), 0);
    fxc_assert_mac(&entry(FX_PEER)->ha, &m1);              /* the known address stays */
    ck_assert_ptr_null(ext.msg);
    /* an existing entry is not removed by a refused update */
    struct netdev *eth1 = fx_add_dev(f, "eth1", &m2, FX_IP(192, 168, 1, 2), 24, 0);
    ck_assert_int_eq(neigh_admin_set(f->net, eth1, FX_IP(192, 168, 1, 9), NULL, NUD_NONE, ADD, &ext), 0);
    ck_assert_int_eq(neigh_admin_set(f->net, eth1, FX_IP(192, 168, 1, 9), NULL, NUD_REACHABLE, CHANGE, &ext), -EINVAL);
    ck_assert_ptr_nonnull(neigh_lookup(arp_table(f->net), FX_IP(192, 168, 1, 9), eth1));
}
END_TEST

/* No device: the one the on-link route to the address leaves by (the ARP ioctls). */
START_TEST(test_device_from_route)
{
    ck_assert_int_eq(neigh_admin_set(f->net, NULL, FX_IP(10, 0, 0, 7), &m1, NUD_PERMANENT, REPLACE, &ext), 0);
    ck_assert_ptr_nonnull(entry(FX_IP(10, 0, 0, 7)));
    ck_assert_int_eq(neigh_admin_set(f->net, NULL, FX_IP(8, 8, 8, 8), &m1, NUD_PERMANENT, REPLACE, &ext), -ENETUNREACH);
    ck_assert_int_eq(neigh_admin_del(f->net, NULL, FX_IP(8, 8, 8, 8), &ext), -ENETUNREACH);
    ck_assert_int_eq(neigh_admin_del(f->net, NULL, FX_IP(10, 0, 0, 7), &ext), 0);
    ck_assert_ptr_null(entry(FX_IP(10, 0, 0, 7)));
}
END_TEST

/* Delete drops the entry and what waits on it; a second delete is ENOENT. */
START_TEST(test_delete)
{
    ck_assert_int_eq(neigh_admin_del(f->net, f->dev, FX_PEER, &ext), -ENOENT);
    ck_assert_int_eq(fx_send_ip(f, FX_IP(10, 0, 0, 9), 253, 20, 0x11), 0);   /* queued, resolving */
    struct neigh *n = entry(FX_IP(10, 0, 0, 9));
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->arp_queue_len, 1);
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), 1);
    ck_assert_int_eq(neigh_admin_del(f->net, f->dev, FX_IP(10, 0, 0, 9), &ext), 0);
    ck_assert_ptr_null(entry(FX_IP(10, 0, 0, 9)));
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), 0);
    ck_assert_int_eq(neigh_admin_del(f->net, f->dev, FX_IP(10, 0, 0, 9), &ext), -ENOENT);
    ck_assert_ptr_null(ext.msg);
}
END_TEST

Suite *neigh_admin_suite(void)
{
    Suite *s = suite_create("neigh_admin");
    TCase *tc = tcase_create("neigh_admin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_add_excl_and_defaults);
    tcase_add_test(tc, test_change_replace_override);
    tcase_add_test(tc, test_no_lladdr);
    tcase_add_test(tc, test_device_from_route);
    tcase_add_test(tc, test_delete);
    suite_add_tcase(s, tc);
    return s;
}
