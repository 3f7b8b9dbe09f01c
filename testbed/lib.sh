# shellcheck shell=bash
# Shared helpers for the hardened.ftp container test bed. Sourced, not run.

TESTBED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export TESTBED_DIR
# Podman reads our settings from here; the user's /etc/containers is never edited.
export CONTAINERS_CONF="${TESTBED_DIR}/containers.conf"
TESTBED_IMAGE_REPO="${TESTBED_IMAGE_REPO:-localhost/hardened-ftp-testbed}"
export TESTBED_IMAGE_REPO

say() { printf '[testbed] %s\n' "$*"; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

# The Debian mirror the host's apt already uses (TESTBED_MIRROR overrides it).
testbed_mirror() {
  if [ -n "${TESTBED_MIRROR:-}" ]; then
    printf '%s\n' "$TESTBED_MIRROR"
    return
  fi
  local uri
  uri="$(
    { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
      grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
    } | grep -E '/debian/?$' | head -n1
  )"
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt sources; set TESTBED_MIRROR=<url of a Debian mirror>"
  printf '%s\n' "${uri%/}"
}

# start_bare_container NAME SUITE: a fresh container NAME from the bare testbed image of SUITE, with
# systemd up (running or degraded; at most 30 s). Sets ADDR (its address) and state (systemd's).
start_bare_container() {
  local name="$1" suite="$2"
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run -d --name "$name" --hostname "$name" --systemd=always --cap-add NET_ADMIN \
    "${TESTBED_IMAGE_REPO}:$suite" >/dev/null
  for _ in $(seq 1 30); do
    state="$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)"
    case "$state" in running|degraded) break ;; esac
    sleep 1
  done
  # shellcheck disable=SC2034 # for the caller
  ADDR="$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$name")"
}
