/*
 * tests/tcp/test_tcp_ofo.c — the out-of-order queue and the SACK blocks we send
 * (tcp/tcp_ofo.c): the block list's order and merging, then scenarios in the script
 * form of test_tcp_script.c.
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp_priv.h"

static void setup(void) { tcp_script_setup(); f = tcp_script_fx(); }
static void teardown(void) { tcp_script_teardown(); f = NULL; }

static void check_blocks(const struct tcp_sock *tp, unsigned n, const uint32_t *want)
{
    ck_assert_uint_eq(tp->num_sacks, n);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(tp->selective_acks[i].start, want[2 * i]);
        ck_assert_uint_eq(tp->selective_acks[i].end, want[2 * i + 1]);
    }
}

/* RFC 2018 §4: the block of the latest segment first, the others in the order of their
 * latest arrival; touching blocks merge; a fifth block pushes out the oldest. Around
 * the sequence wrap too. */
START_TEST(test_sack_block_order)
{
    static struct tcp_sock tp;
    memset(&tp, 0, sizeof(tp));
    tp.ooo_head = (struct pkt *)&tp;          /* "something is held" for tcp_sack_remove */
    uint32_t b = 0xfffff000u;
    tcp_sack_new_ofo(&tp, b + 100, b + 200);
    tcp_sack_new_ofo(&tp, b + 300, b + 400);
    check_blocks(&tp, 2, (uint32_t[]){ b + 300, b + 400, b + 100, b + 200 });
    tcp_sack_new_ofo(&tp, b + 200, b + 250);          /* extends the older one: it goes first */
    check_blocks(&tp, 2, (uint32_t[]){ b + 100, b + 250, b + 300, b + 400 });
    tcp_sack_new_ofo(&tp, b + 250, b + 300);          /* fills the gap: one block */
    check_blocks(&tp, 1, (uint32_t[]){ b + 100, b + 400 });
    tcp_sack_new_ofo(&tp, 0x1000, 0x1100);            /* after the wrap */
    tcp_sack_new_ofo(&tp, 0x2000, 0x2100);
    tcp_sack_new_ofo(&tp, 0x3000, 0x3100);
    tcp_sack_new_ofo(&tp, 0x4000, 0x4100);            /* the fifth: the oldest falls off */
    check_blocks(&tp, 4, (uint32_t[]){ 0x4000, 0x4100, 0x3000, 0x3100, 0x2000, 0x2100, 0x1000, 0x1100 });
    tp.rcv_nxt = 0x2000;                              /* blocks RCV.NXT reached go */
    tcp_sack_remove(&tp);
    check_blocks(&tp, 2, (uint32_t[]){ 0x4000, 0x4100, 0x3000, 0x3100 });
    tp.ooo_head = NULL;                               /* nothing held: no blocks */
    tcp_sack_remove(&tp);
    ck_assert_uint_eq(tp.num_sacks, 0);
}
END_TEST

#define DUPACK "> . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack "

/* Two holes: each out-of-order segment is ACKed at once with its block first; the
 * segment between them merges the blocks; the first segment fills the hole and
 * everything is ACKed and readable in one piece. */
START_TEST(test_ofo_reassembly_sack)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:2001>\n"
        "+0.001 < P. 3001(1000) ack 1 win 512\n"
        "+0 " DUPACK "3001:4001 1001:2001>\n"
        "+0.001 < P. 2001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:4001>\n"
        "+0.001 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 4001 <nop,nop,TS val * ecr 110>\n"
        "+0 read 4000\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPOFOQueue), 3);
}
END_TEST

/* Overlaps: a segment already held is dropped (TCPOFOMerge); one overlapping the
 * held data is cut to the part that is new (here its tail), the in-order one that
 * fills the hole overlaps the held head; a FIN held out of order takes effect when
 * the hole fills (CLOSE_WAIT, end of stream after the data). Each ACK after data that
 * came twice reports it first as a D-SACK (RFC 2883 §4.1.2, Linux tcp_data_queue_ofo
 * and tcp_ofo_queue): the held 2001:2501 again, the 2001:2201 the 801 segment
 * overlaps, and, when the hole fills, the 801:1001 the in-order segment had brought. */
START_TEST(test_ofo_overlap_and_fin)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 2001(1000) ack 1 win 512\n"
        "+0 " DUPACK "2001:3001>\n"
        "+0.001 < P. 2001(500) ack 1 win 512\n"
        "+0 " DUPACK "2001:2501 2001:3001>\n"
        "+0.001 < FP. 3001(100) ack 1 win 512\n"
        "+0 " DUPACK "2001:3102>\n"
        "+0.001 < P. 801(1400) ack 1 win 512\n"
        "+0 " DUPACK "2001:2201 801:3102>\n"
        "+0 state ESTABLISHED\n"
        "+0.001 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 3102 <nop,nop,TS val * ecr 110,nop,nop,sack 801:1001>\n"
        "+0 state CLOSE_WAIT\n"
        "+0 read 3100\n"
        "+0 read_eof\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPOFOMerge), 1);
    ck_assert_uint_eq(DROPS(DROP_TCP_OFOMERGE), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoSent), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOldSent), 1);
}
END_TEST

/* The queue is bounded by the receive buffer: with 8000 bytes, three held 1000-byte
 * segments (2224 bytes of buffer each here) fit and the fourth is dropped (TCPOFODrop),
 * its block not reported. What is held is never dropped again when the hole fills. */
START_TEST(test_ofo_bounded)
{
    run_script(PASSIVE_OPEN
        "+0 rcvbuf 8000\n"
        "+0.100 < P. 1001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:2001>\n"
        "+0.001 < P. 2001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:3001>\n"
        "+0.001 < P. 3001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:4001>\n"
        "+0.001 < P. 4001(1000) ack 1 win 512\n"
        "+0 " DUPACK "1001:4001>\n"
        "+0.001 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 4001 <nop,nop,TS val * ecr 110>\n"
        "+0 read 4000\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPOFOQueue), 3);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPOFODrop), 1);
    ck_assert_uint_eq(DROPS(DROP_TCP_OFO_DROP), 1);
}
END_TEST

Suite *tcp_ofo_suite(void)
{
    Suite *s = suite_create("tcp_ofo");
    TCase *tc = tcase_create("ofo");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_sack_block_order);
    tcase_add_test(tc, test_ofo_reassembly_sack);
    tcase_add_test(tc, test_ofo_overlap_and_fin);
    tcase_add_test(tc, test_ofo_bounded);
    suite_add_tcase(s, tc);
    return s;
}
