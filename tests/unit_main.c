/*
 * tests/unit_main.c — runs every Check suite (one per source file under test).
 * Each tests/<folder>/test_<file>.c exports <file>_suite(). CK_FORK (Check's default)
 * isolates crashes to one test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITES(X) \
    X(fib) X(ip_fragment) X(cmd_ip) X(decode) X(neigh) X(arp) X(ip_input) X(icmp) \
    X(csum) X(timer) X(cmd) X(udp) X(pkt) X(pkt_share) X(sock) X(pernet) X(link) \
    X(fib_frontend) X(devinet) X(neigh_admin) X(stack) X(offload) X(cmd_ethtool) X(cmd_tc) X(sch) X(pcap_file) X(veth) X(bridge) X(br_stp_if) X(netns) X(vxlan) X(trace) X(cmd_trace) X(tcp_wire) X(tcp_script) X(tcp_extra) X(tcp_ofo) X(tcp_cong) X(tcp_recovery) X(tcp_rcvbuf) X(tcp_timewait) X(tcp_scale) X(tcp_opts) X(tcp_rack) X(tcp_prr) X(tcp_hystart) X(tcp_undo)

/* Weak while suites are being written in parallel; a missing one is reported, and the
 * run fails, so nothing is skipped silently. */
#define DECLARE(n) Suite *n##_suite(void) __attribute__((weak));
SUITES(DECLARE)

int main(void)
{
    struct { const char *name; Suite *(*fn)(void); } suites[] = {
#define ENTRY(n) { #n, n##_suite },
        SUITES(ENTRY)
    };
    SRunner *sr = NULL;
    int missing = 0;
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (!suites[i].fn) { fprintf(stderr, "unit: suite %s is missing\n", suites[i].name); missing++; continue; }
        if (!sr) sr = srunner_create(suites[i].fn());
        else srunner_add_suite(sr, suites[i].fn());
    }
    if (!sr) return 1;
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed || missing) ? EXIT_FAILURE : EXIT_SUCCESS;
}
