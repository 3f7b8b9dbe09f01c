# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error type shared by the parsers of this collection (private module)."""

from __future__ import annotations


class ParseError(ValueError):
    """Raised when a configuration or ruleset text cannot be understood.

    ``source`` names the input (``vsftpd.conf``, ``iptables-save``...), ``line`` is the
    1-based line number when one applies.
    """

    def __init__(self, message: str, source: str = "", line: int = 0) -> None:
        self.source = source
        self.line = line
        where = source
        if line:
            where = f"{source or 'input'} line {line}"
        super().__init__(f"{where}: {message}" if where else message)
