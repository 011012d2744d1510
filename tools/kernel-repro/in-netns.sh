#!/bin/sh
# Run a command in a fresh network namespace (own loopback, own MIB counters,
# default per-netns sysctls), then delete the namespace.
# usage: sudo ./in-netns.sh python3 close_unread.py --proto mptcp ...
set -e
ns="mpnio-trap-$$-run"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null' EXIT INT TERM
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -q -w net.mptcp.enabled=1
ip netns exec "$ns" "$@"
