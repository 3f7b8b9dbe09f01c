# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virtual users' rules: names, hashes, homes, accounts, the password file lines; no message shows a hash."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _virtual_users as vu
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors, InputError
from hypothesis import assume, given
from hypothesis import strategies as st
from plan_helpers import alice, host, messages, planner

YESCRYPT = "$y$j9T$PaFhHl1n3sGMBTBeqa9Ot.$HQ9FNmSWQlQmCV1bUaSmJSOvWOT2aYH8Qi.eHGHzvC4"
SHA512 = "$6$hardenedftp$" + "a" * 86
SHA256 = "$5$rounds=5000$hardenedftp$" + "b" * 43
ROOT = "/srv/ftp-virtual"


def users(*entries: dict[str, t.Any], **kw: t.Any) -> tuple[vu.Checked, Errors]:
    errors = Errors()
    return vu.check_users(list(entries), "vsftpd_virtual_users", ROOT, errors, **kw), errors


def text(errors: Errors) -> str:
    return "\n".join(errors.messages())


@pytest.mark.parametrize("hashed", [YESCRYPT, SHA512, SHA256, "$6$rounds=100000$salt$" + "c" * 86])
def test_accepted_hashes(hashed: str) -> None:
    assert vu.password_hash(hashed, "v") == hashed
    assert vu.hash_kind(hashed) in vu.ACCEPTED_SCHEMES


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("Secret-vw", "looks like a plain password"),
        ("$1$salt$" + "d" * 22, "md5crypt hash, which is too weak"),
        ("abcdefghijklm", "descrypt hash, which is too weak"),
        ("$2b$12$" + "e" * 53, "bcrypt hash, which pam_pwdfile"),
        (SHA512 + "\nvr:x", "control character U+000A"),
        (SHA512[:-1] + ":", "looks like a plain password"),
        ("", "got no text"),
        (12345, "got no text"),
        (None, "got no text"),
    ],
)
def test_other_values_are_refused_without_showing_them(value: t.Any, wanted: str) -> None:
    with pytest.raises(InputError) as caught:
        vu.password_hash(value, "vsftpd_virtual_users[0].password_hash")
    message = str(caught.value)
    assert wanted in message and message.startswith("vsftpd_virtual_users[0].password_hash: ")
    assert "(value hidden)" in message or ("mkpasswd" in message and "Vault" in message)
    if isinstance(value, str) and len(value) > 3:
        assert value not in message and value.split("\n")[0] not in message


# The messages' own words, from values of each kind the check refuses: a secret that is a piece of
# them (a variable name, "crypt") would be found in any message and proves nothing.
OWN_WORDS = " ".join(
    message
    for value in ("plainpassword", "$6$x", "\x00\x00\x00\x00", "", "$y$j9T$" + "a" * 200)
    for message in users({"name": "vw", "password_hash": value})[1].messages()
)


@given(st.text(min_size=4, max_size=60))
def test_no_message_ever_holds_the_hash_field(secret: str) -> None:
    assume(secret not in OWN_WORDS)
    checked, errors = users({"name": "vw", "password_hash": secret})
    for message in errors.messages():
        assert secret not in message
    assert all(secret not in str(user) for user in checked.users)


def test_a_good_list_is_planned_without_hashes() -> None:
    checked, errors = users(
        {"name": "vw", "password_hash": YESCRYPT, "write": True, "max_rate": 1000},
        {"name": "vr", "password_hash": SHA512, "home": f"{ROOT}/shared/vr"},
    )
    assert not errors, text(errors)
    assert [user.as_plan() for user in checked.users] == [
        {"name": "vw", "home": f"{ROOT}/vw", "write": True, "max_rate": 1000, "quota_mb": None}
        | {"account": vu.OWNER, "group": vu.GROUP},
        {"name": "vr", "home": f"{ROOT}/shared/vr", "write": False, "max_rate": 0, "quota_mb": None}
        | {"account": vu.READER, "group": vu.GROUP},
    ]
    assert checked.hashes == {"vw": YESCRYPT, "vr": SHA512}
    assert all(YESCRYPT not in str(user.as_plan()) for user in checked.users)


@pytest.mark.parametrize(
    ("entry", "wanted"),
    [
        ({"name": "a/b"}, "vsftpd_virtual_users[0].name: 'a/b' is not a valid user name"),
        ({"name": "vw\nroot"}, "vsftpd_virtual_users[0].name: holds the control character U+000A"),
        ({"name": "../../etc"}, "is not a valid user name"),
        ({"name": "Upper"}, "is not a valid user name"),
        ({"name": "root"}, "root may never log in"),
        ({"name": "anonymous"}, "anonymous is reserved (an anonymous login)"),
        ({"name": "ftp"}, "ftp is reserved"),
        ({"name": vu.OWNER}, f"{vu.OWNER} is reserved (an account the role creates)"),
        ({"name": "alice"}, "alice is also in the allowed local users"),
        ({"home": "/etc/vw"}, "vsftpd_virtual_users[0].home: /etc/vw is inside /etc"),
        ({"home": "/srv/other/vw"}, "/srv/other/vw is not inside /srv/ftp-virtual"),
        ({"home": ROOT}, "/srv/ftp-virtual is not inside /srv/ftp-virtual"),
        ({"home": f"{ROOT}/../etc"}, "is not in normal form"),
        ({"home": f"{ROOT}/a b"}, "holds ' '"),
        ({"home": "/srv/ftp/pub/vw"}, "is inside the anonymous area /srv/ftp"),
        ({"write": "maybe"}, "vsftpd_virtual_users[0].write: 'maybe' is not true or false"),
        ({"max_rate": -1}, "vsftpd_virtual_users[0].max_rate: -1 is out of range"),
        ({"quota_mb": 0}, "vsftpd_virtual_users[0].quota_mb: 0 is out of range"),
        ({"shell": "/bin/sh"}, "has keys the role does not know: 'shell'"),
        ({"password_hash": "hunter2"}, "password_hash: is not a crypt(3) hash"),
    ],
)
def test_each_bad_entry_is_named(entry: dict[str, t.Any], wanted: str) -> None:
    _checked, errors = users(
        {"name": "vw", "password_hash": YESCRYPT, **entry}, local_users=["alice"], anon_root="/srv/ftp"
    )
    assert wanted in text(errors)


def test_duplicates_and_shared_homes_are_refused() -> None:
    _checked, errors = users(
        {"name": "vw", "password_hash": YESCRYPT},
        {"name": "vw", "password_hash": SHA512},
        {"name": "vx", "password_hash": SHA512, "home": f"{ROOT}/vw/inner"},
    )
    assert "vsftpd_virtual_users[1].name: vw is already the name of vsftpd_virtual_users[0]" in text(errors)
    assert "vsftpd_virtual_users[2].home: /srv/ftp-virtual/vw/inner is, holds or is inside vw's home" in text(errors)


def test_quota_is_refused_where_the_daemon_has_none() -> None:
    _checked, errors = users({"name": "vw", "password_hash": YESCRYPT, "quota_mb": 5}, quota=False, quota_fix="fix")
    assert text(errors) == "vsftpd_virtual_users[0].quota_mb: is set, but this daemon cannot enforce a quota; fix"


@pytest.mark.parametrize("value", ["alice", {"name": "vw"}, 3])
def test_the_list_itself_must_be_a_list_of_mappings(value: t.Any) -> None:
    errors = Errors()
    vu.check_users(value if not isinstance(value, dict) else [value, "x"], "v", ROOT, errors)
    assert errors


@pytest.mark.parametrize(
    ("root", "wanted"),
    [
        ("/srv/ftp/virtual", "hold one another"),
        ("/srv", "hold one another"),
        ("/var/lib/ftp", "inside /var/lib"),
        ("srv/ftp-virtual", "is not an absolute path"),
        ("/srv/ftp-virtual\n", "control character"),
    ],
)
def test_the_root_is_apart_from_the_anonymous_area(root: str, wanted: str) -> None:
    with pytest.raises(InputError, match=wanted):
        vu.root_directory(root, "vsftpd_virtual_users_root", "/srv/ftp")


def test_host_problems() -> None:
    checked, _errors = users({"name": "vw", "password_hash": YESCRYPT}, {"name": "daemon", "password_hash": SHA512})
    problems = vu.host_problems(
        checked.users,
        "pureftpd_virtual_users",
        {"daemon": {"exists": True, "uid": 1}, vu.OWNER: {"exists": True, "uid": 998}},
        {f"{ROOT}/vw": {"exists": True, "isdir": False, "islnk": True}},
        min_uid=1000,
        min_uid_variable="pureftpd_min_uid",
    )
    found = "\n".join(str(item) for item in problems)
    assert "pureftpd_virtual_users[1].name: daemon is an account of the host (getent passwd daemon)" in found
    assert "pureftpd_virtual_users[0].home: /srv/ftp-virtual/vw exists on the host and is not a directory" in found
    assert f"pureftpd_min_uid: the account {vu.OWNER} that virtual users' sessions run as has uid 998" in found


def test_a_min_uid_above_useradds_first_uid_needs_the_accounts_first() -> None:
    checked, _errors = users({"name": "vw", "password_hash": YESCRYPT})
    found = "\n".join(str(item) for item in vu.host_problems(checked.users, "v", {}, {}, 10000, "pureftpd_min_uid"))
    assert f"pureftpd_min_uid: is 10000, and the account {vu.OWNER} the role would create" in found
    assert f"create {vu.READER} first with a uid of at least 10000" in found
    assert vu.host_problems(checked.users, "v", {}, {}, 1000, "pureftpd_min_uid") == []
    assert vu.host_problems([], "v", {}, {}, 10000, "pureftpd_min_uid") == []


def test_homes_are_the_owners_never_roots() -> None:
    checked, _errors = users(
        {"name": "vw", "password_hash": YESCRYPT, "write": True}, {"name": "vr", "password_hash": SHA512}
    )
    found = vu.directories(ROOT, checked.users)
    assert found[0] == {"path": ROOT, "owner": "root", "group": "root", "mode": "0711"}
    assert found[1:] == [
        {"path": f"{ROOT}/vw", "owner": vu.OWNER, "group": vu.GROUP, "mode": "0700"},
        {"path": f"{ROOT}/vr", "owner": vu.OWNER, "group": vu.GROUP, "mode": "0750"},
    ]
    assert [account["system"] for account in vu.accounts(ROOT)] == [False, False]


def test_password_file_lines_round_trip() -> None:
    assert vu.pwdfile_line("vw", YESCRYPT) == f"vw:{YESCRYPT}"
    assert vu.parse_pwdfile(f"# comment\nvw:{YESCRYPT}\n\n") == {"vw": YESCRYPT}
    line = vu.puredb_line("vw", SHA512, 1002, 996, f"{ROOT}/vw", max_rate=2048, quota_mb=2)
    assert line == f"vw:{SHA512}:1002:996::{ROOT}/vw/./:2048:2048:::::2097152:::::"
    assert len(line.split(":")) == 18
    assert vu.parse_puredb(line) == {
        "vw": {"hash": SHA512, "uid": "1002", "gid": "996", "home": f"{ROOT}/vw", "chrooted": True}
    }
    assert vu.parse_puredb(f"vx:{SHA512}:1:1::/home/vx::::::::::::")["vx"]["chrooted"] is False
    for bad in ("a:b", "a\nb"):
        with pytest.raises(ValueError):
            vu.pwdfile_line("vw", bad)


def test_planners_keep_hashes_out_of_the_plan() -> None:
    entries = [{"name": "vw", "password_hash": YESCRYPT, "write": True}, {"name": "vr", "password_hash": SHA512}]
    for role in ("vsftpd", "pureftpd"):
        made = planner(
            role,
            host(users={"alice": alice()}),
            local_enable=True,
            local_users_allowed=["alice"],
            virtual_users=entries,
        )
        assert not made.errors, messages(made)
        plan = made.plan()
        assert YESCRYPT not in str(plan) and SHA512 not in str(plan)
        assert plan["virtual_users"]["variable"] == f"{role}_virtual_users"
        assert [user["name"] for user in plan["virtual_users"]["users"]] == ["vw", "vr"]
        assert {user["name"] for user in plan["users"]} >= {vu.OWNER, vu.READER}
        assert f"{ROOT}/vw" in [item["path"] for item in plan["directories"]]
        # Virtual users add no port: the fact the firewall reads is the same as without them.
        without = planner(role, host(users={"alice": alice()}), local_enable=True, local_users_allowed=["alice"])
        assert plan["fact"] == without.plan()["fact"]


def test_virtual_users_alone_are_someone_to_log_in() -> None:
    entries = [{"name": "vw", "password_hash": YESCRYPT}]
    for role in ("vsftpd", "pureftpd"):
        assert "nobody could log in" in messages(planner(role, host(), anonymous_enable=False))
        made = planner(role, host(), anonymous_enable=False, virtual_users=entries)
        assert not made.errors, messages(made)
