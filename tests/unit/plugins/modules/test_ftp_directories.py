# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.ftp_directories: every directory in one call, owner, group and mode kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.modules import ftp_directories as fd

ME, MY_GROUP = os.getuid(), os.getgid()


def item(path: Path, mode: str = "0755") -> dict[str, object]:
    return {"path": str(path), "owner": ME, "group": MY_GROUP, "mode": mode}


def test_creates_with_parents_and_mode_then_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "srv" / "ftp" / "incoming"
    changed, diff = fd.ensure(item(target, "1730"), check_mode=False)
    assert changed and diff["before"] == "absent\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o1730 and target.parent.is_dir()
    assert fd.ensure(item(target, "1730"), check_mode=False) == (False, {})


def test_fixes_the_mode_of_an_existing_directory_without_touching_its_content(tmp_path: Path) -> None:
    target = tmp_path / "area"
    target.mkdir()
    target.chmod(0o777)
    (target / "kept.txt").write_text("x")
    changed, diff = fd.ensure(item(target, "0755"), check_mode=False)
    assert changed and "mode=0755" in diff["after"]
    assert (target / "kept.txt").read_text() == "x" and stat.S_IMODE(target.stat().st_mode) == 0o755


def test_check_mode_reports_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert fd.ensure(item(target), check_mode=True)[0]
    assert not target.exists()
    # An owner the real run creates first is a change in check mode, not an error.
    changed, _diff = fd.ensure({**item(target), "owner": "no-such-user-hardened-ftp"}, check_mode=True)
    assert changed


@pytest.mark.parametrize("kind", ["file", "link"])
def test_refuses_what_is_not_a_directory(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("not a directory")
    else:
        target.symlink_to(tmp_path)
    with pytest.raises(fd.LayoutError, match="exists and is"):
        fd.ensure(item(target), check_mode=False)


def test_refuses_unknown_owners_and_bad_modes(tmp_path: Path) -> None:
    with pytest.raises(fd.LayoutError, match="is not a user or group on the host"):
        fd.ensure({**item(tmp_path / "a"), "owner": "no-such-user-hardened-ftp"}, check_mode=False)
    with pytest.raises(fd.LayoutError, match="is not an octal number"):
        fd.ensure(item(tmp_path / "b", "rwx"), check_mode=False)
    with pytest.raises(fd.LayoutError, match="must be absolute"):
        fd.ensure(item(Path("relative")), check_mode=False)
