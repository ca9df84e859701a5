/*
 * net/virtio_net.h — the virtio-net header (virtio spec 1.x §5.1.6; Linux
 * include/uapi/linux/virtio_net.h) that a TAP opened with IFF_VNET_HDR puts in front of
 * every frame, in both directions: the offload state of the packet that follows.
 *
 *   byte 0     flags      NEEDS_CSUM: the L4 checksum is partial (csum_start/offset)
 *                         DATA_VALID: the kernel verified the checksums
 *   byte 1     gso_type   NONE, TCPV4, UDP_L4 (| ECN: TCP with CWR set)
 *   bytes 2-9  hdr_len, gso_size, csum_start, csum_offset (16 bits each)
 *
 * The 16-bit fields are in the host's byte order (a legacy virtio header: the kernel's
 * tun_is_little_endian() is the native order unless TUNSETVNETLE/BE asks otherwise).
 * csum_start counts from the first byte of the Ethernet header.
 *
 * The header is parsed here, in the core, so the fuzzer reaches the same validation as
 * the TAP driver.
 */
#ifndef TS_VIRTIO_NET_H
#define TS_VIRTIO_NET_H
#include "pkt.h"
#include "drop.h"

#define VNET_HDR_LEN 10                 /* struct virtio_net_hdr (TUNSETVNETHDRSZ 10) */

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE     0
#define VIRTIO_NET_HDR_GSO_TCPV4    1
#define VIRTIO_NET_HDR_GSO_UDP      3   /* UFO: not supported */
#define VIRTIO_NET_HDR_GSO_TCPV6    4   /* no IPv6: not supported */
#define VIRTIO_NET_HDR_GSO_UDP_L4   5
#define VIRTIO_NET_HDR_GSO_ECN      0x80

struct virtio_net_hdr_view {
    uint8_t  flags, gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void virtio_net_hdr_read(const uint8_t *b, struct virtio_net_hdr_view *h);
void virtio_net_hdr_write(uint8_t *b, const struct virtio_net_hdr_view *h);

/* Check a received header against the frame p (data at the Ethernet header) and set
 * p's offload state from it (Linux virtio_net_hdr_to_skb and virtio_net's receive_buf):
 *   NEEDS_CSUM             CHECKSUM_PARTIAL, csum_start/offset from the frame start;
 *   DATA_VALID (rxcsum)    CHECKSUM_UNNECESSARY (ignored when rxcsum is false);
 *   gso_type + gso_size    gso state, when the payload exceeds one segment.
 * Returns DROP_NONE, or the DROP_DEV_HDR_* reason (p's offload state is then unset):
 * an unknown gso_type, the ECN bit without TCP, gso_size 0 or too many segments, a GSO
 * frame without NEEDS_CSUM, csum_start/csum_offset outside the frame or before an
 * IPv4 transport header, a GSO checksum not at its protocol's field, hdr_len > len. */
enum drop virtio_net_hdr_to_pkt(const uint8_t *hdr, struct pkt *p, bool rxcsum);

/* The header for a frame about to be written (Linux virtio_net_hdr_from_skb): partial
 * checksum -> NEEDS_CSUM, GSO -> gso_type/gso_size/hdr_len. p->data at the Ethernet
 * header. */
void virtio_net_hdr_from_pkt(const struct pkt *p, uint8_t hdr[VNET_HDR_LEN]);

/* A frame read with its header in front (a TAP's read): parse; on a bad header count a
 * frame error and drop, else count the offload state and hand the frame to
 * netif_receive. Consumes p. */
void virtio_net_receive(struct netdev *dev, const uint8_t *hdr, struct pkt *p);

#endif
