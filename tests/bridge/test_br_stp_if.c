/*
 * tests/bridge/test_br_stp_if.c — the bridge's own MAC (bridge/br_stp_if.c), as Linux's
 * br_stp_recalculate_bridge_id gives it: random until the first port, then the lowest
 * MAC among the ports, following them as they join, leave or change their MAC; zero once
 * the last port is gone; and a MAC the user set sticks. The bridge's own FDB entry
 * follows (br_fdb_change_mac_address, fdb_delete_local). Each expectation was checked
 * against Linux 6.18 (`ip link show br0`, `bridge fdb show br br0`).
 */
#include "tests/fx_check.h"
#include "bridge/br.h"
#include "net/link.h"
#include <stdio.h>

static struct netdev *br, *p_a, *p_b;

static struct eth_addr mac(uint8_t last) { return (struct eth_addr){ { 0x02, 0, 0, 0, 0x05, last } }; }

static void set_master(struct netdev *dev, struct netdev *master)
{
    struct link_change ch = { .up = -1, .master = master, .nomaster = !master };
    ck_assert_int_eq(link_setlink(dev, &ch, NULL), 0);
}

static void set_mac(struct netdev *dev, uint8_t last)
{
    struct eth_addr m = mac(last);
    struct link_change ch = { .up = -1, .addr = &m };
    ck_assert_int_eq(link_setlink(dev, &ch, NULL), 0);
}

static void setup(void)
{
    f = fx_new(0x57b);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(link_newlink(f->net, "bridge", "br0", NULL, NULL), 0);
    br = netdev_by_name(f->net, "br0");
    ck_assert_ptr_nonnull(br);
    struct eth_addr ma = mac(0x30), mb = mac(0x10);
    p_a = fx_add_dev(f, "pa", &ma, 0, 0, 0);
    p_b = fx_add_dev(f, "pb", &mb, 0, 0, 0);
    ck_assert(p_a && p_b);
}

static void teardown(void) { fxc_teardown(); }

/* The bridge's FDB as "MAC@DEV " words (an entry that is not local says so), and how
 * many there are. */
struct fdb_seen { char text[512]; unsigned n; };

static void fdb_collect(void *arg, const struct br_fdb_view *v)
{
    struct fdb_seen *s = arg;
    char m[18];
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof(s->text) - used, "%s@%s%s ", eth_ntop(&v->addr, m), v->dev->name,
             v->state == NUD_PERMANENT ? "" : "(not local)");
    s->n++;
}

static struct fdb_seen fdb(void)
{
    struct fdb_seen s = { { 0 }, 0 };
    br_fdb_walk(br, fdb_collect, &s);
    return s;
}

static void fdb_has(const char *entry)
{
    struct fdb_seen s = fdb();
    char want[64];
    snprintf(want, sizeof(want), "%s ", entry);
    ck_assert_msg(strstr(s.text, want), "FDB [%s] has no [%s]", s.text, entry);
}

static void mac_is(uint8_t last)
{
    struct eth_addr want = mac(last);
    char a[18], b[18];
    ck_assert_msg(eth_addr_eq(&br->addr, &want), "br0 has %s, want %s", eth_ntop(&br->addr, a), eth_ntop(&want, b));
}

START_TEST(test_random_until_the_first_port)
{
    struct eth_addr own = br->addr;
    char m[18], entry[40];
    ck_assert(!eth_is_zero(&own) && !eth_is_multicast(&own));
    snprintf(entry, sizeof(entry), "%s@br0", eth_ntop(&own, m));
    fdb_has(entry);                                     /* its own entry, for the random MAC */
    ck_assert_uint_eq(fdb().n, 1);
    set_master(p_a, br);                                /* the first port's MAC, even if higher */
    mac_is(0x30);
    fdb_has("02:00:00:00:05:30@pa");                    /* the random entry is gone */
    ck_assert_uint_eq(fdb().n, 1);
}
END_TEST

START_TEST(test_lowest_port_mac_follows_ports)
{
    set_master(p_a, br);
    set_master(p_b, br);
    mac_is(0x10);                                       /* the lower of 30 and 10 */
    ck_assert_uint_eq(fdb().n, 2);                      /* one entry each: the port owns it */
    fdb_has("02:00:00:00:05:10@pb");
    fdb_has("02:00:00:00:05:30@pa");
    set_mac(p_b, 0x40);                                 /* pb moves above pa */
    mac_is(0x30);
    ck_assert_uint_eq(fdb().n, 2);
    fdb_has("02:00:00:00:05:30@pa");
    fdb_has("02:00:00:00:05:40@pb");
    set_master(p_a, NULL);                              /* pa leaves: pb's MAC */
    mac_is(0x40);
    ck_assert_uint_eq(fdb().n, 1);
    fdb_has("02:00:00:00:05:40@pb");
    set_master(p_b, NULL);                              /* no port left: zero, no entry */
    ck_assert(eth_is_zero(&br->addr));
    ck_assert_uint_eq(fdb().n, 0);
    set_master(p_a, br);                                /* and the next port's again */
    mac_is(0x30);
}
END_TEST

/* The MAC the bridge shares with the port that gave it: when that port leaves while
 * another still holds the lowest MAC, the entry is handed on, never left pointing at a
 * port that is gone (Linux fdb_delete_local). */
START_TEST(test_shared_entry_handed_on)
{
    set_master(p_a, br);
    set_master(p_b, br);
    set_master(p_b, NULL);                              /* the bridge had pb's MAC */
    mac_is(0x30);
    ck_assert_uint_eq(fdb().n, 1);
    fdb_has("02:00:00:00:05:30@pa");
    struct eth_addr same = mac(0x30);                   /* a second port with the same MAC */
    struct netdev *p_c = fx_add_dev(f, "pc", &same, 0, 0, 0);
    ck_assert_ptr_nonnull(p_c);
    set_master(p_c, br);
    ck_assert_uint_eq(fdb().n, 1);                      /* the first one keeps it */
    set_master(p_a, NULL);                              /* pc takes the entry over */
    fdb_has("02:00:00:00:05:30@pc");
    ck_assert_uint_eq(fdb().n, 1);
    mac_is(0x30);
}
END_TEST

START_TEST(test_user_set_mac_sticks)
{
    set_master(p_a, br);
    struct link_change ch = { .up = -1, .addr = &(struct eth_addr){ { 0x02, 0, 0, 0, 0x05, 0x99 } } };
    ck_assert_int_eq(link_setlink(br, &ch, NULL), 0);
    mac_is(0x99);
    fdb_has("02:00:00:00:05:99@br0");
    fdb_has("02:00:00:00:05:30@pa");
    set_master(p_b, br);                                /* a lower MAC joins: no change */
    mac_is(0x99);
    set_master(p_a, NULL);
    set_master(p_b, NULL);                              /* nor when all leave */
    mac_is(0x99);
    ck_assert_uint_eq(fdb().n, 1);
    fdb_has("02:00:00:00:05:99@br0");
}
END_TEST

/* The user's MAC is a port's: one entry, the port's; when the user moves the bridge
 * away from it, the port keeps its entry. */
START_TEST(test_user_mac_shared_with_port)
{
    set_master(p_a, br);
    set_master(p_b, br);
    set_mac(br, 0x30);                                  /* pa's */
    ck_assert_uint_eq(fdb().n, 2);
    fdb_has("02:00:00:00:05:30@pa");
    fdb_has("02:00:00:00:05:10@pb");                    /* the old bridge MAC: still pb's */
    set_mac(br, 0x77);
    ck_assert_uint_eq(fdb().n, 3);
    fdb_has("02:00:00:00:05:77@br0");
    fdb_has("02:00:00:00:05:30@pa");
}
END_TEST

/* A frame for the bridge's MAC reaches the stack whichever port gave the MAC. */
START_TEST(test_frames_for_the_new_mac_go_up)
{
    set_master(p_a, br);
    set_master(p_b, br);
    struct link_change up = { .up = 1 };
    ck_assert_int_eq(link_setlink(br, &up, NULL), 0);
    static const struct eth_addr sta = { { 0x02, 0, 0, 0, 0xaa, 0x01 } };
    uint8_t payload[46] = { 0 };
    size_t n = fx_build_eth(fxc_buf, sizeof(fxc_buf), &br->addr, &sta, 0x88b5, payload, sizeof(payload));
    fx_inject_dev(f, p_a, fxc_buf, n);
    ck_assert_uint_eq(br->stats.rx_packets, 1);         /* up on br0 */
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* not forwarded to pb */
}
END_TEST

Suite *br_stp_if_suite(void)
{
    Suite *s = suite_create("br_stp_if");
    TCase *tc = tcase_create("bridge_mac");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_random_until_the_first_port);
    tcase_add_test(tc, test_lowest_port_mac_follows_ports);
    tcase_add_test(tc, test_shared_entry_handed_on);
    tcase_add_test(tc, test_user_set_mac_sticks);
    tcase_add_test(tc, test_user_mac_shared_with_port);
    tcase_add_test(tc, test_frames_for_the_new_mac_go_up);
    suite_add_tcase(s, tc);
    return s;
}
