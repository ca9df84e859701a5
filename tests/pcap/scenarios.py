#!/usr/bin/env python3
"""tests/pcap/scenarios.py — the inputs of the pcap regression runs.

    python3 tests/pcap/scenarios.py [--bin PATH] [-k NAME]

Each scenario below is a function returning a Scenario: the frames that enter tap0 (with
their times), the -f script, the options (seed, -n, device) and, when the stack speaks
first, a scripted peer. Running this file rewrites tests/pcap/scenarios/NAME/in.pcap,
script.ts and options; goldens are recorded by run_pcap_tests.py --regolden.
A scenario with several devices (possibly in several namespaces the script creates)
lists them as Device(NAME, frames, peer), NAME being [NS/]NAME; each gets its own
in.TAG.pcap (TAG: NAME with '/' written '.') and its own peer.

The lab: the default one (tap0 10.0.0.2/24, default route via 10.0.0.1). Every script
begins with `ip link set tap0 address 02:00:00:00:00:02` so that inputs can address the
stack. The peer is 10.0.0.1 at 02:00:00:00:00:01.

Time: the virtual clock starts at the first input frame, T0 = 1700000000.000000. When the
stack speaks first, the first frame is anchor(): a frame for another host that the stack
must ignore (it counts TsDropOTHERHOST 1), there only to start the clock at T0.

The scripted peer (class Peer) answers what the stack sends it — ARP requests, echo
requests — delay_us later. Its answers depend on the stack's frames (the ping identifier
comes from the seed), so for scenarios with a peer this file runs the binary: it replays,
lets the peer answer the output, and repeats until the input no longer changes. The
result is committed; when the stack's random draws change (e.g. the ping identifier),
run this file again before re-recording goldens.
"""
import argparse
import os
import struct
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from pcaplib import (BROADCAST, ETH_P_IP, ETH_P_ARP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DF, IP_MF,  # noqa: E402
                     TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, arp, arp_reply, arp_request, eth, fragment,
                     icmp, icmp_echo, ip_header_len, ipv4, inet_csum, parse, parse_tcp, pattern, read_pcap,
                     tcp, tcp_options, udp, vlan, write_pcap)
import run_pcap_tests  # noqa: E402

SCEN_DIR = os.path.join(HERE, "scenarios")
T0 = 1_700_000_000 * 1_000_000
MS = 1000
S = 1_000_000
PEER_MAC, PEER_IP = "02:00:00:00:00:01", "10.0.0.1"
STACK_MAC, STACK_IP = "02:00:00:00:00:02", "10.0.0.2"
SET_MAC = f"ip link set tap0 address {STACK_MAC}"


class Device:
    """One device of a scenario with several: [NS/]NAME, the frames that enter it
    [(t_us, frame)], and the scripted host on its wire (a Peer or None)."""

    def __init__(self, name, frames=(), peer=None):
        self.name, self.frames, self.peer = name, list(frames), peer


class Scenario:
    def __init__(self, frames, script, seed=1, empty=False, dev="tap0", peer=None, devices=None):
        self.frames = frames        # [(t_us, frame)]
        self.script = script
        self.seed = seed
        self.empty = empty          # -n: no default lab
        self.dev = dev
        self.peer = peer            # Peer or None
        self.devices = devices      # [Device] for several devices (then frames/dev/peer unused)

    def options(self):
        names = [d.name for d in self.devices] if self.devices else [self.dev]
        devs = [w for n in names for w in ("--dev", n)]
        return devs + ["--seed", str(self.seed)] + (["-n"] if self.empty else [])


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


def script(text):
    """Dedent a script; keeps # comments (the shell ignores them)."""
    lines = [line.strip() for line in text.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the peer

class Peer:
    """10.0.0.1 as a scripted host. It answers, delay_us after the stack's frame:
      - ARP requests for its addresses (broadcast or unicast probes), except the ones
        numbered in arp_ignore (1 = the first request for it, counted over the run);
      - ICMP echo requests to its addresses, after reassembling fragments; its replies
        are fragmented at mtu as Linux would (IP ID from first_id on, TTL 64)."""

    def __init__(self, mac=PEER_MAC, ips=(PEER_IP,), delay_us=1 * MS, arp_ignore=(), mtu=1500,
                 first_id=0x5000):
        self.mac, self.ips, self.delay = mac, set(ips), delay_us
        self.arp_ignore, self.mtu, self.first_id = set(arp_ignore), mtu, first_id

    def respond(self, out):
        replies, nreq, ip_id, queues = [], 0, self.first_id, {}
        for t, data, _ in out:
            f = parse(data)
            a = f.get("arp")
            if a:
                if a["op"] == 1 and a["tpa"] in self.ips and a["spa"] != a["tpa"]:
                    nreq += 1
                    if nreq not in self.arp_ignore:
                        replies.append((t + self.delay, arp_reply(self.mac, a["tpa"], a["sha"], a["spa"])))
                continue
            ip = f.get("ip")
            if not ip or ip["dst"] not in self.ips or f["dst"] != self.mac:
                continue
            dgram = reassemble(queues, ip["raw"])
            if dgram is None or dgram[9] != IPPROTO_ICMP:
                continue
            m = dgram[ip_header_len(dgram):]
            if m[0] != 8 or inet_csum(m) != 0:
                continue
            ident, seq = struct.unpack("!HH", m[4:8])
            src = ".".join(str(b) for b in dgram[12:16])
            rep = ipv4(ip["dst"], src, IPPROTO_ICMP, icmp_echo(ident, seq, m[8:], reply=True), ident=ip_id)
            ip_id += 1
            for part in (fragment(rep, self.mtu) if len(rep) > self.mtu else [rep]):
                replies.append((t + self.delay, eth(f["src"], self.mac, ETH_P_IP, part)))
        return replies


class Wire:
    """A cable between two replay devices: every frame device `other` sends enters this
    one delay_us later (a replay device's peer is then the stack itself, on the other
    device). A scenario wires both ends: Device(A, peer=Wire(B)), Device(B, peer=Wire(A))."""

    def __init__(self, other, delay_us=10):
        self.listens, self.delay = other, delay_us

    def respond(self, out):
        return [(t + self.delay, data) for t, data, _ in out]


def reassemble(queues, raw):
    """Collect fragments by (src, dst, id, proto); returns the datagram once whole."""
    fo = struct.unpack("!H", raw[6:8])[0]
    if not fo & (IP_MF | 0x1FFF):
        return raw
    hl = ip_header_len(raw)
    key = (raw[12:16], raw[16:20], raw[4:6], raw[9])
    q = queues.setdefault(key, {"parts": {}, "end": None, "head": None})
    off = (fo & 0x1FFF) * 8
    q["parts"][off] = raw[hl:]
    if off == 0:
        q["head"] = raw[:hl]
    if not fo & IP_MF:
        q["end"] = off + len(raw) - hl
    if q["head"] is None or q["end"] is None:
        return None
    data, at = b"", 0
    while at < q["end"]:
        part = q["parts"].get(at)
        if part is None:
            return None
        data, at = data + part, at + len(part)
    del queues[key]
    h = bytearray(q["head"])
    struct.pack_into("!HHH", h, 2, len(h) + len(data), struct.unpack("!H", h[4:6])[0], 0)
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", inet_csum(bytes(h)))
    return bytes(h) + data


# ---------------------------------------------------------------- frame helpers

def anchor():
    """Starts the clock at T0 where the stack speaks first: an IPv4 frame for another
    host's MAC, which the stack must ignore (TsDropOTHERHOST)."""
    return (T0, eth("02:00:00:00:00:99", PEER_MAC, ETH_P_IP,
                    ipv4(PEER_IP, "10.0.0.99", IPPROTO_ICMP, icmp_echo(0x99, 1, b"clock start"))))


def to_stack(dgram, src_mac=PEER_MAC):
    return eth(STACK_MAC, src_mac, ETH_P_IP, dgram)


def echo_dgram(size, ident, seq, ip_id, src=PEER_IP, dst=STACK_IP, ttl=64):
    """An echo request whose IP datagram is `size` bytes long."""
    return ipv4(src, dst, IPPROTO_ICMP, icmp_echo(ident, seq, pattern(size - 28)), ident=ip_id, ttl=ttl)


def peer_asks():
    """The peer's ARP request for 10.0.0.2, as a real host sends before its first datagram."""
    return arp_request(PEER_MAC, PEER_IP, STACK_IP)


# ---------------------------------------------------------------- scenarios

@scenario
def arp_request_reply():
    zeros = "00:00:00:00:00:00"
    frames = [
        (T0, peer_asks()),
        (T0 + 100 * MS, arp_request(PEER_MAC, PEER_IP, "10.0.0.77")),
        (T0 + 200 * MS, eth(BROADCAST, "02:00:00:00:00:05", ETH_P_ARP,
                            arp(1, "02:00:00:00:00:05", "10.0.0.5", zeros, "10.0.0.5"))),
        (T0 + 300 * MS, arp_request(PEER_MAC, PEER_IP, STACK_IP, dst=STACK_MAC)),
        (T0 + 400 * MS, arp_reply("02:00:00:00:00:06", "10.0.0.6", STACK_MAC, STACK_IP)),
        (T0 + 500 * MS, arp_request("02:00:00:00:00:11", PEER_IP, STACK_IP)),
    ]
    return Scenario(frames, script(f"""
        # ARP (RFC 826) with Linux's rules. Inputs:
        #  t=0.0 10.0.0.1 asks who-has 10.0.0.2 (broadcast)   -> reply; 10.0.0.1 STALE
        #  t=0.1 10.0.0.1 asks who-has 10.0.0.77              -> nothing (not ours)
        #  t=0.2 gratuitous ARP from 10.0.0.5                 -> nothing (arp_accept=0)
        #  t=0.3 10.0.0.1 asks again, unicast                 -> reply; still STALE
        #  t=0.4 unsolicited reply from 10.0.0.6              -> nothing learnt
        #  t=0.5 10.0.0.1 asks from MAC 02:00:00:00:00:11     -> reply to it; lladdr replaced
        {SET_MAC}
        sleep 0.05
        echo "== t=0.05: the request created 10.0.0.1 as STALE"
        ip -s neigh show
        sleep 0.4
        echo "== t=0.45: nothing else was learnt"
        ip -s neigh show
        sleep 0.1
        echo "== t=0.55: a request with another MAC overrides the entry"
        ip -s neigh show
        nstat
    """))


@scenario
def arp_resolve_and_ping():
    return Scenario([anchor()], script(f"""
        # ping 10.0.0.1 with an empty neighbour table: a broadcast ARP request at t=0, the
        # peer's reply 1 ms later releases the queued echo request; the second echo goes
        # out at t=1 s on the REACHABLE entry. The peer answers each 1 ms later.
        {SET_MAC}
        ping -c 2 10.0.0.1
        ip -s neigh show
        nstat
    """), peer=Peer())


@scenario
def nud_transitions():
    return Scenario([anchor()], script(f"""
        # Linux NUD states (net/core/neighbour.c) with short timers:
        # base_reachable_time 1 s (reachable_time drawn in [0.5, 1.5) s), retrans 1 s.
        {SET_MAC}
        sysctl -w net.ipv4.neigh.tap0.base_reachable_time_ms=1000
        sysctl -w net.ipv4.neigh.tap0.delay_first_probe_time=0
        echo "== t=0: ping resolves 10.0.0.1: INCOMPLETE, broadcast request, reply -> REACHABLE"
        ping -c 1 10.0.0.1
        ip -s neigh show
        sleep 2
        echo "== t=2.002: reachable_time passed, unused within delay_first_probe_time=0 -> STALE"
        ip -s neigh show
        sysctl -w net.ipv4.neigh.tap0.delay_first_probe_time=1
        ping -c 1 10.0.0.1
        echo "== t=2.003: a packet used the STALE entry -> DELAY (1 s)"
        ip -s neigh show
        sleep 1.5
        echo "== t=3.503: no confirmation in 1 s -> PROBE; unicast probe at 3.002 unanswered"
        ip -s neigh show
        sleep 1
        echo "== t=4.503: second unicast probe (4.002) answered -> REACHABLE"
        ip -s neigh show
        echo "== 10.0.0.3 never answers"
        ping -c 1 -W 0.5 10.0.0.3
        ip -s neigh show
        sleep 3
        echo "== broadcast probes at +0, +1, +2 s; FAILED at +3 s"
        ip -s neigh show
        nstat
    """), peer=Peer(arp_ignore={2}))


@scenario
def ping_fragments():
    big = echo_dgram(4000, 0x1234, 1, 0x0100)
    huge = echo_dgram(65535, 0x1234, 2, 0x0101)
    frames = [(T0, peer_asks())]
    frames += [(T0 + 10 * MS, to_stack(f)) for f in fragment(big, 1500)]
    frames += [(T0 + 20 * MS, to_stack(f)) for f in reversed(fragment(huge, 1500))]
    assert len(fragment(big, 1500)) == 3 and len(fragment(huge, 1500)) == 45
    return Scenario(frames, script(f"""
        # t=0.010: a 4000-byte echo request in 3 fragments -> reassembled, answered by a
        #          4000-byte reply in 3 fragments (1500, 1500, 1040)
        # t=0.020: a 65535-byte echo request (the largest datagram) in 45 fragments, sent
        #          last fragment first -> a 65535-byte reply in 45 fragments
        # t=0.1:   ping -s 3000: each request leaves as 3 fragments (no DF), the peer's
        #          fragmented replies are reassembled
        {SET_MAC}
        sleep 0.1
        ping -c 2 -s 3000 10.0.0.1
        nstat
        sleep 4
        echo "== t=5.1: the entry went DELAY at 0.01 (replies used it), PROBE at 5.01; answered"
        ip -s neigh show
    """), peer=Peer())


@scenario
def reassembly_timeout():
    a = fragment(echo_dgram(4000, 0x2222, 1, 0x2001), 1500)
    b = fragment(echo_dgram(4000, 0x2222, 2, 0x2002), 1500)
    frames = [(T0, to_stack(a[0])), (T0 + 1 * MS, to_stack(a[1])),
              (T0 + 2 * MS, to_stack(b[1])), (T0 + 3 * MS, to_stack(b[2]))]
    return Scenario(frames, script(f"""
        # Datagram 0x2001: fragments 1 and 2 of 3 (t=0, 0.001). Datagram 0x2002: fragments
        # 2 and 3 (t=0.002, 0.003), never the first. ipfrag_time is 30 s:
        #  t=30.000 0x2001 expires -> ICMP time exceeded, code 1 (reassembly), quoting
        #           fragment zero (RFC 792, RFC 1122 3.3.2); the stack first resolves 10.0.0.1
        #  t=30.002 0x2002 expires -> no ICMP (fragment zero never came)
        {SET_MAC}
        sleep 29.999
        echo "== t=29.999: both datagrams still waiting"
        nstat
        sleep 1.001
        echo "== t=31: both timed out"
        nstat
    """), peer=Peer())


@scenario
def ttl_exceeded_forwarding():
    def udp_to(dst, ttl, ip_id):
        return to_stack(ipv4(PEER_IP, dst, IPPROTO_UDP, udp(PEER_IP, dst, 40000, 33434, b"forward me"),
                             ident=ip_id, ttl=ttl))
    frames = [(T0, udp_to("192.168.1.9", 1, 0x0a01)),
              (T0 + 100 * MS, udp_to("192.168.1.9", 5, 0x0a02)),
              (T0 + 200 * MS, udp_to("192.168.1.10", 5, 0x0a03)),
              (T0 + 5 * S, udp_to("192.168.1.9", 5, 0x0a04))]
    return Scenario(frames, script(f"""
        # Forwarding between tap0 and tap1 (only tap0 is captured).
        #  t=0    UDP to 192.168.1.9, TTL 1 -> ICMP time exceeded (code 0) from 10.0.0.2
        #  t=0.1  the same with TTL 5 -> forwarded out tap1 with TTL 4 (permanent neighbour)
        #  t=0.2  TTL 5 to 192.168.1.10, which never answers ARP on tap1 -> after 3 probes
        #         (t=3.2) ICMP host unreachable back to 10.0.0.1 quoting the TTL-4 datagram
        #  t=5    ip_forward=0: the datagram is dropped silently (IpInAddrErrors)
        {SET_MAC}
        sysctl -w net.ipv4.ip_forward=1
        ip link add tap1 type tap
        ip addr add 192.168.1.1/24 dev tap1
        ip link set tap1 up
        ip neigh add 192.168.1.9 lladdr 02:00:00:00:01:09 dev tap1 nud permanent
        sleep 1
        echo "== t=1"
        ip -s link show tap1
        ip neigh show
        nstat
        sleep 3
        echo "== t=4: 192.168.1.10 FAILED"
        ip neigh show
        nstat
        sysctl -w net.ipv4.ip_forward=0
        sleep 1.5
        echo "== t=5.5: with ip_forward=0"
        ip -s link show tap1
        nstat
    """), peer=Peer())


@scenario
def bad_checksums_and_truncated():
    good = echo_dgram(84, 0x4444, 1, 0x4001)
    bad_ip_csum = bytearray(echo_dgram(84, 0x4444, 2, 0x4002))
    bad_ip_csum[10] ^= 0x5A
    bad_icmp = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x4444, 3, pattern(56), csum=0xBEEF), ident=0x4003)
    truncated = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x4444, 4, pattern(56)), ident=0x4004, tot_len=1000)
    ihl4 = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x4444, 6, pattern(56)), ident=0x4006, ihl=4)
    v6 = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x4444, 7, pattern(56)), ident=0x4007, version=6)
    short_tot = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x4444, 8, pattern(56)), ident=0x4008, tot_len=16)
    icmp_short = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, b"\x08\x00\xf7\xff", ident=0x400a)
    cases = [
        ("IP header checksum wrong", to_stack(bytes(bad_ip_csum))),
        ("ICMP checksum wrong", to_stack(bad_icmp)),
        ("IP total length 1000 > 84 bytes received", to_stack(truncated)),
        ("frame of 10 bytes", eth(STACK_MAC, PEER_MAC, ETH_P_IP, b"", pad=False)[:10]),
        ("IHL 4", to_stack(ihl4)),
        ("802.1Q tagged echo request", vlan(STACK_MAC, PEER_MAC, 5, ETH_P_IP, good)),
        ("version 6 in an IPv4 frame", to_stack(v6)),
        ("IP total length 16 < header length 20", to_stack(short_tot)),
        ("IPv4 frame of 24 bytes (10-byte IP header)", eth(STACK_MAC, PEER_MAC, ETH_P_IP, good[:10], pad=False)),
        ("ICMP message of 4 bytes", to_stack(icmp_short)),
        ("unknown ethertype 0x88b5", eth(STACK_MAC, PEER_MAC, 0x88B5, b"local experimental")),
        ("good echo request", to_stack(good)),
    ]
    frames = [(T0, peer_asks())]
    lines = [SET_MAC, "sleep 0.05", 'echo "== t=0: the peer\'s ARP request"', "nstat"]
    for i, (what, frame) in enumerate(cases, 1):
        frames.append((T0 + i * 100 * MS, frame))
        lines += ["sleep 0.1", f'echo "== t={i / 10:.1f}: {what}"', "nstat"]
    lines += ["sleep 8.5", 'echo "== t=9.75: the reply used the STALE entry: DELAY, PROBE at 6.2, three '
              'unanswered unicast probes, FAILED at 9.2"', "ip -s neigh show"]
    return Scenario(frames, script("""
        # Malformed input is dropped silently, each with its own counter (nstat after each
        # frame, 50 ms later). Only the ARP request and the last, good echo are answered.
        # The peer here is not scripted: it never answers the stack's probes.
    """) + "\n".join(lines) + "\n")


@scenario
def trace_journey():
    bad = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, icmp_echo(0x5555, 2, pattern(56), csum=0x1111), ident=0x5002)
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(echo_dgram(84, 0x5555, 1, 0x5001))),
              (T0 + 20 * MS, to_stack(bad))]
    return Scenario(frames, script(f"""
        # Packet journeys (trace on): the ARP request and its reply, an echo request and
        # its reply, and an echo request dropped for its ICMP checksum. Pins the format.
        {SET_MAC}
        trace on
        sleep 0.1
        trace off
        sleep 8
        # the echo reply used the STALE entry: DELAY, then three unanswered unicast probes
        ip -s neigh show
    """))


@scenario
def protocol_unreachable():
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(ipv4(PEER_IP, STACK_IP, 253, b"experimental payload", ident=0x6001))),
              (T0 + 20 * MS, eth(BROADCAST, PEER_MAC, ETH_P_IP,
                                 ipv4(PEER_IP, "10.0.0.255", 253, b"to everyone", ident=0x6002)))]
    return Scenario(frames, script(f"""
        # An unknown IP protocol (253, RFC 3692 experimental):
        #  t=0.01 unicast -> ICMP protocol unreachable (type 3 code 2) quoting the datagram
        #  t=0.02 to the subnet broadcast -> no ICMP (RFC 1122 3.2.2)
        {SET_MAC}
        sleep 0.1
        nstat
        sleep 8
        # the ICMP error used the STALE entry: DELAY, then three unanswered unicast probes
        ip -s neigh show
    """))


@scenario
def icmp_error_ratelimit():
    frames = [(T0, peer_asks())]
    for i in range(10):
        frames.append((T0 + (10 + 10 * i) * MS,
                       to_stack(ipv4(PEER_IP, STACK_IP, 253, b"x" * 8, ident=0x7000 + i))))
    frames.append((T0 + 1200 * MS, to_stack(ipv4(PEER_IP, STACK_IP, 253, b"x" * 8, ident=0x700a))))
    return Scenario(frames, script(f"""
        # Linux's per-destination ICMP error limit (icmp_ratelimit 1000 ms, burst 6,
        # icmp_ratemask includes destination unreachable): ten datagrams of an unknown
        # protocol 10 ms apart get six protocol unreachables, then none; the eleventh,
        # at t=1.2 s, gets one again (a token accrued).
        {SET_MAC}
        sleep 0.5
        nstat
        sleep 1
        nstat
        sleep 7
        # the errors used the STALE entry: DELAY, then three unanswered unicast probes
        ip -s neigh show
    """))


@scenario
def fragment_overlap_duplicate():
    x = fragment(echo_dgram(4000, 0x3333, 1, 0x3001), 1500)
    y_dgram = echo_dgram(4000, 0x3333, 2, 0x3002)
    y = fragment(y_dgram, 1500)
    # a fragment of y covering payload bytes 1000..2480: overlaps both y[0] and y[1]
    body = y_dgram[20:]
    overlap = ipv4(PEER_IP, STACK_IP, IPPROTO_ICMP, body[1000:2480], ident=0x3002, flags=IP_MF, frag_off=1000)
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(x[0])), (T0 + 11 * MS, to_stack(x[1])),
              (T0 + 12 * MS, to_stack(x[1])), (T0 + 13 * MS, to_stack(x[2])),
              (T0 + 20 * MS, to_stack(y[0])), (T0 + 21 * MS, to_stack(overlap)),
              (T0 + 22 * MS, to_stack(y[1])), (T0 + 23 * MS, to_stack(y[2]))]
    return Scenario(frames, script(f"""
        # Datagram 0x3001: fragments 1, 2, 2 again, 3 -> the duplicate is dropped alone and
        #   the datagram is answered (3 reply fragments at t=0.013).
        # Datagram 0x3002: fragment 1, then one overlapping it (bytes 1000-2480) -> the whole
        #   datagram is discarded (RFC 5722, Linux since 4.19); fragments 2 and 3 that follow
        #   start a new queue that cannot complete: no reply; it times out at t=30.022
        #   without ICMP (no fragment zero).
        {SET_MAC}
        sleep 0.1
        nstat
        sleep 30
        echo "== t=30.1"
        nstat
    """))


@scenario
def fragment_flood():
    # 2,500 first fragments (MF, offset 0) of UDP datagrams that never complete, at
    # 20,000/s, then ordinary traffic. Reassembly is bounded by its own memory limit
    # (ipfrag_high_thresh, 4 MB of truesize): about 1,900 queues fit, the rest are refused
    # (IpReasmFails, TsDropFRAG_MEM). The packet pool is not: receiving goes on.
    flood = [(T0 + 10 * MS + i * 50,
              to_stack(ipv4(PEER_IP, STACK_IP, IPPROTO_UDP, udp(PEER_IP, STACK_IP, 40000, 9, b"")[:8],
                            ident=0x4000 + i, flags=IP_MF)))
             for i in range(2500)]
    during = fragment(echo_dgram(3000, 0x5555, 2, 0x7002), 1500)
    after = fragment(echo_dgram(3000, 0x5555, 3, 0x7003), 1500)
    frames = [(T0, peer_asks())] + flood + [
        (T0 + 200 * MS, to_stack(echo_dgram(84, 0x5555, 1, 0x7001)))] + [
        (T0 + 300 * MS + k * MS, to_stack(f)) for k, f in enumerate(during)] + [
        (T0 + 3000 * MS + k * MS, to_stack(f)) for k, f in enumerate(after)]
    return Scenario(frames, script(f"""
        # t=0.01-0.135: the flood. t=0.2: an unfragmented echo -> answered at once.
        # t=0.3: a fragmented echo while reassembly memory is full -> refused, no reply.
        # ipfrag_time 2 s: the queues expire at t=2.01-2.135 (ICMP time exceeded, fragment
        # reassembly, rate limited per destination); t=3: a fragmented echo -> answered.
        {SET_MAC}
        sysctl -w net.ipv4.ipfrag_time=2
        sleep 0.25
        echo "== t=0.25: flood queued up to the memory limit; the plain ping was answered"
        nstat
        sleep 0.1
        echo "== t=0.35: the fragmented echo was refused"
        nstat
        sleep 3
        echo "== t=3.35: memory freed, the fragmented echo was answered"
        nstat
    """))

@scenario
def addr_add_announce():
    return Scenario([anchor()], script(f"""
        # ip addr add and a link that comes up. Linux (arp_notify=0, the default) sends no
        # gratuitous ARP for either: nothing is sent before the sysctl. With
        # net.ipv4.conf.tap0.arp_notify=1 the link coming up announces every address
        # (who-has A tell A, broadcast, zero target MAC), and so does a MAC change
        # (inetdev_event); tapstack also announces an address added to an up link.
        {SET_MAC}
        ip addr add 10.0.0.5/24 dev tap0
        ip link set tap0 down
        ip link set tap0 up
        sleep 0.1
        sysctl -w net.ipv4.conf.tap0.arp_notify=1
        ip link set tap0 down
        ip link set tap0 up
        sleep 0.1
        ip addr add 10.0.0.6/24 dev tap0
        sleep 0.1
        ip link set tap0 address 02:00:00:00:00:22
        sleep 0.1
        ip addr show dev tap0
    """))


@scenario
def arp_locktime():
    other = "02:00:00:00:00:0b"
    frames = [anchor(),
              (T0 + 2 * MS, arp_reply(other, PEER_IP, STACK_MAC, STACK_IP)),
              (T0 + 1500 * MS, arp_reply(other, PEER_IP, STACK_MAC, STACK_IP))]
    return Scenario(frames, script(f"""
        # Two hosts answer for 10.0.0.1: the peer (02:00:00:00:00:01) after 1 ms, then
        # 02:00:00:00:00:0b after 2 ms. Within locktime (1 s) of the last update the first
        # answer wins (arp_process: override only after n->updated + locktime): echo 1 and 2
        # go to the peer. At t=1.5 s 02:00:00:00:00:0b announces itself again with a unicast
        # reply: now it overrides the address, so echo 3 (t=2) goes to it, and is not answered.
        {SET_MAC}
        ping -c 3 -W 1 10.0.0.1
        ip -s neigh show
        nstat
    """), peer=Peer())


class MovedPeer(Peer):
    """10.0.0.1 whose address moves to another MAC at t_move (a VRRP/keepalived failover):
    the stack's frames before t_move are answered as Peer does; later ones by the new
    holder (its own MAC, its own IP IDs), and only when sent to its MAC."""

    def __init__(self, new_mac, t_move, **kw):
        super().__init__(**kw)
        self.new_mac, self.t_move = new_mac, t_move

    def respond(self, out):
        before = [o for o in out if o[0] < self.t_move]
        after = [o for o in out if o[0] >= self.t_move]
        moved = Peer(mac=self.new_mac, ips=self.ips, delay_us=self.delay, first_id=0x6000)
        return super().respond(before) + moved.respond(after)


@scenario
def garp_within_locktime():
    new, other = "02:00:00:00:00:0c", "02:00:00:00:00:0d"
    frames = [anchor(),
              (T0 + 100 * MS, eth(BROADCAST, other, ETH_P_ARP, arp(2, other, PEER_IP, BROADCAST, PEER_IP))),
              (T0 + 300 * MS, eth(BROADCAST, new, ETH_P_ARP, arp(2, new, PEER_IP, new, PEER_IP)))]
    return Scenario(frames, script(f"""
        # 10.0.0.1 moves to another MAC and announces it with a gratuitous ARP reply, as
        # arping -A and keepalived send one (sender IP = target IP, target MAC = sender MAC).
        # The entry was updated 1 ms after t=0 by the answer to our request; locktime
        # (1 s) holds back ordinary replies until t=1.001, but Linux's arp_is_garp makes a
        # gratuitous one override at once (arp_process).
        #  t=0.1 02:00:00:00:00:0d: a broadcast reply for 10.0.0.1 whose target MAC is
        #        ff:ff:ff:ff:ff:ff -- not gratuitous (target MAC != sender MAC): held back,
        #        echo 2 (t=0.2) still goes to 02:00:00:00:00:01
        #  t=0.3 02:00:00:00:00:0c: the gratuitous reply -> lladdr replaced, STALE (it was
        #        broadcast); echo 3 (t=0.4, DELAY) and echo 4 go to 02:00:00:00:00:0c, which
        #        answers them; at t=5.4 the unicast probe goes there too and its answer
        #        makes the entry REACHABLE
        {SET_MAC}
        ping -c 4 -i 0.2 10.0.0.1
        ip -s neigh show
        sleep 6
        ip -s neigh show
        nstat
    """), peer=MovedPeer(new, T0 + 300 * MS))


@scenario
def arp_dad_probe():
    probe = eth(BROADCAST, "02:00:00:00:00:07", ETH_P_ARP,
                arp(1, "02:00:00:00:00:07", "0.0.0.0", "00:00:00:00:00:00", STACK_IP))
    return Scenario([(T0, probe)], script(f"""
        # An RFC 5227 probe (sender 0.0.0.0) for 10.0.0.2: Linux defends the address with a
        # reply to the prober's MAC whose target IP is the probe's sender, 0.0.0.0
        # (arp_process: arp_send_dst(ARPOP_REPLY, ..., sip, dev, tip, sha, ...)), and
        # learns nothing.
        {SET_MAC}
        sleep 0.1
        ip -s neigh show
        nstat
    """))


@scenario
def vlan_priority_tag():
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, vlan(STACK_MAC, PEER_MAC, 0, ETH_P_IP, echo_dgram(84, 0x6666, 1, 0x6601)))]
    return Scenario(frames, script(f"""
        # An echo request in an 802.1Q priority tag (VLAN ID 0, 802.1p): Linux strips the tag
        # in __netif_receive_skb_core (skb_vlan_untag; a zero VID does not make the frame
        # PACKET_OTHERHOST) and answers, untagged.
        {SET_MAC}
        sleep 0.1
        nstat
    """))


# ---------------------------------------------------------------- UDP

ECHO_PORT = 7
PEER_PORT = 40000


def udp_to_stack(data, dport=ECHO_PORT, sport=PEER_PORT, ip_id=0, df=False, csum=None, ulen=None,
                 dst=STACK_IP, extra=b""):
    """A UDP datagram from the peer, as an IP datagram. csum: store this checksum
    instead of the right one (0 = none); ulen: overwrite the UDP length field afterwards
    (the checksum stays the one of the true length); extra: bytes after the UDP datagram
    inside the IP payload (outside its length and checksum)."""
    u = udp(PEER_IP, dst, sport, dport, data, csum=csum)
    if ulen is not None:
        u = u[:4] + struct.pack("!H", ulen) + u[6:]
    return ipv4(PEER_IP, dst, IPPROTO_UDP, u + extra, ident=ip_id, flags=IP_DF if df else 0)


def zero_sum_data(n):
    """n bytes (n >= 2, even) of pattern data whose last two bytes make the UDP checksum
    (peer -> stack, 40000 -> 7) compute to 0, so that it is sent as 0xFFFF (RFC 768)."""
    data = bytearray(pattern(n - 2) + b"\0\0")
    pseudo = bytes([10, 0, 0, 1, 10, 0, 0, 2]) + struct.pack("!BBH", 0, IPPROTO_UDP, 8 + n)
    hdr = struct.pack("!HHHH", PEER_PORT, ECHO_PORT, 8 + n, 0)
    # the one's complement sum must be 0xFFFF; inet_csum returns its complement
    c = inet_csum(pseudo + hdr + bytes(data))
    # adding the value c to the sum turns it into 0xFFFF (c = ~sum)
    struct.pack_into("!H", data, n - 2, c)
    assert inet_csum(pseudo + hdr + bytes(data)) == 0
    return bytes(data)


@scenario
def udp_echo():
    big = udp_to_stack(pattern(8000), ip_id=0x8003)
    frags = fragment(big, 1500)
    assert len(frags) == 6
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(udp_to_stack(b"A", ip_id=0x8001, df=True))),
              (T0 + 20 * MS, to_stack(udp_to_stack(pattern(1472), ip_id=0x8002, df=True)))]
    frames += [(T0 + 30 * MS, to_stack(f)) for f in frags]
    return Scenario(frames, script(f"""
        # RFC 862 echo over UDP (serve echo udp 7). The peer (40000 -> 7) sends:
        #  t=0.010 1 byte (DF, as Linux sends what fits)      -> echoed: 29-byte datagram, DF
        #  t=0.020 1472 bytes, DF: the largest that fits 1500  -> echoed in one 1500-byte frame, DF
        #  t=0.030 8000 bytes in 6 fragments (no DF)           -> reassembled; the echo leaves in
        #          6 fragments (5 x 1500 + 628), no DF (IP_PMTUDISC_WANT fragments locally)
        # The echoes go out on the STALE entry learnt from the peer's ARP request: DELAY, a
        # unicast probe at 5.01 answered by the peer -> REACHABLE.
        {SET_MAC}
        serve echo udp 7
        serve list
        sleep 0.1
        nstat
        serve list
        ss -uan
        sleep 6
        ip -s neigh show
    """), peer=Peer())


@scenario
def udp_port_unreachable():
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(udp_to_stack(b"anyone on 9999?", dport=9999, ip_id=0x8101))),
              (T0 + 20 * MS, to_stack(udp_to_stack(pattern(1000), dport=9998, ip_id=0x8102))),
              (T0 + 30 * MS, eth(BROADCAST, PEER_MAC, ETH_P_IP,
                                 udp_to_stack(b"to everyone", dport=9999, ip_id=0x8103, dst="10.0.0.255"))),
              (T0 + 40 * MS, eth(BROADCAST, PEER_MAC, ETH_P_IP,
                                 udp_to_stack(b"to all ones", dport=9999, ip_id=0x8104, dst="255.255.255.255"))),
              (T0 + 50 * MS, to_stack(udp_to_stack(b"after stop", ip_id=0x8105)))]
    return Scenario(frames, script(f"""
        # Datagrams for ports nobody listens on (RFC 1122 4.1.3.1, RFC 792):
        #  t=0.01 unicast to 9999, 15 bytes  -> ICMP port unreachable (type 3 code 3) quoting
        #         the whole datagram (Linux quotes up to 576 bytes of ICMP datagram)
        #  t=0.02 unicast to 9998, 1000 bytes -> port unreachable quoting the first 548 bytes
        #  t=0.03 to the subnet broadcast 10.0.0.255 -> no ICMP (RFC 1122 3.2.2)
        #  t=0.04 to the limited broadcast 255.255.255.255 -> no ICMP
        #  t=0.05 to port 7, whose echo server was stopped at t=0 -> port unreachable
        # Counters (Linux __udp4_lib_rcv / __udp4_lib_mcast_deliver): UdpNoPorts for each
        # unicast datagram; a broadcast that no socket takes counts UdpIgnoredMulti instead.
        {SET_MAC}
        serve echo udp 7
        serve stop 7
        serve list
        sleep 0.025
        echo "== t=0.025: two unicast datagrams to closed ports"
        nstat
        sleep 0.02
        echo "== t=0.045: two broadcast datagrams to a closed port"
        nstat
        sleep 0.01
        echo "== t=0.055: a datagram to the stopped server's port"
        nstat
        sleep 6
        ip -s neigh show
    """), peer=Peer())


@scenario
def udp_bad_checksum():
    good = udp_to_stack(b"good checksum", ip_id=0x8201)
    bad = bytearray(udp_to_stack(b"bad checksum", ip_id=0x8202))
    bad[20 + 6] ^= 0x5A
    bad_closed = bytearray(udp_to_stack(b"bad checksum, closed port", dport=9999, ip_id=0x8203))
    bad_closed[20 + 6] ^= 0x5A
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(bytes(bad))),
              (T0 + 20 * MS, to_stack(bytes(bad_closed))),
              (T0 + 30 * MS, to_stack(udp_to_stack(b"no checksum", ip_id=0x8204, csum=0))),
              (T0 + 40 * MS, to_stack(udp_to_stack(zero_sum_data(16), ip_id=0x8205))),
              (T0 + 50 * MS, to_stack(good))]
    return Scenario(frames, script(f"""
        # UDP checksums (RFC 768, RFC 1122 4.1.3.4), with serve echo udp 7:
        #  t=0.01 to 7, checksum wrong          -> dropped: UdpInCsumErrors, UdpInErrors, no ICMP
        #  t=0.02 to closed 9999, checksum wrong -> dropped the same way, no port unreachable
        #  t=0.03 to 7, checksum 0 (none)       -> accepted and echoed (with a checksum)
        #  t=0.04 to 7, checksum computes to 0, sent as 0xffff -> accepted; the echo's checksum
        #         also computes to 0 (same words) and must be sent as 0xffff
        #  t=0.05 to 7, good checksum           -> echoed
        {SET_MAC}
        serve echo udp 7
        sleep 0.015
        nstat
        sleep 0.01
        nstat
        sleep 0.075
        nstat
        sleep 6
        ip -s neigh show
    """), peer=Peer())


@scenario
def udp_length_mismatch():
    long_len = udp_to_stack(b"claims 100 bytes", ip_id=0x8301, ulen=100)
    short_len = udp_to_stack(b"short", ip_id=0x8302, extra=b" and trailing bytes")
    tiny_len = udp_to_stack(b"length 4", ip_id=0x8303, ulen=4)
    trunc_hdr = ipv4(PEER_IP, STACK_IP, IPPROTO_UDP, struct.pack("!HH", PEER_PORT, ECHO_PORT), ident=0x8304)
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(long_len)),
              (T0 + 20 * MS, to_stack(short_len)),
              (T0 + 30 * MS, to_stack(tiny_len)),
              (T0 + 40 * MS, to_stack(trunc_hdr))]
    return Scenario(frames, script(f"""
        # The UDP length field against the IP payload (RFC 768; Linux __udp4_lib_rcv):
        #  t=0.01 length 100, 24 bytes arrived -> dropped (UdpInErrors, TsDropUDP_BADLEN)
        #  t=0.02 length 13 ("short"), 19 more bytes in the IP payload -> trimmed to the
        #         length (checksum over the 13 bytes), echoed as 5 bytes "short"
        #  t=0.03 length 4 (< the header)    -> dropped (UdpInErrors)
        #  t=0.04 IP payload of 4 bytes (no whole UDP header) -> dropped (UdpInErrors)
        {SET_MAC}
        serve echo udp 7
        sleep 0.015
        nstat
        sleep 0.01
        nstat
        sleep 0.01
        nstat
        sleep 0.01
        nstat
        sleep 6
        ip -s neigh show
    """), peer=Peer())


@scenario
def udp_trace():
    frames = [(T0, peer_asks()),
              (T0 + 10 * MS, to_stack(udp_to_stack(b"trace me", ip_id=0x8401))),
              (T0 + 20 * MS, to_stack(udp_to_stack(b"nobody here", dport=9999, ip_id=0x8402)))]
    return Scenario(frames, script(f"""
        # Journeys (trace on) of a datagram to the echo server and of its echo, and of a
        # datagram to a closed port with its ICMP port unreachable. Pins the format.
        {SET_MAC}
        serve echo udp 7
        trace on
        sleep 0.1
        trace off
        sleep 6
        ip -s neigh show
    """), peer=Peer())


class UdpPeer(Peer):
    """The peer, also answering UDP datagrams to the ports in closed with an ICMP port
    unreachable quoting them (as Linux: IP header + up to 548 bytes, tos 0xc0, ID from
    icmp_id on), delay_us after the stack's datagram."""

    def __init__(self, closed=(), icmp_id=0x6000, **kw):
        super().__init__(**kw)
        self.closed, self.icmp_id = set(closed), icmp_id

    def respond(self, out):
        replies, ip_id = super().respond(out), self.icmp_id
        for t, data, _ in out:
            f = parse(data)
            ip = f.get("ip")
            if (not ip or ip["proto"] != IPPROTO_UDP or ip["dst"] not in self.ips or f["dst"] != self.mac
                    or ip["flags_off"] & 0x1FFF):
                continue
            dport = struct.unpack("!H", ip["payload"][2:4])[0]
            if dport not in self.closed:
                continue
            err = icmp(3, 3, b"\0\0\0\0", ip["raw"][:548])
            replies.append((t + self.delay, eth(f["src"], self.mac, ETH_P_IP,
                                                ipv4(ip["dst"], ip["src"], IPPROTO_ICMP, err, ident=ip_id, tos=0xC0))))
            ip_id += 1
        return sorted(replies, key=lambda x: x[0])


@scenario
def udp_send_unresolved():
    return Scenario([anchor()], script(f"""
        # The stack speaks first: nc -u sends one datagram (a file of the run's directory)
        # to 10.0.0.1, whose address is not resolved yet.
        #  t=0     nc -u -w 1 10.0.0.1 5000: ARP request; the datagram waits in the
        #          neighbour queue; the peer's reply (1 ms) releases it; the peer answers
        #          nothing on 5000; nc ends after 1 s idle. Linux counts the queued datagram
        #          in UdpOutDatagrams (neigh_resolve_output queues it and returns 0, so
        #          udp_send_skb counts it) and send() returns its length.
        #  t=1.001 nc -u -v -w 1 10.0.0.1 9: the peer answers ICMP port unreachable; the
        #          connected socket's next read fails with ECONNREFUSED: nc stops at once.
        {SET_MAC}
        echo "hello from the stack" > msg.txt
        nc -u -w 1 10.0.0.1 5000 < msg.txt
        nstat
        nc -u -v -w 1 10.0.0.1 9 < msg.txt
        nstat
        ss -uan
    """), peer=UdpPeer(closed={9}))


# ---------------------------------------------------------------- TCP

class TcpClient(Peer):
    """10.0.0.1:sport as a Linux client of the stack's port dport. Its SYN (mss 1460,
    sackOK, TS, wscale 7: Linux's options) is a static frame at t_syn (syn_frame());
    then, delay_us after the stack's segment it answers:
      - the SYN-ACK: the handshake's ACK, then each of `messages` in a segment of its
        own, 1 ms apart (seq and ack from the stack's ISN: the inputs follow the seed);
      - a segment with new data or a FIN: an ACK (Linux's quick ACKs at the start);
      - once everything sent has come back (the echo), its FIN, 1 ms after that ACK;
      - anything else: nothing (ARP as the Peer)."""

    def __init__(self, t_syn, messages, sport=40000, dport=7, isn=0x10000000, **kw):
        super().__init__(**kw)
        self.t_syn, self.messages, self.sport, self.dport, self.isn = t_syn, messages, sport, dport, isn

    def tsval(self, t):
        return (t - T0) // MS + 1000                    # the client's 1 ms clock

    def seg(self, t, seq, ack, flags, data=b"", opts=None, ecr=0):
        o = opts if opts is not None else tcp_options(ts=(self.tsval(t), ecr))
        win = 64240 if flags & TCP_SYN else 502         # 502 << 7 = 64256 after the SYN
        return (t, to_stack(ipv4(PEER_IP, STACK_IP, IPPROTO_TCP,
                                 tcp(PEER_IP, STACK_IP, self.sport, self.dport, seq, ack, flags, win, o, data),
                                 ident=0x4000 + (t - T0) // MS, flags=IP_DF)))

    def syn_frame(self):
        return self.seg(self.t_syn, self.isn, 0, TCP_SYN,
                        opts=tcp_options(mss=1460, sack_ok=True, ts=(self.tsval(self.t_syn), 0), wscale=7))

    def respond(self, out):
        replies = super().respond(out)
        snd_nxt, rcv_nxt, ecr, fin_sent = self.isn + 1, None, 0, False
        total, echoed = sum(len(m) for m in self.messages), 0
        for t, data, _ in out:
            ip = parse(data).get("ip")
            if not ip or ip["proto"] != IPPROTO_TCP or ip["dst"] != PEER_IP:
                continue
            g = parse_tcp(ip["payload"])
            if g["dport"] != self.sport:
                continue
            ecr = g["tsval"] if g["tsval"] is not None else ecr
            at = t + self.delay
            if g["flags"] & TCP_SYN and rcv_nxt is None:            # the SYN-ACK
                rcv_nxt = g["seq"] + 1
                replies.append(self.seg(at, snd_nxt, rcv_nxt, TCP_ACK, ecr=ecr))
                for i, m in enumerate(self.messages):
                    replies.append(self.seg(at + (i + 1) * MS, snd_nxt, rcv_nxt, TCP_ACK | TCP_PSH, m, ecr=ecr))
                    snd_nxt += len(m)
                continue
            if rcv_nxt is None or g["seq"] != rcv_nxt or not (g["data"] or g["flags"] & TCP_FIN):
                continue
            rcv_nxt += len(g["data"]) + (1 if g["flags"] & TCP_FIN else 0)
            echoed += len(g["data"])
            replies.append(self.seg(at, snd_nxt, rcv_nxt, TCP_ACK, ecr=ecr))
            if echoed >= total and not fin_sent:
                fin_sent = True
                replies.append(self.seg(at + MS, snd_nxt, rcv_nxt, TCP_ACK | TCP_FIN, ecr=ecr))
                snd_nxt += 1
        return sorted(replies, key=lambda x: x[0])


def tcp_echo_client(messages):
    return TcpClient(T0 + 10 * MS, messages)


@scenario
def tcp_echo():
    client = tcp_echo_client([b"hello, tcp\n", pattern(1448), pattern(552, 1448)])
    return Scenario([(T0, peer_asks()), client.syn_frame()], script(f"""
        # `serve echo tcp 7` and a replayed Linux client 10.0.0.1:40000 (1 ms away):
        #  t=0.010 SYN with mss 1460, sackOK, TS, wscale 7 -> SYN-ACK offering the same
        #          (mss 1460, window 64240 unscaled on a SYN, wscale 7)
        #  t=0.011 the handshake's ACK; t=0.012-0.014 11, 1448 and 552 bytes, each echoed
        #          at once (PSH) and ACKed by the client
        #  t=0.016 the client's FIN once the echo is back: the server reads the end, closes:
        #          FIN (LAST_ACK); the client's ACK ends it (CLOSE)
        # ss -tani while the connection is open; nstat: ActiveOpens 0, PassiveOpens 1,
        # InSegs/OutSegs, no retransmission.
        {SET_MAC}
        serve echo tcp 7
        sleep 0.0125
        ss -tani
        sleep 0.1
        ss -tan
        serve list
        nstat
        sleep 6
        ip -s neigh show
    """), peer=client)


@scenario
def tcp_trace():
    client = tcp_echo_client([b"trace me\n"])
    return Scenario([(T0, peer_asks()), client.syn_frame()], script(f"""
        # `trace on` during a whole connection to `serve echo tcp 7` (the client of
        # tcp_echo with one 9-byte message): the state changes (LISTEN, SYN_RECV,
        # ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE) and cwnd moves as lines of their own,
        # the segments' journeys with TCP's stages: tcp_v4_rcv > tcp_rcv_state_process /
        # tcp_rcv_established > tcp_ack > tcp_data_queue in; tcp_sendmsg > tcp_write_xmit >
        # tcp_transmit_skb > ip_queue_xmit out. Pins the format.
        {SET_MAC}
        trace on
        serve echo tcp 7
        sleep 0.1
        trace off
        sleep 6
        ip -s neigh show
    """), peer=client)


@scenario
def tcp_closed_port():
    def seg(t, seq, ack, flags):
        return (t, to_stack(ipv4(PEER_IP, STACK_IP, IPPROTO_TCP,
                                 tcp(PEER_IP, STACK_IP, 40001, 9, seq, ack, flags, 64240), ident=0x4100, flags=IP_DF)))
    return Scenario([(T0, peer_asks()), seg(T0 + 10 * MS, 5000, 0, TCP_SYN),
                     seg(T0 + 20 * MS, 6000, 7777, TCP_ACK), seg(T0 + 30 * MS, 6000, 7777, TCP_RST)], script(f"""
        # Segments to a port nobody listens on (RFC 9293 §3.10.7.1, Linux tcp_v4_send_reset):
        #  t=0.01 SYN seq 5000 -> RST|ACK seq 0 ack 5001
        #  t=0.02 ACK 7777     -> RST seq 7777 (no ACK)
        #  t=0.03 RST          -> nothing (an RST is never answered)
        # TcpOutRsts 2, each drop counted (TsDropNO_SOCKET); trace shows where.
        {SET_MAC}
        trace on
        sleep 0.1
        trace off
        nstat
        sleep 6
        ip -s neigh show
    """), peer=Peer())


RT_A_MAC, RT_B_MAC = "02:00:00:00:01:01", "02:00:00:00:02:01"     # the router's tap0, tap1
HOST_A_MAC, HOST_A_IP = "02:00:00:00:01:02", "192.168.1.2"
HOST_B_MAC, HOST_B_IP = "02:00:00:00:02:02", "192.168.2.2"


@scenario
def netns_forwarding():
    def a_pings_b(seq, t):
        dgram = ipv4(HOST_A_IP, HOST_B_IP, IPPROTO_ICMP, icmp_echo(0x7001, seq, pattern(56)), ident=0x7000 + seq)
        return (t, eth(RT_A_MAC, HOST_A_MAC, ETH_P_IP, dgram))
    stray = ipv4(PEER_IP, HOST_B_IP, IPPROTO_UDP, udp(PEER_IP, HOST_B_IP, 40000, 9, b"no forwarding here"),
                 ident=0x7102)
    return Scenario(None, script(f"""
        # Three devices in two namespaces, each with its own input and golden: tap0 in the
        # default namespace (the default lab) and, in namespace rt, tap0 (192.168.1.1/24,
        # host A 192.168.1.2) and tap1 (192.168.2.1/24, host B 192.168.2.2), with
        # ip_forward=1 in rt only. Both namespaces have a tap0: the ports tell them apart.
        # rt/tap1 is created in the default namespace and moved: its port binds on arrival.
        #  t=0    A pings B through rt: ARP for B on rt/tap1, the request goes out rt/tap1
        #         with TTL 63; B's reply comes back on rt/tap1 and leaves rt/tap0 after
        #         ARP for A. At the same time (equal timestamps: --dev order) the peer
        #         10.0.0.1 asks for 10.0.0.2 and pings it on the default tap0: answered there.
        #  t=1    A's second echo: forwarded both ways at once (neighbours resolved)
        #  t=2    on the default tap0, a datagram for 192.168.2.2: not forwarded (ip_forward=0
        #         in the default namespace: IpInAddrErrors), nothing leaves rt
        {SET_MAC}
        ip netns add rt
        ip -n rt link add tap0 type tap
        ip -n rt link set tap0 address {RT_A_MAC}
        ip -n rt addr add 192.168.1.1/24 dev tap0
        ip -n rt link set tap0 up
        ip link add tap1 type tap
        ip link set tap1 netns rt
        ip -n rt link set tap1 address {RT_B_MAC}
        ip -n rt addr add 192.168.2.1/24 dev tap1
        ip -n rt link set tap1 up
        ip netns exec rt sysctl -w net.ipv4.ip_forward=1
        sleep 2.5
        echo "== t=2.5: rt forwarded 4 datagrams; the default namespace none"
        ip netns exec rt nstat
        ip -n rt neigh show
        nstat
        sleep 7
        echo "== t=9.5: 10.0.0.1, learnt STALE and used by the reply: DELAY, unicast probe at 5, answered"
        ip -s neigh show
        echo "== rt: confirmed by the ARP replies at t=0, still REACHABLE"
        ip -n rt -s neigh show
    """), devices=[
        Device("tap0", [(T0, peer_asks()), (T0, to_stack(echo_dgram(84, 0x7101, 1, 0x7101))),
                        (T0 + 2 * S, to_stack(stray))], Peer()),
        Device("rt/tap0", [a_pings_b(1, T0), a_pings_b(2, T0 + 1 * S)], Peer(HOST_A_MAC, (HOST_A_IP,))),
        Device("rt/tap1", [], Peer(HOST_B_MAC, (HOST_B_IP,), first_id=0x7200)),
    ])


NS1_MAC, NS2_MAC, P1_MAC, P2_MAC = "02:00:00:00:05:01", "02:00:00:00:05:02", "02:00:00:00:05:11", "02:00:00:00:05:12"


@scenario
def bridge_ns_ping():
    return Scenario(None, script(f"""
        # A ping from namespace ns1 to namespace ns2 over a learning bridge, every hop on
        # a replay device. Four devices, two cables (Wire: what one end sends enters the
        # other 10 us later):
        #   ns1/eth0 (10.0.5.1) ==cable== p1 -[ br0 ]- p2 ==cable== ns2/eth0 (10.0.5.2)
        # p1 and p2 are ports of br0 in the default namespace; br0 takes the lower of
        # their MACs (p1's) and holds no address: it only switches.
        #  t=0   ns1's ARP request for 10.0.5.2 (broadcast) enters p1 and is flooded out p2
        #        (not back out p1); br0 learns ns1's MAC behind p1. ns2 answers (unicast to
        #        ns1's MAC, now known: out p1 only) and learns ns1 from the request.
        #        Then the echo request goes out p2 only, the reply out p1 only.
        #  t=1   the second echo, both ways, on learned entries.
        #  t=5   ns2's entry for ns1 (STALE from the request, used by the replies: DELAY)
        #        is probed by unicast across the bridge, answered: REACHABLE.
        # A frame for another host starts the clock on ns2/eth0 (dropped: TsDropOTHERHOST).
        ip link add br0 type bridge
        ip link add p1 type tap
        ip link add p2 type tap
        ip link set p1 address {P1_MAC}
        ip link set p2 address {P2_MAC}
        ip link set p1 master br0
        ip link set p2 master br0
        ip link set br0 up
        ip link set p1 up
        ip link set p2 up
        ip netns add ns1
        ip netns add ns2
        ip -n ns1 link add eth0 type tap
        ip -n ns1 link set eth0 address {NS1_MAC}
        ip -n ns1 addr add 10.0.5.1/24 dev eth0
        ip -n ns1 link set eth0 up
        ip -n ns2 link add eth0 type tap
        ip -n ns2 link set eth0 address {NS2_MAC}
        ip -n ns2 addr add 10.0.5.2/24 dev eth0
        ip -n ns2 link set eth0 up
        ip link show br0
        ip netns exec ns1 ping -c 2 10.0.5.2
        echo "== the bridge learned each namespace behind its port; its own MACs are the ports'"
        bridge fdb show
        echo "== each namespace learned the other's MAC"
        ip -n ns1 neigh show
        ip -n ns2 neigh show
        echo "== 3 frames in and 3 out on each port; nothing up br0 but the broadcast"
        ip -s link show p1
        ip -s link show p2
        ip -s link show br0
        ip netns exec ns2 nstat
        sleep 5
        echo "== t=6: ns2 probed ns1 at t=5 through the bridge"
        ip -n ns2 neigh show
        bridge fdb show
    """), empty=True, devices=[
        Device("ns1/eth0", [], Wire("p1")),
        Device("p1", [], Wire("ns1/eth0")),
        Device("p2", [], Wire("ns2/eth0")),
        Device("ns2/eth0", [anchor()], Wire("p2")),
    ])


@scenario
def trace_bridge_veth():
    host_mac, host_ip = "02:42:ac:11:00:09", "172.17.0.9"
    return Scenario(None, script(f"""
        # The journey trace across a bridge and a veth pair into a namespace: br0 with two
        # ports, tap1 (a wire: the host 172.17.0.9 behind it) and veth1, whose peer eth0
        # (172.17.0.2/16) is in namespace c1; tap0 (the default lab) only starts the clock.
        # c1 pings the host twice, traced in both namespaces:
        #  - c1's ARP request, a broadcast, is flooded: a clone leaves tap1, the original
        #    goes up br0 (no address: ARP_NOT_FOR_US); each copy prints its own journey
        #  - the host's reply crosses tap1 > br0 > veth1 into c1 (learned port by port)
        #  - echo 1: [c1] eth0 tx > veth1 rx (br_forward to tap1) > tap1 tx, and the reply
        #    back tap1 rx > veth1 tx > [c1] eth0 rx
        #  - echo 2 with `trace on -v`: one stage a line, ours and Linux's in two columns
        {SET_MAC}
        sleep 0.01
        ip link add br0 type bridge
        ip link set br0 up
        ip link add tap1 type tap
        ip link set tap1 master br0
        ip link set tap1 up
        ip netns add c1
        ip link add veth1 type veth peer name eth0 netns c1
        ip link set veth1 master br0
        ip link set veth1 up
        ip -n c1 link set eth0 address 02:42:ac:11:00:02
        ip -n c1 addr add 172.17.0.2/16 dev eth0
        ip -n c1 link set eth0 up
        trace on
        ip netns exec c1 trace on
        ip netns exec c1 ping -c 1 172.17.0.9
        trace on -v
        ip netns exec c1 ping -c 1 172.17.0.9
        trace off
        ip netns exec c1 trace off
        bridge fdb show
    """), devices=[
        Device("tap0", [anchor()]),
        Device("tap1", [], Peer(host_mac, (host_ip,), first_id=0x7300)),
    ])


@scenario
def netem_delay_loss():
    return Scenario([anchor()], script(f"""
        # netem on tap0's egress: every frame the stack sends (its ARP request, its echo
        # requests) leaves 50 ms +- 10 ms late, in time order, and about one in five is
        # lost (counted as dropped). The peer answers 1 ms after it sees a frame. The seed
        # decides which frames are lost and each delay: the run is the same every time.
        # `tc qdisc del` restores pfifo_fast: the last two echoes take 2 ms.
        {SET_MAC}
        tc qdisc add dev tap0 root netem delay 50ms 10ms loss 20%
        tc qdisc show dev tap0
        ip link show tap0
        ping -c 10 -i 0.2 10.0.0.1
        tc -s qdisc show dev tap0
        tc qdisc del dev tap0 root
        ping -c 2 -i 0.2 10.0.0.1
        tc -s qdisc show
        nstat
    """), peer=Peer())


# ---------------------------------------------------------------- VXLAN

VX_MAC, VX_IP = "02:00:00:00:42:02", "192.168.42.2"       # the stack's vxlan0 (VNI 42)
POD_MAC, POD_IP = "02:00:00:00:42:01", "192.168.42.1"     # a station behind the VTEP 10.0.0.1
VXLAN_PORT = 4789
VXLAN_I = 0x08000000                                      # the I flag (RFC 7348 §5)


def vxlan_up(opts):
    """The script lines that make vxlan0 (its MAC and overlay address) and bring it up."""
    return (f"ip link add vxlan0 type vxlan {opts}\n"
            f"ip link set vxlan0 address {VX_MAC}\n"
            f"ip addr add {VX_IP}/24 dev vxlan0\n"
            "ip link set vxlan0 up")


def from_vtep(inner, vni=42, flags=VXLAN_I, vtep=PEER_IP, ip_id=0, sport=45000):
    """An inner Ethernet frame wrapped by the VTEP vtep (a Linux peer: outer IPv4, UDP
    sport -> 4789 with its checksum, VXLAN header with these flags and VNI) for the stack."""
    data = struct.pack("!II", flags, vni << 8) + inner
    return to_stack(ipv4(vtep, STACK_IP, IPPROTO_UDP, udp(vtep, STACK_IP, sport, VXLAN_PORT, data), ident=ip_id))


def pod_arp_request():
    """The station's ARP request for vxlan0's address (unpadded: a tunnel carries the
    frame as the sender's stack built it)."""
    return eth(BROADCAST, POD_MAC, ETH_P_ARP, arp(1, POD_MAC, POD_IP, "00:00:00:00:00:00", VX_IP), pad=False)


def pod_echo(seq):
    dgram = ipv4(POD_IP, VX_IP, IPPROTO_ICMP, icmp_echo(0x4201, seq, pattern(56)), ident=0x4200 + seq)
    return eth(VX_MAC, POD_MAC, ETH_P_IP, dgram, pad=False)


@scenario
def vxlan_ping_in_reply_out():
    frames = [(T0, from_vtep(pod_arp_request(), ip_id=0x4101)),
              (T0 + 10 * MS, from_vtep(pod_echo(1), ip_id=0x4102)),
              (T0 + 1 * S, from_vtep(pod_echo(2), ip_id=0x4103))]
    return Scenario(frames, script(f"""
        # A ping inside a VXLAN overlay (RFC 7348, VNI 42 on UDP 4789): the station
        # 192.168.42.1 behind the VTEP 10.0.0.1 (the peer) asks for 192.168.42.2 (vxlan0)
        # and pings it twice; every frame arrives on tap0 wrapped in IPv4/UDP/VXLAN.
        #  t=0     the inner ARP request: vxlan0 learns 02:00:00:00:42:01 behind 10.0.0.1 and
        #          answers; the answer waits for the underlay's ARP for 10.0.0.1 (answered
        #          1 ms later) and leaves wrapped: outer UDP from a port hashed from the inner
        #          flow (ip_local_port_range) to 4789, checksummed, TTL 64, DF clear
        #  t=0.01  echo 1 -> the reply, wrapped, to the learned VTEP
        #  t=1     echo 2 -> the same: one inner flow, one outer source port
        {SET_MAC}
        {vxlan_up("id 42 remote 10.0.0.1 dev tap0")}
        sleep 1.1
        bridge fdb show dev vxlan0
        ip neigh show
        ip -s link show vxlan0
        nstat
    """), peer=Peer())


@scenario
def vxlan_bad_flags_dropped():
    frames = [(T0, from_vtep(pod_echo(1), flags=0, ip_id=0x4111)),
              (T0 + 10 * MS, from_vtep(pod_echo(2), flags=VXLAN_I | 0x04000000, ip_id=0x4112)),
              (T0 + 20 * MS, from_vtep(pod_echo(3), flags=VXLAN_I | 0x01, ip_id=0x4113))]
    return Scenario(frames, script(f"""
        # VXLAN headers Linux refuses (vxlan_rcv), each dropped as VXLAN_INVALID_HDR with
        # nothing sent back and nothing learned:
        #  t=0     the I flag clear: the VNI is not valid
        #  t=0.01  the I flag and a reserved flag (RFC 7348 says ignore it; Linux drops:
        #          an extension it was not configured for)
        #  t=0.02  the I flag and a reserved bit at the end of the first word
        {SET_MAC}
        {vxlan_up("id 42 remote 10.0.0.1 dev tap0")}
        sleep 0.1
        nstat
        bridge fdb show dev vxlan0
        ip -s link show vxlan0
    """))


class VtepPeers(Peer):
    """Several hosts on the wire, each (MAC, IP) answering ARP requests for its IP."""

    def __init__(self, hosts, **kw):
        super().__init__(**kw)
        self.peers = [Peer(mac=m, ips=(ip,), delay_us=self.delay) for m, ip in hosts]

    def respond(self, out):
        return sorted((r for p in self.peers for r in p.respond(out)), key=lambda x: x[0])


@scenario
def vxlan_replicate_three_vteps():
    vteps = [(f"02:00:00:00:0e:0{i}", f"10.0.0.{i}") for i in (3, 4, 5)]
    return Scenario([anchor()], script(f"""
        # Head-end replication (no multicast underlay): vxlan0 has no `remote`; the
        # all-zeros entry lists three VTEPs, added as flannel-like agents or an operator
        # do with `bridge fdb append`. A ping to 192.168.42.1, not resolved yet, makes
        # vxlan0 send an ARP request to ff:ff:ff:ff:ff:ff: it leaves once per VTEP (clones
        # of one frame, the first VTEP's last, as Linux vxlan_xmit), each copy first
        # waiting for the underlay's ARP for its VTEP (the VTEPs answer 1 ms later). Nobody
        # answers inside the overlay: the ping gets no reply and ARP on vxlan0 retries
        # after 1 s, again to all three, now at once.
        {SET_MAC}
        {vxlan_up("id 42 dev tap0")}
        bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.3
        bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.4
        bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.0.0.5
        bridge fdb show dev vxlan0
        ping -c 1 -W 1.5 192.168.42.1
        ip neigh show
        nstat
    """), peer=VtepPeers(vteps))


# ---------------------------------------------------------------- generation

def default_bin():
    for cand in (os.environ.get("TAPSTACK_BIN"), "build-pcap/tapstack-san", "build/tapstack-san",
                 "build/tapstack"):
        if cand and os.access(os.path.join(REPO, cand), os.X_OK):
            return os.path.join(REPO, cand)
    return None


def generate(name, scen, binary):
    d = os.path.join(SCEN_DIR, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "script.ts"), "w") as f:
        f.write(scen.script)
    with open(os.path.join(d, "options"), "w") as f:
        f.write(" ".join(scen.options()) + "\n")
    devs = scen.devices or [Device(scen.dev, scen.frames, scen.peer)]
    files = run_pcap_tests.scenario_files(d, [dv.name for dv in devs])
    static = {dv.name: sorted(dv.frames, key=lambda x: x[0]) for dv in devs}
    assert min(f[0][0] for f in static.values() if f) == T0, f"{name}: the first frame must be at T0"
    inputs = static
    if not any(dv.peer for dv in devs):
        for dv in devs:
            write_pcap(files[dv.name][0], static[dv.name])
        return 0
    if not binary:
        raise SystemExit(f"scenarios.py: {name} has a scripted peer: give --bin PATH (a tapstack build)")
    script_path = os.path.join(d, "script.ts")
    with tempfile.TemporaryDirectory(prefix=f"gen-{name}-") as tmp:
        for rounds in range(1, 20):
            for dv in devs:
                write_pcap(files[dv.name][0], inputs[dv.name])
            if scen.devices:
                r = run_pcap_tests.run_replay_devs(binary, {n: f[0] for n, f in files.items()}, script_path,
                                                   scen.options(), tmp)
            else:
                r = run_pcap_tests.run_replay(binary, files[scen.dev][0], script_path, scen.options(), tmp)
            if not r.ok:
                raise SystemExit(f"scenarios.py: {name}: replay failed: {r.problem}\n{r.text}")
            new = {}
            for dv in devs:
                heard = getattr(dv.peer, "listens", None) or dv.name     # a Wire hears the other end
                out = os.path.join(tmp, f"out.{run_pcap_tests.dev_tag(heard)}.pcap" if scen.devices else "out.pcap")
                answers = dv.peer.respond(read_pcap(out)) if dv.peer else []
                new[dv.name] = sorted(static[dv.name] + answers, key=lambda x: x[0])   # stable: static first
            if new == inputs:
                return rounds
            inputs = new
    raise SystemExit(f"scenarios.py: {name}: the peer's answers do not settle")


def main():
    ap = argparse.ArgumentParser(description="write the pcap scenarios' inputs")
    ap.add_argument("--bin", help="tapstack binary, for scenarios with a scripted peer "
                                  "(default: $TAPSTACK_BIN, build-pcap/, build/)")
    ap.add_argument("-k", metavar="NAME", help="only scenarios whose name contains NAME")
    args = ap.parse_args()
    binary = args.bin or default_bin()
    for name, fn in SCENARIOS.items():
        if args.k and args.k not in name:
            continue
        rounds = generate(name, fn(), binary)
        print(f"{name}: {'static input' if not rounds else f'peer settled after {rounds} runs'}")


if __name__ == "__main__":
    main()
