/*
 * tests/tcp/tcp_script.h — the packetdrill-like script runner of test_tcp_script.c, for
 * other scenario files. Their fixture calls tcp_script_setup()/tcp_script_teardown() and
 * takes the fixture from tcp_script_fx() (fx_check.h's `f` is per file).
 */
#ifndef TS_TEST_TCP_SCRIPT_H
#define TS_TEST_TCP_SCRIPT_H
#include "tests/fixture.h"
#include "net/sock.h"
#include "ip/ip_wire.h"
#include <stdio.h>
#include <sys/socket.h>

void run_script(const char *text);
void tcp_script_setup(void);
void tcp_script_teardown(void);
struct fx *tcp_script_fx(void);

/* The fixture and a bare TCP socket beside the scripted connection, for tests that
 * drive a tcp_sock's fields directly (tcp_cong, tcp_prr, tcp_hystart); NULL: none. */
static inline struct sock *tcp_script_setup_sock(void)
{
    int err = 0;
    tcp_script_setup();
    return sock_create(tcp_script_fx()->net, SOCK_STREAM, IPPROTO_TCP, &err);
}
static inline void tcp_script_teardown_sock(struct sock *sk)
{
    if (sk) sock_close(sk);
    tcp_script_teardown();
}

/* The peer's SYN with every option, and what we answer with (test_tcp_script.c). */
#define SYN_OPTS "<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"
#define OUR_SYN_OPTS "<mss 1460,sackOK,TS val * ecr *,wscale 7>"
#define PASSIVE_OPEN \
    "0.000 listen 8080\n" \
    "0.000 < S 0(0) win 65535 " SYN_OPTS "\n" \
    "0.000 > S. 0(0) ack 1 win 65160 " OUR_SYN_OPTS "\n" \
    "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n" \
    "+0 accept\n" \
    "+0 state ESTABLISHED\n"

/* Appends to the script text sc (n bytes so far) the expected lines "+0 > . SEQ(MSS) ack 1"
 * of our data segments first..last of mss bytes each (segment k starts at sequence
 * 1 + mss (k - 1)); segment psh (0: none) carries PSH ("P."), as the last of a write
 * does. Returns the new length; sc must have room (about 40 bytes a line). */
static inline size_t script_out_segs(char *sc, size_t n, int first, int last, unsigned mss, int psh)
{
    for (int k = first; k <= last; k++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", k == psh ? "P." : ".",
                             1 + mss * (unsigned)(k - 1), mss);
    return n;
}

#endif
