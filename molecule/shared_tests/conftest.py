# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the molecule scenarios' testinfra tests.

Hosts come from the scenario's molecule inventory; testinfra reaches them with its podman
backend (no Ansible round trip per command). FTP sessions are run by ftpclient.py, on the
controller or, when the scenario has a ``ftp_clients`` group, inside that client container.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_SCRIPT = HERE / "ftpclient.py"


def _inventory() -> dict[str, Any]:
    inv_file = os.environ.get("MOLECULE_INVENTORY_FILE")
    if not inv_file:
        pytest.exit("MOLECULE_INVENTORY_FILE is not set: run these tests through molecule verify", 2)
    out = subprocess.run(
        ["ansible-inventory", "-i", str(Path(inv_file).parent), "--list"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


INVENTORY = _inventory()


def group_hosts(group: str) -> list[str]:
    return sorted(INVENTORY.get(group, {}).get("hosts", []))


def hostvars(name: str) -> dict[str, Any]:
    return INVENTORY["_meta"]["hostvars"].get(name, {})


def pytest_configure(config: pytest.Config) -> None:
    if not config.option.hosts:
        config.option.hosts = ",".join(f"podman://{h}" for h in group_hosts("ftp_servers"))


def container_ip(name: str) -> str:
    return subprocess.run(
        ["podman", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]


class Server:
    """One FTP server under test: its address, what it published, and a way to talk FTP to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.vars = hostvars(name)
        self.test = self.vars.get("ftp_test", {})
        self.ip = container_ip(name)
        published = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "published" / f"{name}.json"
        if not published.is_file():
            pytest.fail(f"{published} is missing: converge must save the hardened_ftp_server fact")
        self.fact: dict[str, Any] = json.loads(published.read_text())
        clients = group_hosts("ftp_clients")
        self.client = clients[0] if clients else None

    def session(self, steps: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
        session = {"host": self.ip, "port": self.fact["control_port"], "steps": steps or [], **kw}
        payload = json.dumps(session)
        if self.client:
            cmd = ["podman", "exec", "-i", self.client, "python3", "-", payload]
        else:
            cmd = ["python3", "-", payload]
        proc = subprocess.run(
            cmd, input=CLIENT_SCRIPT.read_text(), capture_output=True, text=True, timeout=120, check=False
        )
        if proc.returncode != 0:
            pytest.fail(f"ftp client failed: {proc.stderr}")
        return json.loads(proc.stdout)

    def anonymous(self, steps: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        result = self.session(steps, user="anonymous", password="test@example.org", **kw)
        assert result.get("login", {}).get("ok"), f"anonymous login failed: {result}"
        return result


@pytest.fixture(scope="module")
def server(host) -> Server:  # type: ignore[no-untyped-def]
    return Server(host.backend.name)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]
