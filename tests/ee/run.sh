#!/usr/bin/env bash
# `make ee-test`: the demo's converge and the baseline audit through ansible-navigator, in the
# execution environment `make ee` built, against a bare Debian 12 container.
#
# How the EE reaches the host: over SSH, as AWX reaches real hosts. ansible-navigator runs the EE as a
# podman container on the default network; the target container is on the same network, with sshd,
# sudo and an unprivileged user `deploy` (molecule/shared_tests/ssh_user.yml, run from the host once).
# The inventory (testbed/demo-inventory.sh with DEMO_SSH_*) logs in as deploy with a key and becomes
# root. The podman connection the demo uses cannot work from inside the EE (no podman there, and
# lending it the host's podman socket would hand the job root on the host); SSH is what AWX does.
#
# Steps, each timed: converge (hardened.ftp.site), a second converge that must change nothing, the
# audit with its reports on a mounted directory (enforced: every control passes), and a real FTP
# download from the host. Writes .tmp/ee-test/ (inventory, reports, ee-test.json with the times).
#
# usage: tests/ee/run.sh IMAGE        EE_TARGET names the target container (default hardened-ftp-ee-target)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=testbed/lib.sh
. "$ROOT/testbed/lib.sh"
IMAGE="${1:?usage: $0 IMAGE}"
TARGET="${EE_TARGET:-hardened-ftp-ee-target}"
WORK="$ROOT/.tmp/ee-test"
NAVIGATOR="${ECO_BIN:?ECO_BIN: the tools venv bin (make ee-test sets it)}/ansible-navigator"
podman image exists "$IMAGE" || die "no image $IMAGE: build it with make ee"
[ -x "$NAVIGATOR" ] || die "$NAVIGATOR is missing: make eco-venv"
# ansible-navigator refuses podman without a /dev/mqueue directory on the host (its preflight check;
# podman gives each container a message-queue mount of its own). Hosts that run in a container, as
# CI machines may, lack it: an empty directory in /dev, gone at the next boot, satisfies the check.
if [ ! -d /dev/mqueue ]; then
  [ "$(id -u)" = 0 ] || die "/dev/mqueue is missing, which ansible-navigator requires for podman: sudo mkdir /dev/mqueue"
  mkdir /dev/mqueue
  say "ee-test: created /dev/mqueue (ansible-navigator's podman check)"
fi

rm -rf "$WORK"
mkdir -p "$WORK/project" "$WORK/ssh" "$WORK/audit"
cleanup() { [ "${EE_KEEP:-0}" = 1 ] || podman rm -f "$TARGET" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "ee-test: starting a fresh bare container '$TARGET' from ${TESTBED_IMAGE_REPO}:bookworm"
start_bare_container "$TARGET" "bookworm"

# The EE runs as uid 1000: the key and known_hosts it uses are that user's, as ssh demands.
DEMO_SSH_USER=deploy DEMO_SSH_KEY="$WORK/ssh/ssh_user_ed25519" DEMO_SSH_KNOWN_HOSTS="$WORK/ssh/ssh_known_hosts" \
  bash "$ROOT/testbed/demo-inventory.sh" "$TARGET" "$ADDR" > "$WORK/project/inventory.yml"
say "ee-test: sshd, sudo and the user deploy on $ADDR (shared_tests/ssh_user.yml, from the host)"
ansible-playbook -i "$WORK/project/inventory.yml" -e "ssh_user_dir=$WORK/ssh" \
  "$ROOT/molecule/shared_tests/ssh_user.yml" > "$WORK/prepare.log" 2>&1 \
  || { tail -n 30 "$WORK/prepare.log" >&2; die "preparing $TARGET for SSH failed"; }
chown -R 1000:0 "$WORK/ssh" "$WORK/audit"
cp "$ROOT"/docs/examples/navigator/{ansible-navigator.yml,site.yml,audit.yml} "$WORK/project/"

navigate() {  # navigate LOG PLAYBOOK [ARGS...]: ansible-navigator run in the image, from the project
  local log="$1" playbook="$2"
  shift 2
  # ansible-navigator hands every ANSIBLE_* variable of its environment to the EE: make's
  # (ANSIBLE_COLLECTIONS_PATH to the work tree) would hide the image's collections. A user's shell has none.
  local unset=() var
  while IFS= read -r var; do unset+=(-u "$var"); done < <(compgen -e | grep '^ANSIBLE_' || true)
  (cd "$WORK/project" && env "${unset[@]}" ANSIBLE_NAVIGATOR_CONFIG="$WORK/project/ansible-navigator.yml" \
    "$NAVIGATOR" run "$playbook" -i inventory.yml --eei "$IMAGE" --pp never --ce podman -m stdout \
    --lf "$WORK/navigator.log" --eev "$WORK/ssh:$WORK/ssh:Z" "$@") > "$WORK/$log" 2>&1
}
recap() { grep -E "^$TARGET +: ok=" "$WORK/$1" | tail -n 1; }
times=()
step() {  # step NAME LOG PLAYBOOK [ARGS...]
  local name="$1" log="$2" start=$SECONDS
  shift 2
  say "ee-test: $name (ansible-navigator run $1 --eei $IMAGE)"
  navigate "$log" "$@" || { tail -n 40 "$WORK/$log" >&2; die "$name failed in the execution environment (log: $WORK/$log)"; }
  times+=("\"$name\": $((SECONDS - start))")
  say "ee-test:   $(recap "$log") ($((SECONDS - start)) s)"
}

step converge converge.log site.yml
step second-run second.log site.yml
recap second.log | grep -q ' changed=0 ' || die "the second run in the EE changed something: $(recap second.log)"
step audit audit.log audit.yml --eev "$WORK/audit:/audit:Z" -e hardened_ftp_audit_output_dir=/audit \
  -e hardened_ftp_audit_enforce=true
for report in hardened-ftp-audit.json hardened-ftp-audit.xml hardened-ftp-audit.html; do
  [ -s "$WORK/audit/$report" ] || die "the audit in the EE wrote no $report into the mounted directory"
done
python3 - "$WORK/audit/hardened-ftp-audit.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for host in report["hosts"]:
    print(f"[testbed] ee-test:   audit of {host['host']}: {host['status']}, controls {host['summary']}")
PY

say "ee-test: a real FTP download from $ADDR (anonymous, passive), and an upload into the drop-box"
podman exec "$TARGET" sh -c 'echo "Hello from hardened.ftp in an EE" > /srv/ftp/welcome.txt && chmod 0644 /srv/ftp/welcome.txt'
python3 "$ROOT/testbed/ftp-smoke.py" "$ADDR" welcome.txt incoming > "$WORK/ftp.log" 2>&1 \
  || { cat "$WORK/ftp.log" >&2; die "the server the EE provisioned does not serve FTP"; }
tail -n 2 "$WORK/ftp.log" | sed 's/^/[testbed]   /'
logins="$(podman exec "$TARGET" journalctl -u ssh.service --no-pager -o cat | grep -c '^Accepted publickey for deploy ' || true)"
printf '{%s, "ssh_logins": %s}\n' "$(IFS=,; echo "${times[*]}")" "$logins" > "$WORK/ee-test.json"
say "ee-test: passed: converge, second run changed=0, audit enforced, FTP works; $logins SSH logins as deploy; $(cat "$WORK/ee-test.json")"
