#!/usr/bin/env bash
# Build (once) the local Debian images the test bed, the demo and the controller harness boot:
# a host as users have it. debootstrap's minbase (Essential and Priority required packages) plus
# PID 1 and Python for Ansible, and nothing more: no python3-apt, iproute2, procps, ca-certificates,
# netbase or dbus, and no apt lists (as minimal cloud images and LXC templates are handed over).
# No registry is needed: the root file system is imported into podman's local store.
#
# usage: testbed/build-image.sh SUITE [SUITE...]     e.g. bookworm trixie bullseye
# TESTBED_REBUILD=1 forces a rebuild; TESTBED_MIRROR overrides the Debian mirror;
# TESTBED_IMAGE_REPO another image name (default localhost/hardened-ftp-testbed).
set -euo pipefail
# shellcheck source=testbed/lib.sh
. "$(dirname "$0")/lib.sh"

# The only packages added to minbase. Everything else a run needs, the roles must install.
INCLUDE="systemd,systemd-sysv,python3"
# Bumped whenever what is in the image changes: an image with another value (or none, as the
# images before format 2 that carried python3-apt, iproute2, procps... have) is rebuilt.
IMAGE_FORMAT=2
FORMAT_LABEL=org.hardened-ftp.testbed.format

# Units masked, each for a reason a container gives (nothing else is touched):
#   systemd-modules-load.service  a container cannot load kernel modules; it fails every boot
#   apt-daily.timer, apt-daily-upgrade.timer  they would fetch the apt lists (and take apt's lock)
#     behind the test's back, minutes after boot: a run must meet the lists as the image has them
MASKED="systemd-modules-load.service apt-daily.timer apt-daily-upgrade.timer"

image_format() {
  podman image inspect --format "{{ index .Labels \"$FORMAT_LABEL\" }}" "$1" 2>/dev/null || true
}

build_one() {
  local suite="$1" image="${TESTBED_IMAGE_REPO}:$1" have
  if [ "${TESTBED_REBUILD:-0}" != 1 ] && podman image exists "$image"; then
    have="$(image_format "$image")"
    if [ "$have" = "$IMAGE_FORMAT" ]; then
      say "$image: cached, format $IMAGE_FORMAT, not rebuilt (TESTBED_REBUILD=1 forces it)"
      return
    fi
    say "$image: cached image is format '${have:-none}', this script builds format $IMAGE_FORMAT (bare host); rebuilding"
  fi
  local mirror work rootfs log start
  mirror="$(testbed_mirror)"
  work="$(mktemp -d /var/tmp/hardened-ftp-image.XXXXXX)"
  rootfs="$work/rootfs"
  log="$work/debootstrap.log"
  start=$SECONDS
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  say "$image: building from Debian $suite (first time only, about a minute)"
  say "  1/4 debootstrap --variant=minbase --include=$INCLUDE $suite (log: $log)"
  # Show debootstrap's phases as they start rather than its thousand lines.
  if ! debootstrap --variant=minbase --include="$INCLUDE" "$suite" "$rootfs" "$mirror" 2>&1 \
      | tee "$log" \
      | awk '/^I: (Retrieving|Extracting|Installing|Unpacking|Configuring|Base system installed)/ {
               n[$2]++
               if (n[$2] == 1 || ($2 == "Retrieving" && n[$2] % 40 == 0)) {
                 printf "[testbed]       %s%s\n", substr($0, 4), ($2 == "Retrieving" ? " (" n[$2] " packages so far)" : ""); fflush()
               } }'; then
    tail -n 30 "$log" >&2
    die "debootstrap of $suite failed (network or mirror?); full log above"
  fi
  [ -x "$rootfs/sbin/init" ] || { tail -n 30 "$log" >&2; die "debootstrap of $suite produced no /sbin/init"; }

  say "  2/4 preparing systemd for a container (masked: $MASKED)"
  : > "$rootfs/etc/machine-id"
  for unit in $MASKED; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  # The suite and its updates, as a freshly installed host lists them.
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
    > "$rootfs/etc/apt/sources.list"

  say "  3/4 removing apt lists and caches (a run must fetch them, as on a fresh host)"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin
  : > "$rootfs/etc/resolv.conf"

  say "  4/4 importing into podman as $image"
  tar -C "$rootfs" --numeric-owner -c . \
    | podman import \
        --change 'CMD ["/sbin/init"]' \
        --change 'STOPSIGNAL SIGRTMIN+3' \
        --change 'ENV container=podman' \
        --change "LABEL $FORMAT_LABEL=$IMAGE_FORMAT" \
        --change "LABEL org.hardened-ftp.testbed.suite=$suite" \
        - "$image" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "podman import of $image failed"; }
  say "$image: built in $((SECONDS - start)) s"
}

[ "$#" -gt 0 ] || die "usage: $0 SUITE [SUITE...]"
[ "$(id -u)" = 0 ] || die "building images needs root (debootstrap, podman's root store); run with sudo"
for s in "$@"; do build_one "$s"; done
