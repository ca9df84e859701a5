/*
 * tests/net/test_pernet.c — per-namespace state by id (net/stack.c: pernet_register,
 * net_new, net_free, net_generic), on a bare stack with test layers, and the layers of
 * the full stack reaching theirs.
 */
#include "net/stack.h"
#include "ip/inet.h"
#include "ip/ip.h"
#include "arp/arp.h"
#include "icmp/icmp.h"
#include <check.h>
#include <errno.h>
#include <string.h>

/* A layer that records what it saw. */
struct probe_state { uint64_t magic; bool zeroed_at_init; struct net *net; };

static unsigned probe_id, other_id, failing_id;
static int probe_inits, probe_exits, other_exits, failing_inits;
static bool exit_saw_state;

static int probe_init(struct net *net)
{
    struct probe_state *s = net_generic(net, probe_id);
    ck_assert_ptr_nonnull(s);
    s->zeroed_at_init = s->magic == 0 && s->net == NULL;
    s->magic = 0x5eed;
    s->net = net;
    probe_inits++;
    return 0;
}

static void probe_exit(struct net *net)
{
    struct probe_state *s = net_generic(net, probe_id);
    exit_saw_state = s && s->magic == 0x5eed && s->net == net;
    probe_exits++;
}

static void other_exit(struct net *net) { other_exits++; }

static int failing_init(struct net *net)
{
    failing_inits++;
    return -ENOMEM;
}

static const struct pernet_ops probe_ops = {
    .name = "probe", .init = probe_init, .exit = probe_exit, .id = &probe_id, .size = sizeof(struct probe_state),
};
static const struct pernet_ops other_ops = {
    .name = "other", .exit = other_exit, .id = &other_id, .size = 4096,
};
static const struct pernet_ops failing_ops = {
    .name = "failing", .init = failing_init, .id = &failing_id, .size = 64,
};
static const struct pernet_ops stateless_ops = { .name = "stateless", .exit = other_exit };

static struct stack *bare(void)
{
    probe_inits = probe_exits = other_exits = failing_inits = 0;
    exit_saw_state = false;
    struct stack *st = stack_new(&(struct stack_cfg){ .seed = 1, .virtual_clock = true });
    ck_assert_ptr_nonnull(st);
    return st;
}

START_TEST(test_state_allocated_zeroed_and_found_by_id)
{
    struct stack *st = bare();
    ck_assert_int_eq(pernet_register(st, &probe_ops), 0);
    ck_assert_int_eq(pernet_register(st, &other_ops), 0);
    ck_assert_uint_ne(probe_id, 0);
    ck_assert_uint_ne(other_id, 0);
    ck_assert_uint_ne(probe_id, other_id);
    struct net *a = net_new(st, ""), *b = net_new(st, "b");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(probe_inits, 2);
    struct probe_state *sa = net_generic(a, probe_id), *sb = net_generic(b, probe_id);
    ck_assert(sa->zeroed_at_init && sb->zeroed_at_init);
    ck_assert_ptr_ne(sa, sb);                       /* one each */
    ck_assert_ptr_eq(sa->net, a);
    /* a layer without init still gets its zeroed state */
    const uint8_t *o = net_generic(a, other_id);
    ck_assert_ptr_nonnull(o);
    for (size_t i = 0; i < 4096; i++) ck_assert_uint_eq(o[i], 0);
    net_free(b);
    ck_assert_int_eq(probe_exits, 1);
    ck_assert(exit_saw_state);                      /* state still there during exit */
    ck_assert_int_eq(other_exits, 1);
    stack_free(st);                                 /* a's state freed too (ASan: no leak) */
    ck_assert_int_eq(probe_exits, 2);
}
END_TEST

START_TEST(test_failing_init_unwinds)
{
    struct stack *st = bare();
    ck_assert_int_eq(pernet_register(st, &probe_ops), 0);
    ck_assert_int_eq(pernet_register(st, &failing_ops), 0);
    ck_assert_int_eq(pernet_register(st, &other_ops), 0);
    ck_assert_ptr_null(net_new(st, ""));
    ck_assert_int_eq(failing_inits, 1);
    ck_assert_int_eq(probe_inits, 1);
    ck_assert_int_eq(probe_exits, 1);               /* the one before it is undone */
    ck_assert_int_eq(other_exits, 0);               /* the one after it never ran */
    ck_assert_ptr_null(st->nets);
    ck_assert_ptr_null(st->init_net);
    stack_free(st);
}
END_TEST

START_TEST(test_registration_rules)
{
    struct stack *st = bare();
    ck_assert_int_eq(pernet_register(st, &probe_ops), 0);
    ck_assert_int_eq(pernet_register(st, &probe_ops), -EEXIST);
    ck_assert_int_eq(pernet_register(st, &stateless_ops), 0);
    unsigned id = probe_id;
    /* another stack in the process: the same ops keep their id */
    struct stack *st2 = bare();
    ck_assert_int_eq(pernet_register(st2, &other_ops), 0);
    ck_assert_int_eq(pernet_register(st2, &probe_ops), 0);
    ck_assert_uint_eq(probe_id, id);
    struct net *n2 = net_new(st2, "");
    ck_assert_ptr_eq(((struct probe_state *)net_generic(n2, probe_id))->net, n2);
    ck_assert_ptr_null(net_generic(n2, 0));         /* id 0: nobody's */
    stack_free(st2);
    /* the table is bounded */
    static struct pernet_ops many[STACK_MAX_PERNET];
    int ok = 0, full = 0;
    for (int i = 0; i < STACK_MAX_PERNET; i++) {
        many[i].name = "many";
        int rc = pernet_register(st, &many[i]);
        if (rc == 0) ok++;
        else if (rc == -ENOSPC) full++;
    }
    ck_assert_int_eq(ok, STACK_MAX_PERNET - 2);
    ck_assert_int_eq(full, 2);
    stack_free(st);
}
END_TEST

/* The layers of the full stack keep their state out of struct net and reach it by id. */
START_TEST(test_layers_reach_their_state)
{
    struct stack *st = inet_stack_new(&(struct stack_cfg){ .seed = 1, .virtual_clock = true });
    ck_assert_ptr_nonnull(st);
    struct net *a = st->init_net, *b = net_new(st, "b");
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(fib_get_table(a));
    ck_assert_ptr_nonnull(arp_table(a));
    ck_assert_ptr_nonnull(icmpmsg_mib(a));
    ck_assert_ptr_ne(fib_get_table(a), fib_get_table(b));
    ck_assert_ptr_ne(arp_table(a), arp_table(b));
    ck_assert_ptr_ne(icmpmsg_mib(a), icmpmsg_mib(b));
    /* each layer set its own sysctl defaults in its pernet init */
    ck_assert_int_eq(b->ipv4.ip_default_ttl, 64);
    ck_assert_int_eq(b->ipv4.ipfrag_time, 30000);
    ck_assert_int_eq(b->ipv4.icmp_msgs_burst, 50);
    ck_assert_int_eq(b->ipv4.ip_local_port_lo, 32768);
    stack_free(st);
}
END_TEST

/* Without a layer registered, its accessor says so instead of crashing. */
START_TEST(test_absent_layer)
{
    struct stack *st = bare();
    struct net *n = net_new(st, "");
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(ipfrag_queues(n), 0);
    ck_assert_uint_eq(ipfrag_mem(n), 0);
    ck_assert_int_eq(ipfrag_net_init(n), -ENOENT);
    stack_free(st);
}
END_TEST

Suite *pernet_suite(void)
{
    Suite *s = suite_create("pernet");
    TCase *tc = tcase_create("pernet");
    tcase_add_test(tc, test_state_allocated_zeroed_and_found_by_id);
    tcase_add_test(tc, test_failing_init_unwinds);
    tcase_add_test(tc, test_registration_rules);
    tcase_add_test(tc, test_layers_reach_their_state);
    tcase_add_test(tc, test_absent_layer);
    suite_add_tcase(s, tc);
    return s;
}
