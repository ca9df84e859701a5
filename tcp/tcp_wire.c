/*
 * tcp/tcp_wire.c — TCP options: the checked parser and Linux's layout (see tcp_wire.h;
 * Linux net/ipv4/tcp_input.c tcp_parse_options, tcp_output.c tcp_options_write).
 */
#include "tcp_wire.h"

/* One option of known kind and length (the length byte already checked against what
 * remains): fill o. SYN-only options outside a SYN are ignored. */
static void tcp_parse_one(uint8_t kind, const uint8_t *v, size_t olen, bool syn, struct tcp_opts *o)
{
    switch (kind) {
    case TCPOPT_MSS:
        if (olen == TCPOLEN_MSS && syn) { o->mss_ok = true; o->mss = get_be16(v); }
        break;
    case TCPOPT_WINDOW:
        if (olen == TCPOLEN_WINDOW && syn) {
            o->wscale_ok = true;
            o->wscale = v[0] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : v[0];   /* RFC 7323 §2.3 */
        }
        break;
    case TCPOPT_SACK_PERM:
        if (olen == TCPOLEN_SACK_PERM && syn) o->sack_ok = true;
        break;
    case TCPOPT_TIMESTAMP:
        if (olen == TCPOLEN_TIMESTAMP) { o->ts_ok = true; o->ts_val = get_be32(v); o->ts_ecr = get_be32(v + 4); }
        break;
    case TCPOPT_SACK:
        /* RFC 2018 §3: 2 + 8n bytes; Linux keeps the blocks of non-SYN segments only */
        if (olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_BLOCK && (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK == 0 && !syn) {
            size_t n = (olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;
            for (size_t i = 0; i < n && o->num_sacks < TCP_NUM_SACKS; i++, o->num_sacks++) {
                o->sacks[o->num_sacks].start = get_be32(v + 8 * i);
                o->sacks[o->num_sacks].end = get_be32(v + 8 * i + 4);
            }
        }
        break;
    default:
        break;                  /* unknown: skipped by its length */
    }
}

enum tcp_opt_err tcp_parse_options(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *o)
{
    memset(o, 0, sizeof(*o));
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == TCPOPT_EOL) return TCP_OPT_OK;
        if (kind == TCPOPT_NOP) { i++; continue; }
        if (len - i < 2) return TCP_OPT_TRUNCATED;      /* no room for the length byte */
        size_t olen = opt[i + 1];
        if (olen < 2) return TCP_OPT_BAD_LEN;          /* "silly options": would loop */
        if (olen > len - i) return TCP_OPT_TRUNCATED;  /* runs past the header */
        tcp_parse_one(kind, opt + i + 2, olen, syn, o);
        i += olen;
    }
    return TCP_OPT_OK;
}

static uint8_t *put_nops(uint8_t *p, unsigned n) { while (n--) *p++ = TCPOPT_NOP; return p; }

/* The number of SACK blocks that fit after the other options. */
static unsigned tcp_sacks_fitting(const struct tcp_opts *o, size_t used)
{
    if (!o->num_sacks || used + 4 + TCPOLEN_SACK_BLOCK > TCP_OPT_MAX) return 0;
    unsigned n = (unsigned)((TCP_OPT_MAX - used - 4) / TCPOLEN_SACK_BLOCK);
    return n < o->num_sacks ? n : o->num_sacks;
}

static size_t tcp_options_fixed_size(const struct tcp_opts *o)
{
    size_t n = 0;
    if (o->mss_ok) n += 4;
    if (o->ts_ok) n += 12;                  /* SACK_PERM rides in the TS word's NOPs */
    else if (o->sack_ok) n += 4;
    if (o->wscale_ok) n += 4;
    return n;
}

size_t tcp_options_size(const struct tcp_opts *o)
{
    size_t n = tcp_options_fixed_size(o);
    unsigned k = tcp_sacks_fitting(o, n);
    return k ? n + 4 + (size_t)k * TCPOLEN_SACK_BLOCK : n;     /* NOP NOP kind len + 8 per block */
}

size_t tcp_build_options(uint8_t *out, const struct tcp_opts *o)
{
    uint8_t *p = out;
    if (o->mss_ok) { p[0] = TCPOPT_MSS; p[1] = TCPOLEN_MSS; put_be16(p + 2, o->mss); p += 4; }
    if (o->ts_ok) {
        if (o->sack_ok) { p[0] = TCPOPT_SACK_PERM; p[1] = TCPOLEN_SACK_PERM; p += 2; }
        else p = put_nops(p, 2);
        p[0] = TCPOPT_TIMESTAMP; p[1] = TCPOLEN_TIMESTAMP;
        put_be32(p + 2, o->ts_val); put_be32(p + 6, o->ts_ecr);
        p += 10;
    } else if (o->sack_ok) {
        p = put_nops(p, 2);
        p[0] = TCPOPT_SACK_PERM; p[1] = TCPOLEN_SACK_PERM; p += 2;
    }
    if (o->wscale_ok) { p = put_nops(p, 1); p[0] = TCPOPT_WINDOW; p[1] = TCPOLEN_WINDOW; p[2] = o->wscale; p += 3; }
    unsigned k = tcp_sacks_fitting(o, (size_t)(p - out));
    if (k) {
        p = put_nops(p, 2);
        p[0] = TCPOPT_SACK; p[1] = (uint8_t)(TCPOLEN_SACK_BASE + k * TCPOLEN_SACK_BLOCK); p += 2;
        for (unsigned i = 0; i < k; i++, p += 8) { put_be32(p, o->sacks[i].start); put_be32(p + 4, o->sacks[i].end); }
    }
    return (size_t)(p - out);
}
