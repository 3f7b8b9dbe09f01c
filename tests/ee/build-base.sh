#!/usr/bin/env bash
# Build (once) the execution environment's base image without a registry: debootstrap's minbase of
# Debian 12, python3 with pip, and ansible-core and ansible-runner at the versions pinned in
# tests/ecosystem/requirements.txt, imported into podman's local store. ansible-builder builds the
# hardened.ftp execution environment on top of it (`make ee`).
#
# It also holds /usr/local/sbin/ee-pkgmgr, the package manager ansible-builder calls
# (execution-environment.yml: options.package_manager_path) for the collections' system packages
# (bindep): apt-get, with the package lists fetched for the install and removed after it.
#
# usage: tests/ee/build-base.sh IMAGE            e.g. localhost/hardened-ftp-ee-base:bookworm
# EE_BASE_REBUILD=1 forces a rebuild; TESTBED_MIRROR overrides the Debian mirror (testbed/lib.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=testbed/lib.sh
. "$ROOT/testbed/lib.sh"
IMAGE="${1:?usage: $0 IMAGE}"
SUITE=bookworm
PINS="$ROOT/tests/ecosystem/requirements.txt"
pin() { sed -n "s/^$1==//p" "$PINS"; }
CORE="$(pin ansible-core)" RUNNER="$(pin ansible-runner)"
{ [ -n "$CORE" ] && [ -n "$RUNNER" ]; } || die "ansible-core and ansible-runner must be pinned (==) in $PINS"
# What the image holds, as a label: a change of suite or pins rebuilds it.
FORMAT="1 $SUITE ansible-core==$CORE ansible-runner==$RUNNER"
LABEL=org.hardened-ftp.ee-base.format

have="$(podman image inspect --format "{{ index .Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)"
if [ "${EE_BASE_REBUILD:-0}" != 1 ] && [ "$have" = "$FORMAT" ]; then
  say "$IMAGE: cached ($FORMAT), not rebuilt (EE_BASE_REBUILD=1 forces it)"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "building the base image needs root (debootstrap, chroot, podman's root store)"

work="$(mktemp -d /var/tmp/hardened-ftp-ee-base.XXXXXX)"
rootfs="$work/rootfs"
cleanup() {
  umount "$rootfs/proc" "$rootfs/dev" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start=$SECONDS
mirror="$(testbed_mirror)"
say "$IMAGE: 1/4 debootstrap --variant=minbase --include=python3,python3-pip $SUITE"
debootstrap --variant=minbase --include=python3,python3-pip "$SUITE" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap of $SUITE failed (network or mirror?)"; }
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE" > "$rootfs/etc/apt/sources.list"

say "$IMAGE: 2/4 pip install ansible-core==$CORE ansible-runner==$RUNNER (into the image's python3)"
# The wheels are fetched by the host's pip (its index settings, which the image must not carry) for
# the image's Python, and installed in the image without an index.
py="$(chroot "$rootfs" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$py" ] \
  || die "the host's python3 is not $py, the image's: the wheels it fetches would not fit"
python3 -m pip wheel --quiet -w "$rootfs/tmp/wheels" "ansible-core==$CORE" "ansible-runner==$RUNNER" > "$work/pip.log" 2>&1 \
  || { tail -n 30 "$work/pip.log" >&2; die "fetching the wheels of ansible-core and ansible-runner failed"; }
mount --bind /dev "$rootfs/dev"
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" python3 -m pip install --quiet --no-cache-dir --break-system-packages --no-index \
  --find-links /tmp/wheels "ansible-core==$CORE" "ansible-runner==$RUNNER" >> "$work/pip.log" 2>&1 \
  || { tail -n 30 "$work/pip.log" >&2; die "pip install in the base image failed"; }
umount "$rootfs/proc" "$rootfs/dev"
rm -rf "$rootfs/tmp/wheels"

say "$IMAGE: 3/4 ee-pkgmgr, no apt lists or caches"
cat > "$rootfs/usr/local/sbin/ee-pkgmgr" <<'SH'
#!/bin/sh
# ansible-builder's package manager on Debian: `ee-pkgmgr install -y PKG...`, `ee-pkgmgr clean all`.
set -eu
export DEBIAN_FRONTEND=noninteractive
case "${1:-}" in
  install)
    shift
    apt-get update -qq
    apt-get install -qq --no-install-recommends "$@"
    rm -rf /var/lib/apt/lists/*
    ;;
  clean) apt-get clean; rm -rf /var/lib/apt/lists/* ;;
  *) echo "ee-pkgmgr: only 'install' and 'clean' are supported, not '$*'" >&2; exit 2 ;;
esac
SH
chmod 0755 "$rootfs/usr/local/sbin/ee-pkgmgr"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin
: > "$rootfs/etc/resolv.conf"

say "$IMAGE: 4/4 importing into podman"
tar -C "$rootfs" --numeric-owner -c . \
  | podman import --change 'CMD ["/bin/bash"]' --change "LABEL $LABEL=$FORMAT" - "$IMAGE" > "$work/import.log" 2>&1 \
  || { tail -n 20 "$work/import.log" >&2; die "podman import of $IMAGE failed"; }
say "$IMAGE: built in $((SECONDS - start)) s, $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
