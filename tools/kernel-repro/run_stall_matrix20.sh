#!/bin/sh
# Item-18, 20 runs x 256 MiB per line (fresh netns per line).
cd "$(dirname "$0")"
run() { ./in-netns.sh python3 stall.py --quiet --runs 20 "$@" | grep -E "^kernel|TOTAL|counters"; }
run --proto mptcp --wait epoll
run --proto mptcp --wait block
run --proto mptcp --wait epoll --sndbuf 4194304
run --proto mptcp --wait block --sndbuf 4194304
run --proto mptcp --wait epoll --rcvbuf 4194304
