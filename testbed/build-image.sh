#!/usr/bin/env bash
# Build (once) the local Debian image the test bed and the demo boot: systemd as PID 1,
# python3 for Ansible, apt lists already fetched. No registry is needed: the root file
# system comes from debootstrap and is imported into podman's local store.
#
# usage: testbed/build-image.sh SUITE [SUITE...]     e.g. bookworm trixie bullseye
# TESTBED_REBUILD=1 forces a rebuild; TESTBED_MIRROR overrides the Debian mirror.
set -euo pipefail
# shellcheck source=testbed/lib.sh
. "$(dirname "$0")/lib.sh"

# Packages baked in: PID 1, Python for Ansible (python3-apt spares every run installing it),
# and the tools the tests' probes use. Daemons and firewalls are NOT baked in: the roles install them.
INCLUDE="systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,procps,ca-certificates,netbase"

build_one() {
  local suite="$1" image="${TESTBED_IMAGE_REPO}:$1"
  if [ "${TESTBED_REBUILD:-0}" != 1 ] && podman image exists "$image"; then
    say "$image: cached, not rebuilt (TESTBED_REBUILD=1 forces it)"
    return
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
  say "  1/4 debootstrap --variant=minbase $suite (log: $log)"
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

  say "  2/4 preparing systemd for a container"
  : > "$rootfs/etc/machine-id"
  ln -sf /dev/null "$rootfs/etc/systemd/system/systemd-modules-load.service"
  # Units that make no sense (or hang) inside a container.
  for unit in systemd-timesyncd.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  local updates="deb $mirror $suite-updates main"
  printf 'deb %s %s main\n%s\n' "$mirror" "$suite" "$updates" > "$rootfs/etc/apt/sources.list"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    > "$rootfs/etc/apt/apt.conf.d/90hardened-ftp-testbed"

  say "  3/4 fetching apt lists into the image"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot "$rootfs" apt-get -qq update >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "apt-get update in the $suite image failed"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin
  : > "$rootfs/etc/resolv.conf"

  say "  4/4 importing into podman as $image"
  tar -C "$rootfs" --numeric-owner -c . \
    | podman import \
        --change 'CMD ["/sbin/init"]' \
        --change 'STOPSIGNAL SIGRTMIN+3' \
        --change 'ENV container=podman' \
        - "$image" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "podman import of $image failed"; }
  say "$image: built in $((SECONDS - start)) s"
}

[ "$#" -gt 0 ] || die "usage: $0 SUITE [SUITE...]"
[ "$(id -u)" = 0 ] || die "building images needs root (debootstrap, podman's root store); run with sudo"
for s in "$@"; do build_one "$s"; done
