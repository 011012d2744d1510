#!/bin/sh
# Item-18 matrix: 6 runs x 256 MiB per line, each line in a fresh netns.
R=${R:-6}
cd "$(dirname "$0")"
run() { ./in-netns.sh python3 stall.py --quiet --runs $R "$@" | grep -E "^kernel|TOTAL|counters"; }
run --proto tcp   --wait epoll
run --proto tcp   --wait block
run --proto mptcp --wait epoll
run --proto mptcp --wait block
run --proto mptcp --wait epoll --rsize 1048576
run --proto mptcp --wait epoll --rsize 16384
run --proto mptcp --wait epoll --rcvbuf 4194304
run --proto mptcp --wait epoll --sndbuf 4194304
run --proto mptcp --wait epoll --nodelay
run --proto mptcp --wait epoll --wsize 1048576
