#!/bin/sh
# The item-16 matrix. Each line runs in its own fresh netns (see in-netns.sh),
# so the MIB deltas belong to that line only.
N=${N:-100}
NB=${NB:-300}
cd "$(dirname "$0")"
run() { ./in-netns.sh python3 close_unread.py "$@"; }
run --proto tcp   --scenario unread     --trials $N
run --proto mptcp --scenario unread     --trials $N
run --proto tcp   --scenario thread-jdk --trials $NB
run --proto mptcp --scenario thread-jdk --trials $NB
run --proto mptcp --scenario thread-jdk --close linger0 --trials $N
run --proto mptcp --scenario thread-jdk --close disconnect --trials $N
run --proto tcp   --scenario thread-lib --trials $NB
run --proto mptcp --scenario thread-lib --trials $NB
run --proto tcp   --scenario thread-lib --close tcplike --trials $NB
run --proto mptcp --scenario thread-lib --close tcplike --trials $NB
run --proto tcp   --scenario request-reply --trials $N
run --proto mptcp --scenario request-reply --trials $N
run --proto mptcp --scenario request-reply --close tcplike --trials $N
run --proto mptcp --scenario request-reply --close linger0 --trials $N
run --proto tcp   --scenario read-all --trials $N
run --proto mptcp --scenario read-all --trials $N
run --proto mptcp --scenario read-all --close tcplike --trials $N
run --proto mptcp --scenario thread-jdk --trials 20 --follow 100
