# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is refused before anything on the host changes.

Each case of the scenario's ``ftp_test.bad_inputs`` runs the server role with the given variables
against one server; the run must fail with a message naming the variable, and the host's
configuration files and service must be exactly as before. The cases are dealt out over the
scenario's servers in turn (a case may name its ``server``), so that each server's worker runs its
share in parallel with the others.
"""

from __future__ import annotations

import pytest
from conftest import group_hosts, hostvars, run_role


def _inputs(name: str) -> dict[str, object]:
    """The host's inputs of its daemon role (group and host variables merged)."""
    prefix = f"{hostvars(name).get('hardened_ftp_daemon', '')}_"
    return {key: value for key, value in hostvars(name).items() if key.startswith(prefix)}


# The cases are written for the first server's inputs: they are dealt out only to the servers that
# have the same ones (a host with TLS or local users off would accept some of them), and never to a
# host that switches daemons during its tests.
_HOSTS = [name for name in group_hosts("ftp_servers") if name not in group_hosts("ftp_switch")]
SERVER = _HOSTS[0] if _HOSTS else None
SERVERS = [name for name in _HOSTS if _inputs(name) == _inputs(SERVER)]
CASES = hostvars(SERVER).get("ftp_test", {}).get("bad_inputs", []) if SERVER else []
# Which server each case runs on: its own choice, else the next server in turn.
TARGETS = [case.get("server") or SERVERS[index % len(SERVERS)] for index, case in enumerate(CASES)]


def _snapshot(host, server: str) -> str:  # type: ignore[no-untyped-def]
    test = hostvars(server)["ftp_test"]
    out = host.run(f"sha256sum {' '.join(test['watched_files'])} 2>&1; systemctl is-active {test['unit']}")
    return out.stdout


@pytest.mark.parametrize(("case", "server"), zip(CASES, TARGETS), ids=[c["name"] for c in CASES])
def test_bad_input_is_refused_before_any_change(host, case, server):  # type: ignore[no-untyped-def]
    if host.backend.name != server:
        pytest.skip(f"this case runs on {server}")
    before = _snapshot(host, server)
    returncode, output = run_role(server, case["vars"], timeout=300)
    assert returncode != 0, f"{case['name']}: the run succeeded:\n{output[-3000:]}"
    for needle in case["error"] if isinstance(case["error"], list) else [case["error"]]:
        assert needle in output, f"{case['name']}: {needle!r} not in the failure:\n{output[-3000:]}"
    # A secret in the input (a plain password given as a hash) never appears in the output.
    for secret in case.get("not_shown", []):
        assert secret not in output, f"{case['name']}: the output shows {secret!r}"
    # Failures come from the input checks, not from some later step that changed things first.
    assert "changed=0" in output, output[-2000:]
    assert _snapshot(host, server) == before
