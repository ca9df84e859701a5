/*
 * tcp/tcp_priv.h — TCP's own state and the calls between its files (Linux
 * include/net/tcp.h, include/linux/tcp.h). Not for use outside tcp/.
 *
 *   tcp.c         the socket calls (tcp_prot): connect, listen, accept, sendmsg,
 *                 recvmsg, shutdown, close, poll
 *   tcp_ipv4.c    the tables (4-tuple hash, listeners, bound ports), ISNs (RFC 6528),
 *                 tcp_v4_rcv, RST for segments no socket takes (tcp_v4_send_reset)
 *   tcp_input.c   the state machine of RFC 9293 §3.10.7: tcp_rcv_state_process,
 *                 tcp_rcv_established, tcp_ack, tcp_data_queue, RFC 5961 checks
 *   tcp_output.c  segments: tcp_transmit_skb (super-segments, partial checksums),
 *                 tcp_write_xmit, ACKs, SYN, SYN-ACK, FIN, RST, retransmission
 *   tcp_timer.c   RTO (RFC 6298, Karn, backoff), delayed ACK, TIME_WAIT
 *   tcp_timewait.c segments for a connection in TIME_WAIT, a new SYN taking it over
 *                 (RFC 6191), connect() reusing its 4-tuple (net.ipv4.tcp_tw_reuse)
 *   tcp_err.c     ICMP errors (tcp_v4_err): unreachables, PMTU (tcp_v4_mtu_reduced)
 *   tcp_keepalive.c  zero-window probes (tcp_probe_timer), SO_KEEPALIVE
 *   tcp_syncookies.c SYN cookies when the SYN backlog is full
 *   tcp_paws.c    PAWS (RFC 7323 §5) and TS.Recent
 *   tcp_ofo.c     the out-of-order queue and the SACK blocks we send (RFC 2018 §4)
 *   tcp_sack.c    the sender's SACK scoreboard, IsLost and pipe (RFC 6675)
 *   tcp_recovery.c fast retransmit and recovery (RFC 5681, NewReno RFC 6582, RFC 6675)
 *   tcp_rack.c    RACK-TLP loss detection (RFC 8985): time-based loss marking, the
 *                 reordering timer, tail loss probes (net.ipv4.tcp_recovery, tcp_early_retrans)
 *   tcp_prr.c     how cwnd comes down during a recovery: PRR (RFC 6937)
 *   tcp_cong.c    congestion control ops, Reno, net.ipv4.tcp_congestion_control
 *   tcp_cubic.c   CUBIC (RFC 9438) with HyStart (Linux's slow-start exit), the default
 *   tcp_rcvbuf.c  receive-buffer autotuning: tcp_rmem/tcp_wmem, the first window and its
 *                 scale, the receiver's RTT, rcv_ssthresh growth, tcp_rcv_space_adjust

 *   tcp_diag.c    what ss shows: Recv-Q/Send-Q and the `ss -i` line (iproute2's words)
 *   tcp_sockopt.c the SOL_TCP options (TCP_NODELAY, TCP_CORK, TCP_MAXSEG, TCP_KEEP*,
 *                 TCP_INFO, TCP_CONGESTION) and the initial window from SO_RCVBUF
 *   tcp_urg.c     urgent data (RFC 9293 §3.8.5, RFC 6093): MSG_OOB, the URG pointer
 *   tcp_dsack.c   D-SACK (RFC 2883): the duplicate block we send first, and the
 *                 sender recognising one (tcp_check_dsack)
 *   tcp_undo.c    undo of spurious cwnd reductions (Linux tcp_try_undo_*, Eifel RFC 3522,
 *                 F-RTO RFC 5682)
 *
 * Not built yet: autocorking, SO_OOBINLINE.
 */
#ifndef TS_TCP_PRIV_H
#define TS_TCP_PRIV_H
#include "tcp.h"
#include "tcp_seq.h"
#include "tcp_wire.h"
#include "net/sock.h"
#include "ip/dst.h"

#define TCP_TIMEWAIT_LEN   (60 * US_PER_S)     /* Linux TCP_TIMEWAIT_LEN */
#define TCP_TIMEOUT_INIT   (1 * US_PER_S)      /* RFC 6298 §2.1 */
#define TCP_RTO_MIN        (200 * US_PER_MS)   /* Linux TCP_RTO_MIN */
#define TCP_RTO_MAX        (120 * US_PER_S)
#define TCP_DELACK_MIN     (40 * US_PER_MS)    /* Linux TCP_DELACK_MIN (the ATO floor) */
#define TCP_MAX_QUICKACKS  16
#define TCP_INIT_CWND      10                  /* RFC 6928 */
#define TCP_MSS_DEFAULT    536                 /* RFC 9293 §3.7.1: no MSS option */
#define TCP_MIN_MSS        88                  /* Linux TCP_MIN_MSS */
#define TCP_MAX_WSCALE     14                  /* RFC 7323 §2.3 */
#define TCPOLEN_TSTAMP_ALIGNED 12              /* the timestamp option with its two NOPs */
/* Buckets of the 4-tuple hash (a power of two). Linux sizes tcp_hashinfo.ehash at boot,
 * one bucket per 128 KB of memory up to 512 K (alloc_large_system_hash): 131072 is what
 * a 16 GB machine gets, 1 MB of pointers per namespace; 100,000 connections average
 * under one per bucket. */
#define TCP_EHASH_SIZE     131072
#define TCP_BHASH_SIZE     1024                /* buckets of the port hash */
#define TCP_MAX_WSCALE     14                  /* RFC 7323 §2.3 */
#define TCP_RMEM_MAX       6291456             /* net.ipv4.tcp_rmem[2] */

/* tp->nonagle (Linux TCP_NAGLE_*): Nagle off (TCP_NODELAY), corked (TCP_CORK), and a
 * push of what waits, once, until the next packet is queued. */
#define TCP_NAGLE_OFF  1
#define TCP_NAGLE_CORK 2
#define TCP_NAGLE_PUSH 4
/* tp->urg_data (Linux TCP_URG_*): the urgent byte in the low 8 bits once it is here */
#define TCP_URG_VALID  0x0100
#define TCP_URG_NOTYET 0x0200
#define TCP_URG_READ   0x0400

/* Per packet on the write queue and the receive queue (Linux struct tcp_skb_cb, kept in
 * pkt->cb). */
struct tcp_skb_cb {
    uint32_t seq, end_seq;          /* end_seq = seq + payload + SYN + FIN */
    uint64_t when_us;               /* last (re)transmission */
    uint8_t  tcp_flags;             /* SYN / FIN / PSH of the segment */
    uint8_t  retrans;               /* times retransmitted (Karn: no RTT sample) */
    uint8_t  sacked;                /* TCPCB_*: the sender's scoreboard (tcp_sack.c) */
    uint32_t tx_delivered;          /* tp->delivered when it was last sent (Linux tx.delivered) */
};
#define TCPCB_SACKED_ACKED   0x01   /* the peer SACKed all of it */
#define TCPCB_SACKED_RETRANS 0x02   /* retransmitted during this recovery, not yet acked */
#define TCPCB_LOST           0x04   /* taken as lost (RFC 6675 IsLost, or NewReno's head) */
#define TCP_OFO_MAX_PKTS     1024   /* packets held out of order (the rcvbuf bounds bytes) */
#define TCP_DUPTHRESH        3      /* RFC 5681 §3.2, RFC 6675 DupThresh (tcp_reordering) */

/* What the retransmission timer (tp->rto_timer) is armed for, as Linux's icsk_pending:
 * the RTO, a tail loss probe or RACK's reordering timer (tcp_rack.c). */
enum { TCP_TIME_NONE = 0, TCP_TIME_RETRANS, TCP_TIME_LOSS_PROBE, TCP_TIME_REO_TIMEOUT };
#define TCP_RACK_LOSS_DETECTION 0x1 /* net.ipv4.tcp_recovery bits (Linux TCP_RACK_*) */
#define TCP_RACK_STATIC_REO_WND 0x2 /* reo_wnd does not grow with D-SACKs */
#define TCP_RACK_NO_DUPTHRESH   0x4
#define TCP_RACK_RECOVERY_THRESH 16 /* recoveries a grown reo_wnd persists (RFC 8985 §6.2) */

/* Where loss recovery is (Linux enum tcp_ca_state, the states used here). */
enum { TCP_CA_OPEN = 0, TCP_CA_DISORDER = 1, TCP_CA_RECOVERY = 3, TCP_CA_LOSS = 4 };

struct tcp_sock;
/* A congestion control (Linux struct tcp_congestion_ops): tcp_cong.c. */
struct tcp_cong_ops {
    const char *name;
    void     (*init)(struct tcp_sock *tp);
    uint32_t (*ssthresh)(struct tcp_sock *tp);               /* on a loss: the new ssthresh */
    void     (*cong_avoid)(struct tcp_sock *tp, uint32_t acked);
    void     (*on_rto)(struct tcp_sock *tp);                  /* optional: an RTO fired */
    /* optional (Linux pkts_acked): an ACK freed acked segments and gave an RTT sample
     * of rtt_us, from the newest segment it acknowledged (HyStart's delay signal) */
    void     (*pkts_acked)(struct tcp_sock *tp, uint32_t acked, uint32_t rtt_us);
    uint32_t (*undo_cwnd)(struct tcp_sock *tp);              /* optional: the cwnd a spurious
                                                                reduction is undone to (tcp_undo.c) */
};
_Static_assert(sizeof(struct tcp_skb_cb) <= sizeof(((struct pkt *)0)->cb), "tcp_skb_cb fits cb");
static inline struct tcp_skb_cb *TCP_SKB_CB(struct pkt *p) { return (struct tcp_skb_cb *)(void *)p->cb; }

struct tcp_sock {
    struct sock sk;
    struct sk_dst dst;              /* the peer's route (sk_dst_cache) */
    struct tcp_sock *ehash_next, *bind_next;
    struct tcp_sock **ehash_pprev, **bind_pprev;    /* as Linux's hlist: unhash is O(1) */
    uint32_t ehash_hash;            /* the 4-tuple's hash (sk_hash): compared before the tuple */
    /* listener side: children in SYN_RECV and those ready for accept() */
    struct tcp_sock *parent;        /* the listener of a child not yet accepted */
    struct tcp_sock *q_next;        /* link in the parent's syn or accept queue */
    struct tcp_sock *syn_q, *acc_q, *acc_tail;
    unsigned syn_qlen, acc_qlen, max_ack_backlog;
    bool     listening_hashed, ehashed, bhashed;
    bool     orphan_held;           /* tcp_close kept the socket alive (sock_hold) */
    bool     port_by_connect;       /* connect() chose the port: other connections may share it */
    /* send sequence space (RFC 9293 §3.3.1) */
    uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, write_seq, max_window;
    uint8_t  snd_wscale, rcv_wscale;
    bool     wscale_ok, sack_ok, tstamp_ok, fin_queued;
    uint16_t mss_cache;             /* payload bytes per segment, options excluded */
    uint16_t advmss;                /* what we announce: route MTU - 40 */
    uint16_t rx_mss;                /* the peer's MSS option (536 if none) */
    uint32_t ts_recent;             /* the peer's last TSval (to echo) */
    /* receive sequence space */
    uint32_t irs, rcv_nxt, rcv_wnd, rcv_wup;
    uint32_t rcv_ssthresh;          /* the window's ceiling now (grows as data comes) */
    uint32_t window_clamp;          /* the largest window we will offer (follows rcvbuf) */
    uint32_t copied_seq;            /* the next byte the application reads */
    /* receive-buffer autotuning (tcp_rcvbuf.c): the receiver's RTT estimate (Linux
     * rcv_rtt_est: rtt_us << 3; a per-window sample waits for rcv_nxt to pass seq), and
     * what the application read in the last RTT (rcvq_space) */
    struct { uint32_t rtt_us, seq, last_tsecr; uint64_t time; } rcv_rtt_est;
    struct { uint32_t space, seq; uint64_t time; } rcvq_space;
    /* the write queue: sent-but-unacked packets first (the retransmit queue), then the
     * unsent ones from send_head */
    struct pkt *wq_head, *wq_tail, *send_head;
    /* RTO (RFC 6298), in microseconds */
    uint32_t srtt_us, rttvar_us, rto_us;
    uint8_t  backoff, retransmits;
    uint32_t snd_cwnd, snd_ssthresh, cwnd_cnt;
    /* was cwnd what limited the sender, and the most in flight, in the window up to
     * cwnd_usage_seq (tcp_cong.c tcp_cwnd_validate) */
    bool     is_cwnd_limited;
    uint32_t max_packets_out, cwnd_usage_seq;
    /* delayed ACK (Linux inet_connection_sock icsk_ack) */
    bool     ack_pending;
    uint8_t  quick;                 /* quick ACKs left */
    uint32_t rcv_mss;               /* largest segment seen: "a full segment" */
    struct timer rto_timer, delack_timer, tw_timer;
    uint64_t tw_entry_us;           /* when TIME_WAIT began (tcp_tw_reuse_delay counts from it) */
    uint64_t bytes_acked, bytes_received, segs_out, segs_in, total_retrans;
    /* more of what TCP_INFO and `ss -i` report (Linux tcp_sock): payload bytes sent and
     * sent again, segments with data each way, out-of-order packets taken, and when data
     * last went out (lsndtime) and last came in (icsk_ack.lrcvtime) */
    uint64_t bytes_sent, bytes_retrans;
    uint32_t data_segs_out, data_segs_in, rcv_ooopack;
    uint64_t lsndtime_us, lrcvtime_us;
    /* ICMP errors (tcp_err.c): the last soft error (Linux sk_err_soft), reported if the
     * connection times out; the path MTU the MSS is computed from (icsk_pmtu_cookie,
     * 0: the device's), locked at 552 without DF below ip_rt_min_pmtu */
    int      soft_err;
    uint16_t pmtu_cookie;
    bool     pmtu_locked;
    /* zero-window probes and keepalive (tcp_keepalive.c): probes sent without an
     * answer (icsk_probes_out), the probe timer's backoff, when the peer's last ACK came */
    struct timer probe_timer, keepalive_timer;
    uint8_t  probes_out, probe_backoff;
    uint64_t rcv_tstamp;
    uint64_t ts_recent_stamp;       /* when ts_recent was taken, s (PAWS's 24 days) */
    /* a listener: when its SYN backlog last overflowed (tcp_synq_overflow) */
    uint64_t synq_overflow_us;
    bool     synq_overflowed;
    /* the last ACK sent to a refused segment (tp->last_oow_ack_time, tcp_sysctl.c) */
    uint64_t last_oow_ack_us;
    bool     oow_ack_sent;
    /* the out-of-order queue (sorted, never overlapping) and the SACK blocks we send,
     * most recent first (tcp_ofo.c) */
    struct pkt *ooo_head;
    unsigned ooo_len;
    uint8_t  num_sacks;
    struct tcp_sack_block selective_acks[TCP_NUM_SACKS];
    /* loss recovery (tcp_sack.c, tcp_recovery.c) */
    uint8_t  ca_state;              /* TCP_CA_* */
    uint32_t dupacks;               /* RFC 5681 duplicate ACKs (without SACK: Linux's reno sacks) */
    uint32_t high_seq;              /* RFC 6582/6675 RecoveryPoint: snd_nxt at entry */
    uint32_t sacked_out, lost_out, retrans_out;     /* segments, as Linux counts them */
    uint32_t prior_cwnd;
    /* RACK-TLP (tcp_rack.c, RFC 8985): the newest delivered packet's transmit time, end
     * and RTT; the least RTT seen (0: none yet); the highest delivered end (fack, once
     * fack_set; fack_next is this ACK's, taken at its end); reorderings seen; what rto_timer is for
     * (TCP_TIME_*, icsk_pending) and its true deadline (the heap's may be earlier: lazy);
     * the loss probe's episode (tlp_high_seq: snd_nxt when it went) */
    struct {
        uint64_t mstamp;
        uint32_t end_seq, rtt_us, min_rtt_us, fack, fack_next;
        uint32_t reord_seen;        /* reorderings seen (Linux tp->reord_seen) */
        bool     advanced, advanced_once, fack_set, reo_armed;
        /* reo_wnd growing with D-SACKs (tcp_rack_update_reo_wnd): its multiplier, the
         * recoveries it still persists for, a D-SACK waiting to count, tp->delivered when
         * it last grew, and this ACK's rs.prior_delivered (the newest delivered packet's
         * tx_delivered; 0: none) */
        uint8_t  reo_wnd_steps, reo_wnd_persist;
        bool     dsack_seen;
        uint32_t last_delivered, ack_prior_delivered;
    } rack;
    /* segments delivered to the peer, acked or SACKed (Linux tp->delivered; TCP_INFO) */
    uint32_t delivered;
    uint8_t  xmit_timer;
    uint64_t xmit_deadline;
    uint32_t tlp_high_seq;
    bool     tlp_episode, tlp_retrans;
    /* PRR (tcp_prr.c, RFC 6937): segments delivered to the peer and sent by us since
     * the recovery began */
    uint32_t prr_delivered, prr_out;
    /* congestion control (tcp_cong.c) and its private state (Linux icsk_ca_priv) */
    const struct tcp_cong_ops *ca_ops;
    uint64_t ca_priv[12];
    /* the sending discipline and the socket's own settings (tcp_sockopt.c): Nagle and
     * cork (TCP_NAGLE_*), the end of the last small segment sent (Minshall's snd_sml),
     * TCP_MAXSEG (0: none), and
     * TCP_KEEPIDLE/INTVL/CNT (0: the net.ipv4.tcp_keepalive_* sysctls), and whether
     * TCP_CONGESTION chose the algorithm (icsk_ca_setsockopt: children keep it) */
    uint8_t  nonagle;
    bool     ca_setsockopt;
    uint32_t snd_sml;
    uint16_t user_mss;
    int      keepalive_time_ms, keepalive_intvl_ms, keepalive_probes;
    /* urgent data (tcp_urg.c): sending, the pointer while urgent mode lasts (snd_up,
     * Linux's urg_mode is snd_up != snd_una); receiving, the urgent byte's sequence
     * number and its state (TCP_URG_*) */
    bool     snd_urg;
    uint32_t snd_up;
    uint16_t urg_data;
    uint32_t urg_seq;
    /* D-SACK and undo (tcp_dsack.c, tcp_undo.c). Receiving: the duplicate range the next
     * ACK reports first (Linux rx_opt.dsack, duplicate_sack[0]). Sending: where the
     * reduction that may be undone began (undo_marker, valid while undo_armed), the
     * retransmissions not yet reported duplicate (undo_retrans, -1: none yet), ssthresh
     * before it (prior_ssthresh, 0: not undoable), the TSval of its first retransmission
     * (retrans_stamp, while retrans_stamped), the segments D-SACKed in all (dsack_dups),
     * and the timestamp the ACK being processed echoes (rcv_tsecr, while saw_tstamp). */
    bool     dsack, undo_armed, retrans_stamped, saw_tstamp;
    /* F-RTO (RFC 5682) in this Loss episode; this ACK acknowledged data sent before the
     * RTO and never again (Linux FLAG_ORIG_SACK_ACKED), or SACKed anything new */
    bool     frto, frto_orig_acked, frto_sacked;
    struct tcp_sack_block duplicate_sack;
    uint32_t undo_marker, prior_ssthresh, retrans_stamp, dsack_dups, rcv_tsecr;
    int32_t  undo_retrans;
};
static inline struct tcp_sock *tcp_sk(struct sock *sk) { return container_of(sk, struct tcp_sock, sk); }
static inline const struct tcp_sock *tcp_csk(const struct sock *sk) { return container_of(sk, const struct tcp_sock, sk); }

/* What tcp_v4_rcv hands to the state machine: the header checked, the options parsed. */
struct tcp_seg {
    const uint8_t *th;
    uint32_t seq, end_seq, ack;
    uint32_t saddr, daddr;
    uint16_t sport, dport, win;
    uint8_t  flags;
    uint32_t len;                   /* payload bytes (p->data is at the payload) */
    uint32_t tw_isn;                /* a SYN that ended a TIME_WAIT: the ISN to answer with */
    struct tcp_opts opt;
};

/* The addresses and ports of a SYN, as a SYN cookie's hash takes them. */
struct tcp_cookie_tuple { uint32_t saddr, daddr; uint16_t sport, dport; };

/* Per namespace (net_generic): the tables. */
struct tcp_net {
    struct tcp_sock *ehash[TCP_EHASH_SIZE];     /* every socket with a peer */
    struct tcp_sock *lhash[TCP_BHASH_SIZE];     /* listeners, by port */
    struct tcp_sock *bhash[TCP_BHASH_SIZE];     /* every socket holding a port */
    uint64_t isn_key[2];                        /* RFC 6528's secret key (seeded) */
    uint32_t ehash_secret;                      /* the table hash's key, from isn_key */
    bool     key_set;
    uint64_t challenge_window_s;                /* the second the budget is for */
    unsigned challenge_count;                   /* challenge ACKs left in it */
    bool     challenge_budget_set;
    /* tcp_sysctl.c */
    int syn_retries, synack_retries, retries2, fin_timeout_ms, max_syn_backlog, somaxconn;
    int challenge_ack_limit, invalid_ratelimit_ms;
    int keepalive_time_ms, keepalive_intvl_ms, keepalive_probes;   /* net.ipv4.tcp_keepalive_* */
    int syncookies;                                                 /* net.ipv4.tcp_syncookies */
    int rmem[3], wmem[3];           /* net.ipv4.tcp_rmem, tcp_wmem: min, default, max */
    int moderate_rcvbuf;            /* net.ipv4.tcp_moderate_rcvbuf */
    int rfc1337, tw_reuse, tw_reuse_delay_ms;       /* TIME_WAIT (tcp_timewait.c) */
    int recovery, early_retrans;    /* net.ipv4.tcp_recovery, tcp_early_retrans (tcp_rack.c) */
    int dsack;                      /* net.ipv4.tcp_dsack: send D-SACKs (tcp_dsack.c) */
    int frto;                       /* net.ipv4.tcp_frto: F-RTO after an RTO (tcp_undo.c) */
};
struct tcp_net *tcp_net(const struct net *net);
const struct tcp_net *tcp_net_sysctls(const struct net *net);     /* no key drawn */

/* tcp_ipv4.c */
void tcp_ehash_add(struct tcp_sock *tp);
void tcp_lhash_add(struct tcp_sock *tp);
void tcp_unhash(struct sock *sk);
int  tcp_get_port(struct sock *sk, uint16_t port);
void tcp_bhash_add(struct tcp_sock *tp, uint16_t port);
/* The keyed hash of a SYN cookie (cookie_hash): c 0 or 1, count the minute. */
uint32_t tcp_cookie_hash(struct net *net, const struct tcp_cookie_tuple *t, uint32_t count, int c);
uint32_t tcp_v4_init_seq(struct net *net, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport);
/* RST in answer to seg (RFC 9293 §3.10.7.1, Linux tcp_v4_send_reset). */
void tcp_v4_send_reset(struct net *net, const struct tcp_seg *seg);
/* __inet_lookup_established: the socket of a segment from saddr:sport to daddr:dport. */
struct tcp_sock *tcp_lookup_established(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
unsigned tcp_ehash_longest_chain(struct net *net);
/* __inet_lookup_listener: the listener a segment to daddr:dport goes to. */
struct tcp_sock *tcp_lookup_listener(struct net *net, uint32_t daddr, uint16_t dport);
/* inet_hash_connect: the local port of a connect() (sk's remote set), and its ehash
 * entry; *isn non-zero when a TIME_WAIT connection was taken over. */
int  tcp_v4_hash_connect(struct sock *sk, uint32_t *isn);

/* tcp_input.c */
void tcp_rcv_state_process(struct sock *sk, struct pkt *p, struct tcp_seg *seg);
/* The options a peer's SYN brought, and the receive sequence space it opens. */
void tcp_negotiate_syn(struct tcp_sock *tp, const struct tcp_seg *seg);
void tcp_listen_rcv(struct sock *sk, struct pkt *p, struct tcp_seg *seg);

/* tcp_err.c */
void tcp_v4_err(struct net *net, int type, int code, uint32_t info, const uint8_t *quoted, size_t qlen);
void tcp_sync_mss(struct tcp_sock *tp, uint32_t pmtu);

/* tcp_keepalive.c */
void tcp_keepalive_net_init(struct net *net, struct tcp_net *tn);
void tcp_probe_timers_init(struct tcp_sock *tp);
void tcp_probe_timers_stop(struct tcp_sock *tp);
void tcp_check_probe_timer(struct tcp_sock *tp);    /* after tcp_write_xmit */
void tcp_ack_probe(struct tcp_sock *tp);            /* every acceptable ACK */
void tcp_set_keepalive(struct sock *sk, bool on);  /* SO_KEEPALIVE (proto.keepalive) */
void tcp_keepalive_reset(struct tcp_sock *tp);      /* the idle clock from now */
/* keepalive_time_when, _intvl_when, keepalive_probes: TCP_KEEP* or the sysctls */
int  tcp_keepalive_time_ms(const struct tcp_sock *tp);
int  tcp_keepalive_intvl_ms(const struct tcp_sock *tp);
int  tcp_keepalive_probes(const struct tcp_sock *tp);

/* tcp_paws.c */
bool tcp_paws_check(const struct tcp_sock *tp, uint32_t tsval, int32_t win);
bool tcp_paws_reject(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg);
void tcp_replace_ts_recent(struct tcp_sock *tp, const struct tcp_seg *seg);

/* tcp_timewait.c */
void tcp_timewait_net_init(struct net *net, struct tcp_net *tn);
void tcp_timewait_rcv(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg);
bool tcp_twsk_unique(struct tcp_sock *tp, const struct tcp_sock *tw, bool port_search, uint32_t *isn);

/* tcp_syncookies.c */
void tcp_syncookies_net_init(struct net *net, struct tcp_net *tn);
uint32_t tcp_syn_cookie_make(struct net *net, const struct tcp_cookie_tuple *t, uint32_t sseq, uint32_t count, uint32_t data);
uint32_t tcp_syn_cookie_check(struct net *net, const struct tcp_cookie_tuple *t, uint32_t cookie, uint32_t sseq, uint32_t count);
unsigned tcp_cookie_mss_index(uint16_t mss);
uint32_t tcp_cookie_init_timestamp(uint32_t ts_now, bool wscale_ok, uint8_t wscale, bool sack_ok);
void tcp_cookie_timestamp_decode(uint32_t tsecr, struct tcp_opts *o);
bool tcp_want_cookie(struct tcp_sock *lp, bool backlog_full);
void tcp_syncookie_send(struct tcp_sock *lp, const struct tcp_seg *seg);
bool tcp_syncookie_check(struct tcp_sock *lp, struct pkt *p, struct tcp_seg *seg);

/* tcp_output.c */
/* __tcp_push_pending_frames: tcp_write_xmit under that Nagle/cork setting (tcp_write_xmit
 * uses tp->nonagle); tcp_push: the end of a sendmsg (MSG_MORE corks it, MSG_OOB marks
 * the urgent byte) */
void tcp_push_pending(struct tcp_sock *tp, unsigned nonagle);
void tcp_push(struct tcp_sock *tp, int flags);
void tcp_v4_send_synack_stateless(struct tcp_sock *lp, const struct tcp_seg *seg, uint32_t isn, const struct tcp_opts *peer);
void tcp_send_ack_at(struct tcp_sock *tp, uint32_t seq);
int  tcp_fragment(struct tcp_sock *tp, struct pkt *p, uint32_t len);
int  tcp_transmit_skb(struct tcp_sock *tp, struct pkt *p);
void tcp_write_xmit(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_syn(struct tcp_sock *tp);         /* SYN or SYN-ACK by state */
void tcp_send_fin(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
/* tcp_sysctl.c */
void tcp_sysctl_net_init(struct net *net, struct tcp_net *tn);
void tcp_send_challenge_ack(struct tcp_sock *tp);
/* The per-socket limit of ACKs to refused segments; true: skip this one (counted). */
bool tcp_oow_rate_limited(struct tcp_sock *tp, const struct tcp_seg *seg, enum mib_id mib);
void tcp_retransmit_head(struct tcp_sock *tp);
uint32_t tcp_select_window(struct tcp_sock *tp);
void tcp_queue_tail(struct tcp_sock *tp, struct pkt *p);
/* Cut p after len payload bytes; the rest becomes the next packet (marks copied). */
int  tcp_fragment(struct tcp_sock *tp, struct pkt *p, uint32_t len);

/* tcp_timer.c */
/* Our TSval clock (tcp_time_stamp_ts): milliseconds of the stack's clock. */
uint32_t tcp_time_stamp(const struct net *net);
uint32_t tcp_rtt_tsopt_us(const struct tcp_sock *tp, uint32_t tsecr);
void tcp_init_timers(struct tcp_sock *tp);
void tcp_stop_timers(struct tcp_sock *tp);
void tcp_rearm_rto(struct tcp_sock *tp);
void tcp_rtt_estimator(struct tcp_sock *tp, uint32_t rtt_us);
void tcp_schedule_delack(struct tcp_sock *tp);
void tcp_time_wait(struct tcp_sock *tp);
/* Give up (tcp_write_err): the last soft error or ETIMEDOUT, then tcp_done. */
void tcp_write_err(struct tcp_sock *tp);

/* tcp_input.c: in-order payload onto the receive queue (false: no room; held: from
 * the out-of-order queue, already charged, always taken) */
bool tcp_queue_rcv(struct tcp_sock *tp, struct pkt *p, uint32_t seq, bool held);

/* tcp_ofo.c */
void tcp_data_queue_ofo(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg);
bool tcp_ofo_queue(struct tcp_sock *tp);        /* true: the FIN became in order */
void tcp_ofo_purge(struct tcp_sock *tp);
void tcp_sack_new_ofo(struct tcp_sock *tp, uint32_t seq, uint32_t end);
void tcp_sack_remove(struct tcp_sock *tp);

/* tcp_sack.c: the sender's scoreboard */
uint32_t tcp_pcount(const struct tcp_sock *tp, const struct pkt *p);
uint32_t tcp_sacktag(struct tcp_sock *tp, const struct tcp_seg *seg);   /* segments newly SACKed */
void tcp_mark_lost(struct tcp_sock *tp);
uint32_t tcp_scoreboard_count(struct tcp_sock *tp);
uint32_t tcp_pipe(struct tcp_sock *tp);
void tcp_clear_lost_marks(struct tcp_sock *tp);

/* tcp_recovery.c */
bool tcp_is_dupack(const struct tcp_sock *tp, const struct tcp_seg *seg);
/* delivered: with SACK, segments newly SACKed or newly acked and not SACKed before */
void tcp_recovery_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked, uint32_t delivered, bool dup);
void tcp_count_delivered(struct tcp_sock *tp, uint32_t acked, uint32_t sack_delivered, bool dup);
void tcp_recovery_on_rto(struct tcp_sock *tp);

/* tcp_rack.c: RACK-TLP (RFC 8985) */
void tcp_rack_net_init(struct net *net, struct tcp_net *tn);
bool tcp_rack_enabled(const struct tcp_sock *tp);            /* SACK and tcp_recovery & 1 */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_skb_cb *cb);   /* p delivered */
uint32_t tcp_rack_reo_wnd(const struct tcp_sock *tp);
void tcp_rack_update_reo_wnd(struct tcp_sock *tp);           /* tcp_ack, after the scoreboard */
void tcp_rack_dsack_seen(struct tcp_sock *tp, uint32_t end, uint32_t segs);   /* a valid D-SACK */
void tcp_rack_recovery_end(struct tcp_sock *tp, bool dsack_undo);   /* persist -1, or +1 */
bool tcp_rack_mark_lost(struct tcp_sock *tp);                /* per ACK: true if any is lost */
void tcp_process_tlp_ack(struct tcp_sock *tp, const struct tcp_seg *seg, bool advanced);
bool tcp_schedule_loss_probe(struct tcp_sock *tp, bool advancing_rto);
void tcp_rack_ack_timer(struct tcp_sock *tp, bool advanced); /* tcp_ack's end: PTO or RTO */
void tcp_rack_after_xmit(struct tcp_sock *tp);               /* tcp_write_xmit sent data */
bool tcp_rack_timer(struct tcp_sock *tp);                    /* rto_timer fired: TLP or reo */
/* tcp_recovery.c: RACK's timer marked packets lost (tcp_rack_reo_timeout) */
void tcp_recovery_rack_lost(struct tcp_sock *tp);
/* tcp_output.c: one segment of new data whatever cwnd says (the loss probe) */
bool tcp_push_one(struct tcp_sock *tp);
/* tcp_prr.c */
#define TCP_INFINITE_SSTHRESH 0x7fffffff
void tcp_init_cwnd_reduction(struct tcp_sock *tp);
uint32_t tcp_prr_cwnd(struct tcp_sock *tp, uint32_t pipe, uint32_t delivered, bool newly_lost, bool una_advanced);
void tcp_cwnd_reduction(struct tcp_sock *tp, uint32_t delivered, bool newly_lost, bool una_advanced);
void tcp_end_cwnd_reduction(struct tcp_sock *tp);
void tcp_prr_sent(struct tcp_sock *tp, uint32_t segs);      /* after each (re)transmission */
/* tcp_dsack.c: receiving (tcp_dsack_set/extend: [seq,end) came twice; tcp_send_dupack:
 * a duplicate segment's D-SACK and the ACK; tcp_sack_blocks_out: the blocks of the next
 * ACK, D-SACK first), sending (tcp_check_dsack: is the ACK's first block a D-SACK) */
void tcp_dsack_set(struct tcp_sock *tp, uint32_t seq, uint32_t end);
void tcp_dsack_extend(struct tcp_sock *tp, uint32_t seq, uint32_t end);
void tcp_send_dupack(struct tcp_sock *tp, const struct tcp_seg *seg);
unsigned tcp_sack_blocks_out(const struct tcp_sock *tp, struct tcp_sack_block *out);
bool tcp_check_dsack(struct tcp_sock *tp, const struct tcp_seg *seg);

/* tcp_undo.c: entering Recovery or Loss (before ssthresh moves), each retransmission,
 * each ACK (before its SACK blocks: tcp_undo_ack_begin; in Recovery or Open:
 * tcp_undo_ack, true: this ACK does no more recovery work), the end of Recovery or Loss
 * (tcp_try_undo_recovery), a Loss ACK that advances (tcp_try_undo_loss, true: undone) */
void tcp_undo_enter_recovery(struct tcp_sock *tp);
void tcp_undo_enter_loss(struct tcp_sock *tp);
void tcp_undo_note_retrans(struct tcp_sock *tp, uint32_t segs);
void tcp_undo_ack_begin(struct tcp_sock *tp, const struct tcp_seg *seg);
bool tcp_undo_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked);
bool tcp_try_undo_recovery(struct tcp_sock *tp);
bool tcp_try_undo_loss(struct tcp_sock *tp);
/* F-RTO on a Loss ACK (dup: a duplicate ACK); true: it sends new data, not the lost
 * segments (RFC 5682 step 2b), or the RTO was needless and is undone (step 3b). */
bool tcp_frto_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked, bool dup);

/* tcp_rcvbuf.c. The window a buffer holds is half of it (Linux tcp_win_from_space at
 * its default scaling ratio): the rest pays for the packets' own overhead. */
static inline uint32_t tcp_win_from_space(long space) { return space > 0 ? (uint32_t)(space / 2) : 0; }
static inline uint32_t tcp_full_space(const struct sock *sk) { return tcp_win_from_space(sk->rcvbuf); }
static inline uint32_t tcp_space(const struct sock *sk) { return tcp_win_from_space((long)sk->rcvbuf - (long)sk->rmem); }
void tcp_rcvbuf_net_init(struct net *net, struct tcp_net *tn);
uint32_t tcp_initial_window(const struct sock *sk, uint32_t mss, bool wscale_ok, uint32_t *clamp, uint8_t *wscale);
void tcp_select_initial_window(struct tcp_sock *tp, uint32_t mss);
void tcp_init_buffer_space(struct tcp_sock *tp);    /* on reaching ESTABLISHED */
void tcp_rcv_rtt_measure_ts(struct tcp_sock *tp, const struct tcp_seg *seg);
void tcp_rcv_rtt_measure(struct tcp_sock *tp);
void tcp_grow_window(struct tcp_sock *tp, uint32_t truesize, uint32_t len);
void tcp_clamp_window(struct tcp_sock *tp);
void tcp_rcv_space_adjust(struct tcp_sock *tp);     /* after the application read */

/* tcp_input.c: the send buffer follows cwnd (Linux tcp_sndbuf_expand) */
void tcp_sndbuf_expand(struct tcp_sock *tp);

/* tcp_output.c: the window the free buffer allows now (Linux __tcp_select_window) */
uint32_t tcp_window_from_free_space(struct tcp_sock *tp);

/* tcp_cong.c, tcp_cubic.c */
extern const struct tcp_cong_ops tcp_reno, tcp_cubic;
double cubic_k(double w_max, double cwnd_epoch);     /* RFC 9438 eq. 2 (seconds) */
double cubic_w(double t, double k, double w_max);    /* RFC 9438 eq. 1 (segments) */
int  tcp_cong_init(struct stack *st);
const struct tcp_cong_ops *tcp_cong_find(const char *name);
void tcp_cong_init_sock(struct tcp_sock *tp);
void tcp_cong_set(struct tcp_sock *tp, const struct tcp_cong_ops *ops);
void tcp_cong_on_rto(struct tcp_sock *tp);
/* cwnd grows only when it was used: tcp_cwnd_validate after each send, tcp_cong_avoid on ACKs. */
void tcp_cwnd_validate(struct tcp_sock *tp);
void tcp_cong_avoid(struct tcp_sock *tp, uint32_t acked);
uint32_t tcp_slow_start(struct tcp_sock *tp, uint32_t acked);
uint32_t tcp_reno_undo_cwnd(struct tcp_sock *tp);   /* max(cwnd, prior_cwnd) */
void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t w, uint32_t acked);

/* tcp_sockopt.c */
int  tcp_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len);
int  tcp_getsockopt(struct sock *sk, int level, int opt, void *val, size_t *len);
void tcp_sockopt_inherit(struct tcp_sock *child, const struct tcp_sock *lp);   /* accept */

/* tcp_urg.c */
static inline bool tcp_urg_mode(const struct tcp_sock *tp) { return tp->snd_urg; }
void tcp_mark_urg(struct tcp_sock *tp);                     /* MSG_OOB: the last byte written */
void tcp_urg_ack(struct tcp_sock *tp);                      /* snd_una moved */
uint16_t tcp_urg_ptr(const struct tcp_sock *tp, uint32_t seq, uint32_t snd_nxt, bool *urg);
void tcp_urg(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg);
uint32_t tcp_copied_seq(const struct tcp_sock *tp);
uint32_t tcp_urg_clip(const struct tcp_sock *tp, uint32_t seq, uint32_t avail, bool copied, bool *skip);
void tcp_urg_consumed(struct tcp_sock *tp);                 /* after a read */
bool tcp_urg_only_left(const struct tcp_sock *tp);          /* the unread bytes: just it */
long tcp_recv_urg(struct tcp_sock *tp, struct sk_msghdr *msg);

/* tcp.c */
/* Done with n bytes at the head p of the receive queue (p goes when empty). */
void tcp_rq_eat(struct sock *sk, struct pkt *p, size_t n);
void tcp_set_state(struct sock *sk, int state);
/* The connection is over (Linux tcp_done): CLOSE, timers off, unhashed; an orphan is
 * released. sk may be freed on return unless the caller holds it. */
void tcp_done(struct sock *sk);
/* A child finished its handshake: to its listener's accept queue. */
void tcp_child_established(struct tcp_sock *child);
struct tcp_sock *tcp_create_child(struct tcp_sock *lp, const struct tcp_seg *seg);

#endif
