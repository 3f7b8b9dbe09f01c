# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The last configuration a daemon ran with: kept in a store, put back when a new one fails (private module).

Used by ``hardened.ftp.config_snapshot`` and ``hardened.ftp.ftp_service``.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._files import replace_atomically


def _delete(path: str) -> None:
    """Remove a file, a link or a whole directory."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


class Sync:
    """Make destination trees equal to source trees, recording (and in check mode only recording) changes."""

    def __init__(self, check_mode: bool) -> None:
        self.check_mode = check_mode
        self.copied: list[str] = []
        self.removed: list[str] = []

    def _same_file(self, src: str, dest: str) -> bool:
        if os.path.islink(src) or os.path.islink(dest):
            return os.path.islink(src) and os.path.islink(dest) and os.readlink(src) == os.readlink(dest)
        if not os.path.isfile(dest):
            return False
        src_st, dest_st = os.stat(src), os.stat(dest)
        same_meta = (src_st.st_mode, src_st.st_uid, src_st.st_gid) == (dest_st.st_mode, dest_st.st_uid, dest_st.st_gid)
        return same_meta and filecmp.cmp(src, dest, shallow=False)

    def remove(self, path: str) -> None:
        if not os.path.lexists(path):
            return
        self.removed.append(path)
        if not self.check_mode:
            _delete(path)

    def copy_file(self, src: str, dest: str) -> None:
        if self._same_file(src, dest):
            return
        self.copied.append(dest)
        if self.check_mode:
            return
        if os.path.isdir(dest) and not os.path.islink(dest):
            _delete(dest)

        def fill(tmp: str) -> None:
            if os.path.islink(src):
                os.unlink(tmp)
                os.symlink(os.readlink(src), tmp)
            else:
                shutil.copy2(src, tmp)
                st = os.stat(src)
                os.chown(tmp, st.st_uid, st.st_gid)

        replace_atomically(dest, fill)

    def make_dir(self, src: str, dest: str) -> None:
        if os.path.lexists(dest) and not (os.path.isdir(dest) and not os.path.islink(dest)):
            self.remove(dest)
        if not os.path.isdir(dest):
            self.copied.append(dest)
            if self.check_mode:
                return
            os.makedirs(dest)
        st = os.stat(src)
        if not self.check_mode:
            os.chmod(dest, st.st_mode & 0o7777)
            os.chown(dest, st.st_uid, st.st_gid)

    def tree(self, src: str, dest: str) -> None:
        if os.path.isdir(src) and not os.path.islink(src):
            self.make_dir(src, dest)
            names = set(os.listdir(src))
            if os.path.isdir(dest):
                for name in sorted(set(os.listdir(dest)) - names):
                    self.remove(os.path.join(dest, name))
            for name in sorted(names):
                self.tree(os.path.join(src, name), os.path.join(dest, name))
        else:
            self.copy_file(src, dest)


def snapshot(paths: t.Sequence[str], store: str, state: str, check_mode: bool) -> dict[str, t.Any]:
    """Save ``paths`` into ``store`` or restore them from it; return found/copied/removed."""
    sync = Sync(check_mode)
    found = False
    if state == "saved":
        if not os.path.isdir(store):
            sync.copied.append(store)
            if not check_mode:
                make_private_dirs(store)
        for path in paths:
            kept = os.path.join(store, os.path.basename(path))
            if os.path.lexists(path):
                found = True
                sync.tree(path, kept)
            elif os.path.isdir(store):
                sync.remove(kept)
    else:
        for path in paths:
            kept = os.path.join(store, os.path.basename(path))
            if os.path.lexists(kept):
                found = True
                sync.tree(kept, path)
    return {
        "changed": bool(sync.copied or sync.removed),
        "found": found,
        "copied": sync.copied,
        "removed": sync.removed,
    }


def make_private_dirs(path: str) -> None:
    """Create ``path`` and any missing parent with mode 0700 (the umask cannot widen them)."""
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        make_private_dirs(parent)
    if not os.path.isdir(path):
        os.mkdir(path)
        os.chmod(path, 0o700)
