# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall_plan action plugin: inputs checked before the host is read, the host read once."""

from __future__ import annotations

import typing as t
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import yaml
from ansible.plugins.action import ActionBase
from ansible_collections.hardened.ftp.plugins.action.firewall_plan import ActionModule

DEFAULTS = yaml.safe_load(
    (Path(__file__).resolve().parents[4] / "roles" / "ftp_firewall" / "defaults" / "main.yml").read_text()
)
SERVER = {
    "daemon": "vsftpd",
    "control_port": 21,
    "listen_ipv6": False,
    "pasv_enable": True,
    "pasv_min_port": 30000,
    "pasv_max_port": 30009,
    "active_enable": True,
    "tls_enable": False,
    "tls_required": False,
}
HOST = {"ipv6": True, "ssh": {"client": "192.0.2.9", "port": 22}, "packages": {}, "paths": {}, "files": {}}


def run(task_vars: dict[str, t.Any], host: dict[str, t.Any] | None = None, check: bool = False) -> tuple[dict, list]:
    action = ActionModule.__new__(ActionModule)
    action._task = SimpleNamespace(args={})
    action._templar = SimpleNamespace(template=lambda value: value)
    action._play_context = SimpleNamespace(check_mode=check)
    calls: list[dict[str, t.Any]] = []

    def execute(module_name: str, module_args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        calls.append({"module": module_name, "args": module_args})
        return {"info": host} if host is not None else {"failed": True, "msg": "unreachable"}

    action._execute_module = execute
    with mock.patch.object(ActionBase, "run", return_value={}):
        return action.run(task_vars=task_vars), calls


def test_bad_inputs_fail_before_the_host_is_read() -> None:
    result, calls = run(dict(DEFAULTS, ftp_firewall_allowed_sources=["10.0.0.0/255.0.0.0"], hardened_ftp_server=SERVER))
    assert result["failed"] and calls == []
    assert "nothing on the host was changed" in result["msg"]
    assert "ftp_firewall_allowed_sources: '10.0.0.0/255.0.0.0' gives a mask" in result["msg"]


def test_the_host_is_read_once_and_the_plan_returned() -> None:
    task_vars = dict(DEFAULTS, hardened_ftp_server=SERVER, ftp_firewall_plan={"stale": True}, ftp_firewall_bakend="x")
    result, calls = run(task_vars, HOST)
    assert [call["module"] for call in calls] == ["hardened.ftp.ftp_host_info"]
    assert not result.get("failed") and result["changed"] is False
    assert result["plan"]["policy"] == "related"
    assert result["plan"]["ssh_sources"] == {"ipv4": ["any"], "ipv6": ["any"]}
    # ftp_firewall_plan is the role's own output, not an input; a typo is a warning naming the fix.
    assert [w for w in result["warnings"] if "ftp_firewall_bakend" in w and "ftp_firewall_backend" in w]
    assert not [w for w in result["warnings"] if "ftp_firewall_plan" in w]


def test_what_the_host_says_is_checked_too() -> None:
    result, calls = run(dict(DEFAULTS, hardened_ftp_server=SERVER, ftp_firewall_ssh_sources=["192.0.2.0/24"]), HOST)
    assert len(calls) == 1 and result["failed"]
    assert "ftp_firewall_ssh_sources" in result["msg"] and "::/0" in result["msg"]


def test_a_host_that_cannot_be_read_fails_clearly() -> None:
    result, _calls = run(dict(DEFAULTS, hardened_ftp_server=SERVER), None)
    assert result["failed"] and "could not read the host" in result["msg"]


@pytest.mark.parametrize("check", [True, False])
def test_check_mode_on_a_bare_host(check: bool) -> None:
    result, _calls = run(dict(DEFAULTS, hardened_ftp_server=SERVER), HOST, check=check)
    assert result["plan"]["fresh_check"] is check
