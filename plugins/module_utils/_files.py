# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Replace a file in one rename (private module)."""

from __future__ import annotations

import os
import tempfile
import typing as t


def replace_atomically(
    dest: str, fill: t.Callable[[str], None], directory: str | None = None, prefix: str = ".hardened-ftp-"
) -> None:
    """Make ``dest`` anew: ``fill(path)`` writes a temporary file, which is then renamed over ``dest``.

    The temporary file is made in ``directory`` (default: ``dest``'s own), which must be on the same
    file system, so a reader sees the old file or the new one, never part of one. It is removed when
    ``fill`` or the rename fails."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory or os.path.dirname(dest))
    os.close(fd)
    try:
        fill(tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
