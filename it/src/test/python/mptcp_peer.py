#!/usr/bin/env python3
"""An independent Multipath TCP peer for the mptcp-nio interoperability tests.

It uses nothing of mptcp-nio: Python's own socket module with IPPROTO_MPTCP (Linux 5.6+) and,
for the subflow addresses, getsockopt(SOL_MPTCP, MPTCP_SUBFLOW_ADDRS) through ctypes (5.16+).
Standard library only; Python 3.8+ (IPPROTO_MPTCP is spelled out for versions before 3.10).

    mptcp_peer.py server --bind ADDR [--port P] --bytes N [--subflows K] [--timeout S]
    mptcp_peer.py client --connect ADDR --port P --bytes N [--subflows K] [--timeout S]

The server prints "listening ADDR PORT" once it listens, then serves one connection.
On the connection both programs do the same, in both directions at once: send N random bytes
and read until end of stream, hashing both with SHA-256. After the last byte is sent, the peer
waits (up to --timeout seconds) until the connection has K established subflows, and only then
shuts its sending side down; so the other end can make the same check while the connection is
whole. At the end it prints one line, "result KEY=VALUE ...", with:

    mptcp          true if the socket is MPTCP and has not fallen back to TCP (TCP_IS_MPTCP
                   on 6.10+, else MPTCP_INFO, which fails on a fallen-back socket)
    sent, sent_sha256, received, received_sha256
    subflows       the subflows the kernel listed when the wait ended, comma-separated,
                   each LOCAL>REMOTE (ADDRESS:PORT), or "-" for none
    subflows_max   the most subflows the kernel counted at once during the connection
    seconds        from connection to end of stream

Exit status: 0 when the transfer completed, whatever the subflow count (the caller judges it);
1 on an error, which is printed.
"""
import argparse
import ctypes
import ctypes.util
import errno
import hashlib
import os
import socket
import struct
import sys
import threading
import time

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)
SOL_TCP, TCP_IS_MPTCP = 6, 43                      # linux/tcp.h, 6.10
SOL_MPTCP, MPTCP_INFO, MPTCP_SUBFLOW_ADDRS = 284, 1, 3  # linux/mptcp.h, 5.16
CHUNK = 64 * 1024

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _getsockopt_with_input(sock, level, name, header, size):
    """getsockopt(2) whose buffer carries input: Python's socket.getsockopt cannot pass any."""
    buf = ctypes.create_string_buffer(header.ljust(size, b"\0"), size)
    length = ctypes.c_uint32(size)
    if _libc.getsockopt(sock.fileno(), level, name, buf, ctypes.byref(length)) < 0:
        e = ctypes.get_errno()
        raise OSError(e, "getsockopt(%d, %d): %s" % (level, name, os.strerror(e)))
    return buf.raw[:length.value]


def _sockaddr(raw):
    family, port = struct.unpack_from("<H", raw, 0)[0], struct.unpack_from(">H", raw, 2)[0]
    if family == socket.AF_INET:
        return "%s:%d" % (socket.inet_ntoa(raw[4:8]), port)
    if family == socket.AF_INET6:
        return "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, raw[8:24]), port)
    return "family-%d" % family


def subflow_addresses(sock):
    """The subflows' [local, remote] pairs: struct mptcp_subflow_data + mptcp_subflow_addrs[]."""
    entry = 256  # two sockaddr_storage unions
    header = struct.pack("<4I", 16, 0, 0, entry)
    raw = _getsockopt_with_input(sock, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, header, 16 + 8 * entry)
    _, count, _, size_user = struct.unpack_from("<4I", raw, 0)
    pairs = []
    for i in range(min(count, (len(raw) - 16) // size_user)):
        e = raw[16 + i * size_user:16 + (i + 1) * size_user]
        pairs.append([_sockaddr(e[0:128]), _sockaddr(e[128:256])])
    return pairs


def subflow_count(sock):
    """Established subflows: mptcpi_subflows counts the ones added to the initial subflow."""
    raw = sock.getsockopt(SOL_MPTCP, MPTCP_INFO, 256)
    return raw[0] + 1


def is_mptcp(sock):
    try:
        return sock.getsockopt(SOL_TCP, TCP_IS_MPTCP) == 1
    except OSError as e:
        if e.errno != errno.ENOPROTOOPT:
            raise
    try:  # before 6.10: MPTCP_INFO answers on an MPTCP socket that has not fallen back
        sock.getsockopt(SOL_MPTCP, MPTCP_INFO, 256)
        return True
    except OSError:
        return False


def converse(sock, nbytes, want_subflows, timeout):
    """Sends nbytes and reads to end of stream, at once; the result dictionary."""
    start = time.monotonic()
    received = {"bytes": 0, "sha256": hashlib.sha256(), "error": None}
    most = [0]
    mptcp = is_mptcp(sock)

    def count():
        if mptcp:
            most[0] = max(most[0], subflow_count(sock))

    def reader():
        try:
            while True:
                data = sock.recv(CHUNK)
                if not data:
                    return
                received["bytes"] += len(data)
                received["sha256"].update(data)
        except OSError as e:
            received["error"] = e

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    sent, sent_sha = 0, hashlib.sha256()
    while sent < nbytes:
        data = os.urandom(min(CHUNK, nbytes - sent))
        sock.sendall(data)
        sent_sha.update(data)
        sent += len(data)
        count()
    deadline = time.monotonic() + timeout
    subflows = []
    if mptcp:
        while True:
            count()
            subflows = subflow_addresses(sock)
            if len(subflows) >= want_subflows or time.monotonic() > deadline:
                break
            time.sleep(0.01)
    sock.shutdown(socket.SHUT_WR)
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError("no end of stream within %ss" % timeout)
    if received["error"] is not None:
        raise received["error"]
    return {"mptcp": str(mptcp).lower(), "sent": sent, "sent_sha256": sent_sha.hexdigest(),
            "received": received["bytes"], "received_sha256": received["sha256"].hexdigest(),
            "subflows": ",".join("%s>%s" % (l, r) for l, r in subflows) or "-",
            "subflows_max": most[0], "seconds": "%.3f" % (time.monotonic() - start)}


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(args):
    listener = socket.socket(family_of(args.bind), socket.SOCK_STREAM, IPPROTO_MPTCP)
    with listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((args.bind, args.port))
        listener.listen(1)
        listener.settimeout(args.timeout)
        print("listening %s %d" % listener.getsockname()[:2], flush=True)
        sock, _ = listener.accept()
        # The listener stays open while the connection lives: the client's joins (MP_JOIN
        # SYNs) are received by it, like any SYN; closed, it would refuse them.
        with sock:
            sock.settimeout(None)
            return converse(sock, args.bytes, args.subflows, args.timeout)


def connect(args):
    sock = socket.socket(family_of(args.connect), socket.SOCK_STREAM, IPPROTO_MPTCP)
    with sock:
        sock.settimeout(args.timeout)
        sock.connect((args.connect, args.port))
        sock.settimeout(None)
        return converse(sock, args.bytes, args.subflows, args.timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    roles = parser.add_subparsers(dest="role", required=True)
    server = roles.add_parser("server")
    server.add_argument("--bind", required=True)
    server.add_argument("--port", type=int, default=0)
    client = roles.add_parser("client")
    client.add_argument("--connect", required=True)
    client.add_argument("--port", type=int, required=True)
    for role in (server, client):
        role.add_argument("--bytes", type=int, required=True)
        role.add_argument("--subflows", type=int, default=2)
        role.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    try:
        result = serve(args) if args.role == "server" else connect(args)
    except (OSError, TimeoutError) as e:
        print("error %s: %s" % (type(e).__name__, e), flush=True)
        return 1
    print("result " + " ".join("%s=%s" % kv for kv in sorted(result.items())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
