/*
 * tests/tcp/test_tcp_undo.c — D-SACK (RFC 2883) both ways and the undo of needless
 * cwnd reductions (tcp/tcp_dsack.c, tcp/tcp_undo.c): the D-SACK blocks we send for
 * old and out-of-order duplicates, their extension and the option's space limit; the
 * sender recognising a D-SACK in both forms without marking anything; then scenarios
 * in the script form of test_tcp_script.c: a fast retransmit after reordering undone by
 * the D-SACK of its retransmission, an RTO undone by the timestamp the ACK echoes
 * (Eifel, RFC 3522), a recovery undone at its end or on a partial ACK by timestamps,
 * an RTO found needless by F-RTO (RFC 5682), and real losses that stay reductions.
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp_priv.h"
#include <stdio.h>
#include <sys/socket.h>

static void setup(void) { tcp_script_setup(); f = tcp_script_fx(); }
static void teardown(void) { tcp_script_teardown(); f = NULL; }

/* The script's connection (the peer is 10.0.0.1:40000, we listen on 8080). */
static struct tcp_sock *script_conn(void)
{
    struct tcp_sock *tp = tcp_lookup_established(f->net, FX_PEER, 40000, FX_ADDR, 8080);
    ck_assert_ptr_nonnull(tp);
    return tp;
}

#define ACK_TS "> . 1(0) ack %s <nop,nop,TS val * ecr 110%s>\n"

/* RFC 2883 §4.1.1: data all below RCV.NXT is reported by a D-SACK block of its range;
 * a segment whose head only is old, by a block of that head (the rest is taken). */
START_TEST(test_dsack_old_data)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1001 <nop,nop,TS val * ecr 110>\n"
        "+0.010 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1001 <nop,nop,TS val * ecr 110,nop,nop,sack 1:1001>\n"
        "+0.010 < P. 501(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1501 <nop,nop,TS val * ecr 110,nop,nop,sack 501:1001>\n"
        "+0.010 < P. 1501(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1601 <nop,nop,TS val * ecr 110>\n"      /* sent once */
        "+0 read 1600\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOldSent), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoSent), 0);
}
END_TEST

/* net.ipv4.tcp_dsack 0: the duplicate is ACKed with no D-SACK. */
START_TEST(test_dsack_sysctl_off)
{
    tcp_net(f->net)->dsack = 0;
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1001 <nop,nop,TS val * ecr 110>\n"
        "+0.010 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1001 <nop,nop,TS val * ecr 110>\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOldSent), 0);
}
END_TEST

/* RFC 2883 §4.1.2: out-of-order data held twice; the D-SACK block first, the block
 * holding it next. */
START_TEST(test_dsack_ofo_duplicate)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 2001(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 2001:3001>\n"
        "+0.010 < P. 2001(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 2001:3001 2001:3001>\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoSent), 1);
}
END_TEST

/* With timestamps 3 blocks fit (RFC 2018 §3, Linux's option space): held are four
 * blocks; a duplicate of one brings the D-SACK and the two most recent blocks. */
START_TEST(test_dsack_three_blocks_with_ts)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1001(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 1001:1101>\n"
        "+0.001 < P. 2001(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 2001:2101 1001:1101>\n"
        "+0.001 < P. 3001(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 3001:3101 2001:2101 1001:1101>\n"
        "+0.001 < P. 4001(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 4001:4101 3001:3101 2001:2101>\n"
        "+0.001 < P. 2001(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 2001:2101 2001:2101 4001:4101>\n");
    /* without timestamps the same five blocks leave four */
    struct tcp_opts o = { .num_sacks = 4 }, back;
    for (unsigned i = 0; i < 4; i++) o.sacks[i] = (struct tcp_sack_block){ 1000 * i, 1000 * i + 100 };
    uint8_t buf[TCP_OPT_MAX];
    size_t n = tcp_build_options(buf, &o);
    ck_assert_int_eq(tcp_parse_options(buf, n, false, &back), TCP_OPT_OK);
    ck_assert_uint_eq(back.num_sacks, 4);
    o.ts_ok = true;
    n = tcp_build_options(buf, &o);
    ck_assert_int_eq(tcp_parse_options(buf, n, false, &back), TCP_OPT_OK);
    ck_assert_uint_eq(back.num_sacks, 3);
    ck_assert_uint_eq(back.sacks[0].start, 0);              /* the first (the D-SACK) stays */
}
END_TEST

/* tcp_dsack_extend: a range touching the block widens it, one apart leaves it; with
 * none pending it sets one. Not without SACK. */
START_TEST(test_dsack_extend)
{
    int err = 0;
    struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    struct tcp_sock *tp = tcp_sk(sk);
    tp->rcv_nxt = 0xfffffff0u;                  /* around the wrap */
    tp->sack_ok = false;
    tcp_dsack_extend(tp, 0xffffff00u, 0xffffff80u);
    ck_assert(!tp->dsack);                      /* no SACK negotiated */
    tp->sack_ok = true;
    tcp_dsack_extend(tp, 0xffffff00u, 0xffffff80u);
    ck_assert(tp->dsack);
    tcp_dsack_extend(tp, 0xffffff80u, 0x10);    /* touches: across the wrap */
    ck_assert_uint_eq(tp->duplicate_sack.start, 0xffffff00u);
    ck_assert_uint_eq(tp->duplicate_sack.end, 0x10);
    tcp_dsack_extend(tp, 0x100, 0x200);         /* apart: unchanged */
    ck_assert_uint_eq(tp->duplicate_sack.start, 0xffffff00u);
    ck_assert_uint_eq(tp->duplicate_sack.end, 0x10);
    tcp_dsack_extend(tp, 0xfffffe00u, 0xffffff00u);
    ck_assert_uint_eq(tp->duplicate_sack.start, 0xfffffe00u);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOldSent), 1);   /* extending is not a new one */
    struct tcp_sack_block out[TCP_NUM_SACKS];
    tp->num_sacks = 4;
    for (unsigned i = 0; i < 4; i++) tp->selective_acks[i] = (struct tcp_sack_block){ i, i + 1 };
    ck_assert_uint_eq(tcp_sack_blocks_out(tp, out), TCP_NUM_SACKS);
    ck_assert_uint_eq(out[0].start, 0xfffffe00u);
    ck_assert_uint_eq(out[1].start, 0);
    ck_assert_uint_eq(out[3].start, 2);
    tp->num_sacks = 0;
    sock_close(sk);
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
    tp->send_head = NULL;
    tp->snd_nxt = seq + len;
}

/* Marks of the queue, one char per packet: S SACKed, . not; and the packet count. */
static void queue_marks(struct tcp_sock *tp, char *out, size_t n)
{
    size_t k = 0;
    for (struct pkt *p = tp->wq_head; p && k + 1 < n; p = p->next)
        out[k++] = TCP_SKB_CB(p)->sacked & TCPCB_SACKED_ACKED ? 'S' : '.';
    out[k] = '\0';
}

/* A socket with 10 packets of 1000 bytes from b sent, the one before b retransmitted
 * (and acknowledged: undo_marker b - 1000) and the one at b + 1000 retransmitted. */
static struct tcp_sock *dsack_sender(uint32_t b)
{
    int err = 0;
    struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    struct tcp_sock *tp = tcp_sk(sk);
    tp->mss_cache = 1000;
    tp->max_window = 65535;
    tp->sack_ok = true;
    tp->snd_una = b;
    for (unsigned i = 0; i < 10; i++) queue_sent(tp, b + 1000 * i, 1000);
    TCP_SKB_CB(tp->wq_head->next)->retrans = 1;
    tp->total_retrans = 2;
    tp->undo_armed = true;
    tp->undo_marker = b - 1000;
    tp->undo_retrans = 2;
    return tp;
}

/* RFC 2883 §4.1.1 form: the first block below the ACK. Counted, one retransmission
 * fewer to be reported, nothing marked by it; the second block is a normal one. */
START_TEST(test_dsack_recv_below_ack)
{
    uint32_t b = 0xfffff000u;
    struct tcp_sock *tp = dsack_sender(b);
    struct tcp_seg seg = { .ack = b };
    seg.opt.num_sacks = 2;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b - 1000, b };
    seg.opt.sacks[1] = (struct tcp_sack_block){ b + 3000, b + 4000 };
    tcp_sacktag(tp, &seg);
    char m[16];
    queue_marks(tp, m, sizeof(m));
    ck_assert_str_eq(m, "...S......");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKRecv), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKRecvSegs), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSACKDiscard), 0);
    ck_assert_int_eq(tp->undo_retrans, 1);
    /* a block below the ACK reporting more than was ever retransmitted is dubious */
    seg.opt.num_sacks = 1;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b - 2000, b };
    tcp_sacktag(tp, &seg);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKIgnoredDubious), 1);
    ck_assert_int_eq(tp->undo_retrans, 1);
    sock_close(&tp->sk);
}
END_TEST

/* RFC 2883 §4.1.2 form: the first block inside the second. The D-SACK neither marks
 * nor splits (the second block marks its whole range); a retransmitted packet it
 * covers counts down undo_retrans. A first block above the ACK and not inside the
 * second is a normal block. */
START_TEST(test_dsack_recv_in_second_block)
{
    uint32_t b = 0x1000;
    struct tcp_sock *tp = dsack_sender(b);
    struct tcp_seg seg = { .ack = b };
    seg.opt.num_sacks = 2;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 1000, b + 2000 };
    seg.opt.sacks[1] = (struct tcp_sack_block){ b + 1000, b + 2000 };
    tcp_sacktag(tp, &seg);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoRecv), 1);
    ck_assert_int_eq(tp->undo_retrans, 1);
    char m[16];
    queue_marks(tp, m, sizeof(m));
    ck_assert_str_eq(m, ".S........");
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 5500, b + 6000 };     /* inside, mid-packet */
    seg.opt.sacks[1] = (struct tcp_sack_block){ b + 5000, b + 7000 };
    tcp_sacktag(tp, &seg);
    queue_marks(tp, m, sizeof(m));
    ck_assert_str_eq(m, ".S...SS...");                          /* no cut at b + 5500 */
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoRecv), 2);
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 8000, b + 9000 };     /* not inside: normal */
    tcp_sacktag(tp, &seg);
    queue_marks(tp, m, sizeof(m));
    ck_assert_str_eq(m, ".S...SS.S.");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKOfoRecv), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKRecv), 0);
    sock_close(&tp->sk);
}
END_TEST

/* The handshake with SACK and no timestamps: only D-SACK can show a needless
 * retransmission. Segments are 1460 bytes; ours k starts at 1 + 1460 (k - 1). */
#define OPEN_SACK_NOTS \
    "0.000 listen 8080\n" \
    "0.000 < S 0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>\n" \
    "0.000 > S. 0(0) ack 1 win 64240 <mss 1460,sackOK,wscale 7>\n" \
    "+0.010 < . 1(0) ack 1 win 512\n" \
    "+0 accept\n"
#define M 1460
#define SEGN(k) (1 + M * ((k) - 1))

/* "+WAIT write" of ten segments of mss bytes, and our ten segments from the first'th
 * on (segment k starts at 1 + mss (k - 1)), the last with PSH. */
static size_t write_ten(char *sc, size_t n, const char *wait, int first, unsigned mss)
{
    n += (size_t)sprintf(sc + n, "%s write %u\n", wait, 10 * mss);
    for (int k = first; k < first + 10; k++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", k == first + 9 ? "P." : ".", 1 + mss * (k - 1), mss);
    return n;
}

/* Ten segments out; SACKs of 2..4 make segment 1 lost and it goes again. */
static size_t ten_then_fast_retransmit(char *sc, size_t n)
{
    n = write_ten(sc, n, "+0.100", 1, M);
    for (int k = 2; k <= 4; k++)
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <sack %u:%u>\n", SEGN(2), SEGN(k + 1));
    n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n", M);
    return n;
}

/* Reordering: segment 1 was late, not lost. The ACK of all ends the recovery (cwnd
 * CUBIC's 7, nothing yet shows the retransmission was needless); then the peer
 * D-SACKs the retransmission (below the ACK): every retransmission reported
 * duplicate, so cwnd 10 and ssthresh come back (tcp_try_undo_dsack, TCPDSACKUndo), and
 * the next write goes out as ten segments, not seven. */
START_TEST(test_undo_dsack_reordering)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", OPEN_SACK_NOTS);
    n = ten_then_fast_retransmit(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(11));
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack %u win 512 <sack 1:%u>\n", SEGN(11), SEGN(2));
    n = write_ten(sc, n, "+0.010", 11, M);
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->snd_cwnd, 10);
    ck_assert_uint_eq(tp->snd_ssthresh, 0x7fffffff);     /* as before: never set */
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKRecv), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKUndo), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPFullUndo), 0);
}
END_TEST

/* A real loss: the retransmission filled the hole and no D-SACK comes. The reduction
 * stays: seven segments after it, ssthresh 7. */
START_TEST(test_no_undo_real_loss)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", OPEN_SACK_NOTS);
    n = ten_then_fast_retransmit(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(11));
    n += (size_t)sprintf(sc + n, "+0.010 write %u\n", 10 * M);
    for (int k = 11; k <= 17; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->snd_ssthresh, 7);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKUndo) + MIB(MIB_TcpExtTCPFullUndo) + MIB(MIB_TcpExtTCPPartialUndo), 0);
}
END_TEST

#define MSS 1448
#define SEG(k) (1 + MSS * ((k) - 1))

/* Ten segments at +0.100 after the handshake and the RTO 210 ms later that sends
 * segment 1 again (test_tcp_recovery's test_rto_loss_slow_start). */
static size_t ten_then_rto(char *sc, size_t n)
{
    tcp_net(f->net)->early_retrans = 0;               /* an RTO, not a tail loss probe first */
    n = write_ten(sc, n, "+0.100", 1, MSS);
    n += (size_t)sprintf(sc + n, "+0.210 > . 1(%u) ack 1\n", MSS);
    return n;
}

/* A delay spike, not a loss: after the RTO the ACK of all ten comes, echoing the
 * TSval of their first transmission, older than the retransmission's: Eifel (RFC 3522)
 * says the RTO was needless. cwnd and ssthresh come back (tcp_try_undo_loss,
 * TCPLossUndo), Open at once, and the ACK's ten segments grow it in slow start: 20. */
START_TEST(test_undo_rto_eifel)
{
    uint32_t tsval = (uint32_t)((fx_now_us(f) + 110 * 1000) / 1000);   /* the write's ms */
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = ten_then_rto(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 120 ecr %u>\n", SEG(11), tsval);
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->ca_state, TCP_CA_OPEN);
    ck_assert_uint_eq(tp->snd_cwnd, 20);
    ck_assert_uint_eq(tp->snd_ssthresh, 0x7fffffff);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossUndo), 1);
}
END_TEST

/* A real loss after the RTO: the ACK echoes the retransmission's TSval, so the RTO
 * stands: ssthresh 7, slow start from cwnd 1 (+1 for the one segment acked: 2), and
 * the rest of the window goes as lost. */
START_TEST(test_no_undo_rto_real_loss)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = ten_then_rto(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 120 ecr *>\n", SEG(2));
    for (int k = 2; k <= 3; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(k), MSS);
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->ca_state, TCP_CA_LOSS);
    ck_assert_uint_eq(tp->snd_cwnd, 2);
    ck_assert_uint_eq(tp->snd_ssthresh, 7);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossUndo), 0);
}
END_TEST

/* With timestamps: SACKs of 2..4 (1448-byte segments) make segment 1 lost; it goes
 * again at once. */
static size_t ten_then_fast_retransmit_ts(char *sc, size_t n)
{
    n = write_ten(sc, n, "+0.100", 1, MSS);
    for (int k = 2; k <= 4; k++)
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <nop,nop,TS val 120 ecr %s,nop,nop,sack %u:%u>\n",
                             "*", SEG(2), SEG(k + 1));
    n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n", MSS);
    return n;
}

/* Reordering seen by timestamps: the ACK that ends the recovery echoes the original
 * segment 1's TSval (sent 3 ms before its retransmission): the recovery was needless
 * (tcp_try_undo_recovery, TCPFullUndo), cwnd 10 again. The trace shows the undo as an
 * event line before the cwnd line. */
START_TEST(test_undo_recovery_eifel)
{
    uint32_t tsval = (uint32_t)((fx_now_us(f) + 110 * 1000) / 1000);
    fx_trace(f, true);
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = ten_then_fast_retransmit_ts(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 130 ecr %u>\n", SEG(11), tsval);
    n = write_ten(sc, n, "+0.010", 11, MSS);
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->snd_cwnd, 10);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPFullUndo), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKUndo), 0);
    ck_assert(fx_log_contains(f, "tcp 10.0.0.2:8080 > 10.0.0.1:40000: tcp_try_undo_recovery(cwnd 7 ssthresh 7 back to 2147483647)"));
    ck_assert(fx_log_contains(f, "tcp 10.0.0.2:8080 > 10.0.0.1:40000: cwnd 7 -> 10 ssthresh 7 -> 2147483647"));
}
END_TEST

/* The same with the ACK echoing the retransmission: a real loss, no undo. */
START_TEST(test_no_undo_recovery_ts_real_loss)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = ten_then_fast_retransmit_ts(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 130 ecr *>\n", SEG(11));
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(script_conn()->snd_cwnd, 7);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPFullUndo), 0);
}
END_TEST

/* A partial ACK (up to segment 5) echoing segment 1's original TSval: the hole was
 * filled by the late original, and the one retransmission is acknowledged with it, so
 * nothing is out again: tcp_try_undo_partial (TCPPartialUndo), Open, cwnd 10 and
 * ssthresh back, and the ACK's four segments grow cwnd in slow start (Linux's
 * tcp_cong_control after the alert). */
START_TEST(test_undo_partial_eifel)
{
    /* RFC 6675's marking, not RACK's: with RACK, segment 5 (sent before the
     * retransmission the ACK covers, an RTT and a quarter ago) is lost, and a new
     * recovery starts right after the undo, as Linux's tcp_fastretrans_alert does; this
     * scenario checks the undo alone */
    tcp_net(f->net)->recovery = 0;
    uint32_t tsval = (uint32_t)((fx_now_us(f) + 110 * 1000) / 1000);
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n = ten_then_fast_retransmit_ts(sc, n);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,TS val 130 ecr %u>\n", SEG(5), tsval);
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->ca_state, TCP_CA_OPEN);
    ck_assert_uint_eq(tp->snd_cwnd, 14);                /* 10, and slow start for the 4 acked */
    ck_assert_uint_eq(tp->snd_ssthresh, 0x7fffffff);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPPartialUndo), 1);
}
END_TEST

/* F-RTO (RFC 5682), no timestamps: twenty segments written, ten out (cwnd 10); the
 * RTO sends segment 1 again. */
static size_t twenty_then_rto(char *sc, size_t n)
{
    tcp_net(f->net)->early_retrans = 0;               /* an RTO, not a tail loss probe first */
    n += (size_t)sprintf(sc + n, "%s", OPEN_SACK_NOTS);
    n += (size_t)sprintf(sc + n, "+0.100 write %u\n", 20 * M);
    for (int k = 1; k <= 10; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    n += (size_t)sprintf(sc + n, "+0.210 > . 1(%u) ack 1\n", M);
    return n;
}

/* A delay, not a loss: the first ACK after the RTO covers segment 1 only; F-RTO sends
 * new data (segments 11 and 12: cwnd 2 after slow start's step), not segment 2 (step
 * 2b). The next ACK covers segments 2 and 3, sent once before the RTO: they were only
 * delayed (step 3b). The RTO is undone (TCPSpuriousRTOs, TCPLossUndo): Open, cwnd 10
 * and slow start's 2 for the ACK's two segments, ssthresh as before; with segments 4 to
 * 12 out, three more go at once. */
START_TEST(test_frto_spurious_rto)
{
    char *sc = malloc(8192);
    size_t n = twenty_then_rto(sc, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(2));
    for (int k = 11; k <= 12; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(4));
    for (int k = 13; k <= 15; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->ca_state, TCP_CA_OPEN);
    ck_assert_uint_eq(tp->snd_cwnd, 12);
    ck_assert_uint_eq(tp->snd_ssthresh, 0x7fffffff);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSpuriousRTOs), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossUndo), 1);
}
END_TEST

/* A real loss: after F-RTO's new segments 11 and 12 the peer SACKs them with the ACK
 * still at segment 2 (step 3a): the RTO stands, and the lost segments 2 and 3 go again
 * as cwnd 2 allows. */
START_TEST(test_frto_real_loss)
{
    char *sc = malloc(8192);
    size_t n = twenty_then_rto(sc, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(2));
    for (int k = 11; k <= 12; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <sack %u:%u>\n", SEGN(2), SEGN(11), SEGN(13));
    for (int k = 2; k <= 3; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    run_script(sc);
    free(sc);
    struct tcp_sock *tp = script_conn();
    ck_assert_uint_eq(tp->ca_state, TCP_CA_LOSS);
    ck_assert(!tp->frto);
    ck_assert_uint_eq(tp->snd_cwnd, 2);
    ck_assert_uint_eq(tp->snd_ssthresh, 7);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSpuriousRTOs) + MIB(MIB_TcpExtTCPLossUndo), 0);
}
END_TEST

/* net.ipv4.tcp_frto 0: the first ACK after the RTO sends the lost segments 2 and 3. */
START_TEST(test_frto_off)
{
    tcp_net(f->net)->frto = 0;
    char *sc = malloc(8192);
    size_t n = twenty_then_rto(sc, 0);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEGN(2));
    for (int k = 2; k <= 3; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEGN(k), M);
    run_script(sc);
    free(sc);
}
END_TEST

Suite *tcp_undo_suite(void)
{
    Suite *s = suite_create("tcp_undo");
    TCase *tc = tcase_create("undo");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_dsack_old_data);
    tcase_add_test(tc, test_dsack_sysctl_off);
    tcase_add_test(tc, test_dsack_ofo_duplicate);
    tcase_add_test(tc, test_dsack_three_blocks_with_ts);
    tcase_add_test(tc, test_dsack_extend);
    tcase_add_test(tc, test_dsack_recv_below_ack);
    tcase_add_test(tc, test_dsack_recv_in_second_block);
    tcase_add_test(tc, test_undo_dsack_reordering);
    tcase_add_test(tc, test_no_undo_real_loss);
    tcase_add_test(tc, test_undo_rto_eifel);
    tcase_add_test(tc, test_no_undo_rto_real_loss);
    tcase_add_test(tc, test_undo_recovery_eifel);
    tcase_add_test(tc, test_no_undo_recovery_ts_real_loss);
    tcase_add_test(tc, test_undo_partial_eifel);
    tcase_add_test(tc, test_frto_spurious_rto);
    tcase_add_test(tc, test_frto_real_loss);
    tcase_add_test(tc, test_frto_off);
    suite_add_tcase(s, tc);
    return s;
}
