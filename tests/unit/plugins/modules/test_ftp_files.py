# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.ftp_files: directories, files, removals and pruning in one call."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_layout import LayoutError
from ansible_collections.hardened.ftp.plugins.modules import ftp_files as ff

ME, MY_GROUP = os.getuid(), os.getgid()


def params(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"directories": [], "files": [], "links": [], "absent": [], "prune": []}
    base.update(kw)
    return base


def file(path: Path, content: str, mode: str = "0600") -> dict[str, object]:
    return {"path": str(path), "content": content, "owner": ME, "group": MY_GROUP, "mode": mode}


def test_writes_files_in_new_directories_then_changes_nothing(tmp_path: Path) -> None:
    conf = tmp_path / "etc" / "user_conf"
    wanted = params(
        directories=[{"path": str(conf), "owner": ME, "group": MY_GROUP, "mode": "0700"}],
        files=[file(tmp_path / "etc" / "user_list", "anonymous\nftp\n"), file(conf / "alice", "write_enable=YES\n")],
    )
    done = ff.apply(wanted, check_mode=False)
    assert done["changed_paths"] == [str(conf), str(tmp_path / "etc" / "user_list"), str(conf / "alice")]
    assert (conf / "alice").read_text() == "write_enable=YES\n"
    assert stat.S_IMODE((conf / "alice").stat().st_mode) == 0o600 and stat.S_IMODE(conf.stat().st_mode) == 0o700
    again = ff.apply(wanted, check_mode=False)
    assert again["changed_paths"] == [] and again["removed"] == []


def test_a_changed_content_or_mode_is_written_and_the_diff_shows_both(tmp_path: Path) -> None:
    target = tmp_path / "banner"
    target.write_text("old\n")
    target.chmod(0o644)
    done = ff.apply(params(files=[file(target, "new\n", "0600")]), check_mode=False)
    assert done["changed_paths"] == [str(target)] and target.read_text() == "new\n"
    assert "old" in done["diff"][0]["before"] and "new" in done["diff"][0]["after"]
    assert "mode=0644" in done["diff"][0]["before"] and "mode=0600" in done["diff"][0]["after"]
    target.chmod(0o666)
    only_mode = ff.apply(params(files=[file(target, "new\n", "0600")]), check_mode=False)
    assert only_mode["changed_paths"] == [str(target)] and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["banner"], "no temporary file is left behind"


def test_prune_removes_what_is_not_kept_and_keeps_subdirectories(tmp_path: Path) -> None:
    conf = tmp_path / "user_conf"
    conf.mkdir()
    for name in ("alice", "bob", ".hidden"):
        (conf / name).write_text("x")
    (conf / "sub").mkdir()
    os.symlink("/etc/passwd", conf / "link")
    done = ff.apply(params(prune=[{"path": str(conf), "keep": ["alice"]}]), check_mode=False)
    assert sorted(os.path.basename(p) for p in done["removed"]) == [".hidden", "bob", "link"]
    assert sorted(p.name for p in conf.iterdir()) == ["alice", "sub"]
    assert Path("/etc/passwd").exists()
    assert ff.apply(params(prune=[{"path": str(tmp_path / "none"), "keep": []}]), check_mode=False)["removed"] == []


def test_absent_removes_files_and_refuses_a_directory(tmp_path: Path) -> None:
    gone, kept = tmp_path / "pam", tmp_path / "dir"
    gone.write_text("x")
    kept.mkdir()
    done = ff.apply(params(absent=[str(gone), str(tmp_path / "never")]), check_mode=False)
    assert done["removed"] == [str(gone)] and not gone.exists()
    with pytest.raises(LayoutError, match="is a directory"):
        ff.apply(params(absent=[str(kept)]), check_mode=False)
    assert kept.is_dir()


def test_check_mode_reports_everything_and_changes_nothing(tmp_path: Path) -> None:
    conf = tmp_path / "user_conf"
    conf.mkdir()
    (conf / "bob").write_text("x")
    (tmp_path / "list").write_text("old\n")
    done = ff.apply(
        params(
            directories=[{"path": str(tmp_path / "new"), "owner": ME, "group": MY_GROUP, "mode": "0700"}],
            files=[file(tmp_path / "list", "new\n"), file(tmp_path / "new" / "f", "x")],
            prune=[{"path": str(conf), "keep": []}],
        ),
        check_mode=True,
    )
    assert len(done["changed_paths"]) == 4 and done["removed"] == [str(conf / "bob")]
    assert (tmp_path / "list").read_text() == "old\n" and (conf / "bob").exists() and not (tmp_path / "new").exists()


def test_a_symbolic_link_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    link = tmp_path / "user_list"
    os.symlink(victim, link)
    ff.apply(params(files=[file(link, "ftp\n")]), check_mode=False)
    assert not link.is_symlink() and link.read_text() == "ftp\n" and victim.read_text() == "keep me\n"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"path": "relative/file", "content": "", "owner": ME, "group": MY_GROUP, "mode": "0600"}, "absolute"),
        ({"path": "/tmp/x", "content": "", "owner": ME, "group": MY_GROUP, "mode": "rw"}, "octal"),
        ({"path": "/tmp/x", "content": "", "owner": "no-such-user-hf", "group": MY_GROUP, "mode": "0600"}, "create"),
    ],
)
def test_bad_items_fail_with_the_path_and_the_fix(item: dict[str, object], message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        ff.apply(params(files=[item]), check_mode=False)


def test_a_directory_where_a_file_belongs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    with pytest.raises(LayoutError, match="is a directory"):
        ff.apply(params(files=[file(tmp_path / "f", "x")]), check_mode=False)


def test_links_are_made_replaced_and_then_left_alone(tmp_path: Path) -> None:
    auth = tmp_path / "auth"
    auth.mkdir()
    os.symlink("../conf/Other", auth / "50pure")
    (auth / "65unix").write_text("x")
    wanted = params(
        links=[
            {"path": str(auth / "40puredb"), "target": "../conf/PureDB"},
            {"path": str(auth / "50pure"), "target": "../conf/PAMAuthentication"},
        ],
        prune=[{"path": str(auth), "keep": ["40puredb", "50pure"]}],
    )
    done = ff.apply(wanted, check_mode=False)
    assert done["removed"] == [str(auth / "65unix")]
    assert (
        os.readlink(auth / "40puredb") == "../conf/PureDB"
        and os.readlink(auth / "50pure") == "../conf/PAMAuthentication"
    )
    assert sorted(p.name for p in auth.iterdir()) == ["40puredb", "50pure"]
    assert ff.apply(wanted, check_mode=False)["changed_paths"] == []
    (auth / "dir").mkdir()
    with pytest.raises(LayoutError, match="is a directory"):
        ff.apply(params(links=[{"path": str(auth / "dir"), "target": "x"}]), check_mode=False)
