# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The server's directories and small files on the host: made, kept and removed in one module call.

hardened.ftp.ftp_directories and hardened.ftp.ftp_files use these; each function takes one item of
their options, works in check mode, and returns (changed, diff) with a diff Ansible can show.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tempfile
import typing as t

# A file's content is shown in the diff up to this size; larger ones are described by size only.
DIFF_MAX = 64 * 1024


class LayoutError(Exception):
    """A directory or file that cannot be made as asked."""


def owner_id(value: t.Any, lookup: t.Callable[[str], t.Any]) -> int | None:
    """A uid or gid from a name or a number; None when the name does not exist (yet)."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdecimal()):
        return int(value)
    try:
        return int(lookup(str(value))[2])
    except KeyError:
        return None


def parse_mode(text: str, path: str) -> int:
    try:
        mode = int(str(text), 8)
    except ValueError:
        raise LayoutError(f"{path}: mode {text!r} is not an octal number such as '0755'") from None
    if not 0 <= mode <= 0o7777:
        raise LayoutError(f"{path}: mode {text!r} is out of range")
    return mode


def absolute(path: str) -> str:
    normal = os.path.normpath(path)
    if not os.path.isabs(normal):
        raise LayoutError(f"{path}: the path must be absolute")
    return normal


def lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def ids(item: t.Mapping[str, t.Any], path: str, check_mode: bool) -> tuple[int | None, int | None]:
    uid = owner_id(item["owner"], pwd.getpwnam)
    gid = owner_id(item["group"], grp.getgrnam)
    if (uid is None or gid is None) and not check_mode:
        missing = item["owner"] if uid is None else item["group"]
        raise LayoutError(f"{path}: {missing} is not a user or group on the host; create it first")
    return uid, gid


def describe(st: os.stat_result | None) -> str:
    if st is None:
        return "absent\n"
    return f"directory uid={st.st_uid} gid={st.st_gid} mode={stat.S_IMODE(st.st_mode):04o}\n"


def ensure_directory(item: t.Mapping[str, t.Any], check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Make one directory as ``item`` says (path, owner, group, mode); its content is never touched."""
    path = absolute(item["path"])
    mode = parse_mode(item["mode"], path)
    uid, gid = ids(item, path, check_mode)
    st = lstat(path)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
        raise LayoutError(f"{path} exists and is {kind}; move it away, the role will not replace it")
    before = describe(st)
    wanted = (uid, gid, mode)
    if st is not None and (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == wanted:
        return False, {}
    after = f"directory uid={uid} gid={gid} mode={mode:04o}\n"
    if not check_mode:
        if st is None:
            parent = os.path.dirname(path)
            if not os.path.isdir(parent):
                os.makedirs(parent, mode=0o755)
            os.mkdir(path, 0o700)
        # Owner first, then mode: chown clears set-id bits on some systems.
        os.chown(path, t.cast(int, uid), t.cast(int, gid), follow_symlinks=False)
        os.chmod(path, mode)
    return True, {"before_header": path, "after_header": path, "before": before, "after": after}


def _shown(data: bytes | None, meta: str) -> str:
    if data is None:
        return "absent\n"
    if len(data) > DIFF_MAX or b"\0" in data:
        return f"({len(data)} bytes) {meta}\n"
    text = data.decode("utf-8", "replace")
    return text + ("" if text.endswith("\n") or not text else "\n") + f"# {meta}\n"


def ensure_file(item: t.Mapping[str, t.Any], check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Make one regular file hold ``item``'s content with its owner, group and mode.

    The new content is written to a temporary file beside it and renamed over it, so a reader sees
    the old file or the new one, never half of one. A symbolic link at the path is replaced, not
    followed (as M(ansible.builtin.copy) does); a directory there is refused. Missing parents are
    created owned by root, mode 0755.
    """
    path = absolute(item["path"])
    mode = parse_mode(item["mode"], path)
    uid, gid = ids(item, path, check_mode)
    content = str(item["content"]).encode()
    st = lstat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise LayoutError(f"{path} is a directory; move it away, the role writes a file there")
    regular = st is not None and stat.S_ISREG(st.st_mode)
    old: bytes | None = None
    if regular:
        with open(path, "rb") as handle:
            old = handle.read()
    same_meta = regular and (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, gid, mode)
    if old == content and same_meta:
        return False, {}
    before_meta = "absent" if st is None else f"uid={st.st_uid} gid={st.st_gid} mode={stat.S_IMODE(st.st_mode):04o}"
    if st is not None and not regular:
        before_meta = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
    after_meta = f"uid={uid} gid={gid} mode={mode:04o}"
    diff = {
        "before_header": path,
        "after_header": path,
        "before": _shown(old, before_meta) if st is not None else "absent\n",
        "after": _shown(content, after_meta),
    }
    if check_mode:
        return True, diff
    if old == content and regular:
        os.chown(path, t.cast(int, uid), t.cast(int, gid), follow_symlinks=False)
        os.chmod(path, mode)
        return True, diff
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o755)
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chown(temporary, t.cast(int, uid), t.cast(int, gid))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    return True, diff


def ensure_link(item: t.Mapping[str, t.Any], check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Make ``item['path']`` a symbolic link to ``item['target']``, replacing a file or another link there."""
    path = absolute(item["path"])
    target = str(item["target"])
    st = lstat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise LayoutError(f"{path} is a directory; move it away, the role makes a symbolic link there")
    current = os.readlink(path) if st is not None and stat.S_ISLNK(st.st_mode) else None
    if current == target:
        return False, {}
    before = "absent\n" if st is None else (f"-> {current}\n" if current is not None else "a file\n")
    if not check_mode:
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, mode=0o755)
        temporary = os.path.join(parent, f".{os.path.basename(path)}.{os.getpid()}.link")
        if os.path.lexists(temporary):
            os.unlink(temporary)
        os.symlink(target, temporary)
        os.replace(temporary, path)
    return True, {"before_header": path, "after_header": path, "before": before, "after": f"-> {target}\n"}


def remove(path: str, check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Remove a file or symbolic link; a directory is refused (the role removes no directory)."""
    path = absolute(path)
    st = lstat(path)
    if st is None:
        return False, {}
    if stat.S_ISDIR(st.st_mode):
        raise LayoutError(f"{path} is a directory; the role removes files only, remove it by hand if it is stale")
    if not check_mode:
        os.unlink(path)
    return True, {"before_header": path, "after_header": path, "before": "present\n", "after": "absent\n"}


def stale(item: t.Mapping[str, t.Any]) -> list[str]:
    """The files and links directly in ``item['path']`` whose names ``item['keep']`` does not list."""
    directory = absolute(item["path"])
    keep = set(item.get("keep") or [])
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        full = os.path.join(directory, name)
        if name not in keep and (os.path.islink(full) or not os.path.isdir(full)):
            found.append(full)
    return found
