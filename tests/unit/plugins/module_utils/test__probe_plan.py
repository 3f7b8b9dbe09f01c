# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe's inputs: hostile values fail naming the playbook variable, before anything is contacted."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors
from ansible_collections.hardened.ftp.plugins.module_utils._probe_checks import check_options
from ansible_collections.hardened.ftp.plugins.module_utils._probe_plan import check_probe_variables, expectations
from plan_helpers import PLANNERS, messages, planner

GOOD = {
    "hardened_ftp_probe_address": "ftp1.example.org",
    "hardened_ftp_probe_from": "",
    "hardened_ftp_probe_dropbox_canary": False,
    "hardened_ftp_probe_user": "",
    "hardened_ftp_probe_password": "",
    "hardened_ftp_probe_report_dir": "/srv/reports/ftp-probe",
    "hardened_ftp_probe_enforce": False,
}


def _check(**changes: t.Any) -> tuple[dict[str, t.Any], list[str]]:
    errors = Errors()
    checked = check_probe_variables({**GOOD, **changes}, ["ftp1", "bastion"], errors)
    return checked, errors.messages()


def test_good_values_pass_and_default_to_the_controller() -> None:
    checked, messages = _check()
    assert messages == []
    assert checked["address"] == "ftp1.example.org"
    assert checked["probe_from"] == "localhost"
    assert checked["report_dir"] == "/srv/reports/ftp-probe"


def test_a_bastion_of_the_inventory_is_taken() -> None:
    checked, messages = _check(hardened_ftp_probe_from="bastion", hardened_ftp_probe_address="192.0.2.10")
    assert messages == []
    assert checked["probe_from"] == "bastion"
    assert checked["address"] == "192.0.2.10"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("hardened_ftp_probe_address", "ftp1\nSITE EXEC x", "control character"),
        ("hardened_ftp_probe_address", "192.0.2.0/24", "hardened_ftp_probe_address: '192.0.2.0/24'"),
        ("hardened_ftp_probe_address", "fe80::1%eth0", "hardened_ftp_probe_address: 'fe80::1%eth0'"),
        ("hardened_ftp_probe_address", "", "hardened_ftp_probe_address"),
        ("hardened_ftp_probe_from", "nohost", "not a host of the inventory"),
        ("hardened_ftp_probe_from", "bastion\n", "control character"),
        ("hardened_ftp_probe_report_dir", "../reports", "not an absolute path"),
        ("hardened_ftp_probe_report_dir", "/srv/../etc", "hardened_ftp_probe_report_dir"),
        ("hardened_ftp_probe_dropbox_canary", "maybe", "not true or false"),
        ("hardened_ftp_probe_enforce", "sometimes", "not true or false"),
        ("hardened_ftp_probe_user", "bob\r\nDELE x", "hardened_ftp_probe_user"),
    ],
)
def test_hostile_values_name_the_variable(variable: str, value: t.Any, problem: str) -> None:
    _checked, messages = _check(**{variable: value})
    assert messages, f"{variable}={value!r} was taken"
    assert any(message.startswith(variable) for message in messages), messages
    assert any(problem in message for message in messages), messages


def test_a_user_needs_a_password_and_the_password_is_never_shown() -> None:
    _checked, messages = _check(hardened_ftp_probe_user="bob")
    assert any(m.startswith("hardened_ftp_probe_password: is empty") for m in messages)
    _checked, messages = _check(hardened_ftp_probe_user="bob", hardened_ftp_probe_password="s3cr\net")
    assert messages and all("s3cr" not in m for m in messages)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"port": "21,22"}, "port"),
        ({"skip_ports": ["ssh"]}, "skip_ports"),
        ({"skip_ports": "22"}, "skip_ports: must be a list"),
        ({"sessions": 11}, "sessions"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"time_limit": 5}, "time_limit"),
        ({"max_connections": 100000}, "max_connections"),
        ({"expect": {"pasv_min_port": 30100, "pasv_max_port": 30000}}, "expect.pasv_min_port: 30100 is above"),
        ({"expect": {"pasv_min_port": 30000}}, "both be given"),
        ({"expect": {"pasv_min_port": 80, "pasv_max_port": 90}}, "expect.pasv_min_port"),
        ({"expect": {"pasv_address": "10.0.0.0/8"}}, "expect.pasv_address"),
        ({"expect": {"anon_upload_dir": "../etc"}}, "expect.anon_upload_dir"),
        ({"expect": {"banner": "hi\nthere"}}, "expect.banner"),
        ({"expect": {"typo_enable": True}}, "unknown keys typo_enable"),
        ({"expect": "tls"}, "expect: must be a dict"),
    ],
)
def test_module_options_are_checked(values: dict[str, t.Any], problem: str) -> None:
    _checked, errors = check_options({"address": "192.0.2.10", **values})
    assert any(problem in message for message in errors.messages()), errors.messages()


def test_module_options_typed() -> None:
    checked, errors = check_options(
        {"address": "192.0.2.10", "port": 2121, "timeout": "2.5", "skip_ports": [22], "expect": {"tls_enable": True}}
    )
    assert not errors.messages()
    assert checked["port"] == 2121
    assert checked["timeout"] == 2.5
    assert checked["expect"]["tls_enable"] is True
    assert checked["expect"]["pasv_min_port"] is None


@pytest.mark.parametrize("role", sorted(PLANNERS))
@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize(("tls_enable", "tls_required"), [(True, True), (True, False), (False, True)])
def test_the_probe_expects_tls_for_password_logins_as_the_role_forces_it(
    role: str, anonymous: bool, tls_enable: bool, tls_required: bool
) -> None:
    # The fact's tls_required means every session; the probe's (its cleartext-login check) means
    # logins with a password, which vsftpd forces into TLS while anonymous sessions stay in clear text.
    users = {} if anonymous else {"local_enable": True, "local_users_allowed": ["alice"]}
    made = planner(role, anonymous_enable=anonymous, tls_enable=tls_enable, tls_required=tls_required, **users)
    assert not made.errors, messages(made)
    expect = expectations(made)
    assert expect["tls_required"] is (tls_enable and tls_required)
    assert expect["tls_enable"] is tls_enable
    assert expect["anonymous_enable"] is anonymous
    if role == "vsftpd" and anonymous:
        assert made.fact()["tls_required"] is False
