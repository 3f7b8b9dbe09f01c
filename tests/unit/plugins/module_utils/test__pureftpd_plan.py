# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure-FTPd's own rules, and the property that no input adds a setting or a flag.

Each setting file is rendered by hardened.ftp.pureftpd_settings and read back the way Debian's
pure-ftpd-wrapper reads it (the first line that is not a comment): either the planner refused the
input, or every file holds exactly the value the plan intended, on one line.
"""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_conf import AUTH_SETTINGS, SETTINGS
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_plan import (
    MANAGED_SETTINGS,
    PureFtpdPlanner,
    command_line,
    command_line_problems,
)
from ansible_collections.hardened.ftp.plugins.module_utils._virtual_users import parse_puredb, puredb_line
from ansible_collections.hardened.ftp.plugins.modules.pureftpd_settings import render
from hypothesis import event, given, settings
from hypothesis import strategies as st
from plan_helpers import alice, defaults, host, messages, planner, with_virtual_users

HEADER = "#\n# Ansible managed\n#"


def wrapper_reads(text: str) -> str:
    """What pure-ftpd-wrapper takes from a setting file: its first line that is not a comment."""
    return next(line for line in text.split("\n") if line and not line.startswith("#"))


def test_the_settings_are_the_managed_ones() -> None:
    made = planner("pureftpd", host(), pasv_address="192.0.2.1")
    # The authentication back-ends are settings too, selected by links in /etc/pure-ftpd/auth.
    assert set(made.plan()["settings"]) <= set(MANAGED_SETTINGS) | set(AUTH_SETTINGS)
    assert set(MANAGED_SETTINGS) <= set(SETTINGS)


def test_command_line_of_the_settings() -> None:
    expected = command_line(
        {"Bind": ",21", "ChrootEveryone": True, "NATmode": False, "PassivePortRange": "30000 30009"}
    )
    assert expected == {"present": ["-S ,21", "-A", "-p 30000:30009"], "absent": ["-N"]}
    assert command_line_problems("-l pam -S ,21 -A -p 30000:30009", expected) == []
    assert command_line_problems("-l pam -S ,21 -N -p 30000:30009", expected) == ["missing '-A'", "unwanted '-N'"]


HOSTILE = st.one_of(st.text(max_size=30), st.sampled_from(["yes\nno", "10\r20", "a b", "ftp\u2028local0"]))


def maybe(*valid: str) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, 2), st.sampled_from(valid), HOSTILE).map(lambda t: t[2] if t[0] == 0 else t[1])


@settings(max_examples=200)
@given(
    banner=maybe("Authorised use only.\nAll transfers are logged.", ""),
    facility=maybe("ftp", "local0"),
    extra_value=maybe("yes", "5"),
    log=maybe("/var/log/pure-ftpd/transfer.log"),
)
def test_no_input_adds_a_setting_line(banner: str, facility: str, extra_value: str, log: str) -> None:
    raw = defaults("pureftpd")
    raw.update(
        pureftpd_banner=banner,
        pureftpd_syslog_facility=facility,
        pureftpd_transfer_log=log,
        pureftpd_extra_options={"KeepAllFiles": extra_value, "MaxDiskUsage": extra_value},
    )
    made = PureFtpdPlanner(raw)
    if made.check():
        assert all(item.variable.startswith("pureftpd_") for item in made.errors.items)
        return
    made.check_host(host())
    event("rendered")
    for name, value in made.plan()["settings"].items():
        text = render(name, value, HEADER)
        want = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        assert wrapper_reads(text) == want
        assert len([line for line in text.split("\n") if line and not line.startswith("#")]) == 1


def test_extra_options_are_typed_by_the_wrappers_table() -> None:
    made = planner(
        "pureftpd",
        host(),
        extra_options={
            "KeepAllFiles": "sometimes",
            "Quota": "1000",
            "PureDB": "/etc/x.pdb",
            "Nonsense": 1,
            "MaxLoad": "4 5",
        },
    )
    text = messages(made)
    assert "pureftpd_extra_options.KeepAllFiles: 'sometimes' is not true or false" in text
    assert "pureftpd_extra_options.Quota: '1000' is not two numbers" in text
    assert "pureftpd_extra_options.PureDB: is an option the role writes itself" in text
    assert "pureftpd_extra_options.Nonsense: is not a setting Debian's pure-ftpd-wrapper knows" in text
    assert "pureftpd_extra_options.MaxLoad: '4 5' holds white space" in text


def test_pureftpd_limits_and_umask() -> None:
    text = messages(planner("pureftpd", host(), max_clients=80, max_per_ip=5, pasv_min_port=30000, pasv_max_port=30099))
    assert "pureftpd_max_clients: 80 is more than half the passive range 30000-30099 (100 ports)" in text
    assert "pureftpd_max_clients: 0 is out of range" in messages(planner("pureftpd", host(), max_clients=0))
    assert "pureftpd_umask: 022 leaves uploads readable" in messages(
        planner("pureftpd", host(), anon_upload_enable=True, umask="022")
    )
    assert "pureftpd_min_uid: 0 is out of range" in messages(planner("pureftpd", host(), min_uid=0))


@pytest.mark.parametrize(
    ("user", "wanted"),
    [
        ({"uid": 999}, "alice has uid 999, below pureftpd_min_uid (1000)"),
        ({"home_stat": {"exists": False}}, "alice's home /home/alice is not a directory"),
        ({"home": "/"}, "alice's home / is not a directory"),
    ],
)
def test_local_users_must_suit_pure_ftpd(user: dict[str, t.Any], wanted: str) -> None:
    made = planner("pureftpd", host(users={"alice": alice(**user)}), local_enable=True, local_users_allowed=["alice"])
    assert wanted in messages(made)


def test_a_user_made_by_useradd_m_is_fine() -> None:
    made = planner("pureftpd", host(users={"alice": alice()}), local_enable=True, local_users_allowed=["alice"])
    assert not made.errors, messages(made)
    plan = made.plan()
    assert plan["allow_list"] == ["alice"] and plan["settings"]["AnonymousOnly"] is False
    assert plan["users"] == [{"name": "ftp", "group": "ftp", "home": "/srv/ftp"}]


def test_the_banner_is_kept_as_lines() -> None:
    plan = planner("pureftpd", host(), banner="One\nTwo\n").plan()
    assert plan["banner"] == "One\nTwo" and plan["settings"]["FortunesFile"] == "/etc/pure-ftpd/hardened-ftp-banner"
    assert "FortunesFile" not in planner("pureftpd", host(), banner="").plan()["settings"]


# ------------------------------------------------------------------ virtual users

SHA512 = "$6$hardenedftp$" + "a" * 86


def test_virtual_users_come_first_from_puredb_then_pam() -> None:
    entries = [{"name": "vw", "password_hash": SHA512, "write": True, "quota_mb": 5}]
    made = planner("pureftpd", host(), virtual_users=entries)
    assert not made.errors, messages(made)
    plan = made.plan()
    assert plan["settings"]["PureDB"] == "/etc/pure-ftpd/pureftpd.pdb"
    assert plan["settings"]["AnonymousOnly"] is False
    assert [link["path"] for link in plan["auth_links"]] == [
        "/etc/pure-ftpd/auth/50puredb",
        "/etc/pure-ftpd/auth/70pam",
    ]
    assert plan["auth_order"] == "-l puredb:/etc/pure-ftpd/pureftpd.pdb -l pam"
    assert plan["virtual_users"]["users"][0]["quota_mb"] == 5
    assert "PureDB" not in planner("pureftpd", host()).plan()["settings"]
    assert planner("pureftpd", host()).plan()["auth_links"] == [
        {"path": "/etc/pure-ftpd/auth/70pam", "target": "../conf/PAMAuthentication"}
    ]


def test_the_virtual_users_account_must_pass_min_uid() -> None:
    entries = [{"name": "vw", "password_hash": SHA512}]
    made = planner("pureftpd", host(users={"ftpvirtual": {"exists": True, "uid": 996}}), virtual_users=entries)
    assert "pureftpd_min_uid: the account ftpvirtual that virtual users' sessions run as has uid 996" in messages(made)


@settings(max_examples=200)
@given(
    name=maybe("vw", "upload.acme"),
    home=maybe("/srv/ftp-virtual/vw", "/srv/ftp-virtual/x/y"),
    quota=maybe("1", "500"),
    rate=maybe("0", "65536"),
)
def test_no_virtual_user_adds_a_database_line(name: str, home: str, quota: str, rate: str) -> None:
    entry = {"name": name, "password_hash": SHA512, "home": home, "quota_mb": quota, "max_rate": rate}
    made = with_virtual_users("pureftpd", [entry, {"name": "reader", "password_hash": SHA512}], host())
    if made.errors:
        return
    event("rendered")
    plan = made.plan()
    users = plan["virtual_users"]["users"]
    text = "".join(
        puredb_line(u["name"], made.virtual.hashes[u["name"]], 1002, 996, u["home"], u["max_rate"], u["quota_mb"])
        + "\n"
        for u in users
    )
    assert list(parse_puredb(text)) == [name, "reader"] and text.count("\n") == 2
    assert all(len(line.split(":")) == 18 for line in text.splitlines())
    for setting, value in plan["settings"].items():
        assert (
            len([line for line in render(setting, value, HEADER).split("\n") if line and not line.startswith("#")]) == 1
        )
