# SPDX-License-Identifier: GPL-3.0-or-later
"""Prove the example inventories in docs/examples/inventories/ are valid input for the collection.

Each inventory is read by `ansible-inventory --list`, as a playbook would read it. Then, for every
host of the group ftp_servers:
  * hardened_ftp_daemon is one of the server roles;
  * every variable named after a role (vsftpd_*, pureftpd_*, proftpd_*, ftp_firewall_*) exists in that role's
    meta/argument_specs.yml and has a valid value, checked by ansible's own ArgumentSpecValidator
    (the validator the roles run before their first task);
  * no host carries variables of a daemon it does not run (they would be silently ignored);
  * the variables hardened_ftp_* are inputs of hardened.ftp.hardened_ftp (what site.yml runs) or of
    the audit and check playbooks.
Nothing connects to the hosts.

usage: tests/inventory_check.py [INVENTORY_DIR...]   (default: every docs/examples/inventories/*/)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = Path(__file__).resolve().parent.parent
GROUP = "ftp_servers"
SERVER_ROLES = ("vsftpd", "pureftpd", "proftpd")
# The role site.yml runs; its options are the hardened_ftp_* variables, beside those of the
# audit and check playbooks below.
ORCHESTRATOR = "hardened_ftp"
# Variables the audit and check playbooks in playbooks/ read (see their header comments), with their checks.
PLAYBOOK_VARS: dict[str, dict[str, Any]] = {
    "hardened_ftp_audit_hosts": {"type": "str"},
    "hardened_ftp_audit_output_dir": {"type": "path"},
    "hardened_ftp_audit_enforce": {"type": "bool"},
    "hardened_ftp_audit_waivers": {"type": "dict"},
    "hardened_ftp_audit_max_passive_ports": {"type": "int"},
    "hardened_ftp_check_enforce": {"type": "bool"},
}


def _tool(name: str) -> str:
    """The ansible CLI next to this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else (shutil.which(name) or name)


def role_specs() -> dict[str, dict[str, Any]]:
    specs = {}
    for path in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        role = path.parent.parent.name
        specs[role] = yaml.safe_load(path.read_text())["argument_specs"]["main"].get("options") or {}
    return specs


def read_inventory(inventory: Path) -> dict[str, Any]:
    env = dict(os.environ, ANSIBLE_INVENTORY_UNPARSED_FAILED="true", ANSIBLE_NOCOLOR="1")
    done = subprocess.run(
        [_tool("ansible-inventory"), "-i", str(inventory), "--list", "--export"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        raise ValueError(f"ansible-inventory cannot read it: {done.stderr.strip()}")
    return json.loads(done.stdout)


def group_hosts(data: dict[str, Any], group: str) -> list[str]:
    entry = data.get(group) or {}
    hosts = list(entry.get("hosts") or [])
    for child in entry.get("children") or []:
        hosts.extend(group_hosts(data, child))
    return sorted(set(hosts))


def host_vars(data: dict[str, Any], host: str) -> dict[str, Any]:
    """Merge group and host variables as ansible does for this simple case (all < group < host)."""
    merged: dict[str, Any] = dict((data.get("all") or {}).get("vars") or {})
    for name in sorted(g for g in data if g not in ("_meta", "all")):
        if host in group_hosts(data, name):
            merged.update((data[name] or {}).get("vars") or {})
    merged.update(((data.get("_meta") or {}).get("hostvars") or {}).get(host) or {})
    return merged


def check_host(host: str, hvars: dict[str, Any], specs: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    daemon = hvars.get("hardened_ftp_daemon", "vsftpd")
    known_vars = {**PLAYBOOK_VARS, **specs.get(ORCHESTRATOR, {})}
    playbook_vars = {k: v for k, v in hvars.items() if k.startswith("hardened_ftp_")}
    unknown = sorted(set(playbook_vars) - set(known_vars))
    problems += [f"{host}: {name} is not read by any hardened.ftp playbook (misspelt?)" for name in unknown]
    result = ArgumentSpecValidator(known_vars).validate({k: v for k, v in playbook_vars.items() if k not in unknown})
    problems += [f"{host}: {msg}" for msg in result.error_messages]
    for role, options in specs.items():
        if role == ORCHESTRATOR:
            continue
        given = {k: v for k, v in hvars.items() if k.startswith(role + "_")}
        if not given:
            continue
        if role in SERVER_ROLES and role != daemon:
            problems.append(
                f"{host}: sets {', '.join(sorted(given))} but hardened_ftp_daemon is {daemon}; "
                f"those variables would be ignored"
            )
            continue
        for name in sorted(set(given) - set(options)):
            reference = f"docs/reference/roles/{role}.md"
            problems.append(f"{host}: {name} is not a variable of hardened.ftp.{role} (see {reference})")
        known = {k: v for k, v in given.items() if k in options}
        result = ArgumentSpecValidator(options).validate(known)
        problems += [f"{host}: hardened.ftp.{role}: {msg}" for msg in result.error_messages]
    return problems


def check_inventory(inventory: Path, specs: dict[str, dict[str, Any]]) -> tuple[int, list[str]]:
    rel = inventory.relative_to(ROOT) if inventory.is_relative_to(ROOT) else inventory
    try:
        data = read_inventory(inventory)
    except ValueError as err:
        return 0, [f"{rel}: {err}"]
    hosts = group_hosts(data, GROUP)
    if not hosts:
        return 0, [f"{rel}: the group {GROUP} is empty; hardened.ftp.site provisions that group"]
    problems = []
    for host in hosts:
        problems += [f"{rel}: {p}" for p in check_host(host, host_vars(data, host), specs)]
    return len(hosts), problems


def main(argv: list[str]) -> int:
    inventories = [Path(a).resolve() for a in argv] or sorted(
        p for p in (ROOT / "docs" / "examples" / "inventories").iterdir() if p.is_dir()
    )
    specs = role_specs()
    problems: list[str] = []
    hosts = 0
    for inventory in inventories:
        count, found = check_inventory(inventory, specs)
        hosts += count
        problems += found
    for p in problems:
        print(f"inventory_check: {p}", file=sys.stderr)
    print(f"inventory_check: {len(inventories)} inventories, {hosts} hosts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
