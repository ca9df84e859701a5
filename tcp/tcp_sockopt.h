/*
 * tcp/tcp_sockopt.h — TCP's socket options for applications (Linux
 * include/uapi/linux/tcp.h): the SOL_TCP option names with Linux's values, and
 * struct ts_tcp_info, laid out as Linux's struct tcp_info (TCP_INFO) up to tcpi_rcv_wnd.
 * Fields the stack does not keep stay 0 (pacing, delivery rate, busy times, D-SACK...).
 *
 *   setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof one)    via ts_setsockopt or
 *   sock_setsockopt_level; getsockopt(TCP_INFO) copies min(len, sizeof) bytes.
 */
#ifndef TS_TCP_SOCKOPT_H
#define TS_TCP_SOCKOPT_H
#include <stddef.h>
#include <stdint.h>

#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef TCP_NODELAY
#define TCP_NODELAY    1
#define TCP_MAXSEG     2
#define TCP_CORK       3
#define TCP_KEEPIDLE   4
#define TCP_KEEPINTVL  5
#define TCP_KEEPCNT    6
#define TCP_INFO       11
#define TCP_CONGESTION 13
#endif
#define TS_TCP_CA_NAME_MAX 16                /* Linux TCP_CA_NAME_MAX */
#define TS_TCPI_OPT_TIMESTAMPS 1
#define TS_TCPI_OPT_SACK       2
#define TS_TCPI_OPT_WSCALE     4

struct ts_tcp_info {
    uint8_t  tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff, tcpi_options;
    uint8_t  tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
    uint8_t  tcpi_delivery_rate_app_limited : 1, tcpi_fastopen_client_fail : 2;
    uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;                 /* µs, bytes */
    uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;   /* segments */
    uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;  /* ms ago */
    uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar;           /* rtt, rttvar: µs */
    uint32_t tcpi_snd_ssthresh, tcpi_snd_cwnd, tcpi_advmss, tcpi_reordering;
    uint32_t tcpi_rcv_rtt, tcpi_rcv_space;
    uint32_t tcpi_total_retrans;
    uint64_t tcpi_pacing_rate, tcpi_max_pacing_rate;
    uint64_t tcpi_bytes_acked, tcpi_bytes_received;
    uint32_t tcpi_segs_out, tcpi_segs_in;
    uint32_t tcpi_notsent_bytes, tcpi_min_rtt, tcpi_data_segs_in, tcpi_data_segs_out;
    uint64_t tcpi_delivery_rate;
    uint64_t tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
    uint32_t tcpi_delivered, tcpi_delivered_ce;
    uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;
    uint32_t tcpi_dsack_dups, tcpi_reord_seen;
    uint32_t tcpi_rcv_ooopack;
    uint32_t tcpi_snd_wnd, tcpi_rcv_wnd;                                     /* bytes */
};

struct tcp_sock;
struct sock;
/* TCP_INFO's struct for a socket (tcp_sockopt.c, Linux tcp_get_info). */
void tcp_fill_info(const struct tcp_sock *tp, struct ts_tcp_info *ti);
/* What ss shows (tcp_diag.c): Recv-Q/Send-Q, and the `ss -i` line (flags: SOCK_INFO_*). */
void tcp_get_queues(const struct sock *sk, unsigned *rq, unsigned *sq);
int tcp_get_info(const struct sock *sk, char *buf, size_t len, unsigned flags);

#endif
