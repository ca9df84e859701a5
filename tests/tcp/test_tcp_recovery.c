/*
 * tests/tcp/test_tcp_recovery.c — the sender's loss recovery in scripts (the form of
 * test_tcp_script.c) and the SACK scoreboard: fast retransmit on three duplicate ACKs
 * (RFC 5681 §3.2), SACK recovery of two holes (RFC 6675), a NewReno partial ACK (RFC
 * 6582). Ten segments of 1448 bytes are in flight (IW10); our segment k starts at
 * 1 + 1448 (k - 1). CUBIC's ssthresh from cwnd 10 is 10 * 717 / 1024 = 7, which the
 * next write shows: seven segments go out after the recovery.
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

static void setup(void) { tcp_script_setup(); f = tcp_script_fx(); }

/* A sysctl of the test's namespace (before the script). */
static void set_sysctl(const char *name, const char *val)
{
    struct sysctl_entry *e = sysctl_find(f->net, name);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(sysctl_write(f->net, e, val), 0);
}
static void teardown(void) { tcp_script_teardown(); f = NULL; }

#define MSS 1448
#define SEG(k) (1 + MSS * ((k) - 1))

/* The handshake without SACK-permitted: recovery is NewReno's. */
#define PASSIVE_OPEN_NOSACK \
    "0.000 listen 8080\n" \
    "0.000 < S 0(0) win 65535 <mss 1460,TS val 100 ecr 0,nop,wscale 7>\n" \
    "0.000 > S. 0(0) ack 1 win 65160 <mss 1460,TS val * ecr *,wscale 7>\n" \
    "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n" \
    "+0 accept\n"

/* write 14480 at +0.100: ten segments, the last with PSH. */
static size_t send_ten(char *sc, size_t n)
{
    n += (size_t)sprintf(sc + n, "+0.100 write 14480\n");
    return script_out_segs(sc, n, 1, 10, MSS, 10);
}

/* After the recovery: the next write goes out as cwnd = ssthresh = 7 segments. */
static size_t send_seven(char *sc, size_t n)
{
    n += (size_t)sprintf(sc + n, "+0.010 write 14480\n");
    return script_out_segs(sc, n, 11, 17, MSS, 0);
}

/* Without SACK, the duplicate ACKs that segments 2..10 (but `skip`) cause; the third
 * sends segment 1 again at once. */
static size_t reno_dupacks(char *sc, size_t n, int skip)
{
    for (int k = 2; k <= 10; k++) {
        if (k == skip) continue;
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512\n");
        if (k == 4) n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n", MSS);
    }
    return n;
}

/* One loss, no SACK: the third duplicate ACK sends the segment again at once; the
 * later duplicates send nothing (no new data); the ACK of all ends the recovery. */
START_TEST(test_fast_retransmit)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN_NOSACK);
    n = send_ten(sc, n);
    n = reno_dupacks(sc, n, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack 14481 win 512\n");
    send_seven(sc, n);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPRenoRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPFastRetrans), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
}
END_TEST

/* Segments 1 and 5 lost, SACK, RFC 6675's loss marking (tcp_recovery 0; RACK's is
 * test_tcp_rack.c): the third SACK makes segment 1 lost (three segments
 * SACKed above it: RFC 6675 IsLost) and it goes again; segment 5 is lost once three
 * segments above it are SACKed (after segment 8's SACK) and pipe (10 - 6 SACKed - 2
 * lost + 1 resent = 3) is below cwnd 7, so it goes at once. The partial ACK sends
 * nothing more; the full ACK ends the recovery. */
START_TEST(test_sack_two_holes)
{
    set_sysctl("net.ipv4.tcp_recovery", "0");
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = send_ten(sc, n);
    for (int k = 2; k <= 4; k++)
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <nop,nop,sack %u:%u>\n", SEG(2), SEG(k + 1));
    n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n", MSS);
    for (int k = 6; k <= 10; k++) {
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <nop,nop,sack %u:%u %u:%u>\n",
                             SEG(6), SEG(k + 1), SEG(2), SEG(5));
        if (k == 8) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(5), MSS);
    }
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,sack %u:%u>\n", SEG(5), SEG(6), SEG(11));
    n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack %u win 512\n", SEG(11));
    send_seven(sc, n);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
}
END_TEST

/* Segments 1 and 5 lost, no SACK: three duplicates send 1 again; its ACK (up to 5) is
 * partial: below the recovery point, so segment 5 goes at once (RFC 6582 §3.2 step
 * 5) and the recovery goes on until the ACK of all. */
START_TEST(test_newreno_partial_ack)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN_NOSACK);
    n = send_ten(sc, n);
    n = reno_dupacks(sc, n, 5);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEG(5));
    n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(5), MSS);
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEG(11));
    send_seven(sc, n);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPRenoRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 2);
}
END_TEST

/* A sent packet of len bytes at seq on tp's retransmit queue. */
static void queue_sent(struct tcp_sock *tp, uint32_t seq, uint32_t len)
{
    struct pkt *p = net_pkt_alloc(f->net, len);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, len), 'x', len);
    memset(TCP_SKB_CB(p), 0, sizeof(struct tcp_skb_cb));
    TCP_SKB_CB(p)->seq = seq;
    TCP_SKB_CB(p)->end_seq = seq + len;
    tcp_queue_tail(tp, p);
    tp->send_head = NULL;                     /* all of it sent */
    tp->snd_nxt = seq + len;
}

/* An RTO with all ten segments lost (Linux tcp_enter_loss, RFC 5681 §3.1): segment 1
 * goes again with cwnd 1. Its ACK echoes the retransmission's timestamp, a valid RTT
 * sample (RFC 7323 §4.1; Karn's rule forbids only the send time), so the RTO is fresh:
 * 10 ms + 200 = 210 ms, not the backed-off 420. Slow start then clocks out the other
 * lost segments as ACKs come (2, then 4, then the last 3 under ssthresh 7), not one per
 * RTO; the ACK of everything ends the Loss state and new data goes as cwnd 7. The RTO
 * alone: no tail loss probe first (tcp_early_retrans 0). */
START_TEST(test_rto_loss_slow_start)
{
    set_sysctl("net.ipv4.tcp_early_retrans", "0");
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = send_ten(sc, n);
    n += (size_t)sprintf(sc + n, "+0.210 > . 1(%u) ack 1\n", MSS);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 120 ecr *>\n", SEG(2));
    n = script_out_segs(sc, n, 2, 3, MSS, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 130 ecr *>\n", SEG(4));
    n = script_out_segs(sc, n, 4, 7, MSS, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 140 ecr *>\n", SEG(8));
    n = script_out_segs(sc, n, 8, 10, MSS, 10);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack 14481 win 512 <nop,nop,TS val 150 ecr *>\n");
    send_seven(sc, n);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 10);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSlowStartRetrans), 9);
}
END_TEST

/* The same loss, and the ACK of segment 1's retransmission is lost too: the second RTO
 * comes after the backed-off 420 ms (no RTT sample came to end the backoff). No tail
 * loss probe (tcp_early_retrans 0). */
START_TEST(test_rto_backoff_kept_without_sample)
{
    set_sysctl("net.ipv4.tcp_early_retrans", "0");
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = send_ten(sc, n);
    n += (size_t)sprintf(sc + n, "+0.210 > . 1(%u) ack 1\n", MSS);
    n += (size_t)sprintf(sc + n, "+0.420 > . 1(%u) ack 1\n", MSS);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 120 ecr *>\n", SEG(2));
    n = script_out_segs(sc, n, 2, 3, MSS, 0);
    n += (size_t)sprintf(sc + n, "+0.210 > . %u(%u) ack 1\n", SEG(2), MSS);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack 14481 win 512 <nop,nop,TS val 130 ecr *>\n");
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 3);
}
END_TEST

/* The scoreboard by hand: MSS 1000, one 10-segment super-segment across the sequence
 * wrap. SACK blocks split it at their edges; an
 * invalid block is counted and ignored; IsLost needs more than 2 MSS SACKed above;
 * pipe = 10 - sacked - lost + retransmitted. */
START_TEST(test_sack_scoreboard)
{
    int err = 0;
    struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    struct tcp_sock *tp = tcp_sk(sk);
    uint32_t b = 0xfffff000u;                 /* the queue crosses the wrap */
    tp->mss_cache = 1000;
    tp->sack_ok = true;
    tp->snd_una = b;
    queue_sent(tp, b, 10000);
    struct tcp_seg seg = { .ack = b };
    seg.opt.num_sacks = 2;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 2000, b + 4000 };
    seg.opt.sacks[1] = (struct tcp_sack_block){ b + 9000, b + 11000 };   /* beyond SND.NXT */
    tcp_sacktag(tp, &seg);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSACKDiscard), 1);
    struct pkt *p = tp->wq_head;              /* [0,2000) [2000,4000)S [4000,10000) */
    ck_assert_uint_eq(p->len, 2000);
    ck_assert_uint_eq(TCP_SKB_CB(p->next)->seq, b + 2000);
    ck_assert_uint_eq(TCP_SKB_CB(p->next)->sacked, TCPCB_SACKED_ACKED);
    ck_assert_uint_eq(p->next->next->len, 6000);
    tcp_mark_lost(tp);                        /* 2000 SACKed above: not more than 2 MSS */
    ck_assert_uint_eq(TCP_SKB_CB(p)->sacked, 0);
    ck_assert_uint_eq(tcp_pipe(tp), 8);
    seg.opt.num_sacks = 1;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 5000, b + 6000 };
    tcp_sacktag(tp, &seg);                    /* [4000,5000) [5000,6000)S [6000,10000) */
    tcp_mark_lost(tp);                        /* 3000 above [0,2000): lost; 1000 above [4000,5000): not */
    ck_assert_uint_eq(TCP_SKB_CB(p)->sacked, TCPCB_LOST);
    ck_assert_uint_eq(TCP_SKB_CB(p->next->next)->sacked, 0);
    ck_assert_uint_eq(tcp_pipe(tp), 10 - 3 - 2);
    ck_assert_uint_eq(tp->sacked_out, 3);
    ck_assert_uint_eq(tp->lost_out, 2);
    TCP_SKB_CB(p)->sacked |= TCPCB_SACKED_RETRANS;
    ck_assert_uint_eq(tcp_pipe(tp), 10 - 3 - 2 + 2);
    tcp_clear_lost_marks(tp);
    ck_assert_uint_eq(TCP_SKB_CB(p)->sacked, 0);
    ck_assert_uint_eq(TCP_SKB_CB(p->next)->sacked, TCPCB_SACKED_ACKED);
    sock_close(sk);
}
END_TEST

Suite *tcp_recovery_suite(void)
{
    Suite *s = suite_create("tcp_recovery");
    TCase *tc = tcase_create("recovery");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_sack_scoreboard);
    tcase_add_test(tc, test_fast_retransmit);
    tcase_add_test(tc, test_sack_two_holes);
    tcase_add_test(tc, test_newreno_partial_ack);
    tcase_add_test(tc, test_rto_loss_slow_start);
    tcase_add_test(tc, test_rto_backoff_kept_without_sample);
    suite_add_tcase(s, tc);
    return s;
}
