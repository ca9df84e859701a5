"""tests/pcap/pcaplib.py — classic pcap files and hand-built frames, in plain Python 3.

Frames are bytes; a capture is a list of (t_us, bytes) with t_us in microseconds.

    write_pcap(path, [(t_us, frame), ...])      classic pcap, microsecond, DLT_EN10MB
    read_pcap(path) -> [(t_us, caplen_bytes, wirelen), ...]

Builders return whole frames or the layer asked for, e.g.
    eth(dst, src, ETH_P_IP, ipv4(src_ip, dst_ip, IPPROTO_ICMP, icmp_echo(ident, seq, data)))
Addresses are strings ("02:00:00:00:00:01", "10.0.0.1"). Every checksum is computed
unless a wrong one is asked for (csum=0x1234) so that bad input can be built on purpose.
"""
import struct

PCAP_MAGIC = 0xA1B2C3D4          # microsecond timestamps
DLT_EN10MB = 1
SNAPLEN = 262144

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17

IP_DF = 0x4000
IP_MF = 0x2000

ICMP_ECHOREPLY = 0
ICMP_ECHO = 8

BROADCAST = "ff:ff:ff:ff:ff:ff"


# ---------------------------------------------------------------- pcap files

def write_pcap(path, frames):
    """frames: iterable of (t_us, frame bytes); records are written in the given order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, DLT_EN10MB))
        for t_us, data in frames:
            sec, usec = divmod(int(t_us), 1_000_000)
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def read_pcap(path):
    """Returns [(t_us, data, wirelen)]. Accepts either byte order and nanosecond files
    (timestamps are then rounded down to microseconds)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    magic = struct.unpack("<I", raw[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
        magic = struct.unpack(">I", raw[:4])[0]
    else:
        raise ValueError(f"{path}: not a pcap file (magic {magic:#x})")
    nano = magic == 0xA1B23C4D
    out, off = [], 24
    while off + 16 <= len(raw):
        sec, frac, caplen, wirelen = struct.unpack(e + "IIII", raw[off:off + 16])
        off += 16
        data = raw[off:off + caplen]
        if len(data) < caplen:
            raise ValueError(f"{path}: record {len(out) + 1} cut short")
        off += caplen
        out.append((sec * 1_000_000 + (frac // 1000 if nano else frac), data, wirelen))
    if off != len(raw):
        raise ValueError(f"{path}: {len(raw) - off} stray bytes at the end")
    return out


# ---------------------------------------------------------------- addresses and checksums

def mac(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    assert len(b) == 6, s
    return b


def ip4(s):
    b = bytes(int(x) for x in s.split("."))
    assert len(b) == 4, s
    return b


def inet_csum(data):
    """RFC 1071 one's complement sum, as the value to store."""
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---------------------------------------------------------------- link layer

def eth(dst, src, ethertype, payload, pad=True):
    """An Ethernet II frame; padded to the 60-byte minimum as a NIC would (pad=False
    keeps it short, for runt tests)."""
    f = mac(dst) + mac(src) + struct.pack("!H", ethertype) + payload
    if pad and len(f) < 60:
        f += bytes(60 - len(f))
    return f


def vlan(dst, src, vid, ethertype, payload):
    """An 802.1Q-tagged frame."""
    tag = struct.pack("!HH", vid & 0x0FFF, ethertype)
    return eth(dst, src, ETH_P_8021Q, tag + payload)


def arp(op, sha, spa, tha, tpa):
    """ARP for IPv4 over Ethernet (RFC 826). op 1 request, 2 reply."""
    return struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, op) + mac(sha) + ip4(spa) + mac(tha) + ip4(tpa)


def arp_request(src_mac, src_ip, target_ip, dst=BROADCAST):
    return eth(dst, src_mac, ETH_P_ARP, arp(1, src_mac, src_ip, "00:00:00:00:00:00", target_ip))


def arp_reply(src_mac, src_ip, dst_mac, dst_ip):
    return eth(dst_mac, src_mac, ETH_P_ARP, arp(2, src_mac, src_ip, dst_mac, dst_ip))


# ---------------------------------------------------------------- IPv4

def ipv4(src, dst, proto, payload, ident=0, flags=0, frag_off=0, ttl=64, tos=0,
         options=b"", tot_len=None, csum=None, ihl=None, version=4):
    """An IPv4 datagram. flags: IP_DF | IP_MF; frag_off in bytes (a multiple of 8).
    options are padded to 4 bytes. tot_len / csum / ihl / version override the computed
    values to build broken headers."""
    if len(options) % 4:
        options += bytes(4 - len(options) % 4)
    hlen = 20 + len(options)
    if ihl is None:
        ihl = hlen // 4
    if tot_len is None:
        tot_len = hlen + len(payload)
    assert frag_off % 8 == 0
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, tos, tot_len, ident,
                    flags | (frag_off // 8), ttl, proto, 0, ip4(src), ip4(dst)) + options
    if csum is None:
        csum = inet_csum(h)
    h = h[:10] + struct.pack("!H", csum) + h[12:]
    return h + payload


def ip_header_len(dgram):
    return (dgram[0] & 0x0F) * 4


def fragment(dgram, mtu):
    """Split an IPv4 datagram into fragments of at most mtu bytes (RFC 791 §3.2): every
    fragment but the last carries a multiple of 8 payload bytes; all carry the original
    header (options included; fine for the copied options we use). Returns datagrams."""
    hlen = ip_header_len(dgram)
    head, data = bytearray(dgram[:hlen]), dgram[hlen:]
    flags_off = struct.unpack("!H", dgram[6:8])[0]
    base, more = (flags_off & 0x1FFF) * 8, flags_off & IP_MF
    chunk = (mtu - hlen) & ~7
    assert chunk > 0
    out = []
    for off in range(0, len(data), chunk):
        part = data[off:off + chunk]
        last = off + chunk >= len(data)
        fo = (flags_off & IP_DF) | ((base + off) // 8)
        if not last or more:
            fo |= IP_MF
        h = bytearray(head)
        struct.pack_into("!HHHH", h, 2, hlen + len(part), struct.unpack("!H", head[4:6])[0], fo,
                         struct.unpack("!H", head[8:10])[0])
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", inet_csum(bytes(h)))
        out.append(bytes(h) + part)
    return out


# ---------------------------------------------------------------- ICMP and UDP

def icmp(type_, code, rest, data, csum=None):
    """rest: the 4 bytes after the checksum (id/seq, unused, pointer ...)."""
    m = struct.pack("!BBH", type_, code, 0) + rest + data
    if csum is None:
        csum = inet_csum(m)
    return m[:2] + struct.pack("!H", csum) + m[4:]


def icmp_echo(ident, seq, data, reply=False, csum=None):
    return icmp(ICMP_ECHOREPLY if reply else ICMP_ECHO, 0, struct.pack("!HH", ident, seq), data, csum)


def udp(src_ip, dst_ip, sport, dport, data, csum=None):
    length = 8 + len(data)
    u = struct.pack("!HHHH", sport, dport, length, 0) + data
    if csum is None:
        pseudo = ip4(src_ip) + ip4(dst_ip) + struct.pack("!BBH", 0, IPPROTO_UDP, length)
        csum = inet_csum(pseudo + u) or 0xFFFF          # RFC 768: 0 is sent as all ones
    return u[:6] + struct.pack("!H", csum) + u[8:]


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp_options(mss=None, sack_ok=False, ts=None, wscale=None):
    """TCP options as Linux lays them out: on a SYN mss, sackOK+TS, nop, wscale; after,
    nop nop TS. ts = (val, ecr)."""
    o = b""
    if mss is not None:
        o += struct.pack("!BBH", 2, 4, mss)
    if sack_ok and ts is not None:
        o += struct.pack("!BBBBII", 4, 2, 8, 10, ts[0], ts[1])
    elif ts is not None:
        o += struct.pack("!BBBBII", 1, 1, 8, 10, ts[0], ts[1])
    elif sack_ok:
        o += struct.pack("!BBBB", 1, 1, 4, 2)
    if wscale is not None:
        o += struct.pack("!BBBB", 1, 3, 3, wscale)
    return o


def tcp(src_ip, dst_ip, sport, dport, seq, ack, flags, win, options=b"", data=b""):
    """A TCP segment (RFC 9293 §3.1) with its checksum; options padded to 4 bytes."""
    if len(options) % 4:
        options += bytes(4 - len(options) % 4)
    doff = (20 + len(options)) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, doff << 4, flags, win, 0, 0)
    t += options + data
    pseudo = ip4(src_ip) + ip4(dst_ip) + struct.pack("!BBH", 0, IPPROTO_TCP, len(t))
    return t[:16] + struct.pack("!H", inet_csum(pseudo + t)) + t[18:]


def parse_tcp(seg):
    """The fields of a TCP segment a peer answers from: ports, seq, ack, flags, window,
    payload and the timestamp option's value (None without one)."""
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", seg[:16])
    hl = (off >> 4) * 4
    opts, tsval, i = seg[20:hl], None, 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if kind == 8 and opts[i + 1] == 10:
            tsval = struct.unpack("!I", opts[i + 2:i + 6])[0]
        i += opts[i + 1]
    return {"sport": sport, "dport": dport, "seq": seq, "ack": ack, "flags": flags, "win": win,
            "data": seg[hl:], "tsval": tsval}


def pattern(n, start=0):
    """Payload bytes start, start+1, ... (mod 256), like ping's fill."""
    return bytes((start + i) & 0xFF for i in range(n))


# ---------------------------------------------------------------- parsing (for peers that answer)

def parse(frame):
    """A small view of a frame: dict with eth fields and, when present, 'arp' or 'ip'
    (with 'icmp' for unfragmented ICMP). Enough for a scripted peer to answer."""
    d = {"dst": ":".join(f"{b:02x}" for b in frame[0:6]),
         "src": ":".join(f"{b:02x}" for b in frame[6:12])}
    if len(frame) < 14:
        return d
    et = struct.unpack("!H", frame[12:14])[0]
    d["type"] = et
    body = frame[14:]
    if et == ETH_P_ARP and len(body) >= 28:
        op = struct.unpack("!H", body[6:8])[0]
        d["arp"] = {"op": op, "sha": ":".join(f"{b:02x}" for b in body[8:14]),
                    "spa": ".".join(str(b) for b in body[14:18]),
                    "tha": ":".join(f"{b:02x}" for b in body[18:24]),
                    "tpa": ".".join(str(b) for b in body[24:28])}
    elif et == ETH_P_IP and len(body) >= 20:
        hlen = ip_header_len(body)
        tot = struct.unpack("!H", body[2:4])[0]
        fo = struct.unpack("!H", body[6:8])[0]
        ip = {"src": ".".join(str(b) for b in body[12:16]), "dst": ".".join(str(b) for b in body[16:20]),
              "proto": body[9], "id": struct.unpack("!H", body[4:6])[0], "flags_off": fo,
              "ttl": body[8], "raw": body[:tot], "payload": body[hlen:tot]}
        d["ip"] = ip
        if ip["proto"] == IPPROTO_ICMP and not (fo & (IP_MF | 0x1FFF)) and len(ip["payload"]) >= 8:
            p = ip["payload"]
            ip["icmp"] = {"type": p[0], "code": p[1], "id": struct.unpack("!H", p[4:6])[0],
                          "seq": struct.unpack("!H", p[6:8])[0], "data": p[8:]}
    return d
