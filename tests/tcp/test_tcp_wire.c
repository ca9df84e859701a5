/*
 * tests/tcp/test_tcp_wire.c — sequence arithmetic at the wrap (tcp/tcp_seq.h) and the
 * option parser and writer (tcp/tcp_wire.c): every option kind, Linux's layout byte for
 * byte, and malformed lists (truncated, zero or one length, running past the header,
 * SYN-only options outside a SYN, oversized window scale).
 */
#include "tcp/tcp_seq.h"
#include "tcp/tcp_wire.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_seq_wrap)
{
    ck_assert(seq_before(0xfffffff0u, 0x10u));          /* across the wrap */
    ck_assert(seq_after(0x10u, 0xfffffff0u));
    ck_assert(!seq_before(0x10u, 0xfffffff0u));
    ck_assert(seq_before(1, 2) && !seq_before(2, 2) && seq_before_eq(2, 2));
    ck_assert(seq_after_eq(0, 0xffffffffu) && !seq_after_eq(0xffffffffu, 0));
    ck_assert(seq_before(0x7fffffffu, 0xfffffffeu));     /* 2^31 - 1 apart: still ordered */
    ck_assert_uint_eq(seq_max(0xffffffffu, 5), 5);
    ck_assert_uint_eq(seq_min(0xffffffffu, 5), 0xffffffffu);
}
END_TEST

START_TEST(test_seq_between_wrap)
{
    ck_assert(seq_between(0, 0xfffffff0u, 0x10u));
    ck_assert(seq_between(0xfffffff0u, 0xfffffff0u, 0x10u));
    ck_assert(seq_between(0x10u, 0xfffffff0u, 0x10u));
    ck_assert(!seq_between(0x11u, 0xfffffff0u, 0x10u));
    ck_assert(!seq_between(0xffffffefu, 0xfffffff0u, 0x10u));
    ck_assert(seq_between(7, 7, 7) && !seq_between(8, 7, 7));
}
END_TEST

/* Linux's SYN: mss 1460, sackOK, TS val 1 ecr 0, nop, wscale 7 — 20 bytes as tcpdump shows. */
static const uint8_t linux_syn_opts[20] = {
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

START_TEST(test_build_linux_syn_layout)
{
    struct tcp_opts o = { .mss_ok = true, .mss = 1460, .sack_ok = true, .ts_ok = true, .ts_val = 1,
                          .wscale_ok = true, .wscale = 7 };
    uint8_t out[TCP_OPT_MAX];
    ck_assert_uint_eq(tcp_options_size(&o), 20);
    ck_assert_uint_eq(tcp_build_options(out, &o), 20);
    ck_assert_mem_eq(out, linux_syn_opts, 20);
}
END_TEST

START_TEST(test_build_without_ts)
{
    /* no timestamps: mss, nop nop sackOK, nop wscale */
    struct tcp_opts o = { .mss_ok = true, .mss = 536, .sack_ok = true, .wscale_ok = true, .wscale = 2 };
    static const uint8_t want[] = { 2, 4, 2, 24, 1, 1, 4, 2, 1, 3, 3, 2 };
    uint8_t out[TCP_OPT_MAX];
    ck_assert_uint_eq(tcp_build_options(out, &o), sizeof(want));
    ck_assert_mem_eq(out, want, sizeof(want));
    /* an established segment: nop nop TS */
    struct tcp_opts e = { .ts_ok = true, .ts_val = 0x01020304, .ts_ecr = 0x0a0b0c0d };
    static const uint8_t want_e[] = { 1, 1, 8, 10, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d };
    ck_assert_uint_eq(tcp_build_options(out, &e), 12);
    ck_assert_mem_eq(out, want_e, 12);
}
END_TEST

START_TEST(test_sack_blocks_fit)
{
    /* with timestamps (12 bytes) at most 3 blocks fit in 40; without, 4 */
    struct tcp_opts o = { .ts_ok = true, .num_sacks = 4 };
    for (unsigned i = 0; i < 4; i++) { o.sacks[i].start = 1000 * i; o.sacks[i].end = 1000 * i + 500; }
    uint8_t out[TCP_OPT_MAX];
    ck_assert_uint_eq(tcp_build_options(out, &o), 12 + 4 + 24);
    ck_assert_uint_eq(tcp_options_size(&o), 40);
    struct tcp_opts back;
    ck_assert_int_eq(tcp_parse_options(out, 40, false, &back), TCP_OPT_OK);
    ck_assert(back.ts_ok);
    ck_assert_uint_eq(back.num_sacks, 3);
    ck_assert_uint_eq(back.sacks[2].start, 2000);
    ck_assert_uint_eq(back.sacks[2].end, 2500);
    o.ts_ok = false;
    ck_assert_uint_eq(tcp_build_options(out, &o), 36);
    ck_assert_int_eq(tcp_parse_options(out, 36, false, &back), TCP_OPT_OK);
    ck_assert_uint_eq(back.num_sacks, 4);
}
END_TEST

START_TEST(test_parse_linux_syn)
{
    struct tcp_opts o;
    ck_assert_int_eq(tcp_parse_options(linux_syn_opts, 20, true, &o), TCP_OPT_OK);
    ck_assert(o.mss_ok && o.mss == 1460);
    ck_assert(o.sack_ok && o.ts_ok && o.ts_val == 1 && o.ts_ecr == 0);
    ck_assert(o.wscale_ok && o.wscale == 7);
    /* the same bytes on a non-SYN segment: only the timestamp counts */
    ck_assert_int_eq(tcp_parse_options(linux_syn_opts, 20, false, &o), TCP_OPT_OK);
    ck_assert(!o.mss_ok && !o.sack_ok && !o.wscale_ok && o.ts_ok);
}
END_TEST

START_TEST(test_parse_malformed)
{
    struct tcp_opts o;
    /* a kind with no length byte at the end */
    static const uint8_t trunc1[] = { 1, 1, 1, 2 };
    ck_assert_int_eq(tcp_parse_options(trunc1, 4, true, &o), TCP_OPT_TRUNCATED);
    /* a length running past the options */
    static const uint8_t past[] = { 2, 4, 5, 0xb4, 8, 10, 0, 0 };
    ck_assert_int_eq(tcp_parse_options(past, 8, true, &o), TCP_OPT_TRUNCATED);
    ck_assert(o.mss_ok && o.mss == 0x05b4);                 /* what came before is kept */
    ck_assert(!o.ts_ok);
    /* lengths 0 and 1 would never advance */
    static const uint8_t zero[] = { 30, 0, 1, 1 }, one[] = { 30, 1, 1, 1 };
    ck_assert_int_eq(tcp_parse_options(zero, 4, true, &o), TCP_OPT_BAD_LEN);
    ck_assert_int_eq(tcp_parse_options(one, 4, true, &o), TCP_OPT_BAD_LEN);
    /* wrong lengths for known kinds are skipped, not read */
    static const uint8_t badlen[] = { 2, 3, 5, 4, 3, 1, 8, 2 };     /* MSS len 3, SACK_PERM len 3... */
    ck_assert_int_eq(tcp_parse_options(badlen, 8, true, &o), TCP_OPT_OK);
    ck_assert(!o.mss_ok && !o.sack_ok && !o.ts_ok);
    /* SACK with a length that is not 2 + 8n is ignored */
    static const uint8_t badsack[] = { 5, 6, 0, 0, 0, 1, 1, 1 };
    ck_assert_int_eq(tcp_parse_options(badsack, 8, false, &o), TCP_OPT_OK);
    ck_assert_uint_eq(o.num_sacks, 0);
    /* EOL ends the list even if bytes follow */
    static const uint8_t eol[] = { 0, 2, 4, 5, 0xb4 };
    ck_assert_int_eq(tcp_parse_options(eol, 5, true, &o), TCP_OPT_OK);
    ck_assert(!o.mss_ok);
    /* unknown kind skipped by its length */
    static const uint8_t unk[] = { 99, 4, 0xff, 0xff, 3, 3, 9, 0 };
    ck_assert_int_eq(tcp_parse_options(unk, 8, true, &o), TCP_OPT_OK);
    ck_assert(o.wscale_ok && o.wscale == 9);
    ck_assert_int_eq(tcp_parse_options(unk, 0, true, &o), TCP_OPT_OK);   /* empty */
}
END_TEST

START_TEST(test_parse_wscale_capped)
{
    /* RFC 7323 §2.3: a shift above 14 is used as 14 */
    static const uint8_t ws[] = { 1, 3, 3, 200 };
    struct tcp_opts o;
    ck_assert_int_eq(tcp_parse_options(ws, 4, true, &o), TCP_OPT_OK);
    ck_assert(o.wscale_ok);
    ck_assert_uint_eq(o.wscale, 14);
}
END_TEST

START_TEST(test_parse_every_prefix_is_safe)
{
    /* every truncation of a full option list parses without reading past its length
     * (ASan checks: the copy is exactly n bytes long) */
    struct tcp_opts o = { .ts_ok = true, .num_sacks = 3, .sack_ok = false };
    uint8_t full[TCP_OPT_MAX];
    size_t len = tcp_build_options(full, &o);
    for (size_t n = 0; n <= len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, full, n);
        struct tcp_opts back;
        enum tcp_opt_err e = tcp_parse_options(cut, n, false, &back);
        ck_assert(n == len ? e == TCP_OPT_OK : 1);
        free(cut);
    }
}
END_TEST

Suite *tcp_wire_suite(void)
{
    Suite *s = suite_create("tcp_wire");
    TCase *tc = tcase_create("seq");
    tcase_add_test(tc, test_seq_wrap);
    tcase_add_test(tc, test_seq_between_wrap);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_build_linux_syn_layout);
    tcase_add_test(tc, test_build_without_ts);
    tcase_add_test(tc, test_sack_blocks_fit);
    tcase_add_test(tc, test_parse_linux_syn);
    tcase_add_test(tc, test_parse_malformed);
    tcase_add_test(tc, test_parse_wscale_capped);
    tcase_add_test(tc, test_parse_every_prefix_is_safe);
    suite_add_tcase(s, tc);
    return s;
}
