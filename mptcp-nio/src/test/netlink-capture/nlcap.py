#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Captures raw netlink datagrams from the running kernel, for the codec's test fixtures.

Every datagram the kernel sends (events, replies, errors) and every request sent is appended
to OUT as one JSON line {"src", "what", "dir", "hex"}. Independent of the Java code on purpose.

  nlcap.py monitor OUT                  mptcp_pm_events + rtnetlink link/addr groups, until killed
  nlcap.py query OUT [kernel|userspace TOKEN]   family lookups, limits, dumps, errors
  nlcap.py pm OUT CMD [k=v ...]         one mptcp_pm command (announce, remove, create, destroy,
                                        set-flags, endp-flags, del-endp)
  nlcap.py server PORT [BIND]           MPTCP echo-less sink, one connection, then exit
  nlcap.py client HOST PORT SECONDS STATE   MPTCP client writing its token to STATE
"""
import json, os, select, socket, struct, sys, time

NETLINK_ROUTE, NETLINK_GENERIC, SOL_NETLINK = 0, 16, 270
ADD_MEMBERSHIP, CAP_ACK, EXT_ACK = 1, 10, 11
F_REQUEST, F_ACK, F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE, GENL_ID_CTRL, NESTED = 2, 3, 0x10, 0x8000
IPPROTO_MPTCP, SOL_MPTCP = 262, 284
CMD = dict(add=1, delete=2, get=3, flush=4, set_limits=5, get_limits=6, set_flags=7,
           announce=8, remove=9, create=10, destroy=11)

def nla(t, p):
    n = 4 + len(p)
    return struct.pack("<HH", n, t) + p + b"\0" * ((4 - n % 4) % 4)

def attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("<HH", buf, off)
        if n < 4:
            return
        yield t & 0x3fff, buf[off + 4:off + n]
        off += (n + 3) & ~3

def addr(t, ip, aid=None, port=None, flags=None, ifidx=None, family=True):
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    a = nla(1, struct.pack("<H", fam)) if family else b""
    if aid is not None:
        a += nla(2, struct.pack("B", aid))
    a += nla(3, socket.inet_aton(ip)) if fam == socket.AF_INET else nla(4, socket.inet_pton(fam, ip))
    if port:
        a += nla(5, struct.pack("<H", port))
    if flags is not None:
        a += nla(6, struct.pack("<I", flags))
    if ifidx:
        a += nla(7, struct.pack("<i", ifidx))
    return nla(t | NESTED, a)

class Out:
    def __init__(self, path):
        self.f = open(path, "a")
    def put(self, src, what, direction, data):
        self.f.write(json.dumps(dict(src=src, what=what, dir=direction, t=time.time(),
                                     hex=data.hex())) + "\n")
        self.f.flush()

class Nl:
    def __init__(self, proto, out, src):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, CAP_ACK, 1)
        self.out, self.src, self.seq = out, src, 1000

    def request(self, what, ntype, flags, body):
        self.seq += 1
        msg = struct.pack("<IHHII", 16 + len(body), ntype, flags, self.seq, 0) + body
        self.out.put(self.src, what, "request", msg)
        self.s.send(msg)
        replies = []
        while True:
            data = self.s.recv(1 << 16)
            self.out.put(self.src, what, "reply", data)
            replies.append(data)
            off, end = 0, False
            while off + 16 <= len(data):
                n, typ, fl, seq, _ = struct.unpack_from("<IHHII", data, off)
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    end = True
                off += (n + 3) & ~3
            if end:
                return replies

    def genl(self, what, family, cmd, payload=b"", flags=F_REQUEST | F_ACK):
        return self.request(what, family, flags, struct.pack("<BBH", cmd, 1, 0) + payload)

def resolve(nl, name):
    data = nl.genl("getfamily-" + name, GENL_ID_CTRL, 3, nla(2, name.encode() + b"\0"))[0]
    fam, groups = None, {}
    for t, v in attrs(data[20:]):
        if t == 1:
            fam = struct.unpack_from("<H", v)[0]
        elif t == 7:
            for _, g in attrs(v):
                d = dict(attrs(g))
                groups[d[1].rstrip(b"\0").decode()] = struct.unpack_from("<I", d[2])[0]
    return fam, groups

def monitor(out):
    g = Nl(NETLINK_GENERIC, out, "genl")
    fam, groups = resolve(g, "mptcp_pm")
    g.s.setsockopt(SOL_NETLINK, ADD_MEMBERSHIP, groups["mptcp_pm_events"])
    r = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    r.bind((0, 0))
    for grp in (1, 5, 9):
        r.setsockopt(SOL_NETLINK, ADD_MEMBERSHIP, grp)
    print("monitoring", flush=True)
    while True:
        ready, _, _ = select.select([g.s, r], [], [])
        for s in ready:
            data = s.recv(1 << 16)
            out.put("genl" if s is g.s else "rtnl", "event", "event", data)

def query(out, pm, token):
    g = Nl(NETLINK_GENERIC, out, "genl")
    resolve(g, "nlctrl")
    fam, _ = resolve(g, "mptcp_pm")
    g.genl("getfamily-nosuchfamily", GENL_ID_CTRL, 3, nla(2, b"nosuchfamily\0"))
    g.genl("getfamily-toolong", GENL_ID_CTRL, 3, nla(2, b"no-such-family-x\0"))
    g.genl("get-limits", fam, CMD["get_limits"])
    if pm == "kernel":
        g.genl("set-limits", fam, CMD["set_limits"], nla(2, struct.pack("<I", 2)) + nla(3, struct.pack("<I", 2)))
        g.genl("set-limits-too-big", fam, CMD["set_limits"], nla(3, struct.pack("<I", 9)))
        g.genl("add-addr-v6", fam, CMD["add"], addr(1, "fd00:250:2::9", 9, None, 2))
        g.genl("add-addr-port", fam, CMD["add"], addr(1, "10.250.1.1", 10, 10009, 1))
        g.genl("add-addr-no-family", fam, CMD["add"], addr(1, "10.250.2.8", 11, None, 2, family=False))
        g.genl("get-addr-dump", fam, CMD["get"], flags=F_REQUEST | F_ACK | F_DUMP)
        g.genl("get-addr-id", fam, CMD["get"], addr(1, "0.0.0.0", 9, family=True))
        g.genl("del-addr", fam, CMD["delete"], addr(1, "0.0.0.0", 9))
        g.genl("del-addr", fam, CMD["delete"], addr(1, "0.0.0.0", 10))
        g.genl("get-addr-missing", fam, CMD["get"], addr(1, "0.0.0.0", 77))
    else:
        tok = nla(4, struct.pack("<I", token))
        g.genl("get-addr-dump-token", fam, CMD["get"], tok, flags=F_REQUEST | F_ACK | F_DUMP)
        g.genl("invalid-token", fam, CMD["remove"], nla(4, struct.pack("<I", token ^ 0x5a5a5a5a)) + nla(5, b"\x01"))
        g.genl("create-missing-remote", fam, CMD["create"], tok + addr(1, "10.250.2.1", 30))
        g.genl("flush-userspace", fam, CMD["flush"])
    r = Nl(NETLINK_ROUTE, out, "rtnl")
    r.request("getlink-dump", 18, F_REQUEST | F_DUMP, struct.pack("<BxHiII", 0, 0, 0, 0, 0))
    r.request("getaddr-dump", 22, F_REQUEST | F_DUMP, struct.pack("<BBBBi", 0, 0, 0, 0, 0))

def pm(out, cmd, kv):
    g = Nl(NETLINK_GENERIC, out, "genl")
    fam, _ = resolve(g, "mptcp_pm")
    ip = lambda k: kv.get(k)
    n = lambda k, d=None: int(kv[k]) if k in kv else d
    tok = nla(4, struct.pack("<I", n("token", 0)))
    if cmd == "announce":
        p = tok + addr(1, ip("addr"), n("id"), n("port"), 1)
    elif cmd == "remove":
        p = tok + nla(5, struct.pack("B", n("id")))
    elif cmd == "create":
        p = tok + addr(1, ip("laddr"), n("lid"), n("lport"), n("flags"), n("ifidx")) + addr(6, ip("raddr"), None, n("rport"))
    elif cmd == "destroy":
        p = tok + addr(1, ip("laddr"), None, n("lport")) + addr(6, ip("raddr"), None, n("rport"))
    elif cmd == "set-flags":
        p = tok + addr(1, ip("laddr"), None, None, n("flags", 4)) + addr(6, ip("raddr"), None, n("rport"))
        cmd = "set_flags"
    elif cmd == "endp-flags":
        # No family: the in-kernel PM then looks the endpoint up by its id alone.
        p = nla(1 | NESTED, nla(2, struct.pack("B", n("id"))) + nla(6, struct.pack("<I", n("flags", 4))))
        cmd = "set_flags"
    elif cmd == "del-endp":
        p = addr(1, "0.0.0.0", n("id"))
        cmd = "delete"
    g.genl(kv.get("what", cmd), fam, CMD[cmd], p)

def server(port, bind):
    fam = socket.AF_INET6 if ":" in bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(4)
    c, _ = ls.accept()
    while c.recv(65536):
        pass
    c.close()
    ls.close()

def client(host, port, seconds, state):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.connect((host, port))
    raw = s.getsockopt(SOL_MPTCP, 1, 96)
    token = struct.unpack_from("<I", raw, 12)[0]
    with open(state + ".tmp", "w") as f:
        json.dump(dict(token=token, local=s.getsockname()[:2], remote=s.getpeername()[:2]), f)
    os.rename(state + ".tmp", state)
    end = time.time() + seconds
    while time.time() < end and not os.path.exists(state + ".stop"):
        s.send(b"x" * 1024)
        time.sleep(0.05)
    s.close()

def main(a):
    if a[0] == "monitor":
        monitor(Out(a[1]))
    elif a[0] == "query":
        query(Out(a[1]), a[2], int(a[3]) if len(a) > 3 else 0)
    elif a[0] == "pm":
        pm(Out(a[1]), a[2], dict(x.split("=", 1) for x in a[3:]))
    elif a[0] == "server":
        server(int(a[1]), a[2] if len(a) > 2 else "0.0.0.0")
    elif a[0] == "client":
        client(a[1], int(a[2]), float(a[3]), a[4])

if __name__ == "__main__":
    main(sys.argv[1:])
