#!/usr/bin/env python3
"""MPTCP vs TCP: what the peer's writer sees when this end closes a socket
that still had, or then gets, data it never read.

Runs over loopback only (127.0.0.1), no setup needed beyond net.mptcp.enabled=1.
Each trial: a "writer" (the peer) sends 64 KiB chunks as fast as it can; the
"closer" end closes in one of several ways; the writer then keeps writing and
we classify what it sees within --wait seconds:

  reset  - send() failed with ECONNRESET or EPIPE (what TCP gives)
  stuck  - send() blocked (no progress) for --wait seconds with no error
  other  - anything else (printed)

Scenarios (--scenario):
  unread    closer reads nothing, waits until data is queued, then close()
  partial   closer reads 4 KiB of what was sent, then close()
  thread-lib  a reader thread is blocked in recv(); the main thread closes the
            way mptcp-nio closes a blocking channel with a parked reader:
            shutdown(SHUT_WR), shutdown(SHUT_RD) (wakes the reader), join, close()
  thread-jdk  a reader thread is blocked in recv() (libc recv through ctypes);
            the main thread closes the way the JDK does: dup2() a dead
            socketpair end over the descriptor, signal the reader (EINTR),
            so the reader's syscall drops the last file reference and the
            kernel close runs after it returns
  read-all  correct program: the writer sends 1 MiB, shutdown(SHUT_WR); the
            closer reads to EOF, sends 256 KiB back and closes. Expected for
            both protocols: writer reads all 256 KiB then a clean EOF (no
            reset). Classified as: clean / lost-data / reset.
  peer-closed  the closer closes with nothing unread (clean FIN/DATA_FIN);
            50 ms later the writer writes 1 KiB per send(): counts how many
            succeed before the first error (TCP: 1, then EPIPE).
  request-reply  correct program, peer still open: the writer sends 1 MiB and
            does not shut down; the closer reads exactly 1 MiB, sends 256 KiB
            and closes; the writer reads the reply and must see a clean EOF.

Close modes (--close):
  plain     close(2)
  linger0   setsockopt(SO_LINGER, {1, 0}) then close(2)
  disconnect  connect(fd, AF_UNSPEC) then close(2) (the protocol's
            ->disconnect(): tcp_disconnect() / mptcp_disconnect(), which for
            MPTCP sends MP_FASTCLOSE)
  tcplike   the mitigation proposed for mptcp-nio: if recv(MSG_PEEK|
            MSG_DONTWAIT) finds unread data -> abortive close (disconnect);
            otherwise shutdown(SHUT_WR) and keep the descriptor watched
            (epoll) until the peer's FIN (close then), or new data arrives
            (abortive close then, as TCP resets on data after close), or a
            timeout.

Counters: prints the delta of selected /proc/net/netstat counters over the run.
"""
import argparse
import ctypes
import ctypes.util
import errno
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

IPPROTO_MPTCP = 262
CHUNK = b"x" * 65536
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

WATCH = ["TcpExt:TCPAbortOnData", "TcpExt:TCPAbortOnClose", "TcpExt:TCPAbortOnTimeout",
         "TcpExt:TCPAbortOnLinger",
         "MPTcpExt:MPFastcloseTx", "MPTcpExt:MPFastcloseRx", "MPTcpExt:MPRstTx",
         "MPTcpExt:MPRstRx", "MPTcpExt:MPCurrEstab", "Tcp:OutRsts", "Tcp:EstabResets"]


def counters():
    out = {}
    for path in ("/proc/net/netstat", "/proc/net/snmp"):
        with open(path) as f:
            lines = f.read().splitlines()
        for i in range(0, len(lines) - 1, 2):
            k = lines[i].split()
            v = lines[i + 1].split()
            if k[0] != v[0]:
                continue
            for name, val in zip(k[1:], v[1:]):
                out[k[0] + name] = int(val)
    return out


def proto_num(p):
    return IPPROTO_MPTCP if p == "mptcp" else socket.IPPROTO_TCP


def listener(proto):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto_num(proto))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    return s


def pair(proto, lst):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto_num(proto))
    c.connect(lst.getsockname())
    a, _ = lst.accept()
    return c, a


# ---------------------------------------------------------------- close modes

def abort(s):
    """Abortive close usable on both TCP and MPTCP, on any kernel:
    connect(AF_UNSPEC) runs sk_prot->disconnect (tcp_disconnect: RST;
    mptcp_disconnect: mptcp_do_fastclose -> RST + MP_FASTCLOSE)."""
    sa = struct.pack("HH12x", socket.AF_UNSPEC, 0)  # struct sockaddr, family AF_UNSPEC
    buf = ctypes.create_string_buffer(sa)
    libc.connect(s.fileno(), buf, len(sa))
    s.close()


SOL_MPTCP = 284
MPTCP_INFO = 1


def fin_base(s):
    """MPTCP_INFO: rcv_nxt - bytes_received. mptcp_check_data_fin() adds 1 to
    msk->ack_seq (= mptcpi_rcv_nxt) for the peer's DATA_FIN but not to
    bytes_received, so this value grows by exactly 1 once the peer closed.
    None if not an MPTCP socket (or fallen back to TCP)."""
    try:
        raw = s.getsockopt(SOL_MPTCP, MPTCP_INFO, 96)
    except OSError:
        return None
    if len(raw) < 72:
        return None
    flags = struct.unpack_from("@I", raw, 8)[0]
    if flags & 1:                       # MPTCP_INFO_FLAG_FALLBACK
        return None
    rcv_nxt = struct.unpack_from("@Q", raw, 32)[0]
    received = struct.unpack_from("@Q", raw, 64)[0]
    return (rcv_nxt - received) & 0xFFFFFFFFFFFFFFFF


BASES = {}   # fd -> fin_base() right after connect/accept


def peer_finished(s):
    b = BASES.get(s.fileno())
    now = fin_base(s)
    return b is not None and now is not None and now == (b + 1) & 0xFFFFFFFFFFFFFFFF


def has_unread(s):
    try:
        return bool(s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False
    except OSError:
        return False


class Reaper:
    """Holds MPTCP descriptors closed 'gracefully' and finishes them as the
    kernel finishes an orphaned TCP socket (tcp_rcv_state_process() in
    FIN_WAIT1/2 with RCV_SHUTDOWN: new data -> RST, TCPAbortOnData): abortive
    close when data arrives, plain close once the peer's DATA_FIN is in, or
    after a timeout (tcp_fin_timeout / net.mptcp.close_timeout: 60 s).
    Edge-triggered epoll: our own shutdown(SHUT_RD) leaves the socket readable
    for ever, so only new wake-ups (data, DATA_FIN, reset) are reported."""

    def __init__(self, timeout=60.0):
        self.ep = select.epoll()
        self.socks = {}
        self.timeout = timeout
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()
        self.aborted = 0
        self.finished = 0
        self.timedout = 0

    def add(self, s):
        with self.lock:
            self.socks[s.fileno()] = (s, time.monotonic() + self.timeout)
            self.ep.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)

    def _done(self, fd, s, aborting):
        self.ep.unregister(fd)
        del self.socks[fd]
        BASES.pop(fd, None)
        if aborting:
            self.aborted += 1
            abort(s)
        else:
            s.close()

    def run(self):
        while True:
            ev = self.ep.poll(0.5)
            now = time.monotonic()
            with self.lock:
                for fd, mask in ev:
                    if fd not in self.socks:
                        continue
                    s = self.socks[fd][0]
                    if has_unread(s):
                        self._done(fd, s, aborting=True)
                    # not EPOLLHUP: mptcp_poll() reports it as soon as sk_shutdown ==
                    # SHUTDOWN_MASK, i.e. after our own SHUT_RD + SHUT_WR
                    elif peer_finished(s) or (mask & select.EPOLLERR):
                        self.finished += 1
                        self._done(fd, s, aborting=False)
                for fd, (s, dl) in list(self.socks.items()):
                    if now > dl:
                        self.timedout += 1
                        self._done(fd, s, aborting=False)


REAPER = None


def tcplike_close(s):
    """The mitigation: what mptcp-nio's close() would do, after every thread
    left the descriptor and right before close(2)."""
    if fin_base(s) is None:
        s.close()             # TCP (or MPTCP fallen back): the kernel already behaves
        return
    if has_unread(s):
        abort(s)              # unread data: tcp_close() would send RST
        return
    if peer_finished(s):
        BASES.pop(s.fileno(), None)
        s.close()             # the peer closed first: nothing more can arrive
        return
    try:
        s.shutdown(socket.SHUT_WR)   # DATA_FIN now, as close(2) would
    except OSError:
        pass
    REAPER.add(s)


def do_close(s, mode):
    if mode == "plain":
        s.close()
    elif mode == "linger0":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif mode == "disconnect":
        abort(s)
    elif mode == "tcplike":
        tcplike_close(s)
    else:
        raise ValueError(mode)


# ---------------------------------------------------------------- the writer

def drive_writer(c, wait, t_end_first=None):
    """Keep writing; return ('reset', errno) or ('stuck', bytes) or ('other', x)."""
    c.setblocking(False)
    sent = 0
    last_progress = time.monotonic()
    while True:
        try:
            n = c.send(CHUNK)
            sent += n
            last_progress = time.monotonic()
            continue
        except BlockingIOError:
            pass
        except (ConnectionResetError, BrokenPipeError) as e:
            return "reset", e.errno, sent
        except OSError as e:
            return "other", e.errno, sent
        left = wait - (time.monotonic() - last_progress)
        if left <= 0:
            return "stuck", 0, sent
        select.select([], [c], [c], min(left, 0.25))


def ss_state(port):
    out = os.popen("ss -tanHMO state all '( sport = :%d or dport = :%d )' 2>/dev/null" % (port, port)).read()
    if os.environ.get("SS_FULL"):
        return "\n      " + os.popen("ss -tanHMOi state all '( sport = :%d or dport = :%d )' 2>/dev/null" % (port, port)).read().replace("\n", "\n      ")
    return " | ".join(" ".join(l.split()[:4]) for l in out.strip().splitlines())


# ---------------------------------------------------------------- scenarios

def trial(args, lst, i):
    c, a = pair(args.proto, lst)
    BASES[a.fileno()] = fin_base(a)
    if args.scenario in ("read-all", "request-reply"):
        return trial_read_all(args, c, a)
    if args.scenario == "peer-closed":
        # nothing unread: a clean close; then the writer writes 1 KiB at a time
        do_close(a, args.close)
        time.sleep(0.05)
        c.setblocking(False)
        ok = 0
        t0 = time.monotonic()
        last = t0
        while True:
            try:
                c.send(b"y" * 1024)
                ok += 1
                last = time.monotonic()
            except BlockingIOError:
                if time.monotonic() - last > args.wait:
                    WRITES.append(ok)
                    return finish(args, c, ("stuck", 0, ok))
                select.select([], [c], [], 0.1)
            except OSError as e:
                WRITES.append(ok)
                c.close()
                return ("reset", e.errno, ok)
    if args.scenario in ("unread", "partial"):
        c.sendall(CHUNK)
        select.select([a], [], [], 2)
        if args.scenario == "partial":
            a.recv(4096)
        do_close(a, args.close)
        res = drive_writer(c, args.wait)
        return finish(args, c, res)
    # threaded scenarios: a reader thread blocked in recv while data flows
    stop = threading.Event()
    wr = {"res": None}

    def writer():
        # start writing, the closer closes after a random delay
        wr["res"] = drive_writer(c, args.wait)

    if args.scenario == "thread-lib":
        def reader():
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
            except OSError:
                pass
        rt = threading.Thread(target=reader)
        rt.start()
        wt = threading.Thread(target=writer)
        wt.start()
        time.sleep(args.delay * ((i % 10) + 1) / 10.0)
        if args.close == "plain" or args.close == "linger0" or args.close == "disconnect":
            if args.close == "linger0":
                a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # mptcp-nio StreamSocketState.implCloseBlockingMode(): shutdown(SHUT_WR)
            # unless linger 0, then shutdown(SHUT_RD) to wake the parked reader
            if args.close != "linger0":
                try:
                    a.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            try:
                a.shutdown(socket.SHUT_RD)
            except OSError:
                pass
            rt.join()
            if args.close == "disconnect":
                abort(a)
            else:
                a.close()
        elif args.close == "tcplike":
            try:
                a.shutdown(socket.SHUT_RD)   # wake the reader only
            except OSError:
                pass
            rt.join()
            tcplike_close(a)
        wt.join()
        return finish(args, c, wr["res"])

    if args.scenario == "thread-jdk":
        fd = a.fileno()
        tid = {}
        rbuf = ctypes.create_string_buffer(65536)

        def reader():
            tid["t"] = threading.get_native_id()
            while True:
                n = libc.recv(fd, rbuf, 65536, 0)
                if n <= 0:
                    tid["err"] = ctypes.get_errno()
                    break
        rt = threading.Thread(target=reader)
        rt.start()
        wt = threading.Thread(target=writer)
        wt.start()
        time.sleep(args.delay * ((i % 10) + 1) / 10.0)
        if args.close in ("linger0",):
            a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if args.close == "disconnect":
            sa = struct.pack("HH12x", socket.AF_UNSPEC, 0)
            libc.connect(fd, ctypes.create_string_buffer(sa), len(sa))
        # JDK preClose: dup2(a dead socketpair end, fd), then signal the reader
        x, y = socket.socketpair()
        y.close()
        x.shutdown(socket.SHUT_RDWR)
        os.dup2(x.fileno(), fd)
        x.close()
        while rt.is_alive():
            signal.pthread_kill(rt.ident, signal.SIGUSR1)
            rt.join(0.01)
        a.close()  # closes the dup2'ed placeholder: the MPTCP socket is already released
        wt.join()
        return finish(args, c, wr["res"])
    raise ValueError(args.scenario)


def trial_read_all(args, c, a):
    total = 1 << 20
    reply = 256 * 1024
    res = {}

    def closer():
        got = 0
        while got < total:
            d = a.recv(65536)
            if not d:
                break
            got += len(d)
        a.sendall(b"r" * reply)
        do_close(a, args.close)
        res["got"] = got
    t = threading.Thread(target=closer)
    t.start()
    c.sendall(b"w" * total)
    if args.scenario == "read-all":
        c.shutdown(socket.SHUT_WR)
    c.settimeout(args.wait + 2)
    got = 0
    try:
        while True:
            d = c.recv(65536)
            if not d:
                outcome = "clean" if got == reply else "lost-data"
                break
            got += len(d)
    except (ConnectionResetError, BrokenPipeError):
        outcome = "reset"
    except socket.timeout:
        outcome = "stuck"
    t.join()
    c.close()
    return outcome, got, res.get("got")


STUCK = []
WRITES = []


def finish(args, c, res):
    kind = res[0]
    if kind == "stuck":
        port = c.getsockname()[1]
        STUCK.append((c, time.monotonic(), ss_state(port)))
    else:
        c.close()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proto", choices=["tcp", "mptcp"], default="mptcp")
    ap.add_argument("--scenario", choices=["unread", "partial", "thread-lib", "thread-jdk", "read-all", "request-reply", "peer-closed"],
                    default="thread-jdk")
    ap.add_argument("--close", choices=["plain", "linger0", "disconnect", "tcplike"], default="plain")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--wait", type=float, default=1.5, help="seconds without progress = stuck")
    ap.add_argument("--delay", type=float, default=0.02, help="max delay before the close (threaded)")
    ap.add_argument("--follow", type=float, default=0,
                    help="after the trials, keep stuck writers and report when (if) they get an error, up to this many seconds")
    args = ap.parse_args()
    signal.signal(signal.SIGUSR1, lambda *a: None)
    global REAPER
    REAPER = Reaper()
    lst = listener(args.proto)
    before = counters()
    tally = {}
    for i in range(args.trials):
        r = trial(args, lst, i)
        key = r[0]
        if r[0] == "reset" and args.scenario not in ("read-all", "request-reply"):
            key = "reset(%s)" % errno.errorcode.get(r[1], r[1])
        tally[key] = tally.get(key, 0) + 1
    time.sleep(0.5)
    after = counters()
    print("kernel %s proto=%s scenario=%s close=%s trials=%d" % (
        os.uname().release, args.proto, args.scenario, args.close, args.trials))
    print("  writer outcomes:", dict(sorted(tally.items())))
    if args.close == "tcplike":
        print("  reaper: aborted-on-late-data=%d closed-on-peer-DATA_FIN=%d timed-out=%d still-held=%d" % (
            REAPER.aborted, REAPER.finished, REAPER.timedout, len(REAPER.socks)))
    print("  counters:", ", ".join("%s=%+d" % (k.split(":")[1], after.get(k, 0) - before.get(k, 0))
                                   for k in WATCH if k in after))
    if WRITES:
        WRITES.sort()
        print("  successful 1 KiB writes after the peer's close: min %d median %d max %d" % (
            WRITES[0], WRITES[len(WRITES) // 2], WRITES[-1]))
    if STUCK:
        print("  ss of first stuck pairs (state recv-q send-q):")
        for _, _, st in STUCK[:3]:
            print("    ", st)
    if STUCK and args.follow:
        t0 = time.monotonic()
        pending = list(STUCK)
        times = []
        while pending and time.monotonic() - t0 < args.follow:
            nxt = []
            for c, ts, st in pending:
                try:
                    c.send(CHUNK)
                    nxt.append((c, ts, st))
                except BlockingIOError:
                    nxt.append((c, ts, st))
                except OSError as e:
                    times.append((time.monotonic() - ts, errno.errorcode.get(e.errno)))
                    c.close()
            pending = nxt
            time.sleep(1)
        print("  follow-up: %d of %d stuck writers got an error; seconds after getting stuck: %s; still stuck after %.0fs: %d" % (
            len(times), len(STUCK), sorted(set((round(t), e) for t, e in times)), args.follow, len(pending)))


if __name__ == "__main__":
    main()
