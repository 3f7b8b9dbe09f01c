# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pureftpd_settings: one call writes the directory, fixes drift, removes what it owns and no longer wants.
Its bad arguments are in test_bad_input.py, with every module's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.modules import pureftpd_settings

HEADER = "#\n# Ansible managed\n#"
SETTINGS = {"Bind": ",21", "ChrootEveryone": True, "NoAnonymous": False, "MaxClientsNumber": 50}
OWNED = [*SETTINGS, "TLS", "PassivePortRange"]


def run(args: dict, capsys: pytest.CaptureFixture, check: bool = False, diff: bool = False) -> dict:
    with patch_module_args({**args, "_ansible_check_mode": check, "_ansible_diff": diff}), pytest.raises(SystemExit):
        pureftpd_settings.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    """Debian's directory with a setting of its own (kept) and one the role owns (removed)."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "PAMAuthentication").write_text("yes\n")
    (tmp_path / "conf" / "TLS").write_text("2\n")
    return tmp_path / "conf"


def test_writes_each_setting_then_has_nothing_to_do(conf: Path, capsys: pytest.CaptureFixture) -> None:
    args = {"path": str(conf), "settings": SETTINGS, "owned": OWNED, "header": HEADER}
    first = run(args, capsys)
    assert first["changed"] is True
    assert first["written"] == sorted(SETTINGS) and first["removed"] == ["TLS"]
    assert (conf / "ChrootEveryone").read_text() == (
        "#\n# Ansible managed\n#\n"
        "# ChrootEveryone: read by Debian's pure-ftpd-wrapper (first line that is not a comment).\nyes\n"
    )
    assert (conf / "NoAnonymous").read_text().endswith("\nno\n")
    assert (conf / "MaxClientsNumber").read_text().endswith("\n50\n")
    assert (conf / "PAMAuthentication").read_text() == "yes\n"
    assert sorted(os.listdir(conf)) == sorted([*SETTINGS, "PAMAuthentication"])
    assert oct((conf / "Bind").stat().st_mode & 0o777) == "0o644"
    second = run(args, capsys)
    assert second == {**second, "changed": False, "written": [], "removed": []}


def test_owner_and_mode_drift_is_fixed_without_rewriting(conf: Path, capsys: pytest.CaptureFixture) -> None:
    args = {"path": str(conf), "settings": SETTINGS, "owned": OWNED, "header": HEADER}
    run(args, capsys)
    inode = (conf / "Bind").stat().st_ino
    os.chmod(conf / "Bind", 0o666)
    os.chown(conf / "MaxClientsNumber", 65534, 65534)
    result = run(args, capsys, diff=True)
    assert result["written"] == ["Bind", "MaxClientsNumber"] and result["diff"] == []
    assert (conf / "Bind").stat().st_ino == inode
    assert oct((conf / "Bind").stat().st_mode & 0o777) == "0o644"
    assert (conf / "MaxClientsNumber").stat().st_uid == 0


def test_check_mode_and_diff(conf: Path, capsys: pytest.CaptureFixture) -> None:
    args = {"path": str(conf), "settings": {"Bind": ",2121"}, "owned": ["Bind", "TLS"], "header": HEADER}
    result = run(args, capsys, check=True, diff=True)
    assert result["changed"] is True and result["written"] == ["Bind"] and result["removed"] == ["TLS"]
    assert sorted(os.listdir(conf)) == ["PAMAuthentication", "TLS"]
    assert [d["before_header"] for d in result["diff"]] == [str(conf / "Bind"), str(conf / "TLS")]
    assert result["diff"][0]["after"].endswith("\n,2121\n") and result["diff"][1]["before"] == "2\n"


def test_a_value_change_rewrites_one_file(conf: Path, capsys: pytest.CaptureFixture) -> None:
    args = {"path": str(conf), "settings": SETTINGS, "owned": OWNED}
    run(args, capsys)
    changed = run({**args, "settings": {**SETTINGS, "MaxClientsNumber": 20}}, capsys)
    assert changed["written"] == ["MaxClientsNumber"] and changed["removed"] == []
    assert (conf / "MaxClientsNumber").read_text().endswith("\n20\n")
    assert not [name for name in os.listdir(conf) if name.startswith(".")]
