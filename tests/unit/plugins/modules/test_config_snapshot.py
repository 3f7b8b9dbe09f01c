# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""config_snapshot: save, restore, check mode. Its bad arguments are in test_bad_input.py, with every module's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.modules import config_snapshot


def run(args: dict, capsys: pytest.CaptureFixture) -> dict:
    with patch_module_args(args), pytest.raises(SystemExit):
        config_snapshot.main()
    return json.loads(capsys.readouterr().out)


def tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): (path.read_text() if path.is_file() else "<dir>")
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture
def conf(tmp_path: Path) -> dict[str, Path]:
    """A Pure-FTPd-like directory of setting files and a vsftpd-like single file."""
    etc = tmp_path / "etc"
    (etc / "conf").mkdir(parents=True)
    for name, value in {"Bind": "21\n", "TLS": "2\n", "MaxClientsNumber": "50\n"}.items():
        (etc / "conf" / name).write_text(value)
    (etc / "vsftpd.conf").write_text("listen=YES\n")
    os.chmod(etc / "vsftpd.conf", 0o600)
    return {"dir": etc / "conf", "file": etc / "vsftpd.conf", "store": tmp_path / "var" / "good"}


def test_save_copies_then_reports_nothing_to_do(conf: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    args = {"paths": [str(conf["dir"]), str(conf["file"])], "store": str(conf["store"])}
    first = run(args, capsys)
    assert first["changed"] is True and first["found"] is True
    assert tree(conf["store"]) == {
        "conf": "<dir>",
        "conf/Bind": "21\n",
        "conf/MaxClientsNumber": "50\n",
        "conf/TLS": "2\n",
        "vsftpd.conf": "listen=YES\n",
    }
    assert oct(conf["store"].stat().st_mode & 0o777) == "0o700"
    assert oct((conf["store"] / "vsftpd.conf").stat().st_mode & 0o777) == "0o600"
    second = run(args, capsys)
    assert second["changed"] is False and second["copied"] == [] and second["removed"] == []


def test_save_follows_changes_and_dropped_files(conf: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    args = {"paths": [str(conf["dir"])], "store": str(conf["store"])}
    run(args, capsys)
    (conf["dir"] / "TLS").unlink()
    (conf["dir"] / "Bind").write_text("2121\n")
    result = run(args, capsys)
    assert result["changed"] is True
    assert result["copied"] == [str(conf["store"] / "conf" / "Bind")]
    assert result["removed"] == [str(conf["store"] / "conf" / "TLS")]
    assert tree(conf["store"]) == {"conf": "<dir>", "conf/Bind": "2121\n", "conf/MaxClientsNumber": "50\n"}


def test_restore_puts_back_the_saved_configuration(conf: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    args = {"paths": [str(conf["dir"]), str(conf["file"])], "store": str(conf["store"])}
    run(args, capsys)
    before = tree(conf["dir"].parent)
    # A bad change: a new setting file, a changed one, a removed one, a rewritten file.
    (conf["dir"] / "Bind").write_text("99999\n")
    (conf["dir"] / "NoSuchOption").write_text("yes\n")
    (conf["dir"] / "TLS").unlink()
    conf["file"].write_text("listen=NO\n")
    result = run({**args, "state": "restored"}, capsys)
    assert result["changed"] is True and result["found"] is True
    assert result["removed"] == [str(conf["dir"] / "NoSuchOption")]
    assert tree(conf["dir"].parent) == before
    assert oct(conf["file"].stat().st_mode & 0o777) == "0o600"
    assert run({**args, "state": "restored"}, capsys)["changed"] is False


def test_restore_without_a_copy_changes_nothing(conf: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    before = tree(conf["dir"].parent)
    result = run({"paths": [str(conf["dir"])], "store": str(conf["store"]), "state": "restored"}, capsys)
    assert result == {**result, "changed": False, "found": False, "copied": [], "removed": []}
    assert tree(conf["dir"].parent) == before


def test_check_mode_reports_and_changes_nothing(conf: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    args = {"paths": [str(conf["dir"]), str(conf["file"])], "store": str(conf["store"])}
    result = run({**args, "_ansible_check_mode": True}, capsys)
    assert result["changed"] is True
    assert str(conf["store"] / "vsftpd.conf") in result["copied"]
    assert not conf["store"].exists()
    run(args, capsys)
    conf["file"].write_text("listen=NO\n")
    result = run({**args, "state": "restored", "_ansible_check_mode": True}, capsys)
    assert result["changed"] is True and result["copied"] == [str(conf["file"])]
    assert conf["file"].read_text() == "listen=NO\n"


def test_a_file_gone_from_the_configuration_is_not_brought_back(
    conf: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    args = {"paths": [str(conf["dir"]), str(conf["file"])], "store": str(conf["store"])}
    run(args, capsys)
    conf["file"].unlink()
    result = run(args, capsys)
    assert result["removed"] == [str(conf["store"] / "vsftpd.conf")]
    conf["file"].write_text("listen=NO\n")
    restored = run({**args, "state": "restored"}, capsys)
    assert conf["file"].read_text() == "listen=NO\n" and restored["changed"] is False
