# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ftp_virtual_users: root's 0600 password file, written once, check mode and diff without a hash."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.modules import ftp_virtual_users

YESCRYPT = "$y$j9T$PaFhHl1n3sGMBTBeqa9Ot.$HQ9FNmSWQlQmCV1bUaSmJSOvWOT2aYH8Qi.eHGHzvC4"
SHA512 = "$6$hardenedftp$" + "a" * 86
ME = pwd.getpwuid(os.getuid())
pytestmark = pytest.mark.skipif(os.getuid() != 0, reason="the module makes files owned by root")


def run(args: dict, capsys: pytest.CaptureFixture, check: bool = False, diff: bool = False) -> dict:
    with patch_module_args({**args, "_ansible_check_mode": check, "_ansible_diff": diff}), pytest.raises(SystemExit):
        ftp_virtual_users.main()
    out = capsys.readouterr().out
    for secret in (YESCRYPT, SHA512):
        assert secret not in out
    return json.loads(out)


def pwdfile(path: Path, **hashes: str) -> dict:
    return {
        "path": str(path),
        "format": "pwdfile",
        "users": [{"name": name} for name in hashes],
        "password_hashes": hashes,
    }


def test_writes_once_then_has_nothing_to_do(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "virtual.passwd"
    first = run(pwdfile(path, vw=YESCRYPT, vr=SHA512), capsys)
    assert first["changed"] is True and first["added"] == ["vw", "vr"]
    assert path.read_text() == f"vw:{YESCRYPT}\nvr:{SHA512}\n"
    assert oct(path.stat().st_mode & 0o7777) == "0o600" and path.stat().st_uid == 0
    second = run(pwdfile(path, vw=YESCRYPT, vr=SHA512), capsys)
    assert second["changed"] is False and second["added"] == second["removed"] == second["updated"] == []


def test_check_mode_and_diff_show_no_hash(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "virtual.passwd"
    run(pwdfile(path, vw=YESCRYPT, vr=SHA512), capsys)
    result = run(pwdfile(path, vw=SHA512), capsys, check=True, diff=True)
    assert result["changed"] is True and result["removed"] == ["vr"] and result["updated"] == ["vw"]
    assert result["diff"]["before"] == "vw:(hash hidden, replaced)\nvr:(hash hidden)\n"
    assert result["diff"]["after"] == "vw:(hash hidden)\n"
    # Check mode wrote nothing.
    assert path.read_text() == f"vw:{YESCRYPT}\nvr:{SHA512}\n"


def test_a_removed_user_leaves_the_file_and_mode_drift_is_fixed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "virtual.passwd"
    run(pwdfile(path, vw=YESCRYPT), capsys)
    os.chmod(path, 0o644)
    assert run(pwdfile(path, vw=YESCRYPT), capsys)["changed"] is True
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    emptied = run(pwdfile(path), capsys)
    assert emptied["removed"] == ["vw"] and path.read_text() == ""


def test_no_users_and_no_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "virtual.passwd"
    assert run(pwdfile(path), capsys)["changed"] is False
    assert not path.exists()


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        ({"password_hashes": {"vw": "hunter2"}}, "password_hashes.vw: is not a crypt(3) hash"),
        ({"password_hashes": {}}, "password_hashes.vw: must be a crypt(3) hash"),
        ({"users": [{"name": "v/w"}], "password_hashes": {"v/w": YESCRYPT}}, "users[0].name: 'v/w' is not a valid"),
        ({"users": [{"name": "vw"}, {"name": "vw"}]}, "users[1].name: vw is listed twice"),
    ],
)
def test_bad_users_fail_naming_them(tmp_path: Path, capsys: pytest.CaptureFixture, args: dict, wanted: str) -> None:
    path = tmp_path / "virtual.passwd"
    result = run({**pwdfile(path, vw=YESCRYPT), **args}, capsys)
    assert result["failed"] is True and wanted in result["msg"]
    assert "hunter2" not in json.dumps(result)
    assert not path.exists()


def puredb(tmp_path: Path, users: list[dict], hashes: dict) -> dict:
    # A stand-in for pure-pw: "mkdb PDB -f PASSWD" copies the passwd file and counts its calls.
    tool = tmp_path / "pure-pw"
    tool.write_text('#!/bin/sh\ncp "$4" "$2" && echo x >> "$2.calls"\n')
    tool.chmod(0o755)
    return {
        "path": str(tmp_path / "pureftpd.passwd"),
        "database": str(tmp_path / "pureftpd.pdb"),
        "pure_pw": str(tool),
        "format": "puredb",
        "users": users,
        "password_hashes": hashes,
    }


def test_puredb_lines_and_database(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    user = {"name": "vw", "home": "/srv/ftp-virtual/vw", "account": ME.pw_name, "group": "root", "quota_mb": 1}
    args = puredb(tmp_path, [user], {"vw": SHA512})
    first = run(args, capsys)
    assert first["changed"] is True and first["database_built"] is True
    line = f"vw:{SHA512}:{ME.pw_uid}:0::/srv/ftp-virtual/vw/./:::::::1048576:::::\n"
    assert (tmp_path / "pureftpd.passwd").read_text() == line
    assert (tmp_path / "pureftpd.pdb").read_text() == line
    assert oct((tmp_path / "pureftpd.pdb").stat().st_mode & 0o777) == "0o600"
    second = run(args, capsys)
    assert second["changed"] is False and second["database_built"] is False
    (tmp_path / "pureftpd.pdb").unlink()
    assert run(args, capsys)["database_built"] is True
    assert (tmp_path / "pureftpd.pdb.calls").read_text().count("x") == 2


def test_puredb_needs_the_accounts_except_in_check_mode(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    user = {"name": "vw", "home": "/srv/ftp-virtual/vw", "account": "no-such-account-x", "group": "root"}
    args = puredb(tmp_path, [user], {"vw": SHA512})
    assert run(args, capsys, check=True)["changed"] is True
    failed = run(args, capsys)
    assert failed["failed"] is True and "no-such-account-x" in failed["msg"]


def test_authuserfile_lines_for_proftpd(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "hardened-ftp.passwd"
    user = {"name": "vw", "home": "/srv/ftp-virtual/vw", "account": ME.pw_name, "group": "root", "max_rate": 9}
    args = {"path": str(path), "format": "authuserfile", "users": [user], "password_hashes": {"vw": YESCRYPT}}
    first = run(args, capsys, diff=True)
    assert first["changed"] is True and first["database_built"] is False
    assert path.read_text() == f"vw:{YESCRYPT}:{ME.pw_uid}:0::/srv/ftp-virtual/vw:/usr/sbin/nologin\n"
    assert first["diff"]["after"] == f"vw:(hash hidden):{ME.pw_uid}:0::/srv/ftp-virtual/vw:/usr/sbin/nologin\n"
    assert run(args, capsys)["changed"] is False
