#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/hardened/ftp; copy the
# tracked files (or, outside git, the work tree minus local state) into a temporary tree.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# Outside the repository: inside it, ansible-test would ask the outer git (which ignores .tmp/).
# One tree per run, so that two checkouts can run sanity side by side.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hardened-ftp-sanity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/hardened/ftp"
mkdir -p "$DEST"
cd "$ROOT"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and new (not ignored) files, as they are in the work tree.
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | tar --null -T - -cf - | tar -xf - -C "$DEST"
else
  tar --exclude=./.venv --exclude=./.tmp --exclude=./.git -cf - . | tar -xf - -C "$DEST"
fi
cd "$DEST"
# ansible-test lists the files to check with git.
git init -q && git add -A
# ansible-test downloads a pip bootstrap script from a host outside the package registries;
# give it ours instead (see get_pip_standin.py).
PIP_VERSION="$(python3 -c 'import ansible_test._internal.python_requirements as r, inspect, re
print(re.search(r"pip=.([0-9.]+).", inspect.getsource(r.get_venv_packages)).group(1))')"
CACHE="$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"
mkdir -p "$(dirname "$CACHE")"
cp "$ROOT/tests/sanity/get_pip_standin.py" "$CACHE"
echo "[sanity] ansible-test sanity in $DEST"
ansible-test sanity --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --venv --requirements --color "$@"
