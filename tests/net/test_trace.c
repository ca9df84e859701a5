/*
 * tests/net/test_trace.c — the journey record and its printing (net/trace.c): where a
 * journey starts, one line per device and direction (the crossing points of the core:
 * netif_rx, netif_receive, dev_queue_xmit), the summary at the start and "then" where
 * the frame changes, local packets named after their first device, clones continuing
 * a copy, the -v layout, and the bounds (lines, stages, line length).
 *
 * The frame summaries come from a test hook that names a frame by its first byte (the
 * shell's tcpdump decoder is tested with the trace command, tests/shell/test_cmd_trace.c).
 * The console is the fixture's log.
 */
#include "tests/fx_check.h"
#include "net/trace.h"
#include "net/stack.h"
#include "net/netdev.h"
#include <stdio.h>

static struct netdev *a, *b;

/* "frame N, length L": N is the frame's first byte, so a test changes the summary by
 * writing one byte. */
static void test_summary(struct net *net, const uint8_t *frame, size_t len, char *out, size_t n)
{
    (void)net;
    snprintf(out, n, "frame %u, length %zu", len ? frame[0] : 0u, len);
}

static void setup(void)
{
    f = fx_new(0x7ace);
    ck_assert_ptr_nonnull(f);
    static const struct eth_addr ma = { { 0x02, 0, 0, 0, 0x0a, 1 } }, mb = { { 0x02, 0, 0, 0, 0x0b, 1 } };
    a = fx_add_dev(f, "a", &ma, 0, 0, 0);
    b = fx_add_dev(f, "b", &mb, 0, 0, 0);
    ck_assert(a && b);
    f->st->trace_summary = test_summary;
    fx_log_clear(f);
}

static void teardown(void) { fxc_teardown(); }

static void tracing(uint8_t all, uint8_t on_a, uint8_t on_b)
{
    f->net->trace_all = all;
    a->trace = on_a;
    b->trace = on_b;
    f->st->tracing = all || on_a || on_b;
}

/* A 60-byte frame whose first byte is `tag` (an IPv4 ethertype, nothing else set). */
static struct pkt *mkframe(uint8_t tag)
{
    struct pkt *p = net_pkt_alloc(f->net, 128);
    ck_assert_ptr_nonnull(p);
    uint8_t *d = pkt_put(p, 60);
    memset(d, 0, 60);
    d[0] = tag;
    d[12] = 0x08;
    return p;
}

static void log_is(const char *want)
{
    const char *got = f->log ? f->log : "";
    ck_assert_msg(!strcmp(got, want), "log:\n%s\nwant:\n%s", got, want);
}

/* ------------------------------------------------------------------ starting */

START_TEST(test_no_record_unless_traced)
{
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);                    /* tracing off: nothing */
    ck_assert_ptr_null(p->tr);
    tracing(0, 0, 1);
    trace_cross(p, a, TRACE_RX);                    /* a is not traced: still nothing */
    ck_assert_ptr_null(p->tr);
    trace_cross(p, b, TRACE_TX);                    /* b is: the journey starts there */
    ck_assert_ptr_nonnull(p->tr);
    TRACE(p, "b_xmit", "ndo_start_xmit");
    pkt_free(p);
    log_is("frame 1, length 60\n"
           "  b tx: b_xmit(ndo_start_xmit)\n");
}
END_TEST

/* ------------------------------------------------------------------ lines */

START_TEST(test_one_line_per_device_and_direction)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    TRACE(p, "net_rx_poll", "napi_poll");
    trace_cross(p, a, TRACE_RX);                    /* the same device and direction: same line */
    TRACEF(p, "ip_rcv", NULL, "%s", "");            /* an empty detail is none */
    TRACEF(p, "ip_route_input", "ip_route_input_noref", "forward");
    trace_cross(p, b, TRACE_TX);                    /* another device */
    TRACE(p, "b_xmit", "ndo_start_xmit");
    trace_cross(p, b, TRACE_RX);                    /* the same device, the other way */
    TRACEF(p, "icmp_rcv", NULL, "echo");
    pkt_drop(f->net, p, DROP_ICMP_CSUM);
    log_is("frame 1, length 60\n"
           "  a rx: net_rx_poll(napi_poll) > ip_rcv > ip_route_input(ip_route_input_noref: forward)\n"
           "  b tx: b_xmit(ndo_start_xmit)\n"
           "  b rx: icmp_rcv(echo) > drop(kfree_skb_reason: ICMP_CSUM)\n");
}
END_TEST

START_TEST(test_then_where_the_frame_changes)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    TRACE(p, "decap", NULL);
    pkt_pull(p, 10);                                /* "decapsulated": another first byte, length */
    p->data[0] = 2;
    trace_cross(p, b, TRACE_RX);
    TRACE(p, "process_backlog", NULL);
    trace_cross(p, a, TRACE_TX);                    /* the same frame: no summary again */
    TRACE(p, "a_xmit", NULL);
    pkt_consume(p);
    log_is("frame 1, length 60\n"
           "  a rx: decap\n"
           "then frame 2, length 50\n"
           "  b rx: process_backlog\n"
           "  a tx: a_xmit\n");
}
END_TEST

START_TEST(test_namespace_in_the_label)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    static const struct eth_addr mc = { { 0x02, 0, 0, 0, 0x0c, 1 } };
    struct netdev *c = fx_add_dev_in(f, ns1, "veth0", &mc, 0, 0, 0);
    ck_assert_ptr_nonnull(c);
    tracing(0, 1, 0);                               /* only a, in the default namespace */
    struct pkt *p = mkframe(1);
    trace_cross(p, c, TRACE_TX);                    /* ns1 traces nothing: not started */
    ck_assert_ptr_null(p->tr);
    trace_cross(p, a, TRACE_RX);
    trace_cross(p, c, TRACE_RX);                    /* started: followed into ns1 */
    TRACE(p, "netif_rx", NULL);
    pkt_free(p);
    log_is("frame 1, length 60\n"
           "  a rx:\n"
           "  [ns1] veth0 rx: netif_rx\n");
}
END_TEST

/* A journey that only crossed untraced devices is not printed, even with a record. */
START_TEST(test_printed_only_if_a_traced_device_was_crossed)
{
    tracing(0, 1, 0);
    struct pkt *p = mkframe(1);
    trace_begin_local(f->net, p, "ping");           /* the stack made it: recorded */
    ck_assert_ptr_nonnull(p->tr);
    TRACE(p, "ping_sendmsg", NULL);
    trace_cross(p, b, TRACE_TX);                    /* left by b, untraced */
    pkt_free(p);
    log_is("");
    p = mkframe(1);
    trace_begin_local(f->net, p, "ping");
    trace_cross(p, b, TRACE_TX);
    TRACE(p, "b_xmit", NULL);
    trace_cross(p, a, TRACE_RX);                    /* came back in on a, traced */
    pkt_free(p);
    log_is("frame 1, length 60\n"
           "  b tx: b_xmit\n"
           "  a rx:\n");
}
END_TEST

/* ------------------------------------------------------------------ local packets */

START_TEST(test_local_packet_named_after_its_first_device)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(3);
    trace_begin_local(f->net, p, "udp");
    TRACEF(p, "udp_sendmsg", NULL, "7 -> 9");
    trace_cross(p, a, TRACE_TX);                    /* the provisional "udp tx" becomes "a tx" */
    TRACE(p, "a_xmit", "ndo_start_xmit");
    pkt_free(p);
    log_is("frame 3, length 60\n"
           "  a tx: udp_sendmsg(7 -> 9) > a_xmit(ndo_start_xmit)\n");
}
END_TEST

START_TEST(test_local_packet_that_never_became_a_frame)
{
    tracing(0, 1, 0);                               /* the namespace traces something: printed */
    struct pkt *p = net_pkt_alloc(f->net, 128);
    ck_assert_ptr_nonnull(p);
    trace_begin_local(f->net, p, "ping");
    TRACEF(p, "ping_sendmsg", NULL, "seq %u", 1);
    pkt_drop(f->net, p, DROP_NO_ROUTE);
    log_is("(not yet a frame)\n"
           "  ping tx: ping_sendmsg(seq 1) > drop(kfree_skb_reason: NO_ROUTE)\n");
    /* with an IP header: summarised from it, behind a made-up Ethernet header */
    fx_log_clear(f);
    p = net_pkt_alloc(f->net, 128);
    ck_assert_ptr_nonnull(p);
    trace_begin_local(f->net, p, "ping");
    pkt_reset_network_header(p);
    memset(pkt_put(p, 28), 0x45, 28);
    pkt_drop(f->net, p, DROP_NEIGH_FAILED);
    log_is("frame 0, length 42\n"                   /* the made-up header's first byte, 14 + 28 */
           "  ping tx: drop(kfree_skb_reason: NEIGH_FAILED)\n");
}
END_TEST

/* ------------------------------------------------------------------ handover and clones */

START_TEST(test_clone_continues_a_copy)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    TRACE(p, "br_flood", NULL);
    struct pkt *c = pkt_clone(p);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(c->tr);                      /* pkt_clone alone takes no journey */
    trace_clone(p, c);
    ck_assert_ptr_nonnull(c->tr);
    ck_assert_ptr_ne(c->tr, p->tr);
    trace_cross(c, b, TRACE_TX);
    TRACE(c, "b_xmit", NULL);
    TRACE(p, "br_pass_frame_up", NULL);
    pkt_consume(c);
    pkt_consume(p);
    log_is("frame 1, length 60\n"
           "  a rx: br_flood > pkt_clone(skb_clone)\n"
           "  b tx: b_xmit\n"
           "frame 1, length 60\n"
           "  a rx: br_flood > br_pass_frame_up\n");
}
END_TEST

START_TEST(test_handover_moves_the_journey)
{
    tracing(1, 0, 0);
    struct pkt *req = mkframe(1), *rep = mkframe(2);
    trace_cross(req, a, TRACE_RX);
    TRACE(req, "icmp_reply", NULL);
    trace_handover(req, rep);
    ck_assert_ptr_null(req->tr);
    pkt_consume(req);                               /* ends silently: its journey moved */
    log_is("");
    trace_cross(rep, a, TRACE_TX);
    TRACE(rep, "a_xmit", NULL);
    pkt_consume(rep);
    log_is("frame 1, length 60\n"
           "  a rx: icmp_reply\n"
           "then frame 2, length 60\n"
           "  a tx: a_xmit\n");
}
END_TEST

/* ------------------------------------------------------------------ -v */

START_TEST(test_verbose_layout)
{
    tracing(1, 2, 0);                               /* a at -v: the journey prints verbose */
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    TRACE(p, "net_rx_poll", "napi_poll");
    TRACE(p, "ip_rcv", NULL);
    TRACEF(p, "ip_route_input", "ip_route_input_noref", "local");
    p->data[0] = 2;
    trace_cross(p, b, TRACE_TX);
    TRACE(p, "b_xmit", "ndo_start_xmit");
    pkt_consume(p);
    log_is("frame 1, length 60\n"
           "  a rx\n"
           "    net_rx_poll     napi_poll\n"
           "    ip_rcv          ip_rcv\n"
           "    ip_route_input  ip_route_input_noref  local\n"
           "then frame 2, length 60\n"
           "  b tx\n"
           "    b_xmit          ndo_start_xmit\n");
}
END_TEST

/* ------------------------------------------------------------------ bounds */

START_TEST(test_bounded_lines_and_stages)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    for (int i = 0; i < 40; i++) {                  /* a loop between two devices */
        trace_cross(p, i % 2 ? b : a, TRACE_RX);
        TRACE(p, "hop", NULL);
    }
    pkt_free(p);
    ck_assert_uint_eq(f->log_lines, 1 + TRACE_MAX_LINES + 1);
    ck_assert(fx_log_contains(f, "\n  ... (it went on through more devices than a journey keeps)\n"));
    fx_log_clear(f);
    p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    for (int i = 0; i < TRACE_MAX_STAGES + 10; i++) TRACEF(p, "stage", NULL, "%d", i);
    pkt_free(p);
    ck_assert_uint_eq(f->log_lines, 3);
    ck_assert(fx_log_contains(f, "\n  ... 10 more stages not recorded\n"));
}
END_TEST

START_TEST(test_long_line_is_cut)
{
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    char detail[90];
    memset(detail, 'x', sizeof(detail) - 1);
    detail[sizeof(detail) - 1] = 0;
    for (int i = 0; i < 30; i++) TRACEF(p, "stage", NULL, "%s", detail);
    pkt_free(p);
    ck_assert_uint_eq(f->log_lines, 2);
    const char *line = strchr(f->log, '\n') + 1;
    size_t n = strcspn(line, "\n");
    ck_assert_uint_le(n, 1000);
    ck_assert(!strncmp(line + n - 3, "...", 3));
}
END_TEST

START_TEST(test_hook_absent_prints_the_ethertype)
{
    f->st->trace_summary = NULL;
    tracing(1, 0, 0);
    struct pkt *p = mkframe(1);
    trace_cross(p, a, TRACE_RX);
    pkt_free(p);
    log_is("ethertype 0x0800, length 60\n"
           "  a rx:\n");
}
END_TEST

/* ------------------------------------------------------------------ causes and events */

/* What a socket call does, as a function that opens a cause and makes a packet. */
static struct pkt *make_in_cause(const char *origin)
{
    TRACE_CAUSE(f->net, "tcp", "inner_xmit", NULL, NULL);
    struct pkt *p = mkframe(4);
    trace_begin_local(f->net, p, origin);
    return p;                                       /* the cause closes here */
}

/* Open causes of the packet's origin become its first stages, outermost first; a
 * packet of another origin (an ARP request made on the way) does not take them; each
 * cause closes with its function, whatever the path out. */
START_TEST(test_causes_are_the_first_stages)
{
    tracing(1, 0, 0);
    struct pkt *p, *q;
    {
        TRACE_CAUSE(f->net, "tcp", "outer_call", "linux_outer", "%d bytes", 100);
        p = make_in_cause("tcp");
        q = make_in_cause("arp");
        ck_assert_ptr_nonnull(f->st->trace_cause);  /* the outer one is still open */
        struct net *other = fx_add_net(f, "ns3");     /* another namespace's packet: none */
        ck_assert_ptr_nonnull(other);
        struct pkt *o = mkframe(5);
        trace_begin_local(other, o, "tcp");
        ck_assert_ptr_nonnull(o->tr);
        ck_assert_uint_eq(o->tr->nstages, 0);
        pkt_free(o);
    }
    ck_assert_ptr_null(f->st->trace_cause);         /* all closed */
    TRACE(p, "tcp_transmit_skb", NULL);
    trace_cross(p, a, TRACE_TX);
    pkt_free(p);
    log_is("frame 4, length 60\n"
           "  a tx: outer_call(linux_outer: 100 bytes) > inner_xmit > tcp_transmit_skb\n");
    fx_log_clear(f);
    trace_cross(q, a, TRACE_TX);
    pkt_free(q);
    log_is("frame 4, length 60\n"
           "  a tx:\n");
    /* trace off: a cause is not opened and costs nothing to close */
    tracing(0, 0, 0);
    fx_log_clear(f);
    {
        TRACE_CAUSE(f->net, "tcp", "off", NULL, NULL);
        ck_assert_ptr_null(f->st->trace_cause);
    }
}
END_TEST

/* An event is one line at once, with the stack clock and the namespace; only when the
 * namespace traces something. */
START_TEST(test_event_lines)
{
    TRACE_EVENT(f->net, "tcp %s", "nothing traced");
    log_is("");
    tracing(0, 1, 0);
    f->st->now_us = 1700000000ull * US_PER_S + 123456;
    TRACE_EVENT(f->net, "tcp 10.0.0.2:7 > 10.0.0.1:40000: %s -> %s", "SYN_RECV", "ESTABLISHED");
    log_is("22:13:20.123456 tcp 10.0.0.2:7 > 10.0.0.1:40000: SYN_RECV -> ESTABLISHED\n");
    ck_assert(trace_net_on(f->net));
    struct net *ns = fx_add_net(f, "ns2");
    ck_assert_ptr_nonnull(ns);
    ck_assert(!trace_net_on(ns));
    fx_log_clear(f);
    TRACE_EVENT(ns, "not traced there");
    log_is("");
    ns->trace_all = 1;
    TRACE_EVENT(ns, "tcp event");
    log_is("22:13:20.123456 [ns2] tcp event\n");
    ns->trace_all = 0;
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("journey");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_no_record_unless_traced);
    tcase_add_test(tc, test_one_line_per_device_and_direction);
    tcase_add_test(tc, test_then_where_the_frame_changes);
    tcase_add_test(tc, test_namespace_in_the_label);
    tcase_add_test(tc, test_printed_only_if_a_traced_device_was_crossed);
    tcase_add_test(tc, test_local_packet_named_after_its_first_device);
    tcase_add_test(tc, test_local_packet_that_never_became_a_frame);
    tcase_add_test(tc, test_clone_continues_a_copy);
    tcase_add_test(tc, test_handover_moves_the_journey);
    tcase_add_test(tc, test_verbose_layout);
    tcase_add_test(tc, test_bounded_lines_and_stages);
    tcase_add_test(tc, test_long_line_is_cut);
    tcase_add_test(tc, test_hook_absent_prints_the_ethertype);
    tcase_add_test(tc, test_causes_are_the_first_stages);
    tcase_add_test(tc, test_event_lines);
    suite_add_tcase(s, tc);
    return s;
}
