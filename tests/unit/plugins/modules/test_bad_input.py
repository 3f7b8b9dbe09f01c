# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input and garbage for every module: a clear failure naming the option, or findings; never a
traceback (an exception escaping main() fails these tests, since only SystemExit is expected)."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.modules import (
    config_snapshot,
    ftp_audit,
    ftp_consistency,
    ftp_firewall_facts,
    ftp_server_facts,
    last_good_run,
    pureftpd_settings,
)

MODULES = {
    "ftp_server_facts": ftp_server_facts,
    "ftp_firewall_facts": ftp_firewall_facts,
    "ftp_consistency": ftp_consistency,
    "ftp_audit": ftp_audit,
}
# Modules that read no configuration or ruleset: argument checks only.
ALL_MODULES = {
    **MODULES,
    "config_snapshot": config_snapshot,
    "last_good_run": last_good_run,
    "pureftpd_settings": pureftpd_settings,
}
GARBAGE = "\x00\xff\ufffd" + "=" * 3 + "\n-A INPUT -p tcp --dport 99999999 -j\n*filter\n:BROKEN\nCOMMIT\n" + "x" * 5000

# (module, arguments, text the failure must contain)
BAD_ARGS = [
    ("ftp_server_facts", {"daemon": "wu-ftpd"}, "daemon"),
    ("ftp_server_facts", {"daemon": "vsftpd", "use_running": "perhaps"}, "use_running"),
    (
        "ftp_server_facts",
        {"daemon": "vsftpd", "vsftpd_conf": "/nonexistent/vsftpd.conf", "use_running": False},
        "vsftpd_conf",
    ),
    (
        "ftp_server_facts",
        {"daemon": "pureftpd", "pureftpd_conf_dir": "/nonexistent/conf", "use_running": False},
        "pureftpd_conf_dir",
    ),
    ("ftp_firewall_facts", {"backend": "shorewall"}, "backend"),
    ("ftp_firewall_facts", {"backend": "iptables", "ipv6": "twice"}, "ipv6"),
    ("ftp_firewall_facts", {"backend": "iptables", "client_sources": {"a": 1}}, "client_sources"),
    ("ftp_consistency", {"backend": "iptables", "passive_policy": "open-everything"}, "passive_policy"),
    ("ftp_consistency", {"backend": "iptables", "max_passive_ports": "many"}, "max_passive_ports"),
    ("ftp_consistency", {"backend": "iptables", "server": "vsftpd"}, "server"),
    ("ftp_consistency", {"backend": "iptables", "server": {"daemon": "vsftpd"}}, "hardened_ftp_server"),
    (
        "ftp_consistency",
        {"backend": "iptables", "server": {"daemon": "vsftpd", "control_port": 70000}},
        "hardened_ftp_server",
    ),
    ("ftp_audit", {"backend": "iptables", "waivers": {"HFTP-999": "because"}}, "hardened_ftp_audit_waivers"),
    ("ftp_audit", {"backend": "iptables", "passive_policy": "helper-ish"}, "passive_policy"),
    ("config_snapshot", {"paths": ["/etc/vsftpd.conf"]}, "store"),
    ("config_snapshot", {"paths": ["etc/vsftpd.conf"], "store": "/var/lib/x"}, "must be absolute paths"),
    ("config_snapshot", {"paths": ["/etc/a/conf", "/etc/b/conf"], "store": "/var/lib/x"}, "base names must differ"),
    ("config_snapshot", {"paths": ["/etc/pure-ftpd"], "store": "/etc/pure-ftpd/good"}, "must not be inside"),
    ("config_snapshot", {"paths": ["/etc/x"], "store": "/var/lib/x", "state": "kept"}, "state"),
    ("last_good_run", {"state": "recorded"}, "fingerprint"),
    ("last_good_run", {}, "action plugin"),
    ("last_good_run", {"state": "forgotten", "fingerprint": "f"}, "state"),
    ("last_good_run", {"fingerprint": "f", "store": "var/lib/x.json"}, "must be absolute paths"),
    ("last_good_run", {"state": "recorded", "fingerprint": "f", "ports": [0]}, "ports must be TCP ports"),
    ("last_good_run", {"state": "recorded", "fingerprint": "f", "ports": ["ftp"]}, "ports"),
    ("last_good_run", {"fingerprint": "f", "max_age": -1}, "max_age"),
    ("last_good_run", {"state": "recorded", "fingerprint": "f", "firewall": "pf"}, "firewall"),
    ("pureftpd_settings", {}, "settings"),
    ("pureftpd_settings", {"settings": {"../TLS": 1}}, "plain file names"),
    ("pureftpd_settings", {"settings": {"TLS": 1}, "owned": [".hidden"]}, "plain file names"),
    ("pureftpd_settings", {"settings": {"TLS": 1}, "header": "Ansible managed"}, "header"),
    ("pureftpd_settings", {"settings": {"TLS": 1}, "mode": "rw-r--r--"}, "mode must be an octal"),
    ("pureftpd_settings", {"settings": {"TLS": 1}, "owner": "no-such-user-x"}, "owner and group must exist"),
    ("pureftpd_settings", {"settings": {"TLS": 1}, "path": "/nonexistent/conf"}, "is not a directory"),
]


def run_module(module: t.Any, args: dict[str, t.Any], capsys: pytest.CaptureFixture) -> dict[str, t.Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def garbage_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every packet filter tool exists and prints garbage."""

    def run_command(self, argv, check_rc=False):  # type: ignore[no-untyped-def]
        return 0, GARBAGE, ""

    def get_bin_path(self, name, required=False, opt_dirs=None):  # type: ignore[no-untyped-def]
        return "/usr/sbin/" + name

    monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.run_command", run_command)
    monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.get_bin_path", get_bin_path)


@pytest.mark.parametrize(("name", "args", "needle"), BAD_ARGS, ids=[f"{c[0]}-{c[2]}" for c in BAD_ARGS])
def test_bad_arguments_fail_naming_the_option(
    garbage_host: None, capsys: pytest.CaptureFixture, name: str, args: dict[str, t.Any], needle: str
) -> None:
    result = run_module(ALL_MODULES[name], args, capsys)
    assert result.get("failed") is True, result
    assert needle in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def _garbage_conf(tmp_path: Path) -> dict[str, str]:
    conf = tmp_path / "vsftpd.conf"
    conf.write_bytes(GARBAGE.encode("utf-8", "surrogateescape") + b"\xc3\x28listen_port=abc\nlisten=MAYBE\n")
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    for key, value in {
        "Bind": ",notaport",
        "PassivePortRange": "40000 30000",
        "TLS": "7",
        "MaxClientsNumber": "-",
    }.items():
        (conf_dir / key).write_text(value + "\n")
    return {"vsftpd": str(conf), "pureftpd": str(conf_dir)}


@pytest.mark.parametrize("daemon", ["vsftpd", "pureftpd"])
@pytest.mark.parametrize("name", list(MODULES))
def test_garbage_gives_findings_or_a_clear_error(
    garbage_host: None, tmp_path: Path, capsys: pytest.CaptureFixture, name: str, daemon: str
) -> None:
    paths = _garbage_conf(tmp_path)
    args: dict[str, t.Any] = {"daemon": daemon, "use_running": False}
    args["vsftpd_conf" if daemon == "vsftpd" else "pureftpd_conf_dir"] = paths[daemon]
    if name != "ftp_server_facts":
        args["backend"] = "iptables"
    result = run_module(MODULES[name], args, capsys)
    if result.get("failed"):
        assert result["msg"] and "Traceback" not in result["msg"] and "exception" not in result, result
    else:
        assert {"findings", "controls", "server", "firewall"} & set(result), result
