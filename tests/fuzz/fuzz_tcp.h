/*
 * tests/fuzz/fuzz_tcp.h — TCP connections in every state for the receive-path fuzzer,
 * and the fuzz records aimed at them (fuzz_tcp.c describes the record format).
 */
#ifndef TS_TESTS_FUZZ_TCP_H
#define TS_TESTS_FUZZ_TCP_H
#include "net/stack.h"
#include "net/netdev.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_REC_TCP 0x4000         /* the record length word's bit for a TCP record */

/* The prelude: a listener on port 80 and a connection in each state, with the peer
 * 10.0.0.7 (a permanent neighbour on dev). The same every run. */
void fuzz_tcp_setup(struct stack *st, struct net *net, struct netdev *dev);
/* One TCP record: a segment to the socket it names (gso: as a GSO super-frame). */
void fuzz_tcp_record(const uint8_t *rec, size_t len, bool gso);

#endif
