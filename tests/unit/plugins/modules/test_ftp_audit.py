# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.modules import ftp_audit
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.test__audit import WEAK_CONF


def run_module(args: dict, capsys: pytest.CaptureFixture) -> dict:
    with patch_module_args(args), pytest.raises(SystemExit):
        ftp_audit.main()
    return json.loads(capsys.readouterr().out)


def test_weak_config_in_check_mode(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(WEAK_CONF + f"anon_root={tmp_path}\n")
    args = {
        "daemon": "vsftpd",
        "vsftpd_conf": str(conf),
        "firewall_audit": False,
        "firewall_reason": "not ours",
        "waivers": {"HFTP-003": "banner accepted"},
        "_ansible_check_mode": True,
    }
    result = run_module(args, capsys)
    by_id = {item["id"]: item for item in result["controls"]}
    assert result["changed"] is False and result["daemon"] == "vsftpd"
    assert by_id["HFTP-003"]["status"] == "waived" and by_id["HFTP-003"]["waiver"] == "banner accepted"
    assert by_id["HFTP-010"]["status"] == "fail"
    assert by_id["HFTP-012"]["status"] == "not-applicable" and by_id["HFTP-012"]["evidence"] == ["not ours"]
    enforced = run_module(dict(args, enforce=True), capsys)
    assert enforced["failed"] is True and "HFTP-010" in enforced["msg"]


def test_bad_waiver_names_the_playbook_variable(capsys: pytest.CaptureFixture) -> None:
    result = run_module({"waivers": {"HFTP-0": "x"}}, capsys)
    assert result["failed"] is True and "hardened_ftp_audit_waivers" in result["msg"]
