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

from conftest import podman_exec

__all__ = ["podman_exec", "record", "rules", "run_site", "serves", "state"]

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


def run_site(server, extra: dict[str, Any]) -> tuple[int, str, float]:  # type: ignore[no-untyped-def]
    """Run hardened.ftp.site on one server with extra variables; return rc, output and seconds."""
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    with tempfile.TemporaryDirectory() as tmp:
        extra_file = Path(tmp) / "vars.json"
        extra_file.write_text(json.dumps(extra))
        start = time.monotonic()
        proc = subprocess.run(
            ["ansible-playbook", "-i", inventory, "-l", server.name, "-e", f"@{extra_file}", "hardened.ftp.site"],
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
    port = server.fact["control_port"]
    listener = podman_exec(server.name, ["ss", "-Hltnp", f"sport = :{port}"]).stdout
    return {
        "config": sh,
        "active": active,
        "listener": server.test["process"] if f'"{server.test["process"]}"' in listener else listener,
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
