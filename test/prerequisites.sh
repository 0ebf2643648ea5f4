#!/bin/sh
# The system tools the tests run for real, checked before any test: `npm test` runs this first.
# When one is missing and this machine lets us (root, apt-get, HEADCOUNT_INSTALL not "no"), it
# installs them and says what; otherwise it stops with one message naming the install command,
# and no test runs. The tests never skip for a missing tool: they would fail, one by one.
# Pure POSIX sh with builtins only, so it can speak even on a PATH that has nothing on it.
set -eu

# tool:Debian package. Chromium comes with its recommended packages: they bring the fonts the
# report's charts are drawn with.
# kubectl builds ops/k8s with its built-in kustomize; systemd-analyze verifies ops/systemd.
tools="redis-server:redis-server redis-cli:redis-tools promtool:prometheus prometheus:prometheus haproxy:haproxy openssl:openssl kubectl:kubernetes-client systemd-analyze:systemd chromium:chromium"

# Sets $gaps (missing tool:package pairs), $names (their tools), $packages (their packages) and
# $offpath (installed in an sbin folder that is not on PATH, as haproxy is for most non-root users).
check() {
  gaps="" names="" packages="" offpath=""
  for pair in $tools; do
    command -v "${pair%%:*}" >/dev/null 2>&1 && continue
    found=""
    for dir in /usr/sbin /sbin /usr/local/sbin; do
      if [ -z "$found" ] && [ -x "$dir/${pair%%:*}" ]; then found="$dir/${pair%%:*}"; fi
    done
    if [ -n "$found" ]; then offpath="$offpath${offpath:+ }$found" && continue; fi
    gaps="$gaps${gaps:+ }$pair"
    names="$names${names:+ }${pair%%:*}"
    case " $packages " in *" ${pair#*:} "*) ;; *) packages="$packages${packages:+ }${pair#*:}" ;; esac
  done
}

check
[ -z "$gaps" ] && [ -z "$offpath" ] && exit 0
path_note=""
if [ -n "$offpath" ]; then
  path_note=" Not on PATH: $offpath; add its folder, e.g. PATH=\"\$PATH:${offpath%/*}\" npm test"
fi
if [ -z "$gaps" ]; then
  echo "npm test: no test was run.$path_note" >&2
  exit 1
fi

why_not=""
if [ "${HEADCOUNT_INSTALL:-auto}" = "no" ]; then
  why_not="HEADCOUNT_INSTALL=no"
elif [ "$(id -u 2>/dev/null || echo unknown)" != "0" ]; then
  why_not="not root"
elif ! command -v apt-get >/dev/null 2>&1; then
  why_not="no apt-get"
fi

if [ -z "$why_not" ]; then
  echo "npm test: installing what the tests need: $packages (missing: $names)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  plain="" browser=""
  for package in $packages; do
    if [ "$package" = chromium ]; then browser=chromium; else plain="$plain $package"; fi
  done
  # shellcheck disable=SC2086
  if [ -n "$plain" ]; then apt-get install -y -q --no-install-recommends $plain; fi
  if [ -n "$browser" ]; then apt-get install -y -q chromium; fi
  check
  [ -z "$gaps" ] && [ -z "$offpath" ] && exit 0
  if [ -z "$gaps" ]; then
    echo "npm test: no test was run. Not on PATH: $offpath; add its folder, e.g. PATH=\"\$PATH:${offpath%/*}\" npm test" >&2
    exit 1
  fi
  why_not="still missing after apt-get install"
fi

echo "npm test: no test was run: missing $names ($why_not). Install them with: sudo apt-get install -y $packages.$path_note" >&2
exit 1
