#!/usr/bin/env bash
# Stops the control plane that scripts/kube/up.sh STATE_DIR started
# (kube-apiserver first, then etcd: TERM, wait up to 15s, then KILL) and
# removes STATE_DIR. With --keep the directory (logs, etcd data) stays.
#
#   scripts/kube/down.sh STATE_DIR
#   scripts/kube/down.sh --keep STATE_DIR
set -euo pipefail

keep=
if [ "${1:-}" = --keep ]; then
  keep=1
  shift
fi
if [ $# -ne 1 ]; then
  echo "usage: $0 [--keep] STATE_DIR" >&2
  exit 2
fi
[ -d "$1" ] || { echo "kube/down: $1: no such directory (already down?)" >&2; exit 0; }
state=$(cd "$1" && pwd)
if [ ! -f "$state/.mr-kube-state" ]; then
  echo "kube/down: $state was not made by scripts/kube/up.sh; leaving it alone" >&2
  exit 1
fi

alive() { # PID: running and not a zombie waiting for a parent that never reaps it
  kill -0 "$1" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

stop() { # NAME
  local pidfile="$state/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  # Only signal the process we started: its command line names this state dir.
  if ! alive "$pid" || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$state"; then
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "kube/down: $1 (pid $pid) ignored TERM for 15s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  echo "kube/down: stopped $1 (pid $pid)" >&2
}

stop kube-apiserver
stop etcd

if [ -z "$keep" ]; then
  rm -rf "$state"
  echo "kube/down: removed $state" >&2
fi
