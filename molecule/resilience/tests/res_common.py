# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the resilience scenario's tests (the shared fixtures live in molecule/shared_tests)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from conftest import listeners, podman_exec

__all__ = ["podman_exec", "record", "rules", "run_playbook", "serves", "state"]

RECORDS = Path(__file__).resolve().parents[3] / ".tmp" / "resilience"


def record(name: str, data: dict) -> None:  # type: ignore[type-arg]
    RECORDS.mkdir(parents=True, exist_ok=True)
    (RECORDS / f"{name}.json").write_text(json.dumps(data, indent=2, sort_keys=True))
    print(f"{name}: {json.dumps(data, sort_keys=True)}")


NO_MIRROR = "/etc/apt/apt.conf.d/99zz-hardened-ftp-test-no-mirror"
NO_MIRROR_CONF = 'Acquire::http::Proxy "http://127.0.0.1:9/";\nAcquire::https::Proxy "http://127.0.0.1:9/";\n'
# Shadows the packet filter's test mode (earlier in PATH than /usr/sbin), passes the rest through.
FAILING_TEST = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in -c|--check|--test|-t)
    echo "hardened-ftp test: injected failure of the rules test" >&2; exit 1;;
  esac
done
exec /usr/sbin/{tool} "$@"
"""


# What a test can run on one server: the whole site playbook, the server role alone, or the firewall
# role alone (fed the hardened_ftp_server fact the server published at converge).
PLAYBOOKS = {
    "server": """
- hosts: {host}
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: hardened.ftp.{daemon}
""",
    "ftp_firewall": """
- hosts: {host}
  gather_facts: false
  vars:
    hardened_ftp_server: "{{{{ lookup('ansible.builtin.file', '{published}') | from_json }}}}"
  tasks:
    - ansible.builtin.include_role:
        name: hardened.ftp.ftp_firewall
""",
}


def run_playbook(server, run: str, extra: dict[str, Any]) -> tuple[int, str, float]:  # type: ignore[no-untyped-def]
    """Run ``site``, ``server`` or ``ftp_firewall`` on one server with extra variables.

    Returns the exit code, the output and the seconds it took."""
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    published = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "published" / f"{server.name}.json"
    with tempfile.TemporaryDirectory() as tmp:
        extra_file = Path(tmp) / "vars.json"
        extra_file.write_text(json.dumps(extra))
        playbook = "hardened.ftp.site"
        if run != "site":
            playbook = str(Path(tmp) / f"{run}.yml")
            text = PLAYBOOKS[run].format(
                host=server.name, daemon=server.vars["hardened_ftp_daemon"], published=published
            )
            Path(playbook).write_text(text)
        start = time.monotonic()
        proc = subprocess.run(
            ["ansible-playbook", "-i", inventory, "-l", server.name, "-e", f"@{extra_file}", playbook],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
            env=dict(os.environ, ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="true"),
        )
    return proc.returncode, proc.stdout + proc.stderr, round(time.monotonic() - start, 1)


def state(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The daemon's configuration files, whether it runs and who holds its port."""
    watched = " ".join(server.test["watched_files"])
    sh = podman_exec(server.name, ["sh", "-c", f"sha256sum {watched}"]).stdout
    active = podman_exec(server.name, ["systemctl", "is-active", server.test["unit"]], check=False).stdout.strip()
    # Who holds the port, read from /proc by the host's python3 (a bare host has no ss).
    held = listeners(server.name, server.fact["control_port"])
    names = sorted({name for sock in held for name in sock["processes"]})
    return {
        "config": sh,
        "active": active,
        "listener": server.test["process"] if names == [server.test["process"]] else json.dumps(held),
    }


def rules(firewall) -> str:  # type: ignore[no-untyped-def]
    if firewall.backend == "nftables":
        return firewall.sh("nft", "-s", "list", "ruleset").stdout
    return "".join(
        firewall.sh(cmd, "-w", "-t", table, "-S").stdout
        for cmd in ("iptables", "ip6tables")
        for table in ("raw", "filter")
    )


def serves(server) -> None:  # type: ignore[no-untyped-def]
    want = server.test["download"]
    result = server.anonymous([{"op": "retr", "path": want["path"]}])
    assert result["steps"][0]["ok"] and result["steps"][0]["data"] == want["content"], result
