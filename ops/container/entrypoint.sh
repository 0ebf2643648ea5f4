#!/bin/sh
# The image's entrypoint: raise the soft descriptor limit to the budget the deployment asks for
# (HEADCOUNT_NOFILE = --max-connections + the server's reserve), then exec node so the server is
# PID 1 and receives SIGTERM itself: it stops accepting, sends BYE, drains for --drain-ms, exits.
# Kubernetes has no per-pod rlimit setting, and a default soft limit of 1024 would quietly cap a
# server at 960 clients (impl/adapters/fd-limit.ts), so a budget the node cannot give is fatal.
set -eu
if [ -n "${HEADCOUNT_NOFILE:-}" ]; then
  if ! ulimit -S -n "$HEADCOUNT_NOFILE" 2>/dev/null; then
    echo "headcount: cannot raise ulimit -n to $HEADCOUNT_NOFILE (hard limit $(ulimit -H -n)); raise the node's or runtime's nofile limit, or lower --max-connections" >&2
    exit 1
  fi
fi
exec node "$(dirname "$0")/../../bin/headcount.js" "$@"
