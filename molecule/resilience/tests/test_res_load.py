# SPDX-License-Identifier: GPL-3.0-or-later
"""Load: 200 concurrent anonymous sessions against each daemon, bounded in count and time.

From the client (one address) the per-address limit decides; from 20 loopback addresses on the
server itself (10 sessions each, under the per-address limit) the total limit decides. Exactly
that many sessions must log in, every other one must be refused with a 421 greeting, nothing may
fail otherwise, and the daemon must still serve afterwards. Figures go to .tmp/resilience/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Server
from res_common import podman_exec, record, serves

LOAD_SCRIPT = Path(__file__).resolve().parent / "ftpload.py"
SESSIONS = 200
SOURCES = 20


@pytest.fixture(scope="module")
def server(host):  # type: ignore[no-untyped-def]
    return Server(host.backend.name)


def limits(server) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    prefix = server.vars["hardened_ftp_daemon"]
    return int(server.vars[f"{prefix}_max_clients"]), int(server.vars[f"{prefix}_max_per_ip"])


def load(server, where: str, target: str, sources: list[str]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    spec = {
        "host": target,
        "port": server.fact["control_port"],
        "sessions": SESSIONS,
        "sources": sources,
        "hold": 90,
        "ramp": 4,
        "timeout": 60,
    }
    proc = podman_exec(where, ["python3", "-", json.dumps(spec)], stdin=LOAD_SCRIPT.read_text(), timeout=300)
    return json.loads(proc.stdout)


def check(server, result: dict, admitted: int, name: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    record(name, result)
    assert result["failed"] == 0 and result["unfinished"] == 0 and result["late"] == 0, result
    assert result["admitted"] == admitted, result
    assert result["refused"] == SESSIONS - admitted, result
    assert all(reply.startswith("421") for reply in result["replies"]), result
    assert (
        podman_exec(server.name, ["systemctl", "is-active", server.test["unit"]], check=False).stdout.strip()
        == "active"
    )
    serves(server)


def test_res_load_from_one_address_meets_max_per_ip(server):  # type: ignore[no-untyped-def]
    max_clients, max_per_ip = limits(server)
    result = load(server, server.client, server.ip, [""])
    check(server, result, min(max_clients, max_per_ip), f"load-one-address-{server.name}")


def test_res_load_from_many_addresses_meets_max_clients(server):  # type: ignore[no-untyped-def]
    max_clients, max_per_ip = limits(server)
    assert max_per_ip > SESSIONS // SOURCES, "each address must stay under the per-address limit"
    sources = [f"127.0.0.{i}" for i in range(1, SOURCES + 1)]
    result = load(server, server.name, "127.0.0.1", sources)
    check(server, result, max_clients, f"load-many-addresses-{server.name}")
