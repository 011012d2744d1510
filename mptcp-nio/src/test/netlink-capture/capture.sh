#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Captures the netlink fixtures of io.mptcp.nio.internal.netlink from the running kernel: two
# namespaces (mpnio-nl-<pid>-c / -s) joined by two veth links, an MPTCP connection with the
# in-kernel path manager, then one with the userspace path manager on the client, rtnetlink
# link and address changes, and an IPv6 connection. Needs root. Writes JSON lines to $1
# (default ./capture.jsonl); annotate.py turns them into the fixture file. Always deletes the
# namespaces it created.
set -euo pipefail
OUT=$(realpath -m "${1:-capture.jsonl}")
HERE=$(cd "$(dirname "$0")" && pwd)
CAP="python3 $HERE/nlcap.py"
C=mpnio-nl-$$-c
S=mpnio-nl-$$-s
ST=$(mktemp -d)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$C" 2>/dev/null || true
	ip netns del "$S" 2>/dev/null || true
	rm -rf "$ST"
}
trap cleanup EXIT
: > "$OUT"

c() { ip netns exec "$C" "$@"; }
s() { ip netns exec "$S" "$@"; }
bgc() { c "$@" & PIDS+=($!); }
bgs() { s "$@" & PIDS+=($!); }
token() { python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["token"])' "$1"; }
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "no $1" >&2; return 1; }
wait_listen() { for _ in $(seq 100); do s ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done; return 1; }

ip netns add "$C"; ip netns add "$S"
for ns in "$C" "$S"; do ip -n "$ns" link set lo up; done
for n in 1 2; do
	ip link add mp$n netns "$C" type veth peer name mp$n netns "$S"
	ip -n "$C" addr add 10.250.$n.1/24 dev mp$n
	ip -n "$S" addr add 10.250.$n.2/24 dev mp$n
	ip -n "$C" addr add fd00:250:$n::1/64 dev mp$n nodad
	ip -n "$S" addr add fd00:250:$n::2/64 dev mp$n nodad
	ip -n "$C" link set mp$n up; ip -n "$S" link set mp$n up
	ip -n "$C" rule add from 10.250.$n.1 table 10$n
	ip -n "$C" route add 10.250.$n.0/24 dev mp$n table 10$n
done
for ns in "$C" "$S"; do ip -n "$ns" mptcp limits set subflows 2 add_addr_accepted 2; done
ip -n "$S" mptcp endpoint add 10.250.2.2 dev mp2 signal
sleep 1

# The monitors record everything each namespace's kernel broadcasts.
bgc $CAP monitor "$OUT.c"
bgs $CAP monitor "$OUT.s"
sleep 0.5

# ---- phase A: in-kernel path manager on both sides
bgs $CAP server 5201                        # LISTENER_CREATED (server)
wait_listen 5201
bgc $CAP client 10.250.1.2 5201 6 "$ST/a"   # CREATED, ESTABLISHED, ANNOUNCED, SUB_ESTABLISHED
wait_file "$ST/a"; sleep 1.5
s $CAP pm "$OUT.s" endp-flags id=1 flags=4 what=endp-set-backup   # MP_PRIO -> client SUB_PRIORITY
sleep 0.5
s $CAP pm "$OUT.s" del-endp id=1 what=endp-delete                 # RM_ADDR -> client REMOVED
sleep 0.5
touch "$ST/a.stop"; sleep 1                                        # CLOSED, LISTENER_CLOSED
c $CAP query "$OUT.c" kernel

# ---- phase B: userspace path manager on the client
ip netns exec "$C" sysctl -qw net.mptcp.path_manager=userspace
ip -n "$S" mptcp endpoint flush
bgs $CAP server 5202
wait_listen 5202
bgc $CAP client 10.250.1.2 5202 12 "$ST/b"
wait_file "$ST/b"; sleep 1
T=$(token "$ST/b")
c $CAP pm "$OUT.c" create token=$T laddr=10.250.2.1 lid=23 raddr=10.250.2.2 rport=5202 what=create
sleep 0.7
c $CAP pm "$OUT.c" set-flags token=$T laddr=10.250.2.1 raddr=10.250.2.2 rport=5202 flags=4 what=set-backup
c $CAP pm "$OUT.c" announce token=$T addr=10.250.2.1 port=6000 id=24 what=announce
sleep 0.5
c $CAP pm "$OUT.c" remove token=$T id=24 what=remove
sleep 0.5
# A subflow to a closed port: SUB_CLOSED with error 111.
c $CAP pm "$OUT.c" create token=$T laddr=10.250.2.1 lid=25 lport=40001 raddr=10.250.2.2 rport=9 what=create-refused
sleep 0.5
# A subflow bound to a device (if_idx), then destroyed.
IFIDX=$(c cat /sys/class/net/mp1/ifindex)
c $CAP pm "$OUT.c" create token=$T laddr=0.0.0.0 lid=26 ifidx=$IFIDX raddr=10.250.1.2 rport=5202 what=create-ifidx
sleep 0.7
c $CAP query "$OUT.c" userspace "$T"
FIRST=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["local"][1])' "$ST/b")
LP=$(c ss -Htn "src 10.250.1.1 and dst 10.250.1.2 and sport != :$FIRST" | awk '{print $4}' | sed 's/.*://' | head -1)
[ -n "$LP" ] && c $CAP pm "$OUT.c" destroy token=$T laddr=10.250.1.1 lport=$LP raddr=10.250.1.2 rport=5202 what=destroy
sleep 0.5
# The server kills the join over link 2 (SOCK_DESTROY): it sends a reset with MP_TCPRST.
s ss -K -tn "src 10.250.2.2 and sport = :5202" >/dev/null 2>&1 || echo "ss -K failed" >&2
sleep 0.5
# rtnetlink: link down/up, addresses added and removed (also while the connection runs).
ip -n "$C" link set mp2 down; sleep 0.3
ip -n "$C" link set mp2 up; sleep 0.3
ip -n "$C" addr add 10.250.3.1/24 dev mp2 label mp2:x; sleep 0.2
ip -n "$C" addr del 10.250.3.1/24 dev mp2; sleep 0.2
ip -n "$C" addr add fd00:250:3::1/64 dev mp2 nodad; sleep 0.2
ip -n "$C" addr del fd00:250:3::1/64 dev mp2; sleep 0.2
touch "$ST/b.stop"; sleep 1

# ---- phase C: IPv6, in-kernel PM again
ip netns exec "$C" sysctl -qw net.mptcp.path_manager=kernel
ip -n "$S" mptcp endpoint add fd00:250:2::2 dev mp2 signal
bgs $CAP server 5203 ::
wait_listen 5203
bgc $CAP client fd00:250:1::2 5203 3 "$ST/c"
wait_file "$ST/c"; sleep 3.5
sleep 0.5
cat "$OUT.c" | sed 's/"src": "/"ns": "client", "src": "/' >> "$OUT"
cat "$OUT.s" | sed 's/"src": "/"ns": "server", "src": "/' >> "$OUT"
rm -f "$OUT.c" "$OUT.s"
wc -l "$OUT"
