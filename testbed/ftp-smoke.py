# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo's proof, with a real FTP client: an anonymous passive download, a refused write into the
download area and, given a drop-box directory, an anonymous upload into it that cannot be fetched back.

usage: testbed/ftp-smoke.py HOST PATH [DROPBOX]
"""

from __future__ import annotations

import ftplib
import io
import sys
import time


def dropbox_upload(ftp: ftplib.FTP, dropbox: str) -> bool:
    name = f"{dropbox}/smoke-{int(time.time() * 1000)}.txt"
    try:
        reply = ftp.storbinary(f"STOR {name}", io.BytesIO(b"dropped by ftp-smoke\n"))
    except ftplib.all_errors as exc:
        print(
            f"[ftp] FAIL: anonymous upload into the drop-box {dropbox}/ failed: {type(exc).__name__}: {exc!r}",
            file=sys.stderr,
        )
        return False
    print(f"[ftp] uploaded {name} into the drop-box: {reply}")
    try:
        ftp.retrbinary(f"RETR {name}", io.BytesIO().write)
    except ftplib.error_perm as exc:
        print(f"[ftp] fetching it back refused, as it should be: {exc}")
        return True
    print(f"[ftp] FAIL: the upload {name} could be downloaded again (the drop-box must be write-only)", file=sys.stderr)
    return False


def main(host: str, path: str, dropbox: str = "") -> int:
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
        if dropbox and not dropbox_upload(ftp, dropbox):
            return 1
    return 0 if text else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
