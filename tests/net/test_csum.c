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

/* The reference for the tests below: RFC 1071 §4.1's loop, one big-endian 16-bit word at
 * a time, with an incoming partial sum, folded and complemented as csum_fold does (so a
 * sum of nothing but zeros gives 0xffff, any other sum that folds to zero gives 0). */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
    uint64_t s = (sum >> 16) + (sum & 0xffff);
    for (; len >= 2; p += 2, len -= 2) s += (uint32_t)p[0] << 8 | p[1];
    if (len) s += (uint32_t)p[0] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Incoming sums that stress the carries, then random ones. */
static uint32_t pick_sum(unsigned k)
{
    static const uint32_t edge[] = { 0, 1, 0xffff, 0x10000, 0xfffffffe, 0xffffffff };
    return k < sizeof(edge) / sizeof(edge[0]) ? edge[k] : rnd() << 16 ^ rnd();
}

static void fill_random(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rnd();
}

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0, folds to ddf2. */
START_TEST(test_csum_rfc1071_example)
{
    static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    /* a partial sum is defined up to folding (net/csum.h): compare folded values */
    ck_assert_uint_eq(csum_fold(csum_partial(b, sizeof(b), 0)), csum_fold(0x2ddf0));
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

/* Every length 0..2048 at every start alignment 0..7 (the 8-byte loads straddle words),
 * with incoming sums, against the reference. Mostly random bytes; every 16th buffer is
 * all 0xff (the most carries) and every 16th all zero (a zero sum must stay zero). */
START_TEST(test_csum_all_lengths_and_alignments)
{
    static uint8_t b[2048 + 8];
    for (size_t len = 0; len <= 2048; len++) {
        if (len % 16 == 5) memset(b, 0xff, sizeof(b));
        else if (len % 16 == 9) memset(b, 0, sizeof(b));
        else fill_random(b, sizeof(b));
        for (size_t al = 0; al < 8; al++) {
            uint32_t sum = len % 16 == 9 && al == 0 ? 0 : pick_sum((unsigned)(len * 8 + al));
            uint16_t got = csum_fold(csum_partial(b + al, len, sum)), want = ref_csum(b + al, len, sum);
            ck_assert_msg(got == want, "len %zu align %zu sum 0x%08x: 0x%04x, reference 0x%04x", len, al,
                          sum, got, want);
        }
    }
}
END_TEST

/* csum_block_add: a buffer split at every position (odd ones too), the parts summed on
 * their own and combined, equals the whole; and so does a chain of many random pieces. */
START_TEST(test_csum_block_add_every_split)
{
    static uint8_t b[1501];
    fill_random(b, sizeof(b));
    for (size_t len = sizeof(b) - 1; len <= sizeof(b); len++) {        /* even and odd whole */
        uint32_t sum = rnd() << 16 ^ rnd();
        uint16_t whole = csum_fold(csum_partial(b, len, sum));
        ck_assert_uint_eq(whole, ref_csum(b, len, sum));
        for (size_t k = 0; k <= len; k++) {
            uint32_t head = csum_partial(b, k, sum), rest = csum_partial(b + k, len - k, 0);
            ck_assert_msg(csum_fold(csum_block_add(head, rest, k)) == whole, "len %zu split at %zu", len, k);
        }
    }
    for (int run = 0; run < 200; run++) {
        size_t len = rnd() % sizeof(b), off = 0;
        uint32_t acc = 0;
        while (off < len) {
            size_t n = 1 + rnd() % 37;
            if (n > len - off) n = len - off;
            acc = csum_block_add(acc, csum_partial(b + off, n, 0), off);
            off += n;
        }
        ck_assert_uint_eq(csum_fold(acc), ref_csum(b, len, 0));
    }
    /* odd offset by hand: "01 | 02 03" = 0x0102 + 0x0300 = 0x0402 */
    static const uint8_t x[] = { 1, 2, 3 };
    ck_assert_uint_eq(csum_fold(csum_block_add(csum_partial(x, 1, 0), csum_partial(x + 1, 2, 0), 1)),
                      (uint16_t)~0x0402);
}
END_TEST

/* csum_partial_copy copies exactly the bytes asked (nothing before or after dst is
 * touched) and returns what csum_partial returns, at any alignment of either side. */
START_TEST(test_csum_partial_copy)
{
    static uint8_t src[2048 + 8], dst[2048 + 32];
    for (size_t len = 0; len <= 2048; len += (len < 80 ? 1 : 29)) {
        fill_random(src, sizeof(src));
        size_t sa = rnd() % 8, da = rnd() % 8;
        uint32_t sum = pick_sum((unsigned)len);
        memset(dst, 0xa5, sizeof(dst));
        uint32_t got = csum_partial_copy(dst + 8 + da, src + sa, len, sum);
        ck_assert_uint_eq(got, csum_partial(src + sa, len, sum));
        ck_assert_uint_eq(csum_fold(got), ref_csum(src + sa, len, sum));
        ck_assert_int_eq(memcmp(dst + 8 + da, src + sa, len), 0);
        size_t outside = 0;
        for (size_t i = 0; i < sizeof(dst); i++)
            if ((i < 8 + da || i >= 8 + da + len) && dst[i] != 0xa5) outside++;
        ck_assert_msg(outside == 0, "len %zu: %zu bytes written outside dst", len, outside);
    }
}
END_TEST

/* A 64 KiB buffer (the largest IP datagram's order): random and all-ones data, at odd
 * and even starts, with the largest incoming sum; and its copy. */
START_TEST(test_csum_64k)
{
    size_t n = 65536;
    uint8_t *b = malloc(n + 8), *d = malloc(n);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(d);
    fill_random(b, n + 8);
    for (size_t al = 0; al < 8; al++)
        for (size_t len = n - 1; len <= n; len++) {
            uint32_t sum = al & 1 ? 0xffffffff : rnd() << 16 ^ rnd();
            ck_assert_uint_eq(csum_fold(csum_partial(b + al, len, sum)), ref_csum(b + al, len, sum));
        }
    ck_assert_uint_eq(csum_fold(csum_partial_copy(d, b + 3, n, 0)), ref_csum(b + 3, n, 0));
    ck_assert_int_eq(memcmp(d, b + 3, n), 0);
    memset(b, 0xff, n + 8);
    ck_assert_uint_eq(csum_fold(csum_partial(b + 1, n, 0xffffffff)), ref_csum(b + 1, n, 0xffffffff));
    ck_assert_uint_eq(csum_fold(csum_partial(b, n - 1, 0)), ref_csum(b, n - 1, 0));
    free(b);
    free(d);
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
    tcase_add_test(tc, test_csum_all_lengths_and_alignments);
    tcase_add_test(tc, test_csum_block_add_every_split);
    tcase_add_test(tc, test_csum_partial_copy);
    tcase_add_test(tc, test_csum_64k);
    tcase_add_test(tc, test_csum_replace16_equals_recompute);
    tcase_add_test(tc, test_csum_replace16_zero_result);
    tcase_add_test(tc, test_csum_pseudo_header);
    suite_add_tcase(s, tc);
    return s;
}
