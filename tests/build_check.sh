#!/usr/bin/env bash
# Build the collection as Galaxy would, check the tarball holds the product and none of the
# development files, install it into an empty collections path and read its docs from there.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hardened-ftp-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

ansible-galaxy collection build --force --output-path "$WORK/dist" >/dev/null
TARBALL="$(ls "$WORK"/dist/hardened-ftp-*.tar.gz)"
tar -tzf "$TARBALL" | sed 's#^\./##' | sort > "$WORK/contents"
echo "[build] $(basename "$TARBALL"): $(wc -l < "$WORK/contents") entries, $(du -h "$TARBALL" | cut -f1)"

fail=0
for dev in .ci .config .git molecule testbed tests bench Makefile pyproject.toml requirements-dev.txt .venv .tmp; do
  if grep -qE "^${dev//./\\.}(/|$)" "$WORK/contents"; then
    echo "[build] FAIL: development path '$dev' is in the tarball" >&2
    fail=1
  fi
done
# Every plugin and role in the tree must be in the artifact.
while IFS= read -r f; do
  grep -qxF "$f" "$WORK/contents" || { echo "[build] FAIL: $f is missing from the tarball" >&2; fail=1; }
done < <(git ls-files 'plugins/*.py' 'roles/*' 'playbooks/*' 'meta/*' 'docs/*' 2>/dev/null || find plugins roles playbooks meta docs -type f)
# The files a Galaxy user reads first ship too.
for f in README.md LICENSE CHANGELOG.md MANIFEST.json FILES.json execution-environment.yml requirements.yml \
         changelogs/changelog.yaml docs/README.md docs/quickstart.md docs/reference/README.md; do
  grep -qxF "$f" "$WORK/contents" || { echo "[build] FAIL: $f is missing from the tarball" >&2; fail=1; }
done
[ "$fail" = 0 ] || exit 1

# What Galaxy runs on an upload, in the publisher's tools venv (make eco-venv).
[ -n "${ECO_BIN:-}" ] || { echo "[build] FAIL: ECO_BIN is not set; run make build-check (it installs the importer)" >&2; exit 1; }
PATH="$ECO_BIN:$PATH" bash "$ROOT/tests/ecosystem/galaxy_importer.sh" "$TARBALL"

ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-galaxy collection install "$TARBALL" -p "$WORK/installed" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$WORK/installed"
listed="$(ansible-doc -l hardened.ftp 2>&1)"
while IFS= read -r line; do echo "[build]   $line"; done <<< "$listed"
for path in plugins/modules/*.py; do
  module="$(basename "$path" .py)"
  echo "$listed" | grep -q "^hardened.ftp.$module " || { echo "[build] FAIL: ansible-doc -l does not list $module" >&2; exit 1; }
  ansible-doc "hardened.ftp.$module" >/dev/null
done
for path in plugins/filter/*.py; do
  filter="$(basename "$path" .py)"
  ansible-doc -t filter "hardened.ftp.$filter" >/dev/null || { echo "[build] FAIL: ansible-doc -t filter hardened.ftp.$filter" >&2; exit 1; }
done
for path in roles/*/; do
  role="$(basename "$path")"
  ansible-doc -t role "hardened.ftp.$role" >/dev/null || { echo "[build] FAIL: ansible-doc -t role hardened.ftp.$role" >&2; exit 1; }
done
# Every playbook runs by name from the installed collection.
printf 'ftp_servers:\n  hosts:\n    ftp.example.org:\n' > "$WORK/inventory.yml"
for path in playbooks/*.yml; do
  name="$(basename "$path" .yml)"
  ansible-playbook -i "$WORK/inventory.yml" --syntax-check "hardened.ftp.$name" >/dev/null \
    || { echo "[build] FAIL: ansible-playbook hardened.ftp.$name does not load from the installed collection" >&2; exit 1; }
done
# meta/runtime.yml's action group: module_defaults for group/hardened.ftp.checks reaches the check modules.
# ftp_server_facts is given no option in the task: it reads the vsftpd.conf the group's defaults name.
printf 'listen=YES\nlisten_port=2121\npasv_enable=YES\npasv_min_port=40100\npasv_max_port=40109\n' > "$WORK/vsftpd.conf"
cat > "$WORK/group.yml" <<EOF
- name: module_defaults through the action group
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/hardened.ftp.checks:
      daemon: vsftpd
      vsftpd_conf: $WORK/vsftpd.conf
  tasks:
    - name: Read the server configuration the group's defaults point at
      hardened.ftp.ftp_server_facts:
      register: read
    - name: The defaults reached the module
      ansible.builtin.assert:
        that:
          - read.config_path == '$WORK/vsftpd.conf'
          - read.server.control_port == 2121
          - read.server.pasv_min_port == 40100
EOF
ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" ansible-playbook -i localhost, -e "ansible_python_interpreter=$(command -v python3)" "$WORK/group.yml" > "$WORK/group.log" 2>&1 \
  || { tail -n 20 "$WORK/group.log" >&2; echo "[build] FAIL: module_defaults for group/hardened.ftp.checks did not reach hardened.ftp.ftp_server_facts (meta/runtime.yml action_groups: checks)" >&2; exit 1; }
echo "[build] installed from the tarball; ansible-doc renders every module, filter and role; every playbook loads by name; group/hardened.ftp.checks sets the check modules' options"
