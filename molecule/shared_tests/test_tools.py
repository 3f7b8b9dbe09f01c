# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/tools/programs.yml is true on a converged host.

tests/tools_check.py (make lint) trusts that table: which package ships each program, and which
packages a bare host of each suite has. Here, on each converged server, every program of the table is
looked up with ``command -v`` and its file with ``dpkg -S``, and every package of the suite's bare
list must be installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from conftest import podman_exec

TABLE = Path(__file__).resolve().parents[2] / "tests" / "tools" / "programs.yml"

# Run by the host's python3: for each program, where `command -v` finds it and which package dpkg
# says owns that file (trying the /usr-merged twin and the resolved link, as dpkg records one path).
LOOKUP = r"""
import json, os, subprocess, sys

def owner(path):
    tries = [path]
    if path.startswith("/usr/"):
        tries.append(path[4:])
    else:
        tries.append("/usr" + path)
    real = os.path.realpath(path)
    tries += [real, real[4:] if real.startswith("/usr/") else "/usr" + real]
    for candidate in tries:
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("diversion by"):
                continue
            package, _, listed = line.partition(": ")
            if listed.strip() == candidate:
                return package.split(":")[0]
    return ""

programs = json.loads(sys.argv[1])
status = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n"], capture_output=True, text=True)
installed = sorted(line.split()[0] for line in status.stdout.splitlines() if line.endswith(" installed"))
found = {}
for program in programs:
    where = subprocess.run(["sh", "-c", 'command -v "$1"', "sh", program], capture_output=True, text=True)
    path = where.stdout.strip()
    found[program] = {"path": path, "owner": owner(path) if path.startswith("/") else ""}
codename = ""
with open("/etc/os-release") as handle:
    for line in handle:
        if line.startswith("VERSION_CODENAME="):
            codename = line.split("=", 1)[1].strip().strip('"')
print(json.dumps({"installed": installed, "programs": found, "suite": codename}))
"""


def lookup(name: str, programs: list[str]) -> dict[str, Any]:
    proc = podman_exec(name, ["python3", "-", json.dumps(programs)], stdin=LOOKUP)
    return json.loads(proc.stdout)


def test_tools_table_is_true_on_this_host(host):  # type: ignore[no-untyped-def]
    table = yaml.safe_load(TABLE.read_text())
    programs: dict[str, str] = table["programs"]
    seen = lookup(host.backend.name, sorted(programs))
    installed = set(seen["installed"])
    suites = table["base"]["suites"]
    assert seen["suite"] in suites, (
        f"{host.backend.name} runs Debian {seen['suite']!r}, for which {TABLE.name} records no bare package list: "
        "add base.suites." + seen["suite"] + " from that suite's bare image"
    )
    base = set(suites[seen["suite"]])
    wrong = [
        f"{package} is in the bare {seen['suite']} list but not installed here: refresh base.suites.{seen['suite']}"
        for package in sorted(base - installed)
    ]
    for program, package in sorted(programs.items()):
        got = seen["programs"][program]
        if got["path"]:
            if got["owner"] != package:
                wrong.append(
                    f"{program} is {got['path']}, shipped by {got['owner'] or 'no package'}, not {package}: "
                    f"set programs.{program} to {got['owner'] or 'the package that ships it'}"
                )
        elif package in installed:
            wrong.append(f"{package} is installed but has no program {program}: fix programs.{program}")
        elif package in base:
            wrong.append(f"{program} is missing although its package {package} is in the bare list")
    assert not wrong, f"{TABLE} is wrong on {host.backend.name}:\n  " + "\n  ".join(wrong)
