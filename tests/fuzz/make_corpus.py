#!/usr/bin/env python3
"""Write the fuzz seed corpus: one file per interesting frame sequence, in fuzz_rx's
record format (2-byte length, frame, 1-byte clock advance; a length with the top bit set
means the frame starts with a 10-byte virtio-net header, host byte order; one with bit
0x4000 set is a TCP record for fuzz_tcp.c)."""
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

# ---- TCP records (length word bit 0x4000; fuzz_tcp.c): a segment aimed at one of the
# prelude's sockets, numbers relative to its rcv_nxt / snd_una ----
T = dict(listen=0, syn_sent=1, syn_recv=2, estab=3, estab_noopt=4, estab_ofo=5, fin_wait1=6, fin_wait2=7,
         close_wait=8, closing=9, last_ack=10, time_wait=11)
FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32
def tcprec(target, flags, seq=0, ack=0, win=512, opts=b'', rel=True, data=b'', gso=None, adv=1):
    body = bytes([target, flags]) + struct.pack('!IIH', seq & 0xffffffff, ack & 0xffffffff, win) + \
        bytes([len(opts) | (0x40 if rel else 0), gso or 0]) + opts + data
    return struct.pack('!H', 0x4000 | (0x8000 if gso is not None else 0) | len(body)) + body + bytes([adv])
def ts(val=1, ecr=0): return b'\x01\x01\x08\x0a' + struct.pack('!II', val, ecr)
def sack(*blocks): return b'\x01\x01\x05' + bytes([2 + 8 * len(blocks)]) + b''.join(struct.pack('!II', a, b) for a, b in blocks)
SYN_OPTS = b'\x02\x04\x05\xb4\x04\x02\x08\x0a' + struct.pack('!II', 100, 0) + b'\x01\x03\x03\x07'
# every option kind we know and some we do not, then malformed lengths
ALL_KINDS = (b'\x02\x04\x05\xb4' + b'\x03\x03\x0e' + b'\x04\x02' + ts(2)[2:] + b'\x13\x12' + bytes(16)
             )[:40]
ODD_KINDS = b'\x22\x0a' + bytes(8) + b'\x1e\x06\x00\x01\x02\x03' + b'\x1d\x04\x00\x00' + b'\xfe\x04\xf9\x89' + \
    b'\x05\x0a' + bytes(8) + b'\x00'
MALFORMED = [b'\x02\x00', b'\x02\x01', b'\x08\x28' + bytes(4), b'\x05', b'\x03\x03\x14', b'\x02\x03\x05',
             b'\x08\x09' + bytes(7), b'\x05\x0b' + bytes(9), b'\x05\x02', b'\x01' * 39 + b'\x02',
             b'\x04\x03\x00\x08\x0a' + bytes(8)]
def per_state(t, *recs): seeds['tcp_' + t] = b''.join(recs)
k = T
per_state('listen', tcprec(k['listen'], SYN, 0, 0, 65535, SYN_OPTS, rel=False),
          tcprec(k['listen'] | 0x10, SYN, 5, 0, 65535, ALL_KINDS, rel=False),
          tcprec(k['listen'] | 0x20, ACK, 1, 12345, 512), tcprec(k['listen'], RST, 0, 0, 0),
          tcprec(k['listen'] | 0x30, SYN | ACK, 0, 1, 512), tcprec(k['listen'] | 0x40, SYN, 0, 0, 0, b'\x02\x04\x00\x01', rel=False))
per_state('syn_sent', tcprec(k['syn_sent'], SYN | ACK, 0, 1, 65535, SYN_OPTS, rel=False),
          tcprec(k['syn_sent'], ACK, 0, 1, 512, ts(1)), tcprec(k['syn_sent'], RST | ACK, 0, 1, 0))
seeds['tcp_syn_sent_simopen'] = tcprec(k['syn_sent'], SYN, 0, 0, 65535, SYN_OPTS, rel=False) + \
    tcprec(k['syn_sent'], SYN | ACK, -1, 1, 65535, SYN_OPTS, rel=False)
seeds['tcp_syn_sent_bad_ack'] = tcprec(k['syn_sent'], SYN | ACK, 0, 5000, 65535, SYN_OPTS, rel=False) + \
    tcprec(k['syn_sent'], RST, 0, 0, 0)
per_state('syn_recv', tcprec(k['syn_recv'], SYN, -1, 0, 65535, SYN_OPTS, rel=False),
          tcprec(k['syn_recv'], ACK, 0, 1, 512, ts(1)), tcprec(k['syn_recv'], PSH | ACK, 0, 0, 512, ts(2), data=b'd' * 100))
seeds['tcp_syn_recv_rst'] = tcprec(k['syn_recv'], RST, 0, 0, 0) + tcprec(k['syn_recv'], ACK, 0, 7, 512)
per_state('estab', tcprec(k['estab'], PSH | ACK, 0, 0, 512, ts(1), data=b'e' * 300),
          tcprec(k['estab'], ACK, 300, 1448, 512, ts(2)),
          tcprec(k['estab'], ACK, 300, 0, 512, ts(3) + sack((2896, 4344))),
          tcprec(k['estab'], ACK, 300, 0, 512, ts(4) + sack((2896, 5792))),
          tcprec(k['estab'], ACK, 300, 0, 512, ts(5) + sack((2896, 7240), (8688, 10136)), adv=5),
          tcprec(k['estab'], ACK, 300, 14480, 0, ts(6)), tcprec(k['estab'], ACK, 300, 0, 512, ts(7), adv=40))
seeds['tcp_estab_edges'] = b''.join([
    tcprec(k['estab'], ACK | PSH, 1000000, 0, 512, ts(1), data=b'x' * 10),     # outside the window
    tcprec(k['estab'], RST, 5, 0, 0), tcprec(k['estab'], SYN, 7, 0, 512),      # challenge ACKs
    tcprec(k['estab'], ACK, 0, 90000, 512, ts(1)), tcprec(k['estab'], ACK, 0, -200000, 512, ts(1)),
    tcprec(k['estab'], ACK | URG | PSH, 0, 0, 512, ts(0xf0000000), data=b'u' * 20),   # PAWS
    tcprec(k['estab'], ACK | PSH | FIN, -5, 0, 512, ts(9), data=b'o' * 50),
    tcprec(k['estab'], ACK | PSH, 0, 0, 512, ts(10), data=bytes(3000), gso=(1448 - 64) // 8),
    tcprec(k['estab'], RST | ACK, 0, 0, 0)])
seeds['tcp_estab_sack_edges'] = b''.join([            # blocks past snd_nxt, reversed, before snd_una, overlapping
    tcprec(k['estab'], ACK, 0, 0, 512, ts(1) + sack((1448, 100000))),
    tcprec(k['estab'], ACK, 0, 0, 512, ts(2) + sack((4344, 2896), (0xfffffff0, 8))),
    tcprec(k['estab'], ACK, 0, 1448, 512, ts(3) + sack((0, 1448), (2896, 5792), (4344, 8688))),
    tcprec(k['estab'], ACK, 0, 1448, 512, ts(4) + sack((5792, 7240), (8688, 10136), (11584, 13032))),
    tcprec(k['estab'], ACK, 0, 1448, 512, ts(5) + sack((2896, 14480)), adv=20),
    tcprec(k['estab'], ACK, 0, 1448, 0, ts(6), adv=50), tcprec(k['estab'], ACK, 0, 30000, 512, ts(7))])
seeds['tcp_estab_dsack'] = b''.join([                 # D-SACKs both ways, and an undo by them
    tcprec(k['estab'], ACK, 0, 0, 512, ts(1) + sack((1448, 2896))),
    tcprec(k['estab'], ACK, 0, 0, 512, ts(2) + sack((1448, 4344))),
    tcprec(k['estab'], ACK, 0, 0, 512, ts(3) + sack((1448, 5792))),           # recovery: 0 sent again
    tcprec(k['estab'], ACK, 0, 5792, 512, ts(5) + sack((0, 1448)), adv=3),    # D-SACK below the ACK: undo
    tcprec(k['estab'], ACK, 0, 0, 512, ts(4) + sack((1448, 2896), (1448, 5792))),   # D-SACK inside the 2nd
    tcprec(k['estab'], ACK | PSH, -100, 5792, 512, ts(6), data=b'p' * 300),   # its head old: we D-SACK it
    tcprec(k['estab'], ACK | PSH, -300, 5792, 512, ts(7), data=b'q' * 100),   # all of it old
    tcprec(k['estab'], ACK, 200, 5792, 512, ts(8) + sack((0, 1448), (0xfffff000, 0xfffff800)), adv=20),
    tcprec(k['estab_ofo'], ACK | PSH, 2000, 0, 512, ts(1), data=b'h' * 200),
    tcprec(k['estab_ofo'], ACK | PSH, 2000, 0, 512, ts(2), data=b'h' * 100),   # held already
    tcprec(k['estab_ofo'], ACK | PSH, 1900, 0, 512, ts(3), data=b'i' * 400),   # covers it: extended
    tcprec(k['estab_ofo'], ACK | PSH, 0, 0, 512, ts(4), data=b'j' * 2000)])
def icmprec(target, typ, code, seq=0, mtu=0):       # an ICMP error quoting our segment (byte 12 bit 7)
    body = bytes([target, 0]) + struct.pack('!IIBB', 0, seq & 0xffffffff, typ, code) + bytes([0x80, 0]) + struct.pack('!H', mtu)
    return struct.pack('!H', 0x4000 | len(body)) + body + bytes([1])
seeds['tcp_icmp_errors'] = b''.join([icmprec(k['estab'], 3, 4, 0, 1280), icmprec(k['estab'], 3, 4, 0, 300),
    icmprec(k['estab'], 3, 4, 90000, 1000), icmprec(k['estab'], 3, 1), icmprec(k['estab_noopt'], 11, 0),
    icmprec(k['syn_sent'], 3, 3), icmprec(k['syn_recv'], 3, 1), icmprec(k['fin_wait1'], 12, 0),
    icmprec(k['time_wait'], 3, 3), tcprec(k['estab'], ACK, 0, 1448, 512, ts(1))])
seeds['tcp_listen_cookies'] = b''.join(tcprec(k['listen'] | (i << 4), SYN, 0, 0, 65535, SYN_OPTS, rel=False)
                                       for i in range(6)) + tcprec(k['listen'] | 0x70, ACK, 1, 12345, 512, ts(1))
per_state('estab_noopt', tcprec(k['estab_noopt'], ACK, 0, 0, 8192), tcprec(k['estab_noopt'], ACK, 0, 0, 8192),
          tcprec(k['estab_noopt'], ACK, 0, 0, 8192), tcprec(k['estab_noopt'], ACK, 0, 536, 8192),
          tcprec(k['estab_noopt'], ACK | PSH, 0, 8000, 8192, data=b'n' * 536), tcprec(k['estab_noopt'], ACK, 0, 0, 0, adv=100))
per_state('estab_ofo', tcprec(k['estab_ofo'], ACK | PSH, 2000, 0, 512, ts(1), data=b'h' * 200),
          tcprec(k['estab_ofo'], ACK | PSH, 0, 0, 512, ts(2), data=b'f' * 1000),
          tcprec(k['estab_ofo'], ACK | PSH | FIN, 700, 0, 512, ts(3), data=b'g' * 600))
per_state('fin_wait1', tcprec(k['fin_wait1'], ACK, 0, 1, 512, ts(1)), tcprec(k['fin_wait1'], ACK | FIN, 0, 1, 512, ts(2)),
          tcprec(k['fin_wait1'], ACK, 1, 1, 512, ts(3), adv=255))
seeds['tcp_fin_wait1_data'] = tcprec(k['fin_wait1'], ACK | PSH, 0, 0, 512, ts(1), data=b'late') + \
    tcprec(k['fin_wait1'], ACK | FIN, 0, 0, 512, ts(2))
per_state('fin_wait2', tcprec(k['fin_wait2'], ACK | PSH, 0, 0, 512, ts(1), data=b'more' * 10),
          tcprec(k['fin_wait2'], ACK | FIN, 0, 0, 512, ts(2)), tcprec(k['fin_wait2'], ACK | FIN, -1, 0, 512, ts(3)))
per_state('close_wait', tcprec(k['close_wait'], ACK, 0, 0, 512, ts(1)), tcprec(k['close_wait'], ACK | PSH, 0, 0, 512, ts(2), data=b'z'),
          tcprec(k['close_wait'], ACK | FIN, -1, 0, 512, ts(3)), tcprec(k['close_wait'], RST, 0, 0, 0))
per_state('closing', tcprec(k['closing'], ACK, 0, 1, 512, ts(1)), tcprec(k['closing'], ACK | FIN, -1, 1, 512, ts(2)))
per_state('last_ack', tcprec(k['last_ack'], ACK | FIN, -1, 0, 512, ts(1)), tcprec(k['last_ack'], ACK, 0, 1, 512, ts(2)))
per_state('time_wait', tcprec(k['time_wait'], ACK | FIN, -1, 0, 512, ts(1)), tcprec(k['time_wait'], ACK, 0, 0, 512, ts(2)),
          tcprec(k['time_wait'], SYN, 100000, 0, 65535, SYN_OPTS, rel=False))
seeds['tcp_time_wait_syn_ts'] = tcprec(k['time_wait'], SYN, -50, 0, 65535, b'\x02\x04\x05\xb4' + ts(1000)) + \
    tcprec(k['time_wait'], ACK, 0, 0, 512, ts(1))
seeds['tcp_time_wait_rst'] = tcprec(k['time_wait'], RST, 0, 0, 0) + tcprec(k['time_wait'], ACK | FIN, -1, 0, 512, ts(1))
seeds['tcp_options_kinds'] = b''.join(tcprec(t, ACK | PSH, 0, 0, 512, o, data=b'k' * 10)
                                      for t in (k['estab'], k['estab_noopt'], k['syn_recv'], k['listen'])
                                      for o in (ALL_KINDS, ODD_KINDS[:40])) + \
    tcprec(k['listen'], SYN, 0, 0, 65535, ALL_KINDS, rel=False) + tcprec(k['syn_sent'], SYN | ACK, 0, 1, 65535, ALL_KINDS, rel=False)
seeds['tcp_options_malformed'] = b''.join(tcprec(t, f, 0, 0, 512, o, rel=False)
                                          for o in MALFORMED for t, f in ((k['estab'], ACK), (k['listen'] | 0x50, SYN),
                                                                          (k['syn_sent'], SYN | ACK)))

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
