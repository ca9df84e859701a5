/*
 * tcp/tcp_wire.h — the TCP header and its options on the wire (RFC 9293 §3.1; options:
 * MSS RFC 9293 §3.2, window scale and timestamps RFC 7323, SACK RFC 2018).
 *
 *   0                   1                   2                   3
 *   | source port                   | destination port              |  0
 *   | sequence number                                               |  4
 *   | acknowledgment number                                         |  8
 *   | doff  | rsv |C|E|U|A|P|R|S|F  | window                        | 12
 *   | checksum                      | urgent pointer                | 16
 *   | options (doff * 4 - 20 bytes)                                 | 20
 *
 * tcp_parse_options() is the one reader of option bytes: every length is checked before
 * a byte is read (Linux tcp_parse_options), and a malformed list is reported, never read
 * past. tcp_build_options() writes what struct tcp_opts asks for in Linux's order and
 * padding (tcp_options_write), so our SYNs look like Linux's on the wire.
 */
#ifndef TS_TCP_WIRE_H
#define TS_TCP_WIRE_H
#include "net/types.h"
#include "net/offload.h"        /* TCP_HLEN, TCP_OFF_SEQ/DOFF/FLAGS/CSUM, FIN/PSH/CWR */

#define TCP_OFF_SPORT 0
#define TCP_OFF_DPORT 2
#define TCP_OFF_ACK   8
#define TCP_OFF_WIN   14
#define TCP_OFF_URG   18
#define TCP_OPT_MAX   40        /* doff 15: 60-byte header */

#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10
#define TCP_FLAG_URG 0x20
#define TCP_FLAG_ECE 0x40

/* Option kinds (IANA; RFC 9293 §3.2, RFC 7323, RFC 2018). */
enum { TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WINDOW = 3, TCPOPT_SACK_PERM = 4,
       TCPOPT_SACK = 5, TCPOPT_TIMESTAMP = 8 };
#define TCPOLEN_MSS        4
#define TCPOLEN_WINDOW     3
#define TCPOLEN_SACK_PERM  2
#define TCPOLEN_TIMESTAMP  10
#define TCPOLEN_SACK_BASE  2
#define TCPOLEN_SACK_BLOCK 8
#define TCP_MAX_WSCALE     14   /* RFC 7323 §2.3: a larger shift is used as 14 */
#define TCP_NUM_SACKS      4    /* blocks that fit in 40 bytes of options */

struct tcp_sack_block { uint32_t start, end; };

/* The options of one segment, parsed or to be written. A *_ok flag says the option is
 * present; the value beside it is only meaningful then. */
struct tcp_opts {
    bool     mss_ok, wscale_ok, sack_ok, ts_ok;
    uint16_t mss;
    uint8_t  wscale;            /* parsed: already capped at TCP_MAX_WSCALE */
    uint32_t ts_val, ts_ecr;
    uint8_t  num_sacks;         /* SACK blocks (parse: only in non-SYN segments) */
    struct tcp_sack_block sacks[TCP_NUM_SACKS];
};

/* What is wrong with an option list (Linux silently stops or ignores; we also count). */
enum tcp_opt_err { TCP_OPT_OK = 0, TCP_OPT_TRUNCATED, TCP_OPT_BAD_LEN };

/* Read the options in opt[0..len) (len = doff * 4 - 20). A SYN carries MSS, window
 * scale and SACK-permitted; those kinds in a non-SYN segment are ignored (RFC 7323 §2.2,
 * RFC 2018 §2, Linux's `syn` test). Unknown kinds are skipped by their length. On an
 * error the options read before it are kept and the rest ignored, as Linux's parser. */
enum tcp_opt_err tcp_parse_options(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *o);

/* Write o's options at out in Linux's layout (MSS; SACK_PERM+TS or NOP NOP TS or
 * NOP NOP SACK_PERM; NOP WSCALE; NOP NOP SACK blocks). Returns the length, a multiple
 * of 4 and at most TCP_OPT_MAX; options that do not fit are left out (SACK blocks
 * first). tcp_options_size() is the same length without writing. */
size_t tcp_build_options(uint8_t *out, const struct tcp_opts *o);
size_t tcp_options_size(const struct tcp_opts *o);

/* Header accessors (h: at least TCP_HLEN bytes, checked by the caller). */
static inline uint16_t tcp_sport(const uint8_t *h) { return get_be16(h + TCP_OFF_SPORT); }
static inline uint16_t tcp_dport(const uint8_t *h) { return get_be16(h + TCP_OFF_DPORT); }
static inline uint32_t tcp_seq(const uint8_t *h) { return get_be32(h + TCP_OFF_SEQ); }
static inline uint32_t tcp_ack_seq(const uint8_t *h) { return get_be32(h + TCP_OFF_ACK); }
static inline unsigned tcp_doff(const uint8_t *h) { return (unsigned)(h[TCP_OFF_DOFF] >> 4) * 4; }
static inline uint8_t  tcp_flags(const uint8_t *h) { return h[TCP_OFF_FLAGS]; }
static inline uint16_t tcp_window(const uint8_t *h) { return get_be16(h + TCP_OFF_WIN); }

#endif
