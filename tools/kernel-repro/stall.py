#!/usr/bin/env python3
"""Bulk transfer over loopback, counting receiver stalls (no data for >= --gap ms,
~200 ms = TCP_RTO_MIN when it happens), MPTCP vs TCP, receiver waiting in
epoll or blocking in recv.

  ./in-netns.sh python3 stall.py --proto mptcp --wait epoll --runs 6
  ./in-netns.sh python3 stall.py --proto mptcp --wait block --runs 6

Options a library controls: --rsize (bytes per recv), --rcvbuf (SO_RCVBUF on
the receiver before connect/accept; 0 = autotuning), --nodelay, --wsize,
--sndbuf. During the first stall of each run the receiver socket's
`ss -tniM` line and MPTCP_INFO are captured.
"""
import argparse
import os
import select
import socket
import struct
import subprocess
import threading
import time

IPPROTO_MPTCP = 262
SOL_MPTCP = 284
MPTCP_INFO = 1
INFO_FMT = "@6BIIQQQ3BIQQQQB3xIII"
INFO_NAMES = ("subflows add_addr_signal add_addr_accepted subflows_max add_addr_signal_max "
              "add_addr_accepted_max flags token write_seq snd_una rcv_nxt local_addr_used "
              "local_addr_max csum_enabled retransmits bytes_retrans bytes_sent bytes_received "
              "bytes_acked subflows_total last_data_sent last_data_recv last_ack_recv").split()

WATCH_PREFIX = ("MPTcpExt",)
WATCH = {"TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPLossProbes", "TcpExtTCPToZeroWindowAdv",
         "TcpExtTCPFromZeroWindowAdv", "TcpExtTCPWantZeroWindowAdv", "TcpExtTCPZeroWindowDrop",
         "TcpExtTCPWinProbe", "TcpExtTCPRcvQDrop", "TcpExtTCPBacklogDrop", "TcpExtPruneCalled",
         "TcpExtTCPRcvCollapsed", "TcpExtTCPOFOQueue", "TcpExtTCPSpuriousRTOs", "TcpExtDelayedACKs",
         "TcpExtTCPKeepAlive", "TcpExtTCPProbeWin"}


def counters():
    out = {}
    for path in ("/proc/net/netstat", "/proc/net/snmp"):
        lines = open(path).read().splitlines()
        for i in range(0, len(lines) - 1, 2):
            k, v = lines[i].split(), lines[i + 1].split()
            if k[0] == v[0]:
                for name, val in zip(k[1:], v[1:]):
                    out[k[0] + name] = int(val)
    return out


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in sorted(b)
            if b[k] != a.get(k, 0) and (k.startswith(WATCH_PREFIX) or k in WATCH)
            and k != "MPTcpExtMPCurrEstab"}


def info(s):
    try:
        raw = s.getsockopt(SOL_MPTCP, MPTCP_INFO, 256)
    except OSError:
        return None
    n = struct.calcsize(INFO_FMT)
    return dict(zip(INFO_NAMES, struct.unpack(INFO_FMT, raw[:n].ljust(n, b"\0"))))


def one_run(args, lst, proto):
    total = args.mbytes << 20
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    if args.sndbuf:
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sndbuf)
    if args.nodelay:
        cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cli.connect(lst.getsockname())
    srv, _ = lst.accept()
    if args.nodelay:
        srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    port = srv.getsockname()[1]
    cport = cli.getsockname()[1]

    def sender():
        buf = memoryview(b"s" * args.wsize)
        left = total
        while left > 0:
            n = cli.send(buf[:min(left, args.wsize)])
            left -= n
        cli.shutdown(socket.SHUT_WR)

    st = threading.Thread(target=sender)
    last = [time.monotonic()]
    snap = {}
    done = threading.Event()

    def monitor():
        while not done.wait(0.02):
            if not snap and time.monotonic() - last[0] > args.gap / 2000.0:
                snap["ss"] = subprocess.run(
                    "ss -tniMO state all '( sport = :%d and dport = :%d ) or ( sport = :%d and dport = :%d )'"
                    % (port, cport, cport, port), shell=True, capture_output=True, text=True).stdout
                snap["rinfo"] = info(srv)
                snap["sinfo"] = info(cli)
    mt = threading.Thread(target=monitor, daemon=True)
    c0 = counters()
    t0 = time.monotonic()
    st.start()
    mt.start()
    buf = bytearray(args.rsize)
    got = 0
    gaps = []
    if args.wait == "epoll":
        srv.setblocking(False)
        ep = select.epoll()
        ep.register(srv.fileno(), select.EPOLLIN)
    while True:
        if args.wait == "epoll":
            try:
                n = srv.recv_into(buf)
            except BlockingIOError:
                ep.poll()
                continue
        else:
            n = srv.recv_into(buf)
        now = time.monotonic()
        if n == 0:
            break
        g = now - last[0]
        if g * 1000 >= args.gap:
            gaps.append(round(g * 1000))
        last[0] = now
        got += n
    el = time.monotonic() - t0
    done.set()
    st.join()
    c1 = counters()
    cli.close()
    srv.close()
    return got, el, gaps, delta(c0, c1), snap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", choices=["mptcp", "tcp"], default="mptcp")
    ap.add_argument("--wait", choices=["epoll", "block"], default="epoll")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--mbytes", type=int, default=256)
    ap.add_argument("--rsize", type=int, default=65536)
    ap.add_argument("--wsize", type=int, default=65536)
    ap.add_argument("--rcvbuf", type=int, default=0)
    ap.add_argument("--sndbuf", type=int, default=0)
    ap.add_argument("--nodelay", action="store_true")
    ap.add_argument("--gap", type=float, default=100, help="ms without data counted as a stall")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    proto = IPPROTO_MPTCP if args.proto == "mptcp" else socket.IPPROTO_TCP
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    if args.rcvbuf:
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)  # inherited by accept()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    total_stalls = 0
    tot_c = {}
    print("kernel %s proto=%s wait=%s rsize=%d wsize=%d rcvbuf=%d sndbuf=%d nodelay=%s %d MiB x %d runs" % (
        os.uname().release, args.proto, args.wait, args.rsize, args.wsize, args.rcvbuf, args.sndbuf,
        args.nodelay, args.mbytes, args.runs))
    for r in range(args.runs):
        got, el, gaps, d, snap = one_run(args, lst, proto)
        total_stalls += len(gaps)
        for k, v in d.items():
            tot_c[k] = tot_c.get(k, 0) + v
        print("  run %d: %d MiB in %.2fs, stalls>=%gms: %d %s" % (r, got >> 20, el, args.gap, len(gaps), gaps[:12]))
        if snap and gaps and not args.quiet:
            print("    during first stall: recv info", {k: snap["rinfo"][k] for k in ("rcv_nxt", "bytes_received", "last_data_recv")} if snap.get("rinfo") else None)
            print("                        send info", {k: snap["sinfo"][k] for k in ("snd_una", "write_seq", "bytes_sent", "bytes_acked", "retransmits", "last_ack_recv")} if snap.get("sinfo") else None)
            for line in snap["ss"].splitlines():
                print("     ", line.strip()[:700])
            snap.clear()
    print("TOTAL stalls: %d over %d runs" % (total_stalls, args.runs))
    print("counters:", tot_c)


if __name__ == "__main__":
    main()
