#!/usr/bin/env python3
"""Runs a command with a socket as its standard input, as inetd and systemd socket
activation (StandardInput=socket) start a service.

    inherit_socket.py listen  tcp|mptcp  HOST:PORT  -- COMMAND...
    inherit_socket.py listen  unix       PATH       -- COMMAND...
    inherit_socket.py connect tcp|mptcp  HOST:PORT  -- COMMAND...
    inherit_socket.py connect unix       PATH       -- COMMAND...
    inherit_socket.py bind    udp        HOST:PORT  -- COMMAND...

"listen" binds and listens (port 0 picks a free port); "connect" connects; "bind" binds a
UDP socket (inetd's "dgram wait" services). Before the
command starts, one line goes to standard output:

    INHERIT <listening|connected|bound> <local address> <peer address or ->

with addresses as HOST:PORT or a path. Then the socket becomes descriptor 0 and this process
becomes COMMAND (execvp), so the command inherits the socket as the only copy.

Java's ProcessBuilder cannot give a child a socket as standard input; this is the small
launcher that can. It uses only the standard library (Python 3.8+).
"""
import os
import socket
import sys

IPPROTO_MPTCP = getattr(socket, "IPPROTO_MPTCP", 262)


def parse_inet(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def show(address):
    if isinstance(address, tuple):
        return "%s:%d" % (address[0], address[1])
    return address if address else "-"


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    sep = argv.index("--")
    options, command = argv[1:sep], argv[sep + 1:]
    if len(options) != 3 or not command:
        sys.exit(__doc__)
    mode, kind, where = options
    if kind == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = where
    elif kind == "udp":
        address = parse_inet(where)
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
    elif kind in ("tcp", "mptcp"):
        address = parse_inet(where)
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        proto = IPPROTO_MPTCP if kind == "mptcp" else 0
        sock = socket.socket(family, socket.SOCK_STREAM, proto)
    else:
        sys.exit("unknown socket kind %r\n%s" % (kind, __doc__))

    if mode == "bind" and kind == "udp":
        sock.bind(address)
        print("INHERIT bound %s -" % show(sock.getsockname()), flush=True)
    elif mode == "listen" and kind != "udp":
        if kind != "unix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(16)
        print("INHERIT listening %s -" % show(sock.getsockname()), flush=True)
    elif mode == "connect" and kind != "udp":
        sock.connect(address)
        print("INHERIT connected %s %s" % (show(sock.getsockname()), show(sock.getpeername())),
              flush=True)
    else:
        sys.exit("unknown mode %r\n%s" % (mode, __doc__))

    # dup2 makes descriptor 0 inheritable; the original (close-on-exec) goes away.
    os.dup2(sock.fileno(), 0)
    sock.close()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
