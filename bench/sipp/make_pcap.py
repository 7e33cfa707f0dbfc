#!/usr/bin/env python3
"""Writes a pcap of G.711 A-law RTP for SIPp's play_pcap_audio.

SIPp's own g711a.pcap has 30 ms packets (33 per second); the load runs want 20 ms packets,
the usual ptime, i.e. 50 per second each way. This writes SECONDS of a 440 Hz tone (audible
in recordings) as 20 ms packets (160 samples), and can leave out a share of them, chosen by
a seeded generator, to play a lossy network: sequence numbers and timestamps still advance
over the gaps, as they do when a network drops packets.

    make_pcap.py OUT.pcap [--seconds 60] [--loss 0.01] [--seed 1]
"""
import argparse
import math
import random
import struct

PTIME_MS = 20
SAMPLES = 8000 * PTIME_MS // 1000
SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def alaw(sample):
    """G.711 A-law of a 16-bit linear sample."""
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = next((i for i, end in enumerate(SEG_END) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    code = segment << 4
    code |= (value >> 1) & 0x0F if segment < 2 else (value >> segment) & 0x0F
    return code ^ mask


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(rtp, src=(127, 0, 0, 1), dst=(127, 0, 0, 1), sport=5000, dport=5002):
    udp_len = 8 + len(rtp)
    src_b, dst_b = bytes(src), bytes(dst)
    pseudo = src_b + dst_b + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + rtp
    udp_sum = checksum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, udp_len, udp_sum) + rtp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64, 17, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    ether = b"\x00" * 12 + b"\x08\x00"
    return ether + ip + udp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    packets = int(args.seconds * 1000 / PTIME_MS)
    tone = [int(8000 * math.sin(2 * math.pi * 440 * n / 8000)) for n in range(8000)]
    kept = 0
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n in range(packets):
            if args.loss and rng.random() < args.loss:
                continue
            payload = bytes(alaw(tone[(n * SAMPLES + i) % 8000]) for i in range(SAMPLES))
            header = struct.pack("!BBHII", 0x80, (0x80 if n == 0 else 0) | 8,
                                 n & 0xFFFF, (n * SAMPLES) & 0xFFFFFFFF, 0x504C5431)
            data = frame(header + payload)
            at_us = n * PTIME_MS * 1000
            out.write(struct.pack("<IIII", at_us // 1_000_000, at_us % 1_000_000, len(data), len(data)))
            out.write(data)
            kept += 1
    print(f"{args.out}: {kept} of {packets} packets ({PTIME_MS} ms, PCMA), loss {1 - kept / packets:.2%}")


if __name__ == "__main__":
    main()
