# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is refused before anything on the host changes.

Each case of the scenario's ``ftp_test.bad_inputs`` runs the server role with the given variables
against the first server; the run must fail with a message naming the variable, and the host's
configuration files and service must be exactly as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import group_hosts, hostvars

SERVER = group_hosts("ftp_servers")[0] if group_hosts("ftp_servers") else None
CASES = hostvars(SERVER).get("ftp_test", {}).get("bad_inputs", []) if SERVER else []

PLAYBOOK = """
- hosts: {host}
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: hardened.ftp.{role}
"""


def _snapshot(host) -> str:  # type: ignore[no-untyped-def]
    watched = " ".join(hostvars(SERVER)["ftp_test"]["watched_files"])
    out = host.run(f"sha256sum {watched} 2>&1; systemctl is-active {hostvars(SERVER)['ftp_test']['unit']}")
    return out.stdout


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_refused_before_any_change(host, case):  # type: ignore[no-untyped-def]
    if host.backend.name != SERVER:
        pytest.skip("bad input is checked on the first server only")
    before = _snapshot(host)
    role = hostvars(SERVER)["hardened_ftp_daemon"]
    with tempfile.TemporaryDirectory() as tmp:
        playbook = Path(tmp) / "bad.yml"
        playbook.write_text(PLAYBOOK.format(host=SERVER, role=role))
        extra = Path(tmp) / "vars.json"
        extra.write_text(json.dumps(case["vars"]))
        inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
        proc = subprocess.run(
            ["ansible-playbook", "-i", inventory, "-e", f"@{extra}", str(playbook)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"{case['name']}: the run succeeded:\n{output[-3000:]}"
    for needle in case["error"] if isinstance(case["error"], list) else [case["error"]]:
        assert needle in output, f"{case['name']}: {needle!r} not in the failure:\n{output[-3000:]}"
    # A secret in the input (a plain password given as a hash) never appears in the output.
    for secret in case.get("not_shown", []):
        assert secret not in output, f"{case['name']}: the output shows {secret!r}"
    # Failures come from the input checks, not from some later step that changed things first.
    assert "changed=0" in output, output[-2000:]
    assert _snapshot(host) == before
