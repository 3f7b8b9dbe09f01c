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
