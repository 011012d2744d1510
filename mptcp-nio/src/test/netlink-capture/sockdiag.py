#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Captures the NETLINK_SOCK_DIAG fixtures of io.mptcp.nio.internal.netlink (sock-diag-6.18.txt)
from the running kernel, and writes them annotated. Independent of the Java code on purpose.

  sockdiag.py OUT     (as root) makes a network namespace mpnio-sd-<pid> with loopback
                      addresses and backup endpoints, runs itself inside it, always deletes it

Inside: one IPv4 and one IPv6 MPTCP connection over loopback, each with a second subflow
that the in-kernel path manager opens from a "subflow backup" endpoint bound to lo, and a plain
TCP connection. Then the exact lookups and port-filtered dumps the library sends, their
answers, a lookup of a socket that does not exist, and the same again from a child process
without privileges (uid 65534, no capabilities: what an ordinary program is told).
"""
import os, select, socket, struct, subprocess, sys, time

NETLINK_SOCK_DIAG, SOL_NETLINK, CAP_ACK, EXT_ACK = 4, 270, 10, 11
SOCK_DIAG_BY_FAMILY, F_REQUEST, F_MULTI, F_ACK, F_DUMP = 20, 1, 2, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
IPPROTO_MPTCP = 262
STATES = ((1 << 12) - 1) & ~(1 << 10) & ~(1 << 6) & ~1
EXT_INFO = 1 << (2 - 1)
V4_SERVER, V4_EXTRA = "127.0.0.1", "127.0.0.2"
V6_SERVER, V6_EXTRA = "fd00:5d::1", "fd00:5d::2"


def request(seq, flags, family, sport, dport, src, dst, ifindex):
    size = 16 if family == socket.AF_INET6 else 4
    raw = lambda a: socket.inet_pton(family, a) if a else b"\0" * size
    sockid = (struct.pack(">HH", sport, dport) + raw(src).ljust(16, b"\0")
              + raw(dst).ljust(16, b"\0") + struct.pack("<III", ifindex, 0xffffffff, 0xffffffff))
    body = struct.pack("<BBBBI", family, socket.IPPROTO_TCP, EXT_INFO, 0, STATES) + sockid
    return struct.pack("<IHHII", 16 + len(body), SOCK_DIAG_BY_FAMILY, flags, seq, 0) + body


class Diag:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, CAP_ACK, 1)
        self.seq = 5000

    def ask(self, what, flags, family, sport, dport, src, dst, ifindex=0):
        """Sends one request; returns [(name, bytes)] of the request and each datagram."""
        self.seq += 1
        req = request(self.seq, flags, family, sport, dport, src, dst, ifindex)
        self.s.send(req)
        out = [(what + "-request", req)]
        n = 0
        while True:
            r, _, _ = select.select([self.s], [], [], 5)
            if not r:
                raise SystemExit("no answer to " + what)
            d = self.s.recv(65536)
            n += 1
            out.append((what + "-reply" + ("" if n == 1 else "-%d" % n), d))
            if ends(d):
                return out


def ends(d):
    off = 0
    while off + 16 <= len(d):
        n, t = struct.unpack_from("<IH", d, off)
        if t in (NLMSG_ERROR, NLMSG_DONE):
            return True
        off += (n + 3) & ~3
    return False


def wait_join(port, extra_ip):
    """The port of the join subflow from extra_ip, once the kernel shows it established."""
    for _ in range(200):
        out = subprocess.run(["ss", "-Htn", "state", "established"],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            local, peer = line.split()[2:4]
            host, _, p = local.rpartition(":")
            if extra_ip in host and peer.endswith(":%d" % port):
                return int(p)
        time.sleep(0.05)
    raise SystemExit("no join subflow from " + extra_ip)


def connection(family, server_ip, extra_ip):
    srv = socket.socket(family, socket.SOCK_STREAM, IPPROTO_MPTCP)
    srv.bind((server_ip, 0))
    srv.listen()
    port = srv.getsockname()[1]
    cli = socket.socket(family, socket.SOCK_STREAM, IPPROTO_MPTCP)
    cli.connect((server_ip, port))
    acc, _ = srv.accept()
    # Data both ways, so that both ends are fully established.
    cli.sendall(b"x" * 1000)
    acc.recv(1000)
    acc.sendall(b"y" * 1000)
    cli.recv(1000)
    join = wait_join(port, extra_ip)
    return srv, cli, acc, port, cli.getsockname()[1], join


def inside(path):
    held = []
    v4 = connection(socket.AF_INET, V4_SERVER, V4_EXTRA)
    v6 = connection(socket.AF_INET6, V6_SERVER, V6_EXTRA)
    held += [v4, v6]
    tsrv = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    tsrv.bind((V4_SERVER, 0))
    tsrv.listen()
    tcli = socket.create_connection((V4_SERVER, tsrv.getsockname()[1]))
    tacc, _ = tsrv.accept()
    held += [tsrv, tcli, tacc]
    time.sleep(0.3)
    lo = socket.if_nametoindex("lo")
    _, _, _, p4, c4, j4 = v4
    _, _, _, p6, c6, j6 = v6
    do, dump = F_REQUEST | F_ACK, F_REQUEST | F_ACK | F_DUMP
    A4, A6 = socket.AF_INET, socket.AF_INET6

    def queries(d, tag):
        f = []
        f += d.ask(tag + "lookup-v4-initial", do, A4, c4, p4, V4_SERVER, V4_SERVER)
        f += d.ask(tag + "lookup-v4-server-initial", do, A4, p4, c4, V4_SERVER, V4_SERVER)
        f += d.ask(tag + "lookup-v4-join-unbound", do, A4, j4, p4, V4_EXTRA, V4_SERVER)
        f += d.ask(tag + "lookup-v4-join-ifindex", do, A4, j4, p4, V4_EXTRA, V4_SERVER, lo)
        f += d.ask(tag + "dump-v4-join", dump, A4, j4, p4, None, None)
        f += d.ask(tag + "lookup-v4-server-join", do, A4, p4, j4, V4_SERVER, V4_EXTRA)
        f += d.ask(tag + "lookup-v6-initial", do, A6, c6, p6, V6_SERVER, V6_SERVER)
        f += d.ask(tag + "dump-v6-join", dump, A6, j6, p6, None, None)
        f += d.ask(tag + "lookup-v6-server-join", do, A6, p6, j6, V6_SERVER, V6_EXTRA)
        f += d.ask(tag + "lookup-tcp", do, A4, tcli.getsockname()[1], tcli.getpeername()[1],
                   V4_SERVER, V4_SERVER)
        f += d.ask(tag + "lookup-missing", do, A4, 9, 9, V4_SERVER, V4_SERVER)
        return f

    fixtures = queries(Diag(), "")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setgroups([])
        os.setresgid(65534, 65534, 65534)
        os.setresuid(65534, 65534, 65534)
        d = Diag()
        picked = [x for x in queries(d, "unpriv-") if "-v4-" in x[0] or "missing" in x[0]]
        os.write(w, repr([(n, b.hex()) for n, b in picked]).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.waitpid(pid, 0)
    fixtures += [(n, bytes.fromhex(h)) for n, h in eval(data.decode())]
    with open(path, "w") as f:
        f.write(header(v4, v6))
        for name, b in fixtures:
            f.write("\n=== %s: %s\n" % (name, describe(name)))
            f.write("\n".join(annotate(b)) + "\n")


def header(v4, v6):
    return ("# NETLINK_SOCK_DIAG datagrams (TCP, SOCK_DIAG_BY_FAMILY) captured from Linux %s\n"
            "# (x86_64, little endian) by mptcp-nio/src/test/netlink-capture/sockdiag.py.\n"
            "# Format: '=== name: description', then hex (whitespace ignored) with '#' comments.\n"
            "# IPv4: server %s:%d, client %s:%d, join %s:%d (endpoint 'subflow backup dev lo').\n"
            "# IPv6: server [%s]:%d, client port %d, join [%s]:%d (same kind of endpoint).\n"
            "# 'unpriv-' fixtures were asked by uid 65534 without capabilities.\n"
            % (os.uname().release, V4_SERVER, v4[3], V4_SERVER, v4[4], V4_EXTRA, v4[5],
               V6_SERVER, v6[3], v6[4], V6_EXTRA, v6[5]))


def describe(name):
    who = "unprivileged " if name.startswith("unpriv-") else ""
    kind = "request" if name.endswith("-request") else "answer"
    return "%s%s, %s" % (who, kind, name.replace("unpriv-", "").rsplit("-request", 1)[0]
                         .rsplit("-reply", 1)[0])


ULP = {1: ("TOKEN_REM", "u32"), 2: ("TOKEN_LOC", "u32"), 3: ("RELWRITE_SEQ", "u32"),
       4: ("MAP_SEQ", "u64"), 5: ("MAP_SFSEQ", "u32"), 6: ("SSN_OFFSET", "u32"),
       7: ("MAP_DATALEN", "u16"), 8: ("FLAGS", "u32"), 9: ("ID_REM", "u8"), 10: ("ID_LOC", "u8"),
       11: ("PAD", "raw")}
DIAG = {1: "MEMINFO", 2: "INFO", 4: "CONG", 5: "TOS", 6: "TCLASS", 7: "SKMEMINFO",
        8: "SHUTDOWN", 10: "PROTOCOL", 11: "SKV6ONLY", 16: "BBRINFO", 17: "CLASS_ID",
        19: "ULP_INFO", 21: "CGROUP_ID", 22: "SOCKOPT"}


def hx(b):
    return b.hex()


def annotate(b):
    out, off = [], 0
    while off + 16 <= len(b):
        n, typ, flags, seq, pid = struct.unpack_from("<IHHII", b, off)
        m = b[off:off + n]
        out.append("%s  # nlmsghdr: nlmsg_len=%d" % (hx(m[0:4]), n))
        out.append("%s  # nlmsg_type=%d" % (hx(m[4:6]), typ))
        out.append("%s  # nlmsg_flags=0x%x" % (hx(m[6:8]), flags))
        out.append("%s  # nlmsg_seq=%d" % (hx(m[8:12]), seq))
        out.append("%s  # nlmsg_pid=%d" % (hx(m[12:16]), pid))
        p = m[16:]
        if typ == NLMSG_ERROR:
            err = struct.unpack_from("<i", p, 0)[0]
            out.append("%s  # nlmsgerr.error=%d" % (hx(p[0:4]), err))
            out.append("%s  # echoed nlmsghdr" % hx(p[4:20]))
            rest = p[20:]
            if rest:
                out += attributes(rest, {1: ("MSG", "str"), 2: ("OFFS", "u32")}, 0, "extack")
        elif typ == NLMSG_DONE:
            out.append("%s  # NLMSG_DONE error=%d" % (hx(p[0:4]), struct.unpack_from("<i", p)[0]))
            if len(p) > 4:
                out.append("%s  # rest" % hx(p[4:]))
        elif typ == SOCK_DIAG_BY_FAMILY and flags & F_REQUEST:
            fam, proto, ext, _, states = struct.unpack_from("<BBBBI", p, 0)
            out.append("%s  # inet_diag_req_v2: family=%d protocol=%d ext=0x%x pad" % (
                hx(p[0:4]), fam, proto, ext))
            out.append("%s  # idiag_states=0x%x" % (hx(p[4:8]), states))
            out += sockid(p[8:56], fam)
        elif typ == SOCK_DIAG_BY_FAMILY:
            fam, state, timer, retrans = struct.unpack_from("<BBBB", p, 0)
            out.append("%s  # inet_diag_msg: family=%d state=%d timer=%d retrans=%d" % (
                hx(p[0:4]), fam, state, timer, retrans))
            out += sockid(p[4:52], fam)
            out.append("%s  # expires rqueue wqueue uid inode" % hx(p[52:72]))
            out += attributes(p[72:], None, 0, "diag")
        else:
            out.append("%s  # payload" % hx(p))
        pad = ((n + 3) & ~3) - n
        if pad and off + n + pad <= len(b):
            out.append("%s  # padding" % hx(b[off + n:off + n + pad]))
        off += (n + 3) & ~3
    return out


def sockid(s, fam):
    size = 16 if fam == socket.AF_INET6 else 4
    sport, dport = struct.unpack_from(">HH", s, 0)
    ifi = struct.unpack_from("<I", s, 36)[0]
    a = lambda x: socket.inet_ntop(fam, x[:size]) if any(x) else "any"
    return ["%s  # sockid: sport=%d dport=%d" % (hx(s[0:4]), sport, dport),
            "%s  # src=%s" % (hx(s[4:20]), a(s[4:20])),
            "%s  # dst=%s" % (hx(s[20:36]), a(s[20:36])),
            "%s  # if=%d" % (hx(s[36:40]), ifi),
            "%s  # cookie" % hx(s[40:48])]


def attributes(buf, table, indent, kind):
    out, off, pre = [], 0, "  " * indent
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("<HH", buf, off)
        v = buf[off + 4:off + n]
        if kind == "diag":
            name = DIAG.get(t & 0x3fff, str(t))
        elif kind == "ulp":
            name = {1: "ULP_INFO_NAME", 3: "ULP_INFO_MPTCP"}.get(t, str(t))
        elif kind == "mptcp":
            name = ULP.get(t, (str(t), "raw"))[0]
        else:
            name = table.get(t, (str(t), "raw"))[0]
        out.append("%s%s  # nla_len=%d nla_type=%s" % (pre, hx(buf[off:off + 4]), n, name))
        if kind == "diag" and t == 19:
            out += attributes(v, None, indent + 1, "ulp")
        elif kind == "ulp" and t == 3:
            out += attributes(v, None, indent + 1, "mptcp")
        elif kind == "ulp" and t == 1:
            out.append("%s  %s  # = %r" % (pre, hx(v), v.rstrip(b"\0").decode()))
        elif kind == "mptcp" and t == 8:
            out.append("%s  %s  # = 0x%x" % (pre, hx(v), struct.unpack("<I", v)[0]))
        elif kind == "mptcp" and t in (1, 2):
            out.append("%s  %s  # = %08x" % (pre, hx(v), struct.unpack("<I", v)[0]))
        elif kind == "extack" and t == 1:
            out.append("%s  %s  # = %r" % (pre, hx(v), v.rstrip(b"\0").decode()))
        elif v:
            out.append("%s  %s" % (pre, hx(v)))
        pad = ((n + 3) & ~3) - n
        if pad and off + n + pad <= len(buf):
            out.append("%s%s  # padding" % (pre, hx(buf[off + n:off + n + pad])))
        off += (n + 3) & ~3
    return out


def outside(path):
    ns = "mpnio-sd-%d" % os.getpid()
    ip = lambda *a: subprocess.run(["ip", "-n", ns] + list(a), check=True)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        ip("link", "set", "lo", "up")
        ip("addr", "add", V6_SERVER + "/128", "dev", "lo", "nodad")
        ip("addr", "add", V6_EXTRA + "/128", "dev", "lo", "nodad")
        subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.mptcp.enabled=1"],
                       check=True)
        ip("mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "0")
        ip("mptcp", "endpoint", "add", V4_EXTRA, "dev", "lo", "subflow", "backup")
        ip("mptcp", "endpoint", "add", V6_EXTRA, "dev", "lo", "subflow", "backup")
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                        "--inside", os.path.abspath(path)], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        inside(sys.argv[2])
    else:
        outside(sys.argv[1] if len(sys.argv) > 1 else "sock-diag-6.18.txt")
