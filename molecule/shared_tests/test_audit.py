# SPDX-License-Identifier: GPL-3.0-or-later
"""A host provisioned by hardened.ftp.site passes the baseline audit (docs/baseline.md).

Runs ``ansible-playbook hardened.ftp.audit --check`` once over the scenario's servers, enforced, as
a user would, and reads the JSON report. Shared by the server scenarios, so both daemons and every
firewall backend are audited.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

CONTROLS = 18  # HFTP-001 .. HFTP-018
VIRTUAL_CONTROLS = {"HFTP-015", "HFTP-016", "HFTP-017", "HFTP-018"}


@pytest.fixture(scope="session")
def audit_report(tmp_path_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("audit")
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    proc = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            inventory,
            "hardened.ftp.audit",
            "--check",
            "-e",
            "hardened_ftp_audit_enforce=true",
            "-e",
            f"hardened_ftp_audit_output_dir={out}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = out / "hardened-ftp-audit.json"
    if not report.is_file():
        pytest.fail(f"the audit wrote no report (rc {proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    data = json.loads(report.read_text())
    data["rc"] = proc.returncode
    data["output"] = proc.stdout + proc.stderr
    return data


def test_audit_passes_every_control(server, audit_report):  # type: ignore[no-untyped-def]
    """Every control passes; a server the scenario runs without TLS fails HFTP-007 and nothing else."""
    hosts = {h["host"]: h["controls"] for h in audit_report["hosts"]}
    controls = hosts.get(server.name)
    assert controls is not None, f"{server.name} is not in the report: {sorted(hosts)}"
    assert len(controls) == CONTROLS, [c["id"] for c in controls]
    plain = not server.fact["tls_enable"]
    failing = {c["id"]: c["evidence"] for c in controls if c["status"] not in ("pass", "not-applicable")}
    assert set(failing) == ({"HFTP-007"} if plain else set()), json.dumps(failing, indent=1)
    skipped = {c["id"] for c in controls if c["status"] == "not-applicable"}
    # The virtual users' controls apply where the scenario gives the server virtual users.
    virtual = bool(server.vars.get(f"{server.vars.get('hardened_ftp_daemon', 'vsftpd')}_virtual_users"))
    assert skipped == ({"HFTP-008"} if plain else set()) | (set() if virtual else VIRTUAL_CONTROLS), skipped
    # Enforcement fails the run exactly when some host fails a control.
    assert (audit_report["rc"] == 0) == (audit_report["summary"]["hosts_failing"] == 0), audit_report["rc"]
