/*
 * net/stream.h — the stream socket type (Linux inet_stream_ops): a byte stream whose
 * protocol (TCP) owns the data. The type hands recvmsg, poll, listen and accept to the
 * protocol (struct proto's fields of those names) and does shutdown's generic part; see
 * the contract in net/sock.h.
 */
#ifndef TS_STREAM_H
#define TS_STREAM_H
#include "sock.h"

extern const struct proto_ops inet_stream_ops;

#endif
