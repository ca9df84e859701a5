"""bench/tcp_instr_pcap.py — the inputs of bench_tcp.sh's instruction count: a bulk TCP
receive as a Linux sender's segments would reach tapstack's tap0 (10.0.0.2) from the peer
10.0.0.1, written with tests/pcap/pcaplib.py. Not part of tapstack.

    tcp_instr_pcap.py PCAPLIB_DIR syn OUT.pcap
        the peer's ARP request, then its SYN to port 9 (MSS 1460, SACK permitted,
        timestamps, window scale 7: Linux's SYN)
    tcp_instr_pcap.py PCAPLIB_DIR data SYNACK_OUT.pcap DIR SHORT LONG GAP_US
        reads the stack's SYN-ACK from the first replay's output (its ISN and timestamp
        come from the seeded generator and the virtual clock, so a replay of the same SYN
        gets the same ones), and writes DIR/short.pcap and DIR/long.pcap: the SYN, the
        ACK of the SYN-ACK, then SHORT (LONG) segments of 1448 bytes, GAP_US apart (the
        short input is a prefix of the long one); DIR/peer.txt keeps the peer's ISN
    tcp_instr_pcap.py PCAPLIB_DIR check OUT.pcap DIR/peer.txt N
        exit 0 when the stack's highest ACK in OUT.pcap covers N segments (every byte)
"""
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from pcaplib import ETH_P_IP, IP_DF, arp_request, eth, inet_csum, ip4, ipv4, pattern, read_pcap, write_pcap  # noqa: E402

IPPROTO_TCP = 6
T0 = 1_700_000_000 * 1_000_000
PEER_MAC, PEER_IP, STACK_MAC, STACK_IP = "02:00:00:00:00:01", "10.0.0.1", "02:00:00:00:00:02", "10.0.0.2"
SPORT, DPORT = 40000, 9
PEER_ISN = 0x1000_0000
MSS = 1448                       # 1500 - 20 (IP) - 20 (TCP) - 12 (timestamps)
SYN, ACK, PSH = 0x02, 0x10, 0x08
T_SYN, T_ACK, T_DATA = T0 + 1000, T0 + 2000, T0 + 3000


def tcp(seq, ack, flags, opts, data, win=502):
    """A TCP segment with its checksum (RFC 9293 §3.1: the pseudo-header included)."""
    hlen = 20 + len(opts)
    h = struct.pack("!HHIIBBHHH", SPORT, DPORT, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (hlen // 4) << 4, flags,
                    win, 0, 0) + opts
    pseudo = ip4(PEER_IP) + ip4(STACK_IP) + struct.pack("!BBH", 0, IPPROTO_TCP, hlen + len(data))
    c = inet_csum(pseudo + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def frame(t, seq, ack, flags, opts, data, ident):
    d = ipv4(PEER_IP, STACK_IP, IPPROTO_TCP, tcp(seq, ack, flags, opts, data), ident=ident & 0xFFFF, flags=IP_DF)
    return (t, eth(STACK_MAC, PEER_MAC, ETH_P_IP, d))


def ts_opt(t, ecr):
    """NOP NOP TS: the peer's clock in ms (it only grows, as PAWS wants)."""
    return struct.pack("!BBBBII", 1, 1, 8, 10, 1000 + (t - T0) // 1000, ecr)


def head():
    syn_opts = struct.pack("!BBH", 2, 4, 1460) + bytes([4, 2]) + \
        struct.pack("!BBII", 8, 10, 1000, 0) + bytes([1, 3, 3, 7])
    return [(T0, arp_request(PEER_MAC, PEER_IP, STACK_IP)),
            frame(T_SYN, PEER_ISN, 0, SYN, syn_opts, b"", 1)]


def stack_segments(path):
    """(seq, ack, flags, tsval) of every TCP segment the stack sent."""
    out = []
    for _t, data, _wl in read_pcap(path):
        if len(data) < 34 or struct.unpack("!H", data[12:14])[0] != ETH_P_IP or data[23] != IPPROTO_TCP:
            continue
        ip = data[14:]
        th = ip[(ip[0] & 0x0F) * 4:]
        seq, ack = struct.unpack("!II", th[4:12])
        flags, doff = th[13], (th[12] >> 4) * 4
        tsval, i, opts = None, 0, th[20:doff]
        while i < len(opts):                 # the options, for the timestamp
            if opts[i] == 0:
                break
            if opts[i] == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                break
            if opts[i] == 8 and opts[i + 1] == 10:
                tsval = struct.unpack("!I", opts[i + 2:i + 6])[0]
            i += opts[i + 1]
        out.append((seq, ack, flags, tsval))
    return out


def main():
    mode = sys.argv[2]
    if mode == "syn":
        write_pcap(sys.argv[3], head())
        return 0
    if mode == "data":
        synack, d, short, long_, gap = sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
        sa = [s for s in stack_segments(synack) if s[2] & (SYN | ACK) == SYN | ACK]
        if not sa or sa[0][1] != PEER_ISN + 1 or sa[0][3] is None:
            print("tcp_instr_pcap: no SYN-ACK with timestamps for our SYN in " + synack, file=sys.stderr)
            return 1
        isn, ecr = sa[0][0], sa[0][3]
        frames = head() + [frame(T_ACK, PEER_ISN + 1, isn + 1, ACK, ts_opt(T_ACK, ecr), b"", 2)]
        for i in range(long_):
            t = T_DATA + i * gap
            frames.append(frame(t, PEER_ISN + 1 + i * MSS, isn + 1, ACK | PSH, ts_opt(t, ecr),
                                pattern(MSS, start=i), 3 + i))
        write_pcap(f"{d}/short.pcap", frames[:3 + short])
        write_pcap(f"{d}/long.pcap", frames)
        with open(f"{d}/peer.txt", "w") as f:
            f.write(f"{PEER_ISN}\n")
        return 0
    if mode == "check":
        out, peer, n = sys.argv[3], sys.argv[4], int(sys.argv[5])
        with open(peer) as f:
            want = (int(f.read().split()[0]) + 1 + n * MSS) & 0xFFFFFFFF
        acks = [s[1] for s in stack_segments(out) if s[2] & ACK]
        if want not in acks:
            print(f"tcp_instr_pcap: the stack never acknowledged all {n} segments "
                  f"(want ack {want}, last {acks[-1] if acks else None})", file=sys.stderr)
            return 1
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
