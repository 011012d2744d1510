#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns capture.sh output (JSON lines) into the annotated fixture file the Java tests read.

Each fixture is a section "=== name" followed by hex, one field per line, with "#" comments
that name the field and its value as this independent decoder reads it.
Usage: annotate.py capture.jsonl > kernel-6.18.txt
"""
import json, socket, struct, sys

EV = {1: "CREATED", 2: "ESTABLISHED", 3: "CLOSED", 6: "ANNOUNCED", 7: "REMOVED",
      10: "SUB_ESTABLISHED", 11: "SUB_CLOSED", 13: "SUB_PRIORITY", 15: "LISTENER_CREATED",
      16: "LISTENER_CLOSED"}
PMCMD = {1: "ADD_ADDR", 2: "DEL_ADDR", 3: "GET_ADDR", 4: "FLUSH_ADDRS", 5: "SET_LIMITS",
         6: "GET_LIMITS", 7: "SET_FLAGS", 8: "ANNOUNCE", 9: "REMOVE", 10: "SUBFLOW_CREATE",
         11: "SUBFLOW_DESTROY"}
EV_ATTR = {1: ("TOKEN", "u32"), 2: ("FAMILY", "u16"), 3: ("LOC_ID", "u8"), 4: ("REM_ID", "u8"),
           5: ("SADDR4", "in4"), 6: ("SADDR6", "in6"), 7: ("DADDR4", "in4"), 8: ("DADDR6", "in6"),
           9: ("SPORT", "be16"), 10: ("DPORT", "be16"), 11: ("BACKUP", "u8"), 12: ("ERROR", "u8"),
           13: ("FLAGS", "u16"), 14: ("TIMEOUT", "u32"), 15: ("IF_IDX", "s32"),
           16: ("RESET_REASON", "u32"), 17: ("RESET_FLAGS", "u32"), 18: ("SERVER_SIDE", "u8")}
PM_ATTR = {1: ("ADDR", "nest:addr"), 2: ("RCV_ADD_ADDRS", "u32"), 3: ("SUBFLOWS", "u32"),
           4: ("TOKEN", "u32"), 5: ("LOC_ID", "u8"), 6: ("ADDR_REMOTE", "nest:addr")}
ADDR_ATTR = {1: ("FAMILY", "u16"), 2: ("ID", "u8"), 3: ("ADDR4", "in4"), 4: ("ADDR6", "in6"),
             5: ("PORT", "u16"), 6: ("FLAGS", "u32"), 7: ("IF_IDX", "s32")}
CTRL_ATTR = {1: ("FAMILY_ID", "u16"), 2: ("FAMILY_NAME", "str"), 3: ("VERSION", "u32"),
             4: ("HDRSIZE", "u32"), 5: ("MAXATTR", "u32"), 6: ("OPS", "nest:list:op"),
             7: ("MCAST_GROUPS", "nest:list:grp"), 8: ("POLICY", "bin"), 9: ("OP_POLICY", "bin"),
             10: ("OP", "u32")}
OP_ATTR = {1: ("OP_ID", "u32"), 2: ("OP_FLAGS", "u32")}
GRP_ATTR = {1: ("MCAST_GRP_NAME", "str"), 2: ("MCAST_GRP_ID", "u32")}
ERR_ATTR = {1: ("MSG", "str"), 2: ("OFFS", "u32"), 3: ("COOKIE", "bin"), 4: ("POLICY", "bin"),
            5: ("MISS_TYPE", "u32"), 6: ("MISS_NEST", "u32")}
IFA_ATTR = {1: ("IFA_ADDRESS", "ip"), 2: ("IFA_LOCAL", "ip"), 3: ("IFA_LABEL", "str"),
            4: ("IFA_BROADCAST", "ip"), 6: ("IFA_CACHEINFO", "bin"), 8: ("IFA_FLAGS", "u32"),
            11: ("IFA_PROTO", "u8")}
IFLA_ATTR = {3: ("IFLA_IFNAME", "str"), 4: ("IFLA_MTU", "u32"), 16: ("IFLA_OPERSTATE", "u8"),
             17: ("IFLA_LINKMODE", "u8"), 33: ("IFLA_CARRIER", "u8")}
TABLES = {"addr": ADDR_ATTR, "op": OP_ATTR, "grp": GRP_ATTR}

def hx(b):
    return b.hex()

def value(kind, v):
    try:
        if kind == "u8":
            return str(v[0])
        if kind == "u16":
            return str(struct.unpack("<H", v[:2])[0])
        if kind == "be16":
            return "%d (network order)" % struct.unpack(">H", v[:2])[0]
        if kind == "u32":
            return str(struct.unpack("<I", v[:4])[0])
        if kind == "s32":
            return str(struct.unpack("<i", v[:4])[0])
        if kind == "in4":
            return socket.inet_ntoa(v[:4])
        if kind == "in6":
            return socket.inet_ntop(socket.AF_INET6, v[:16])
        if kind == "ip":
            return socket.inet_ntoa(v) if len(v) == 4 else socket.inet_ntop(socket.AF_INET6, v)
        if kind == "str":
            return repr(v.rstrip(b"\0").decode("ascii", "replace"))
    except Exception:
        pass
    return "%d bytes" % len(v)

def attributes(out, buf, table, indent, prefix):
    off = 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("<HH", buf, off)
        typ = t & 0x3fff
        name, kind = table.get(typ, ("type %d" % typ, "bin"))
        flags = (" NESTED" if t & 0x8000 else "") + (" NET_BYTEORDER" if t & 0x4000 else "")
        out.append("%s%s  # %snla_len=%d nla_type=%s%s" % (indent, hx(buf[off:off + 4]), prefix,
                                                          n, name, flags))
        v = buf[off + 4:off + n]
        if kind.startswith("nest:list:"):
            sub = TABLES[kind.split(":")[2]]
            attributes(out, v, {i: ("[%d]" % i, "nest:" + kind.split(":")[2]) for i in range(64)},
                       indent + "  ", "")
        elif kind.startswith("nest:"):
            attributes(out, v, TABLES[kind.split(":")[1]], indent + "  ", "")
        elif v:
            out.append("%s  %s  # = %s" % (indent, hx(v), value(kind, v)))
        pad = ((n + 3) & ~3) - n
        if pad and off + n + pad <= len(buf):
            out.append("%s%s  # padding" % (indent, hx(buf[off + n:off + n + pad])))
        off += (n + 3) & ~3

def message(out, b, src, family):
    n, typ, flags, seq, pid = struct.unpack_from("<IHHII", b, 0)
    out.append("%s  # nlmsghdr: nlmsg_len=%d" % (hx(b[0:4]), n))
    out.append("%s  # nlmsg_type=%d" % (hx(b[4:6]), typ))
    out.append("%s  # nlmsg_flags=0x%x" % (hx(b[6:8]), flags))
    out.append("%s  # nlmsg_seq=%d" % (hx(b[8:12]), seq))
    out.append("%s  # nlmsg_pid=%d" % (hx(b[12:16]), pid))
    body = b[16:n]
    if typ == 2:
        err = struct.unpack_from("<i", body, 0)[0]
        out.append("%s  # nlmsgerr.error=%d" % (hx(body[0:4]), err))
        olen = 16 if flags & 0x100 else struct.unpack_from("<I", body, 4)[0]
        out.append("%s  # nlmsgerr.msg: the request's header%s" % (hx(body[4:4 + olen]),
                   " (capped)" if flags & 0x100 else ""))
        attributes(out, body[4 + olen:], ERR_ATTR, "", "NLMSGERR_ATTR_")
        return
    if typ == 3:
        out.append("%s  # NLMSG_DONE: int error=%d" % (hx(body), struct.unpack_from("<i", body)[0]))
        return
    if src == "genl":
        cmd = body[0]
        if typ == 0x10:
            label, table = "CTRL_CMD %d" % cmd, CTRL_ATTR
        elif family == "event":
            label, table = "event %s" % EV.get(cmd, cmd), EV_ATTR
        else:
            label, table = "command %s" % PMCMD.get(cmd, cmd), PM_ATTR
        out.append("%s  # genlmsghdr: cmd=%d (%s) version=%d reserved" % (hx(body[0:4]), cmd,
                                                                         label, body[1]))
        attributes(out, body[4:], table, "", "")
    elif typ in (16, 17, 18):
        fam, t, idx, fl, ch = struct.unpack_from("<BxHiII", body, 0)
        out.append("%s  # ifinfomsg: family=%d pad type=%d" % (hx(body[0:4]), fam, t))
        out.append("%s  # ifi_index=%d" % (hx(body[4:8]), idx))
        out.append("%s  # ifi_flags=0x%x" % (hx(body[8:12]), fl))
        out.append("%s  # ifi_change=0x%x" % (hx(body[12:16]), ch))
        attributes(out, body[16:], IFLA_ATTR, "", "")
    elif typ in (20, 21, 22):
        fam, pl, fl, sc, idx = struct.unpack_from("<BBBBi", body, 0)
        out.append("%s  # ifaddrmsg: family=%d prefixlen=%d flags=0x%x scope=%d" % (
            hx(body[0:4]), fam, pl, fl, sc))
        out.append("%s  # ifa_index=%d" % (hx(body[4:8]), idx))
        attributes(out, body[8:], IFA_ATTR, "", "")
    else:
        out.append("%s  # body" % hx(body))

def datagram(b, src, kind):
    out, off = [], 0
    while off + 16 <= len(b):
        n = struct.unpack_from("<I", b, off)[0]
        if off:
            out.append("# --- next message in the same datagram")
        message(out, b[off:off + n], src, kind)
        pad = ((n + 3) & ~3) - n
        if pad:
            out.append("%s  # message padding" % hx(b[off + n:off + n + pad]))
        off += (n + 3) & ~3
    return out

def main(path):
    seen, fixtures = set(), []
    for line in open(path):
        d = json.loads(line)
        b = bytes.fromhex(d["hex"])
        ns, src, what, direction = d["ns"], d["src"], d["what"], d["dir"]
        typ = struct.unpack_from("<H", b, 4)[0]
        if src == "genl" and direction == "event":
            ev = EV.get(b[16], str(b[16]))
            fam = None
            for t, v in _attrs(b[20:]):
                if t == 2:
                    fam = v[0]
            sig = (ns, ev, tuple(sorted(t for t, _ in _attrs(b[20:]))), fam)
            name = "%s-%s" % (ns, ev.lower().replace("_", "-"))
            kind = "event"
            d["what"] = "MPTCP_EVENT_" + ev
        elif src == "rtnl" and direction == "event":
            fl = struct.unpack_from("<I", b, 24)[0] if typ == 16 else b[16]
            sig = (ns, typ, fl)
            name = "%s-rtm-%s-%s" % (ns, {16: "newlink", 17: "dellink", 20: "newaddr",
                                         21: "deladdr"}[typ], {2: "v4", 10: "v6"}.get(fl, "%x" % fl))
            d["what"] = {16: "RTM_NEWLINK", 17: "RTM_DELLINK", 20: "RTM_NEWADDR",
                         21: "RTM_DELADDR"}[typ]
            kind = "event"
        else:
            if what == "getfamily-mptcp_pm" and ns == "server":
                continue
            sig = (what, direction, typ if direction == "reply" else None)
            name = "%s-%s" % (what, direction)
            kind = "reply"
        if sig in seen:
            continue
        seen.add(sig)
        base, i = name, 2
        while name in [f[0] for f in fixtures]:
            name, i = "%s-%d" % (base, i), i + 1
        fixtures.append((name, d, datagram(b, src, kind)))
    print("# Netlink datagrams captured from Linux 6.18.44 (x86_64, little endian) by")
    print("# mptcp-nio/src/test/netlink-capture/capture.sh and annotated by annotate.py.")
    print("# Format: '=== name: description', then hex (whitespace ignored) with '#' comments.")
    print("# Client namespace 10.250.{1,2}.1 / fd00:250:{1,2}::1, server .2; see capture.sh")
    print("# for the scenario (phase A in-kernel PM, B userspace PM on the client, C IPv6).")
    for name, d, lines in fixtures:
        print()
        print("=== %s: %s %s %s in the %s namespace" % (name, d["src"], d["what"], d["dir"], d["ns"]))
        for l in lines:
            print(l)

def _attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("<HH", buf, off)
        if n < 4:
            return
        yield t & 0x3fff, buf[off + 4:off + n]
        off += (n + 3) & ~3

if __name__ == "__main__":
    main(sys.argv[1])
