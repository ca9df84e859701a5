/*
 * tests/shell/test_pcap_file.c — the replay's pcap reader (shell/pcap_file.c): both byte
 * orders, micro- and nanosecond timestamps, and every malformed file refused with a
 * message, never read past its end.
 */
#include "shell/pcap_file.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/tsu-pcapXXXXXX";

static void put32(uint8_t *p, uint32_t v, int swap) { if (swap) v = __builtin_bswap32(v); memcpy(p, &v, 4); }

/* A file of n records of len bytes each (record i filled with i), magic/linktype given. */
static size_t build(uint8_t *b, uint32_t magic, uint32_t linktype, int swap, int n, uint32_t len)
{
    put32(b, magic, swap);
    memset(b + 4, 0, 12);
    put32(b + 16, 65535, swap);
    put32(b + 20, linktype, swap);
    size_t off = 24;
    for (int i = 0; i < n; i++) {
        put32(b + off, 1700000000u + (uint32_t)i, swap);
        put32(b + off + 4, 123456u, swap);
        put32(b + off + 8, len, swap);
        put32(b + off + 12, len, swap);
        memset(b + off + 16, i, len);
        off += 16 + len;
    }
    return off;
}

static int load(const uint8_t *b, size_t n, struct pcap_file *pf, char *err)
{
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
    close(fd);
    int rc = pcap_file_load(pf, path, err, 256);
    unlink(path);
    strcpy(path, "/tmp/tsu-pcapXXXXXX");
    return rc;
}

START_TEST(test_pcap_file_orders_and_units)
{
    static uint8_t b[4096];
    char err[256];
    for (int swap = 0; swap < 2; swap++) {
        for (int ns = 0; ns < 2; ns++) {
            struct pcap_file pf;
            size_t n = build(b, ns ? 0xa1b23c4du : 0xa1b2c3d4u, 1, swap, 3, 60);
            ck_assert_int_eq(load(b, n, &pf, err), 0);
            ck_assert_uint_eq(pf.n, 3);
            ck_assert_uint_eq(pf.recs[2].len, 60);
            ck_assert_uint_eq(pf.recs[2].data[59], 2);
            ck_assert_uint_eq(pf.recs[1].t_us, 1700000001ull * 1000000 + (ns ? 123 : 123456));
            pcap_file_free(&pf);
        }
    }
}
END_TEST

START_TEST(test_pcap_file_refuses_bad_files)
{
    static uint8_t b[4096];
    char err[256];
    struct pcap_file pf;
    size_t n = build(b, 0xa1b2c3d4u, 1, 0, 2, 100);
    /* every cut inside the records: a truncated record, never a read past the end */
    for (size_t cut = 25; cut < n; cut++) {
        if (cut == 24 + 116) continue;                      /* a whole first record */
        ck_assert_int_eq(load(b, cut, &pf, err), -1);
        ck_assert_ptr_nonnull(strstr(err, "truncated record"));
    }
    ck_assert_int_eq(load(b, 24 + 116, &pf, err), 0);
    ck_assert_uint_eq(pf.n, 1);
    pcap_file_free(&pf);
    ck_assert_int_eq(load(b, 10, &pf, err), -1);            /* shorter than its header */
    ck_assert_ptr_nonnull(strstr(err, "unknown file format"));
    n = build(b, 0x12345678u, 1, 0, 1, 10);
    ck_assert_int_eq(load(b, n, &pf, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown file format"));
    n = build(b, 0xa1b2c3d4u, 113, 0, 1, 10);               /* Linux cooked, not Ethernet */
    ck_assert_int_eq(load(b, n, &pf, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not an Ethernet capture"));
    n = build(b, 0xa1b2c3d4u, 1, 0, 1, 10);
    put32(b + 24 + 8, 0x7fffffffu, 0);                      /* a huge caplen */
    ck_assert_int_eq(load(b, n, &pf, err), -1);
    ck_assert_int_eq(pcap_file_load(&pf, "/nonexistent/x.pcap", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

Suite *pcap_file_suite(void)
{
    Suite *s = suite_create("pcap_file");
    TCase *tc = tcase_create("pcap_file");
    tcase_add_test(tc, test_pcap_file_orders_and_units);
    tcase_add_test(tc, test_pcap_file_refuses_bad_files);
    suite_add_tcase(s, tc);
    return s;
}
