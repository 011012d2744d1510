#!/usr/bin/env python3
"""An MPTCP connection whose MPTCP option (TCP option kind 30) is stripped by a
"middlebox" after the connection is established: what each end sees.

MUST run inside a private network namespace (it adds iptables rules there):
    ./in-netns.sh python3 strip_option.py --dir both --traffic up
Needs iptables with the TCPOPTSTRIP target (apt-get install iptables).

Timeline: connect over 127.0.0.1 (MPTCP, single subflow), send --rate bytes
per 10 ms tick for 1 s, then add
    iptables -t mangle -A OUTPUT -p tcp --dport|--sport PORT -j TCPOPTSTRIP --strip-options 30
and go on for --seconds. Every 0.5 s it prints bytes delivered to the
receiving application(s), and at phases the per-socket state a library can
read (getsockopt SOL_MPTCP/MPTCP_INFO: flags bit0 = FALLBACK, bytes_acked,
snd_una, retransmits...; SOL_TCP/TCP_IS_MPTCP), ss -tniM and the MIB deltas.
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
TCP_IS_MPTCP = 43
INFO_FMT = "@6BIIQQQ3BIQQQQB3xIII"
INFO_NAMES = ("subflows add_addr_signal add_addr_accepted subflows_max add_addr_signal_max "
              "add_addr_accepted_max flags token write_seq snd_una rcv_nxt local_addr_used "
              "local_addr_max csum_enabled retransmits bytes_retrans bytes_sent bytes_received "
              "bytes_acked subflows_total last_data_sent last_data_recv last_ack_recv").split()


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
    return {k: b[k] - a.get(k, 0) for k in b if b[k] != a.get(k, 0) and
            (k.startswith("MPTcpExt") or k in ("TcpRetransSegs", "TcpOutRsts", "TcpEstabResets",
                                               "TcpExtTCPTimeouts", "TcpExtTCPLossProbes"))}


def info(s):
    try:
        raw = s.getsockopt(SOL_MPTCP, MPTCP_INFO, 256)
    except OSError as e:
        return {"error": e.strerror}
    n = struct.calcsize(INFO_FMT)
    vals = struct.unpack(INFO_FMT, raw[:n].ljust(n, b"\0"))
    d = dict(zip(INFO_NAMES, vals))
    d["len"] = len(raw)
    try:
        d["TCP_IS_MPTCP"] = s.getsockopt(socket.IPPROTO_TCP, TCP_IS_MPTCP)
    except OSError as e:
        d["TCP_IS_MPTCP"] = e.strerror
    return d


def short(d):
    if "error" in d:
        return d
    keys = ("flags", "TCP_IS_MPTCP", "subflows_total", "write_seq", "snd_una", "rcv_nxt",
            "retransmits", "bytes_retrans", "bytes_sent", "bytes_acked", "bytes_received",
            "last_data_recv", "last_ack_recv")
    return {k: d[k] for k in keys}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", choices=["both", "c2s", "s2c"], default="both",
                    help="strip on packets client->server, server->client, or both")
    ap.add_argument("--traffic", choices=["up", "echo"], default="up",
                    help="up: client sends, server reads; echo: server echoes back")
    ap.add_argument("--rate", type=int, default=8192, help="bytes per 10 ms tick")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--proto", choices=["mptcp", "tcp"], default="mptcp")
    args = ap.parse_args()

    proto = IPPROTO_MPTCP if args.proto == "mptcp" else socket.IPPROTO_TCP
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    port = lst.getsockname()[1]
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    cli.connect(("127.0.0.1", port))
    srv, _ = lst.accept()
    got = {"srv": 0, "cli": 0, "srv_err": None, "cli_err": None, "sent": 0, "send_err": None}
    stop = threading.Event()

    def server():
        try:
            while not stop.is_set():
                r, _, _ = select.select([srv], [], [], 0.1)
                if not r:
                    continue
                d = srv.recv(65536)
                if not d:
                    got["srv_err"] = "EOF"
                    return
                got["srv"] += len(d)
                if args.traffic == "echo":
                    srv.sendall(d)
        except OSError as e:
            got["srv_err"] = e.strerror

    def client_reader():
        try:
            while not stop.is_set():
                r, _, _ = select.select([cli], [], [], 0.1)
                if not r:
                    continue
                d = cli.recv(65536)
                if not d:
                    got["cli_err"] = "EOF"
                    return
                got["cli"] += len(d)
        except OSError as e:
            got["cli_err"] = e.strerror

    ts = [threading.Thread(target=server, daemon=True)]
    if args.traffic == "echo":
        ts.append(threading.Thread(target=client_reader, daemon=True))
    for t in ts:
        t.start()
    cli.setblocking(False)
    payload = b"p" * args.rate
    cap = None
    if os.environ.get("PCAP"):
        cap = subprocess.Popen(["tcpdump", "-i", "lo", "-nn", "-v", "-c", "400", "tcp port %d and (tcp[tcpflags] & tcp-push != 0 or len < 200)" % port],
                               stdout=open(os.environ["PCAP"], "w"), stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    c0 = counters()
    t0 = time.monotonic()
    stripped = False
    rules = []
    last_print = t0
    print("kernel %s proto=%s dir=%s traffic=%s rate=%d B/10ms port=%d" % (
        os.uname().release, args.proto, args.dir, args.traffic, args.rate, port))
    print("t=0.0 established; client info", short(info(cli)))
    print("          server info", short(info(srv)))
    while time.monotonic() - t0 < 1 + args.seconds:
        now = time.monotonic()
        if not stripped and now - t0 >= 1:
            c1 = counters()
            if args.dir in ("both", "c2s"):
                rules.append(["-p", "tcp", "--dport", str(port)])
            if args.dir in ("both", "s2c"):
                rules.append(["-p", "tcp", "--sport", str(port)])
            for r in rules:
                subprocess.check_call(["iptables", "-t", "mangle", "-A", "OUTPUT"] + r +
                                      ["-j", "TCPOPTSTRIP", "--strip-options", "30"])
            stripped = True
            print("t=%.1f option 30 now stripped (%s); MIB delta before: %s" % (now - t0, args.dir, delta(c0, c1)))
        try:
            got["sent"] += cli.send(payload)
        except BlockingIOError:
            pass
        except OSError as e:
            got["send_err"] = e.strerror
        if now - last_print >= 0.5:
            last_print = now
            print("t=%.1f sent=%d srv_got=%d cli_got=%d errs=%s/%s/%s" % (
                now - t0, got["sent"], got["srv"], got["cli"], got["send_err"], got["srv_err"], got["cli_err"]))
        time.sleep(0.01)
    c2 = counters()
    print("end: client info", short(info(cli)))
    print("     server info", short(info(srv)))
    print("MIB delta since strip:", delta(c1, c2))
    print(subprocess.run("ss -tniM state all '( sport = :%d or dport = :%d )'" % (port, port),
                         shell=True, capture_output=True, text=True).stdout)
    print(subprocess.run("iptables -t mangle -L OUTPUT -v -n -x", shell=True, capture_output=True, text=True).stdout)
    stop.set()
    for r in rules:
        subprocess.call(["iptables", "-t", "mangle", "-D", "OUTPUT"] + r +
                        ["-j", "TCPOPTSTRIP", "--strip-options", "30"])


if __name__ == "__main__":
    main()
