/*
 * tests/tcp/test_tcp_info_layout.c — struct ts_tcp_info (TCP_INFO) has Linux's layout:
 * every field the system's <linux/tcp.h> has sits at the same offset with the same
 * size. Checked when the tests are built (a mismatch does not compile); nothing runs.
 */
#include <linux/tcp.h>
#include <stddef.h>
#include "tcp/tcp_sockopt.h"

#define SAME(f) \
    _Static_assert(offsetof(struct ts_tcp_info, f) == offsetof(struct tcp_info, f) && \
                   sizeof(((struct ts_tcp_info *)0)->f) == sizeof(((struct tcp_info *)0)->f), #f " as Linux");
SAME(tcpi_state) SAME(tcpi_ca_state) SAME(tcpi_retransmits) SAME(tcpi_probes) SAME(tcpi_backoff)
SAME(tcpi_options) SAME(tcpi_rto) SAME(tcpi_ato) SAME(tcpi_snd_mss) SAME(tcpi_rcv_mss)
SAME(tcpi_unacked) SAME(tcpi_sacked) SAME(tcpi_lost) SAME(tcpi_retrans) SAME(tcpi_fackets)
SAME(tcpi_last_data_sent) SAME(tcpi_last_ack_sent) SAME(tcpi_last_data_recv) SAME(tcpi_last_ack_recv)
SAME(tcpi_pmtu) SAME(tcpi_rcv_ssthresh) SAME(tcpi_rtt) SAME(tcpi_rttvar) SAME(tcpi_snd_ssthresh)
SAME(tcpi_snd_cwnd) SAME(tcpi_advmss) SAME(tcpi_reordering) SAME(tcpi_rcv_rtt) SAME(tcpi_rcv_space)
SAME(tcpi_total_retrans) SAME(tcpi_pacing_rate) SAME(tcpi_max_pacing_rate) SAME(tcpi_bytes_acked)
SAME(tcpi_bytes_received) SAME(tcpi_segs_out) SAME(tcpi_segs_in) SAME(tcpi_notsent_bytes)
SAME(tcpi_min_rtt) SAME(tcpi_data_segs_in) SAME(tcpi_data_segs_out) SAME(tcpi_delivery_rate)
SAME(tcpi_busy_time) SAME(tcpi_rwnd_limited) SAME(tcpi_sndbuf_limited) SAME(tcpi_delivered)
SAME(tcpi_delivered_ce) SAME(tcpi_bytes_sent) SAME(tcpi_bytes_retrans) SAME(tcpi_dsack_dups)
SAME(tcpi_reord_seen) SAME(tcpi_rcv_ooopack) SAME(tcpi_snd_wnd)
/* the byte of the two 4-bit window scales: snd in the low nibble, as Linux's bitfield */
_Static_assert(offsetof(struct ts_tcp_info, tcpi_rto) == offsetof(struct tcp_info, tcpi_rto), "the bitfields take 2 bytes");
