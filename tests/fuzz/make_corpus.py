#!/usr/bin/env python3
"""Write the fuzz seed corpus: one file per interesting frame sequence, in fuzz_rx's
record format (2-byte length, frame, 1-byte clock advance; a length with the top bit set
means the frame starts with a 10-byte virtio-net header, host byte order)."""
import os, struct, sys

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

STACK = bytes.fromhex('020000000002'); PEER = bytes.fromhex('020000000001'); BCAST = b'\xff' * 6
def eth(dst, typ, payload): return dst + PEER + struct.pack('!H', typ) + payload
def ip(src, dst, proto, payload, ttl=64, ident=1, frag=0, opts=b''):
    hl = 20 + len(opts)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | hl // 4, 0, hl + len(payload), ident, frag, ttl, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload
def icmp(t, code, rest, data):
    m = struct.pack('!BBH', t, code, 0) + rest + data
    return m[:2] + struct.pack('!H', csum(m)) + m[4:]
def arp(op, sip, tip, tha=b'\0' * 6):
    return struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + PEER + sip + tha + tip
A = bytes([10, 0, 0, 1]); B = bytes([10, 0, 0, 2]); FAR = bytes([192, 168, 1, 9])
def rec(frame, adv=1): return struct.pack('!H', len(frame)) + frame + bytes([adv])

seeds = {
    'arp_request': rec(eth(BCAST, 0x0806, arp(1, A, B))),
    'arp_reply': rec(eth(STACK, 0x0806, arp(2, A, B, STACK))),
    'echo': rec(eth(STACK, 0x0800, ip(A, B, 1, icmp(8, 0, b'\0\1\0\1', b'x' * 56)))),
    'echo_opts': rec(eth(STACK, 0x0800, ip(A, B, 1, icmp(8, 0, b'\0\1\0\1', b'y' * 8), opts=b'\x01\x01\x01\x00'))),
    'forward_ttl1': rec(eth(STACK, 0x0800, ip(A, FAR, 17, b'\0\1\0\2\0\x0c\0\0abcd', ttl=1))),
    'forward': rec(eth(STACK, 0x0800, ip(A, FAR, 17, b'\0\1\0\2\0\x0c\0\0abcd', ttl=9))),
    'unreach': rec(eth(STACK, 0x0800, ip(A, B, 1, icmp(3, 1, b'\0\0\0\0', ip(B, A, 1, icmp(8, 0, b'\0\1\0\1', b'')))))),
    'proto': rec(eth(STACK, 0x0800, ip(A, B, 99, b'hello'))),
}
def udp(sport, dport, data, src=A, dst=B, check=True):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    if check:
        ph = src + dst + struct.pack('!BBH', 0, 17, len(u))
        c = csum(ph + u) or 0xffff
        u = u[:6] + struct.pack('!H', c) + u[8:]
    return u
seeds['udp_echo'] = rec(eth(STACK, 0x0800, ip(A, B, 17, udp(5000, 7, b'hello'))))
seeds['udp_echo_nocsum'] = rec(eth(STACK, 0x0800, ip(A, B, 17, udp(5000, 7, b'hello!', check=False))))
seeds['udp_closed'] = rec(eth(STACK, 0x0800, ip(A, B, 17, udp(5000, 9999, b'x'))))
seeds['udp_encap'] = rec(eth(STACK, 0x0800, ip(A, B, 17, udp(5000, 6081, b'\x08\0\0\0\0\0\x01\0' + b'i' * 14))))
seeds['udp_bcast'] = rec(eth(BCAST, 0x0800, ip(A, bytes([10, 0, 0, 255]), 17, udp(5000, 7, b'all'))))
big = icmp(8, 0, b'\0\2\0\1', bytes(range(256)) * 12)
frags = b''
for i, off in enumerate(range(0, len(big), 1480)):
    chunk = big[off:off + 1480]
    mf = 0x2000 if off + 1480 < len(big) else 0
    frags += rec(eth(STACK, 0x0800, ip(A, B, 1, chunk, ident=7, frag=mf | off // 8)), adv=0)
seeds['fragments'] = frags
seeds['fragments_timeout'] = frags[:len(frags) // 2] + rec(b'', adv=255) * 3

# ---- frames with a virtio-net header, as a TAP with IFF_VNET_HDR reads them ----
def vnet(flags=0, gso_type=0, hdr_len=0, gso_size=0, csum_start=0, csum_offset=0):
    return struct.pack('=BBHHHH', flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)
def vrec(hdr, frame, adv=1):
    b = hdr + frame
    return struct.pack('!H', 0x8000 | len(b)) + b + bytes([adv])
def pseudo_seed(src, dst, proto, l4len):
    # the folded pseudo-header sum a sender leaves in a partial checksum's field
    return ~csum(src + dst + struct.pack('!BBH', 0, proto, l4len)) & 0xffff
def udp_partial(sport, dport, data, src=A, dst=B):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    return u[:6] + struct.pack('!H', pseudo_seed(src, dst, 17, len(u))) + u[8:]
def tcp_partial(src, dst, seq, flags, data):
    t = struct.pack('!HHIIBBHHH', 40000, 5001, seq, 1, 5 << 4, flags, 65535, 0, 0) + data
    return t[:16] + struct.pack('!H', pseudo_seed(src, dst, 6, len(t))) + t[18:]
NEEDS_CSUM, DATA_VALID = 1, 2
seeds['vnet_udp_partial'] = vrec(vnet(NEEDS_CSUM, 0, 0, 0, 34, 6),
                                 eth(STACK, 0x0800, ip(A, B, 17, udp_partial(5000, 7, b'partial'))))
seeds['vnet_udp_data_valid'] = vrec(vnet(DATA_VALID),
                                    eth(STACK, 0x0800, ip(A, B, 17, udp(5000, 7, b'valid', check=False)[:6] + b'\x12\x34' + b'valid')))
seeds['vnet_uso'] = vrec(vnet(NEEDS_CSUM, 5, 42, 500, 34, 6),
                         eth(STACK, 0x0800, ip(A, B, 17, udp_partial(5000, 7, bytes(range(250)) * 6), frag=0x4000)))
NEAR = bytes([192, 168, 1, 10])     # resolved on eth1, which has no offloads
seeds['vnet_tso_forward'] = vrec(vnet(NEEDS_CSUM, 0x81, 54, 1000, 34, 16),
                                 eth(STACK, 0x0800, ip(A, NEAR, 6, tcp_partial(A, NEAR, 7, 0x98, bytes(3500)), frag=0x4000)))
seeds['vnet_partial_forward'] = vrec(vnet(NEEDS_CSUM, 0, 0, 0, 34, 6),
                                     eth(STACK, 0x0800, ip(A, NEAR, 17, udp_partial(1, 2, b'fw' * 300, dst=NEAR))))
seeds['vnet_icmp_partial'] = vrec(vnet(NEEDS_CSUM, 0, 0, 0, 34, 2),
                                  eth(STACK, 0x0800, ip(A, B, 1, b'\x08\0\0\0\0\1\0\1' + b'p' * 32)))
good = eth(STACK, 0x0800, ip(A, B, 17, udp_partial(5000, 7, b'x' * 40)))
seeds['vnet_bad_headers'] = b''.join(vrec(h, good) for h in [
    vnet(NEEDS_CSUM, 2, 0, 100, 34, 6), vnet(NEEDS_CSUM, 0x85, 0, 10, 34, 6), vnet(0, 0x80),
    vnet(NEEDS_CSUM, 1, 0, 0, 34, 16), vnet(0, 5, 0, 10), vnet(NEEDS_CSUM, 0, 0, 0, 34, 200),
    vnet(NEEDS_CSUM, 0, 0, 0, 10, 6), vnet(0, 0, 2000)]) + struct.pack('!H', 0x8004) + b'\1\0\0\0' + b'\1'

# ---- VXLAN (RFC 7348) to vxlan0 (VNI 42, 192.168.42.2, learning) and vxlan1 (VNI 43,
# 192.168.43.2, nolearning) on port 4789: outer IPv4/UDP from a VTEP, the VXLAN header,
# an inner Ethernet frame of every kind the stack parses ----
R = bytes.fromhex('020000004201'); VX0 = bytes.fromhex('020000004202'); VX1 = bytes.fromhex('020000004203')
RIP = bytes([192, 168, 42, 1]); VXIP = bytes([192, 168, 42, 2])
VTEP1 = A; VTEP3 = bytes([10, 0, 0, 3])
def vxhdr(vni, flags=0x08000000, low=0): return struct.pack('!II', flags, vni << 8 | low)
def vxlan(inner, vni=42, src=VTEP1, tos=0, hdr=None, sport=40000):
    u = udp(sport, 4789, (vxhdr(vni) if hdr is None else hdr) + inner, src=src, check=False)
    return eth(STACK, 0x0800, ip(src, B, 17, u, ident=0x4200) if not tos else ip_tos(src, B, 17, u, tos))
def ip_tos(src, dst, proto, payload, tos):
    h = bytearray(ip(src, dst, proto, payload)[:20]); h[1] = tos; h[10:12] = b'\0\0'
    h[10:12] = struct.pack('!H', csum(bytes(h)))
    return bytes(h) + payload
def ieth(dst, src, typ, payload): return dst + src + struct.pack('!H', typ) + payload
def iarp(op, sha, sip, tip, tha=b'\0' * 6):
    return struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + sha + sip + tha + tip
def iip(src, dst, proto, payload, tos=0, ident=1, frag=0):
    h = bytearray(ip(src, dst, proto, payload, ident=ident, frag=frag)[:20]); h[1] = tos; h[10:12] = b'\0\0'
    h[10:12] = struct.pack('!H', csum(bytes(h)))
    return bytes(h) + payload
arp_in = ieth(BCAST, R, 0x0806, iarp(1, R, RIP, VXIP))
echo_in = ieth(VX0, R, 0x0800, iip(RIP, VXIP, 1, icmp(8, 0, b'\0\7\0\1', b'o' * 56)))
seeds['vxlan_arp_echo'] = rec(vxlan(arp_in)) + rec(vxlan(echo_in))
seeds['vxlan_udp_echo'] = rec(vxlan(arp_in)) + rec(vxlan(ieth(VX0, R, 0x0800, iip(RIP, VXIP, 17,
                              udp(6000, 7, b'through the tunnel', src=RIP, dst=VXIP)))))
big = icmp(8, 0, b'\0\7\0\2', bytes(range(256)) * 6)
ifr = b''
for off in range(0, len(big), 720):
    mf = 0x2000 if off + 720 < len(big) else 0
    ifr += rec(vxlan(ieth(VX0, R, 0x0800, iip(RIP, VXIP, 1, big[off:off + 720], ident=9, frag=mf | off // 8))), adv=0)
seeds['vxlan_inner_fragments'] = rec(vxlan(arp_in)) + ifr
whole = vxlan(ieth(VX0, R, 0x0800, iip(RIP, VXIP, 1, icmp(8, 0, b'\0\7\0\3', b'w' * 1200))))
ip_out = whole[14:]
seeds['vxlan_outer_fragments'] = rec(vxlan(arp_in)) + b''.join(
    rec(eth(STACK, 0x0800, ip(VTEP1, B, 17, ip_out[20 + off:20 + off + 600], ident=0x4300,
                                frag=(0x2000 if off + 600 < len(ip_out) - 20 else 0) | off // 8)), adv=0)
    for off in range(0, len(ip_out) - 20, 600))
seeds['vxlan_vni43_flood'] = rec(vxlan(ieth(BCAST, R, 0x0806, iarp(1, R, bytes([192, 168, 43, 1]),
                                             bytes([192, 168, 43, 2]))), vni=43, src=VTEP3)) + \
    rec(vxlan(ieth(VX1, R, 0x0800, iip(bytes([192, 168, 43, 9]), bytes([192, 168, 43, 2]), 1,   # its reply
                                        icmp(8, 0, b'\0\7\0\5', b'f' * 16))), vni=43, src=VTEP3))  # floods ARP
seeds['vxlan_migrate'] = rec(vxlan(arp_in)) + rec(vxlan(arp_in, src=VTEP3)) + rec(vxlan(echo_in, src=VTEP3))
seeds['vxlan_ecn'] = rec(vxlan(ieth(VX0, R, 0x0800, iip(RIP, VXIP, 1, icmp(8, 0, b'\0\7\0\4', b'e' * 8), tos=2)),
                               tos=3)) + rec(vxlan(echo_in, tos=3))
seeds['vxlan_bad_headers'] = b''.join(rec(f) for f in [
    vxlan(arp_in, hdr=vxhdr(42, flags=0)),                  # I flag clear
    vxlan(arp_in, hdr=vxhdr(42, flags=0x0c000000)),         # a reserved flag
    vxlan(arp_in, hdr=vxhdr(42, low=1)),                    # the reserved byte after the VNI
    vxlan(arp_in, vni=44),                                  # no such VNI
    vxlan(b'', hdr=b'\x08\0\0'),                           # short header
    vxlan(b'\x02' * 10),                                    # inner shorter than Ethernet
    vxlan(ieth(VX0, R, 0x0800, b'\x45' * 12)),              # inner IPv4 shorter than its header
    vxlan(ieth(BCAST, VX0, 0x0806, iarp(1, VX0, RIP, VXIP))),  # our own MAC: a loop
    vxlan(ieth(BCAST, BCAST, 0x0806, iarp(1, R, RIP, VXIP))),  # a multicast source
    vxlan(ieth(BCAST, bytes.fromhex('020000004209'), 0x0806, iarp(1, R, RIP, VXIP))),  # static elsewhere
])

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
