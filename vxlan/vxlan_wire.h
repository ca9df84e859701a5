/*
 * vxlan/vxlan_wire.h — the VXLAN header (RFC 7348 §5).
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * It follows an outer UDP header (destination port 4789, RFC 7348 §5) and precedes the
 * inner Ethernet frame. The I flag says the VNI is valid and MUST be set; the RFC says
 * receivers ignore the reserved bits, but Linux (vxlan_rcv) drops a packet with any of
 * them set unless an extension it was configured for uses them ("more robust and a
 * little more secure"), and so does tapstack: interoperating with Linux, a sender that
 * sets them is talking an extension we do not speak.
 */
#ifndef TS_VXLAN_WIRE_H
#define TS_VXLAN_WIRE_H
#include "net/types.h"

#define VXLAN_HLEN_HDR  8                       /* the VXLAN header alone */
#define VXLAN_HLEN      (8 + VXLAN_HLEN_HDR)    /* UDP + VXLAN (Linux VXLAN_HLEN) */
/* What encapsulation adds in front of an inner frame over IPv4: outer Ethernet, IPv4
 * (no options), UDP and VXLAN — why a vxlan device's MTU is its underlay's minus 50
 * (Linux VXLAN_HEADROOM). */
#define VXLAN_HEADROOM  (ETH_HLEN + 20 + VXLAN_HLEN)
#define VXLAN_N_VID     (1u << 24)              /* VNIs are 24 bits */
#define VXLAN_VNI_MAX   (VXLAN_N_VID - 1)

#define VXLAN_HF_VNI    0x08000000u             /* first word: the I flag */
#define IANA_VXLAN_UDP_PORT 4789                /* RFC 7348 §5 */

/* What a received header says (Linux: the "unparsed" copy vxlan_rcv clears bit by bit). */
struct vxlan_hdr_info {
    uint32_t vni;
    uint32_t flags;             /* first word, host order */
    uint32_t reserved;          /* bits set outside what we understand: I flag and VNI */
};

/* Parse the 8-byte header at h. false when the I flag is clear (the VNI is not valid:
 * Linux drops with VXLAN_INVALID_HDR). info->reserved is non-zero when any reserved bit
 * of either word is set (also a drop, as in Linux). */
static inline bool vxlan_hdr_parse(const uint8_t *h, struct vxlan_hdr_info *info)
{
    uint32_t w0 = get_be32(h), w1 = get_be32(h + 4);
    info->flags = w0;
    info->vni = w1 >> 8;
    info->reserved = (w0 & ~VXLAN_HF_VNI) | (w1 & 0xffu);
    return (w0 & VXLAN_HF_VNI) != 0;
}

/* Write the header for vni at h: the I flag, the VNI, every reserved bit zero. */
static inline void vxlan_hdr_build(uint8_t *h, uint32_t vni)
{
    put_be32(h, VXLAN_HF_VNI);
    put_be32(h + 4, (vni & VXLAN_VNI_MAX) << 8);
}

#endif
