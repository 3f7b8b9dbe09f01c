# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted FTP/FTPS client for the molecule tests.

Reads one JSON session description on stdin, runs it with Python's ftplib and prints one JSON
result on stdout. It runs wherever the test needs a client: on the controller, or inside a client
container (``podman exec -i client python3 - < ftpclient.py`` with the JSON as argument), so one
set of tests drives every daemon and every firewall.

Session: {"host", "port", "tls", "user", "password", "passive", "timeout", "steps": [...]}
Steps:   {"op": "retr"|"stor"|"nlst"|"list"|"dele"|"rename"|"mkd"|"cwd"|"pwd"|"raw"|"port_to"|"size", ...}
Result:  {"connect": {...}, "login": {...}, "tls_version": ..., "steps": [{"ok", "reply", ...}]}
"""

from __future__ import annotations

import ftplib
import io
import json
import socket
import ssl
import sys
import warnings
from typing import Any

# The tests offer TLS 1.0/1.1 on purpose, to see the server refuse them.
warnings.filterwarnings("ignore", category=DeprecationWarning)


class RecordingMixin:
    """Remembers the data ports the server offered (PASV/EPSV)."""

    data_ports: list[int]

    def makepasv(self):  # type: ignore[no-untyped-def]
        host, port = super().makepasv()  # type: ignore[misc]
        self.data_ports.append(port)
        return host, port


class FTP(RecordingMixin, ftplib.FTP):
    pass


class FTPS(RecordingMixin, ftplib.FTP_TLS):
    pass


def _reply(exc: BaseException) -> str:
    return str(exc).strip()


def run_step(ftp: ftplib.FTP, step: dict[str, Any]) -> dict[str, Any]:
    op = step["op"]
    ports_before = len(ftp.data_ports)  # type: ignore[attr-defined]
    out: dict[str, Any] = {"op": op, "ok": False}
    try:
        if op == "retr":
            buf = io.BytesIO()
            out["reply"] = ftp.retrbinary(f"RETR {step['path']}", buf.write)
            out["data"] = buf.getvalue().decode("utf-8", "replace")
        elif op == "stor":
            # "size": that many bytes, for uploads too large to pass as JSON text (quotas).
            data = b"x" * int(step["size"]) if "size" in step else step.get("data", "").encode()
            out["reply"] = ftp.storbinary(f"STOR {step['path']}", io.BytesIO(data))
        elif op == "nlst":
            out["names"] = ftp.nlst(*([step["path"]] if step.get("path") else []))
            out["reply"] = ftp.lastresp
        elif op == "list":
            lines: list[str] = []
            out["reply"] = ftp.retrlines("LIST " + step.get("path", ""), lines.append)
            out["lines"] = lines
        elif op == "dele":
            out["reply"] = ftp.delete(step["path"])
        elif op == "rename":
            out["reply"] = ftp.rename(step["from"], step["to"])
        elif op == "mkd":
            out["reply"] = ftp.mkd(step["path"])
        elif op == "cwd":
            out["reply"] = ftp.cwd(step["path"])
        elif op == "pwd":
            out["path"] = ftp.pwd()
            out["reply"] = ftp.lastresp
        elif op == "size":
            out["size"] = ftp.size(step["path"])
            out["reply"] = ftp.lastresp
        elif op == "raw":
            out["reply"] = ftp.sendcmd(step["cmd"])
        elif op == "port_to":
            # Ask the server to open an active-mode data connection to another address (FTP
            # bounce). Only the PORT command is sent, never a transfer, so even a server that
            # wrongly accepts it connects nowhere.
            octets = step["address"].split(".")
            port = int(step.get("port", 10000))
            out["reply"] = ftp.sendcmd(f"PORT {','.join(octets)},{port // 256},{port % 256}")
        else:
            raise ValueError(f"unknown op {op!r}")
        out["ok"] = True
    except ftplib.all_errors as exc:
        out["reply"] = _reply(exc)
        # ftplib leaves a half-read reply after some errors; keep the session usable.
        if isinstance(exc, (ssl.SSLError, OSError, EOFError)) and not isinstance(exc, ftplib.Error):
            out["fatal"] = True
    out["data_ports"] = ftp.data_ports[ports_before:]  # type: ignore[attr-defined]
    return out


def run(session: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"steps": []}
    timeout = float(session.get("timeout", 15))
    if session.get("tls"):
        ctx = ssl.create_default_context()
        # The test servers use self-signed certificates; the tests check the protocol version.
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if session.get("tls_max_version"):
            ctx.maximum_version = getattr(ssl.TLSVersion, session["tls_max_version"])
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        ftp: ftplib.FTP = FTPS(context=ctx, timeout=timeout)
    else:
        ftp = FTP(timeout=timeout)
    ftp.data_ports = []  # type: ignore[attr-defined]
    try:
        welcome = ftp.connect(session["host"], int(session.get("port", 21)))
        result["connect"] = {"ok": True, "reply": welcome}
    except (OSError, EOFError, ftplib.Error) as exc:
        result["connect"] = {"ok": False, "reply": _reply(exc) or type(exc).__name__}
        return result
    try:
        if session.get("tls"):
            try:
                ftp.auth()  # type: ignore[attr-defined]
                result["tls_version"] = ftp.sock.version()  # type: ignore[union-attr]
                result["tls_cipher"] = ftp.sock.cipher()[0]  # type: ignore[union-attr]
            except (ssl.SSLError, OSError, EOFError, ftplib.Error) as exc:
                result["tls"] = {"ok": False, "reply": _reply(exc) or type(exc).__name__}
                return result
        try:
            reply = ftp.login(session.get("user", "anonymous"), session.get("password", ""))
            result["login"] = {"ok": True, "reply": reply}
        except (ftplib.Error, OSError, EOFError) as exc:
            result["login"] = {"ok": False, "reply": _reply(exc) or type(exc).__name__}
            return result
        if session.get("tls") and session.get("protect_data", True):
            ftp.prot_p()  # type: ignore[attr-defined]
        ftp.set_pasv(bool(session.get("passive", True)))
        for step in session.get("steps", []):
            out = run_step(ftp, step)
            result["steps"].append(out)
            if out.get("fatal"):
                break
    finally:
        try:
            ftp.quit()
        except (ftplib.Error, OSError, EOFError):
            ftp.close()
    return result


def main() -> int:
    raw = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    session = json.loads(raw)
    socket.setdefaulttimeout(float(session.get("timeout", 15)))
    print(json.dumps(run(session)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
