/*
 * net/trace.h — the packet journey trace (`trace on [DEV]`).
 *
 * Each traced packet carries the list of stages it went through as text; when its life
 * ends (delivered, transmitted or dropped) one line is printed to the console:
 *   tap0 rx: net_rx_poll(napi_poll) > eth_rcv(__netif_receive_skb_core) > ip_rcv > ...
 * A stage prints as ours(linux) when the Linux function that plays its role has another
 * name, and as name(detail) when the names agree and there is a detail to show; with
 * both, ours(linux: detail). A packet that causes another (an echo reply, the first
 * fragment of a datagram, a reassembled datagram) hands its journey over, so the line
 * tells the whole story. Drops end with drop(REASON), the name `nstat` counts.
 */
#ifndef TS_TRACE_H
#define TS_TRACE_H
#include "pkt.h"

#define PKT_TRACE_LEN 640

/* The journey record: allocated when a traced packet starts its journey, freed with the
 * packet, so an untraced packet pays one pointer (Linux keeps tracepoints off the skb). */
struct pkt_trace {
    uint16_t len;
    bool     local;             /* originated in the stack: label with the output device */
    struct net *net;            /* namespace whose console/label it uses */
    char     label[72];         /* "tap0 rx", "[ns1] veth0 rx": fits a 31-char ns + 15-char dev */
    char     buf[PKT_TRACE_LEN];
};

/* Start tracing p if trace is on for dev (or for all devices of dev's namespace). */
void trace_begin_rx(struct pkt *p, struct netdev *dev);
/* Start tracing a locally created packet if trace is on anywhere in net. */
void trace_begin_local(struct net *net, struct pkt *p, const char *origin);
void trace_stage(struct pkt *p, const char *fn, const char *linux_fn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define TRACE(p, fn, lfn) do { if ((p)->tr) trace_stage((p), (fn), (lfn), NULL); } while (0)
#define TRACEF(p, fn, lfn, ...) do { if ((p)->tr) trace_stage((p), (fn), (lfn), __VA_ARGS__); } while (0)
/* `to` continues the journey of `from`; `from` ends silently (its record moves). */
void trace_handover(struct pkt *from, struct pkt *to);
/* Print the journey (if traced and not handed over); tx_dev labels local packets. */
void trace_end(struct pkt *p, struct netdev *tx_dev);

#endif
