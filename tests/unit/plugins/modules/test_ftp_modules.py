# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model
from ansible_collections.hardened.ftp.plugins.modules import ftp_consistency, ftp_firewall_facts, ftp_server_facts


def run_module(module, args: dict, capsys: pytest.CaptureFixture) -> dict:
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def fake_host(monkeypatch: pytest.MonkeyPatch, fixture_text: t.Callable[[str], str]) -> None:
    outputs = {
        "iptables-save": fixture_text("iptables_docker_host.save"),
        "ip6tables-save": fixture_text("ip6tables_host.save"),
    }

    def run_command(self, argv, check_rc=False):
        name = argv[0].rsplit("/", 1)[-1]
        return (0, outputs[name], "") if name in outputs else (1, "", "denied")

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return "/usr/sbin/" + name if name in outputs else None

    monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.run_command", run_command)
    monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.get_bin_path", get_bin_path)


def test_server_facts(tmp_path: Path, capsys: pytest.CaptureFixture, fixture_text: t.Callable[[str], str]) -> None:
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(fixture_text("vsftpd_debian_stock.conf"))
    result = run_module(
        ftp_server_facts, {"daemon": "vsftpd", "vsftpd_conf": str(conf), "_ansible_check_mode": True}, capsys
    )
    assert result["changed"] is False
    assert result["server"]["listen_ipv6"] is True
    fact = result["ansible_facts"]["hardened_ftp_server_facts"]
    assert fact["control_port"] == 21 and fact["daemon_config"]["config_path"] == str(conf)


def test_server_facts_fails_with_option_name(capsys: pytest.CaptureFixture) -> None:
    result = run_module(ftp_server_facts, {"daemon": "vsftpd", "vsftpd_conf": "/nonexistent/vsftpd.conf"}, capsys)
    assert result["failed"] is True and "vsftpd_conf" in result["msg"]


def test_firewall_facts(fake_host: None, capsys: pytest.CaptureFixture) -> None:
    result = run_module(ftp_firewall_facts, {"backend": "iptables", "auto_helper": False}, capsys)
    assert result["firewall"]["backend"] == "iptables"
    assert result["ansible_facts"]["hardened_ftp_firewall_facts"]["families"] == ["ipv4", "ipv6"]


SERVER = {
    "daemon": "vsftpd",
    "listen_address": "",
    "control_port": 21,
    "listen_ipv6": True,
    "pasv_enable": True,
    "pasv_min_port": 30000,
    "pasv_max_port": 30999,
    "pasv_address": "",
    "active_enable": False,
    "tls_enable": True,
    "tls_required": True,
    "anonymous_enable": False,
    "anon_upload_enable": False,
    "port_promiscuous": False,
}


def test_consistency_reports_and_enforces(fake_host: None, capsys: pytest.CaptureFixture) -> None:
    args = {"server": SERVER, "backend": "iptables", "auto_helper": False}
    result = run_module(ftp_consistency, args, capsys)
    assert result.get("failed") is not True
    assert result["errors"] >= 1
    assert "passive_range_partially_open" in [finding["id"] for finding in result["findings"]]  # ipv6 opens 30000-30499
    enforced = run_module(ftp_consistency, dict(args, enforce=True), capsys)
    assert enforced["failed"] is True and "passive_range_partially_open" in enforced["msg"]


def test_consistency_rejects_bad_server(fake_host: None, capsys: pytest.CaptureFixture) -> None:
    result = run_module(ftp_consistency, {"server": {"daemon": "vsftpd"}, "backend": "iptables"}, capsys)
    assert result["failed"] is True and "hardened_ftp_server" in result["msg"]


@pytest.mark.parametrize("policy", ["related", "helper"])
def test_consistency_takes_the_role_policy_names(fake_host: None, capsys: pytest.CaptureFixture, policy: str) -> None:
    server = dict(SERVER, tls_enable=False, tls_required=False)
    args = {"server": server, "backend": "iptables", "auto_helper": False, "passive_policy": policy}
    result = run_module(ftp_consistency, args, capsys)
    assert result.get("failed") is not True
    severities = [finding["severity"] for finding in result["findings"]]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


LIVE_CONF = """\
listen=NO
listen_ipv6=YES
anonymous_enable=NO
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30999
port_enable=NO
ssl_enable=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
"""


def _published() -> dict:
    """The hardened_ftp_server fact the vsftpd role publishes for LIVE_CONF."""
    return dict(SERVER, listen_ipv6=True, active_enable=False, tls_enable=True, tls_required=True)


def test_consistency_reads_the_live_server_when_none_is_given(
    fake_host: None, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(LIVE_CONF)
    args = {"daemon": "vsftpd", "vsftpd_conf": str(conf), "backend": "iptables", "auto_helper": False}
    result = run_module(ftp_consistency, args, capsys)
    assert result["server"] == normalize_server_model(_published())
    assert "passive_range_partially_open" in [finding["id"] for finding in result["findings"]]
    assert "server_drift" not in [finding["id"] for finding in result["findings"]]


def test_consistency_reports_drift_from_the_published_model(
    fake_host: None, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(LIVE_CONF + "port_enable=YES\nport_promiscuous=YES\n")
    args = {"daemon": "vsftpd", "vsftpd_conf": str(conf), "backend": "iptables", "auto_helper": False}
    result = run_module(ftp_consistency, dict(args, expected=_published(), enforce=True), capsys)
    assert result["failed"] is True
    drifted = [finding for finding in result["findings"] if finding["id"] == "server_drift"]
    assert sorted(finding["message"].split(" runs with ")[1].split("=")[0] for finding in drifted) == [
        "active_enable",
        "port_promiscuous",
    ]
    assert any("port_promiscuous=true but the role published port_promiscuous=false" in f["message"] for f in drifted)
    assert "bounce_allowed" in [finding["id"] for finding in result["findings"]]
    assert "server_drift" in result["msg"]


def test_consistency_server_and_expected_exclude_each_other(fake_host: None, capsys: pytest.CaptureFixture) -> None:
    result = run_module(ftp_consistency, {"server": SERVER, "expected": SERVER, "backend": "iptables"}, capsys)
    assert result["failed"] is True and "give expected" in result["msg"]
    bad = run_module(ftp_consistency, {"expected": {"daemon": "vsftpd"}, "backend": "iptables"}, capsys)
    assert bad["failed"] is True and bad["msg"].startswith("expected: ") and "hardened_ftp_server" in bad["msg"]
