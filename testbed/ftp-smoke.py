# SPDX-License-Identifier: GPL-3.0-or-later
"""Download a file anonymously in passive mode and check a write is refused: the demo's proof."""

from __future__ import annotations

import ftplib
import io
import sys


def main(host: str, path: str) -> int:
    with ftplib.FTP(host, timeout=15) as ftp:
        print(f"[ftp] {ftp.getwelcome()}")
        ftp.login()
        buf = io.BytesIO()
        ftp.retrbinary(f"RETR {path}", buf.write)
        text = buf.getvalue().decode(errors="replace").strip()
        print(f"[ftp] downloaded {path} ({len(buf.getvalue())} bytes): {text}")
        try:
            ftp.storbinary("STOR not-allowed.txt", io.BytesIO(b"x"))
        except ftplib.error_perm as exc:
            print(f"[ftp] upload into the download area refused, as it should be: {exc}")
        else:
            print("[ftp] FAIL: an anonymous upload into the download area was accepted", file=sys.stderr)
            return 1
    return 0 if text else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
