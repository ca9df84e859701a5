/*
 * tests/net/test_csum.c — the Internet checksum (net/csum.c): RFC 1071 sums, RFC 1624
 * incremental updates, the RFC 768 pseudo-header. Reference values were computed
 * independently (by hand from the RFCs, or with a separate implementation: fx_csum in
 * tests/fixture.c, which does not call net/csum.c).
 */
#include "net/csum.h"
#include "tests/fixture.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0, folds to ddf2. */
START_TEST(test_csum_rfc1071_example)
{
    static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    ck_assert_uint_eq(csum_partial(b, sizeof(b), 0), 0x2ddf0);
    ck_assert_uint_eq(csum_fold(0x2ddf0), (uint16_t)~0xddf2);
    ck_assert_uint_eq(inet_csum(b, sizeof(b)), 0x220d);
    /* §2(B) byte order independence: swapping the bytes of every word swaps the sum */
    static const uint8_t sw[] = { 0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6 };
    ck_assert_uint_eq(inet_csum(sw, sizeof(sw)), 0x0d22);
}
END_TEST

START_TEST(test_csum_ipv4_header_example)
{
    uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    ck_assert_uint_eq(inet_csum(h, 20), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    ck_assert_uint_eq(inet_csum(h, 20), 0);             /* a correct header sums to zero */
    h[15] ^= 1;
    ck_assert_uint_ne(inet_csum(h, 20), 0);
}
END_TEST

START_TEST(test_csum_odd_length)
{
    static const uint8_t b[] = { 0x01, 0x02, 0x03 };
    static const uint8_t padded[] = { 0x01, 0x02, 0x03, 0x00 };
    ck_assert_uint_eq(inet_csum(b, 3), 0xfbfd);          /* 0x0102 + 0x0300 = 0x0402 */
    ck_assert_uint_eq(inet_csum(b, 3), inet_csum(padded, 4));
    ck_assert_uint_eq(inet_csum(b, 1), (uint16_t)~0x0100);
    /* chaining at an even boundary, odd tail */
    uint8_t x[7] = { 9, 8, 7, 6, 5, 4, 3 };
    ck_assert_uint_eq(csum_fold(csum_partial(x + 4, 3, csum_partial(x, 4, 0))), inet_csum(x, 7));
}
END_TEST

START_TEST(test_csum_all_zero_and_all_ones)
{
    uint8_t z[64] = { 0 }, o[64];
    memset(o, 0xff, sizeof(o));
    ck_assert_uint_eq(inet_csum(z, sizeof(z)), 0xffff);
    ck_assert_uint_eq(inet_csum(z, 0), 0xffff);
    ck_assert_uint_eq(inet_csum(o, sizeof(o)), 0x0000);
    ck_assert_uint_eq(inet_csum(o, 3), 0x00ff);          /* 0xffff + 0xff00 -> 0xff00 */
    ck_assert_uint_eq(csum_fold(0xffffffffu), 0x0000);
    ck_assert_uint_eq(csum_fold(0x0001ffffu), 0xfffe);
    ck_assert_uint_eq(csum_fold(0), 0xffff);
}
END_TEST

START_TEST(test_csum_large_buffers_no_overflow)
{
    size_t n = 128 * 1024 + 1;
    uint8_t *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memset(b, 0xff, n);
    ck_assert_uint_eq(inet_csum(b, 65536), 0);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rnd();
    ck_assert_uint_eq(inet_csum(b, n), fx_csum(b, n));
    ck_assert_uint_eq(inet_csum(b, n - 1), fx_csum(b, n - 1));
    free(b);
}
END_TEST

START_TEST(test_csum_random_matches_reference)
{
    uint8_t b[1600];
    for (int k = 0; k < 2000; k++) {
        size_t len = rnd() % sizeof(b);
        for (size_t i = 0; i < len; i++) b[i] = (uint8_t)rnd();
        ck_assert_msg(inet_csum(b, len) == fx_csum(b, len), "len %zu: 0x%04x vs 0x%04x", len,
                      inet_csum(b, len), fx_csum(b, len));
    }
}
END_TEST

/* RFC 1624 eqn. 3 against a full recomputation, for any 16-bit field of a header. */
START_TEST(test_csum_replace16_equals_recompute)
{
    uint8_t h[20];
    for (int k = 0; k < 200000; k++) {
        for (int i = 0; i < 20; i++) h[i] = (uint8_t)rnd();
        h[0] = 0x45;
        if (k % 1000 == 0) memset(h + 1, 0, 19);         /* mostly-zero headers too */
        put_be16(h + 10, 0);
        put_be16(h + 10, fx_csum(h, 20));
        unsigned w = rnd() % 10;
        if (w == 5) w = 4;                                /* not the checksum word itself */
        uint16_t old = get_be16(h + 2 * w), nw = (uint16_t)rnd();
        if (k % 7 == 0) nw = (uint16_t)(old - 0x0100);   /* TTL decrement, as forwarding */
        uint16_t inc = csum_replace16(get_be16(h + 10), old, nw);
        put_be16(h + 2 * w, nw);
        put_be16(h + 10, 0);
        uint16_t full = fx_csum(h, 20);
        ck_assert_msg(inc == full, "word %u 0x%04x -> 0x%04x: incremental 0x%04x, full 0x%04x", w, old, nw,
                      inc, full);
    }
}
END_TEST

/* Edge: the result must be 0x0000, never 0xffff, when the new sum is all ones. */
START_TEST(test_csum_replace16_zero_result)
{
    uint8_t h[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
    /* pick the ID so that the checksum after TTL 64 -> 63 is 0x0000 */
    for (uint32_t id = 0; id <= 0xffff; id++) {
        put_be16(h + 4, (uint16_t)id);
        h[8] = 63;
        put_be16(h + 10, 0);
        if (fx_csum(h, 20) == 0) break;
    }
    h[8] = 63;
    put_be16(h + 10, 0);
    ck_assert_uint_eq(fx_csum(h, 20), 0);
    h[8] = 64;
    put_be16(h + 10, fx_csum(h, 20));
    uint16_t old = get_be16(h + 8);
    h[8] = 63;
    ck_assert_uint_eq(csum_replace16(get_be16(h + 10), old, get_be16(h + 8)), 0x0000);
}
END_TEST

START_TEST(test_csum_pseudo_header)
{
    /* UDP 192.168.0.1:1234 -> 192.168.0.199:53, "hello": checksum 0x34e2 */
    uint8_t udp[13] = { 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0d, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o' };
    uint32_t s = csum_pseudo(FX_IP(192, 168, 0, 1), FX_IP(192, 168, 0, 199), 17, 13);
    ck_assert_uint_eq(csum_fold(csum_partial(udp, sizeof(udp), s)), 0x34e2);
    put_be16(udp + 6, 0x34e2);
    ck_assert_uint_eq(csum_fold(csum_partial(udp, sizeof(udp), s)), 0);
    /* equals summing an explicit 12-byte pseudo-header, for random values */
    for (int k = 0; k < 10000; k++) {
        uint32_t sa = rnd() << 8 ^ rnd(), da = rnd() << 8 ^ rnd();
        uint8_t proto = (uint8_t)rnd();
        uint16_t len = (uint16_t)rnd();
        uint8_t ph[12];
        put_be32(ph, sa);
        put_be32(ph + 4, da);
        ph[8] = 0;
        ph[9] = proto;
        put_be16(ph + 10, len);
        ck_assert_uint_eq(csum_fold(csum_pseudo(sa, da, proto, len)), fx_csum(ph, 12));
    }
}
END_TEST

Suite *csum_suite(void)
{
    Suite *s = suite_create("csum");
    TCase *tc = tcase_create("csum");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_csum_rfc1071_example);
    tcase_add_test(tc, test_csum_ipv4_header_example);
    tcase_add_test(tc, test_csum_odd_length);
    tcase_add_test(tc, test_csum_all_zero_and_all_ones);
    tcase_add_test(tc, test_csum_large_buffers_no_overflow);
    tcase_add_test(tc, test_csum_random_matches_reference);
    tcase_add_test(tc, test_csum_replace16_equals_recompute);
    tcase_add_test(tc, test_csum_replace16_zero_result);
    tcase_add_test(tc, test_csum_pseudo_header);
    suite_add_tcase(s, tc);
    return s;
}
