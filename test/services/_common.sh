# shellcheck shell=bash
# Sourced by each test/services/<name> script (not run by itself): state under
# .cache/services/<name>/, installs, start-and-wait, stop-and-verify.
#
# Contract of a service script: `start` prints only KEY=VALUE lines on stdout (progress and errors go
# to stderr), returns with the server running in its own process group, and is idempotent; `stop`
# ends that whole process group and fails if anything of it is left.

set -euo pipefail

SERVICES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SERVICES_DIR/../.." && pwd)

# svc_init NAME: sets the per-service paths; takes the service's lock so that two `start`/`stop`
# of the same service (parallel test runners, CI) do not race. The server never inherits fd 9.
svc_init() {
  SVC_NAME=$1
  SVC_DIR="$REPO_ROOT/.cache/services/$SVC_NAME"
  SVC_PIDFILE="$SVC_DIR/server.pid"
  SVC_LOG="$SVC_DIR/server.log"
  SVC_ENVFILE="$SVC_DIR/env"
  SVC_PORTFILE="$SVC_DIR/port"
  mkdir -p "$SVC_DIR"
  exec 9>"$SVC_DIR/.lock"
  flock -w 900 9 || die "another start/stop of $SVC_NAME holds $SVC_DIR/.lock for over 15 minutes"
}

log() { printf '[services/%s] %s\n' "${SVC_NAME:-?}" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# now_ms: wall clock in milliseconds, for the progress lines.
now_ms() { date +%s%3N; }

# check_port_number VAR VALUE: refuse anything but a TCP port number.
check_port_number() {
  [[ $2 =~ ^[0-9]+$ ]] && (($2 >= 1 && $2 <= 65535)) || die "$1 must be a TCP port number, got '$2'"
}

# port_in_use PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ensure_apt "BIN..." "PKG...": when any BIN is missing, `apt-get update` then `apt-get install -y PKG...`.
# Packages whose maintainer scripts would start the system's own daemon (redis-server, mosquitto,
# nats-server) are installed with a temporary policy-rc.d that forbids it, unless the machine already
# has one; the daemons we run are our own, on our own ports, never the system service.
ensure_apt() {
  local bins=$1 pkgs=$2 b missing=()
  for b in $bins; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
  ((${#missing[@]} == 0)) && return 0

  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
      die "${missing[*]} missing and not root (no password-less sudo): install Debian package(s) $pkgs by hand"
    sudo=(sudo -n)
  fi
  log "${missing[*]} not found: installing Debian package(s) $pkgs (apt-get update + install)"
  local t0 policy_added=0
  t0=$(now_ms)
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, from test/services: do not start daemons during this install\nexit 101\n' |
      "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
    # shellcheck disable=SC2064 # expand now
    trap "${sudo[*]} rm -f /usr/sbin/policy-rc.d" EXIT
  fi
  local rc=0
  # shellcheck disable=SC2086 # $pkgs is a word list
  {
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends $pkgs
  } >&2 || rc=$?
  if ((policy_added)); then
    "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  ((rc == 0)) || die "apt-get install $pkgs failed (exit $rc): see the apt output above"
  for b in $bins; do
    command -v "$b" >/dev/null 2>&1 || die "installed $pkgs but '$b' is still not on PATH"
  done
  log "installed $pkgs in $(($(now_ms) - t0)) ms"
}

# proc_alive PID: the process exists and is not a zombie.
proc_alive() {
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# group_pids PGID: live (non-zombie) processes of a process group.
group_pids() {
  ps -e -o pid=,pgid=,stat= 2>/dev/null | awk -v g="$1" '$2 == g && $3 !~ /^[ZX]/ { print $1 }'
}

# svc_running: the pid file names a live process whose command line matches $SVC_MATCH.
svc_running() {
  [[ -s $SVC_PIDFILE ]] || return 1
  local pid
  pid=$(<"$SVC_PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$SVC_MATCH"
}

# svc_launch CMD...: run CMD in a new session (its own process group, pgid = pid), detached from our
# stdin/stdout/lock, output to the log; records the pid.
svc_launch() {
  : >"$SVC_LOG"
  setsid "$@" </dev/null >>"$SVC_LOG" 2>&1 9>&- &
  echo $! >"$SVC_PIDFILE"
}

# svc_wait_ready TIMEOUT_S CHECK...: poll CHECK until it succeeds; fail early if the server died.
svc_wait_ready() {
  local timeout_s=$1
  shift
  local deadline=$(($(now_ms) + timeout_s * 1000)) pid
  pid=$(<"$SVC_PIDFILE")
  while :; do
    if "$@"; then return 0; fi
    if ! proc_alive "$pid"; then
      log "server exited during startup; last lines of $SVC_LOG:"
      tail -n 20 "$SVC_LOG" >&2 || true
      rm -f "$SVC_PIDFILE"
      die "$SVC_NAME did not start"
    fi
    if (($(now_ms) > deadline)); then
      log "not ready after ${timeout_s}s; last lines of $SVC_LOG:"
      tail -n 20 "$SVC_LOG" >&2 || true
      svc_kill_group "$pid" || true
      rm -f "$SVC_PIDFILE"
      die "$SVC_NAME did not answer within ${timeout_s}s"
    fi
    sleep 0.1
  done
}

# svc_kill_group PGID: TERM the group, wait up to 10 s, then KILL; fails if anything is left.
svc_kill_group() {
  local pgid=$1 i
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -z $(group_pids "$pgid") ]] && break
    sleep 0.1
  done
  if [[ -n $(group_pids "$pgid") ]]; then
    log "still running after 10 s of SIGTERM: $(group_pids "$pgid" | tr '\n' ' ')- sending SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
      [[ -z $(group_pids "$pgid") ]] && break
      sleep 0.1
    done
    [[ -z $(group_pids "$pgid") ]] || return 1
  fi
  # Ended, but an init that reaps orphans lazily (seen: ~1.6 s in a Firecracker sandbox) still lists
  # them as <defunct>; wait a little so that a `pgrep` right after `stop` shows nothing.
  for ((i = 0; i < 50; i++)); do
    ps -e -o pgid= 2>/dev/null | grep -qx " *$pgid" || return 0
    sleep 0.1
  done
  return 0
}

# svc_already_running PORT_WANTED: when our server is up, say so (and warn when it listens on another
# port than the one asked for now) and return 0; clear a stale pid file and return 1 otherwise.
svc_already_running() {
  if svc_running; then
    local have
    have=$(cat "$SVC_PORTFILE" 2>/dev/null || echo '?')
    log "already running (pid $(<"$SVC_PIDFILE"), port $have)"
    [[ $have == "$1" ]] || log "WARNING: asked for port $1 but the running server uses $have; 'stop' it first to move it"
    return 0
  fi
  [[ -e $SVC_PIDFILE ]] && log "removing stale pid file (pid $(<"$SVC_PIDFILE") is gone)"
  rm -f "$SVC_PIDFILE" "$SVC_ENVFILE"
  return 1
}

# svc_require_free_port VAR PORT
svc_require_free_port() {
  if port_in_use "$2"; then
    local who=''
    command -v ss >/dev/null 2>&1 && who=$(ss -Hltnp "sport = :$2" 2>/dev/null | head -n 3)
    die "port $2 on 127.0.0.1 is taken by another program (set $1 to use another port)${who:+: $who}"
  fi
}

# svc_stop: the common `stop` verb.
svc_stop() {
  if [[ ! -s $SVC_PIDFILE ]]; then
    log "not running (no pid file)"
    rm -f "$SVC_ENVFILE"
    return 0
  fi
  local pid
  pid=$(<"$SVC_PIDFILE")
  if [[ ! $pid =~ ^[0-9]+$ ]]; then
    log "not running (pid file holds '$pid')"
  elif proc_alive "$pid" && ! svc_running; then
    log "not running (pid $pid now belongs to another program: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
  elif [[ -z $(group_pids "$pid") ]]; then
    log "not running (pid $pid is gone)"
  else
    log "stopping pid $pid (process group $pid)"
    svc_kill_group "$pid" || die "could not stop process group $pid: $(group_pids "$pid" | tr '\n' ' ')"
    log "stopped"
  fi
  rm -f "$SVC_PIDFILE" "$SVC_ENVFILE"
}

# svc_print_env LINE...: record the KEY=VALUE lines and print them (the only stdout of `start`).
svc_print_env() {
  printf '%s\n' "$@" >"$SVC_ENVFILE"
  cat "$SVC_ENVFILE"
}

# svc_main "$@": dispatch the verb: start, stop, status (prints running / stopped, exit 0 / 3).
svc_main() {
  case "${1:-}" in
    start) svc_start ;;
    stop) svc_stop ;;
    status)
      if svc_running; then
        echo running
      else
        echo stopped
        exit 3
      fi
      ;;
    *)
      echo "usage: $0 start|stop|status" >&2
      exit 2
      ;;
  esac
}
