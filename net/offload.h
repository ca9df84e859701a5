/*
 * net/offload.h — checksum and segmentation offload: what a packet may leave undone for
 * the device, and the software that does it when the device cannot (Linux:
 * skb_partial_csum_set, skb_csum_unnecessary, skb_checksum_help, skb_gso_segment).
 *
 * A sender that knows the output device can checksum leaves the transport checksum
 * CHECKSUM_PARTIAL: the field holds the pseudo-header sum, csum_start/csum_offset say
 * where the sum starts and where it goes (pkt_csum_partial_l4). A sender may also hand
 * over one packet of up to 64 KiB with gso_size set: a super-segment the device cuts into
 * gso_size-byte segments. dev_hard_start_xmit's validate step (net/netdev.c) does both
 * in software, before the packet taps, for a device without the feature.
 *
 * A receiver trusts a checksum the device verified (CHECKSUM_UNNECESSARY) or one that a
 * local sender left partial (CHECKSUM_PARTIAL: the bytes never crossed a wire).
 */
#ifndef TS_OFFLOAD_H
#define TS_OFFLOAD_H
#include "pkt.h"
#include "drop.h"

/* At most this many segments from one GSO packet (bounds the work a header can ask for;
 * 64 KiB at TCP's minimum MSS of 88 bytes is 745). */
#define GSO_MAX_SEGS 1024
/* A UDP GSO packet carries at most this many datagrams (Linux UDP_MAX_SEGMENTS). */
#define UDP_MAX_SEGMENTS 128

/* Offsets in a TCP header (RFC 9293 §3.1); the TCP layer itself comes later. */
#define TCP_HLEN      20
#define TCP_OFF_SEQ   4
#define TCP_OFF_DOFF  12
#define TCP_OFF_FLAGS 13
#define TCP_OFF_CSUM  16
#define TCP_FLAG_FIN  0x01
#define TCP_FLAG_PSH  0x08
#define TCP_FLAG_CWR  0x80
#define UDP_OFF_CHECK 6

/* Receivers: the transport checksum needs no software check (Linux skb_csum_unnecessary:
 * the device verified it, or it is a partial one whose sum starts inside what is left). */
static inline bool pkt_csum_unnecessary(const struct pkt *p)
{
    return p->ip_summed == CHECKSUM_UNNECESSARY ||
           (p->ip_summed == CHECKSUM_PARTIAL && p->csum_start >= (uint32_t)(p->data - p->head));
}

/* Senders: leave the checksum of the transport header at th (inside p, l4len bytes to
 * the end) to the device: the pseudo-header sum in the field at csum_off, the packet
 * CHECKSUM_PARTIAL (Linux udp4_hwcsum / __tcp_v4_send_check). Addresses host order. */
void pkt_csum_partial_l4(struct pkt *p, uint8_t *th, uint16_t csum_off, uint32_t saddr,
                         uint32_t daddr, uint8_t proto, uint16_t l4len);

/* Complete a CHECKSUM_PARTIAL packet in software (Linux skb_checksum_help): sum from
 * csum_start to the end into the field; a zero result is sent as 0xffff (CSUM_MANGLED_0,
 * which RFC 768 requires of UDP). Makes the bytes writable first. Returns DROP_NONE, or
 * DROP_SKB_CSUM (the offsets leave the packet) / DROP_NOMEM, with p unchanged; the
 * caller drops. Not for GSO packets: segment first. */
enum drop pkt_checksum_help(struct pkt *p);

/* Cut a GSO packet into segments of at most gso_size payload bytes (Linux skb_gso_segment
 * -> inet_gso_segment -> tcp4_gso_segment / __udp_gso_segment). p->data must be at or
 * before the IP header (the MAC header on transmit); nh_off and th_off must be set.
 * Each segment is a new packet: the headers from data to the end of the transport header
 * copied, then its slice of the payload, with
 *   IPv4   total length, ID + i, header checksum;
 *   TCP    seq + i * gso_size; FIN and PSH only on the last, CWR only on the first;
 *   UDP    length;
 * and the transport checksum CHECKSUM_PARTIAL over the segment (complete it with
 * pkt_checksum_help for a device without checksum offload). Returns the chain (linked
 * through ->next) and frees p; a packet whose payload fits one segment comes back as it
 * is, no longer GSO. NULL with *why set (p untouched, the caller drops it): headers that
 * do not match gso_type (DROP_SKB_GSO_SEG) or no memory (DROP_NOMEM). */
struct pkt *pkt_gso_segment(struct pkt *p, enum drop *why);
/* The length of p's largest segment from the IP header on (Linux
 * skb_gso_network_seglen); SIZE_MAX when the headers cannot tell. */
size_t pkt_gso_seg_len(const struct pkt *p);

#endif
