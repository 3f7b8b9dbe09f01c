#!/usr/bin/env bash
# Run galaxy-importer, what Galaxy runs on an upload, on a built tarball, with Automation Hub's
# stricter switches (flake8 on every plugin, the required tags, version 1.0.0 or later), and fail on
# any warning or error it logs. Galaxy's own configuration is a subset of these switches.
# ansible-test in a container (run_ansible_test) stays off: it pulls an image from a registry; our
# `make sanity` runs the same ansible-test sanity locally.
#
# usage: tests/ecosystem/galaxy_importer.sh TARBALL      (PATH must hold the tools venv first)
set -euo pipefail
TARBALL="$1"
[ -f "$TARBALL" ] || { echo "[importer] FAIL: no tarball at $TARBALL (build it with make build)" >&2; exit 1; }
for tool in flake8 ansible-lint ansible-doc; do
  command -v "$tool" >/dev/null || { echo "[importer] FAIL: $tool is not on PATH; run through make build-check (it installs tests/ecosystem/requirements.txt)" >&2; exit 1; }
done
python -c 'import galaxy_importer' 2>/dev/null \
  || { echo "[importer] FAIL: galaxy_importer is not importable by $(command -v python); run through make build-check" >&2; exit 1; }

# Outside any git checkout, so ansible-lint finds only the configuration shipped in the tarball.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hardened-ftp-importer.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/galaxy-importer.cfg" <<EOF
[galaxy-importer]
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
run_flake8 = True
check_required_tags = True
require_v1_or_greater = True
run_ansible_test = False
ansible_local_tmp = $WORK/ansible-tmp
tmp_root_dir = $WORK
EOF

# Galaxy requires collection_info.repository; galaxy.yml leaves it out until the project has a public
# home. The check then imports a copy whose MANIFEST.json names this work tree (file://), and says so.
REPOSITORY_URL="${GALAXY_REPOSITORY:-file://$(cd "$(dirname "$0")/../.." && pwd)}"
mkdir -p "$WORK/checked"
python - "$TARBALL" "$WORK/checked/$(basename "$TARBALL")" "$REPOSITORY_URL" <<'PY'
import io, json, sys, tarfile
src, dst, url = sys.argv[1:4]
with tarfile.open(src) as tin, tarfile.open(dst, "w:gz") as tout:
    for member in tin.getmembers():
        data = tin.extractfile(member).read() if member.isfile() else None
        if member.name.lstrip("./") == "MANIFEST.json":
            manifest = json.loads(data)
            if manifest["collection_info"].get("repository"):
                url = ""
            else:
                manifest["collection_info"]["repository"] = url
            data = json.dumps(manifest, indent=4).encode()
            member.size = len(data)
        tout.addfile(member, io.BytesIO(data) if data is not None else None)
if url:
    print(f"[importer] note: galaxy.yml sets no repository, which Galaxy requires; checked with {url} in its place."
          " Set repository in galaxy.yml before publishing.")
PY
TARBALL="$WORK/checked/$(basename "$TARBALL")"

start=$SECONDS
# ANSIBLE_HOME: ansible-lint's stubs (mock_modules) and ansible's own files stay in $WORK.
# From $WORK: the importer writes importer_result.json into the current directory.
if ! (cd "$WORK" && GALAXY_IMPORTER_CONFIG="$WORK/galaxy-importer.cfg" ANSIBLE_HOME="$WORK/ansible-home" \
    python -m galaxy_importer.main "$TARBALL" > "$WORK/importer.log" 2>&1); then
  tail -n 40 "$WORK/importer.log" >&2
  echo "[importer] FAIL: galaxy-importer rejected $(basename "$TARBALL") (its log is above)" >&2
  exit 1
fi
elapsed=$((SECONDS - start))
found="$(grep -E '^(WARNING|ERROR|CRITICAL)' "$WORK/importer.log" || true)"
if [ -n "$found" ]; then
  while IFS= read -r line; do printf '[importer]   %s\n' "$line"; done <<< "$found" >&2
  cat >&2 <<'TXT'
[importer] FAIL: galaxy-importer logged the warnings above; Galaxy shows them on the collection's page.
[importer]   W503/E203 and other flake8 codes: flake8 runs with its defaults (--isolated), so rewrite
[importer]     the line so ruff format and flake8 agree (no line broken at an operator, slice() for
[importer]     computed bounds); "Failed to find <fqcn> playbook" or "couldn't resolve module": the
[importer]     importer lints without the dependencies and under a placeholder name (.ansible-lint:
[importer]     mock_modules, exclude_paths); a docs warning: fix the plugin's DOCUMENTATION.
TXT
  exit 1
fi
summary="$(tail -n 1 "$WORK/importer.log")"
plugins="$(grep -c '^Loading \(module\|filter\|action\|doc_fragments\|module_utils\|plugin_utils\) ' "$WORK/importer.log" || true)"
roles="$(grep -c '^Loading role ' "$WORK/importer.log" || true)"
echo "[importer] galaxy-importer $(python -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))'): $plugins plugin files, $roles roles, no warnings, ${elapsed} s"
echo "[importer] $summary"
