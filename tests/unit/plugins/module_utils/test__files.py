# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._files import replace_atomically


def write(text: str):  # type: ignore[no-untyped-def]
    def fill(tmp: str) -> None:
        Path(tmp).write_text(text)

    return fill


def test_the_new_content_replaces_the_old_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    dest = tmp_path / "conf"
    dest.write_text("old\n")
    replace_atomically(str(dest), write("new\n"))
    assert dest.read_text() == "new\n"
    assert sorted(os.listdir(tmp_path)) == ["conf"]


def test_the_temporary_file_is_private_until_fill_sets_a_mode(tmp_path: Path) -> None:
    dest = tmp_path / "record.json"
    replace_atomically(str(dest), write("{}"))
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_a_failing_fill_keeps_the_old_file_and_removes_the_temporary_one(tmp_path: Path) -> None:
    dest = tmp_path / "conf"
    dest.write_text("old\n")

    def fill(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(str(dest), fill)
    assert dest.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["conf"]


def test_the_temporary_file_is_made_in_the_directory_given(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    seen = []

    def fill(tmp: str) -> None:
        seen.append(os.path.dirname(tmp))
        Path(tmp).write_text("yes\n")

    replace_atomically(str(conf / "Setting"), fill, directory=str(tmp_path), prefix=".x-")
    assert seen == [str(tmp_path)]
    assert (conf / "Setting").read_text() == "yes\n"
    assert sorted(os.listdir(conf)) == ["Setting"]
