#!/bin/sh
# The image's entrypoint: set the descriptor limit to the budget the deployment asks for
# (HEADCOUNT_NOFILE = --max-connections + the server's reserve, see deploy/k8s/pod.ts), then exec
# node so the server is PID 1 and receives SIGTERM itself: it stops accepting, sends BYE, drains
# for --drain-ms and exits.
#
# Node raises its soft limit to the hard one at start, so the hard limit is what a server gets.
# Kubernetes has no per-pod rlimit setting: a runtime whose hard limit is below the budget would
# quietly cap the server under --max-connections (impl/adapters/fd-limit.ts), so that is fatal
# here, with a message. Setting both limits to the budget makes the cap exactly the budget.
set -eu
if [ -n "${HEADCOUNT_NOFILE:-}" ]; then
  if ! ulimit -n "$HEADCOUNT_NOFILE" 2>/dev/null; then
    echo "headcount: cannot raise ulimit -n to $HEADCOUNT_NOFILE (hard limit $(ulimit -H -n)); raise the node's or runtime's nofile limit, or lower --max-connections" >&2
    exit 1
  fi
fi
exec node "$(dirname "$0")/../../bin/headcount.js" "$@"
