#!/usr/bin/env bash
# Install, when missing, the host tools the test bed needs: podman with the runc runtime,
# debootstrap to build images, iptables for podman's network backend (netavark), python3-venv,
# and the shellcheck linter that ansible-test sanity runs.
# Nothing else on the host is changed: podman's settings come from testbed/containers.conf.
set -euo pipefail
# shellcheck source=testbed/lib.sh
. "$(dirname "$0")/lib.sh"

need=()
for pair in podman:podman runc:runc debootstrap:debootstrap iptables:iptables shellcheck:shellcheck; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
# The container network plugins podman 4 uses on Debian 12.
dpkg-query -W -f='${Status}' netavark 2>/dev/null | grep -q 'ok installed' || need+=(netavark aardvark-dns)

if [ "${#need[@]}" -eq 0 ]; then
  say "host tools present: podman $(podman --version | awk '{print $3}'), runc, debootstrap, iptables"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "missing host packages: ${need[*]}; install them (sudo apt-get install ${need[*]}) or run as root"
say "installing host packages: ${need[*]} (apt-get, about a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
say "installed: ${need[*]}"
