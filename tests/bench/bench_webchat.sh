#!/bin/sh
# Web chat live delivery (issue 14; docs/web-chat.md, "Live delivery"):
# WA_BENCH_VISITORS (5000) visitors connected at once through nginx,
# each with an EventSource on its conversation held by nchan; then an
# agent answers every one of them (POST .../web-chat/send, a few at a
# time) and each answer's way to its widget is timed, from just before
# the agent's request to its arrival on the connection.  Target: p99 <=
# 200 ms.  nginx's and the web chat family's memory (RSS of every
# process, the family's request and job workers both) before the
# visitors connect and while they are connected.
set -eu
. "$(dirname "$0")/lib.sh"
# one descriptor per connection, here and in nginx (worker_rlimit_nofile)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_up
echo "== web chat live delivery: $(nproc) cores, ulimit -n $(ulimit -n)"
node tests/bench/webchat.mjs "$DIR"
