# SPDX-License-Identifier: GPL-3.0-or-later
"""Outside judges: tools we did not write, from Debian's packages, run from the client.

testssl.sh (Debian installs it as ``testssl``; STARTTLS FTP) judges the TLS each daemon offers;
nmap's NSE scripts ftp-anon, ftp-bounce and ftp-syst judge what an anonymous visitor can do. Each
run's time and verdict is recorded in .tmp/resilience/ of the repository.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import Server
from res_common import podman_exec, record

# Protocols and cipher groups testssl.sh must find not offered (its JSON ids).
OLD_PROTOCOLS = ("SSLv2", "SSLv3", "TLS1", "TLS1_1")
WEAK_CIPHERS = tuple(f"cipherlist_{group}" for group in ("NULL", "aNULL", "EXPORT", "LOW", "3DES_IDEA", "AVERAGE"))
STARTTLS_REFUSED = "received 4xx/5xx after STARTTLS handshake"
# The old versions Python's ssl module can still offer (SSLv3 it cannot).
CLIENT_VERSIONS = {"TLS1": "TLSv1", "TLS1_1": "TLSv1_1"}
# Severities testssl.sh gives to real problems (OK, INFO and LOW are not).
BAD = {"MEDIUM", "HIGH", "CRITICAL"}


@pytest.fixture(scope="module")
def server(host):  # type: ignore[no-untyped-def]
    return Server(host.backend.name)


def test_res_testssl_finds_only_modern_tls(server):  # type: ignore[no-untyped-def]
    assert server.fact["tls_enable"], "every server of this scenario offers TLS"
    out = f"/tmp/testssl-{server.name}.json"
    podman_exec(server.client, ["rm", "-f", out])
    start = time.monotonic()
    proc = podman_exec(
        server.client,
        # Protocols, cipher groups, forward secrecy and every vulnerability check; no DNS.
        [
            "testssl",
            "--starttls",
            "ftp",
            "--protocols",
            "--std",
            "--fs",
            "--vulnerable",
            "--nodns",
            "none",
            "--quiet",
            "--color",
            "0",
            "--warnings",
            "off",
            "--jsonfile",
            out,
            f"{server.ip}:{server.fact['control_port']}",
        ],
        check=False,
        timeout=1200,
    )
    elapsed = round(time.monotonic() - start, 1)
    raw = podman_exec(server.client, ["cat", out], check=False).stdout
    assert raw, f"testssl.sh wrote no JSON (rc {proc.returncode}): {proc.stdout[-3000:]} {proc.stderr[-2000:]}"
    findings = json.loads(raw)
    by_id = {f["id"]: f for f in findings}
    bad = [f for f in findings if f["severity"] in BAD]
    record(
        f"testssl-{server.name}",
        {
            "seconds": elapsed,
            "rc": proc.returncode,
            "protocols": {p: by_id.get(p, {}).get("finding") for p in (*OLD_PROTOCOLS, "TLS1_2", "TLS1_3")},
            "weak_cipher_groups": {c: by_id.get(c, {}).get("finding") for c in WEAK_CIPHERS},
            "above_low": bad,
            "warnings": [f for f in findings if f["severity"] in ("WARN", "FATAL")],
            "unclassified_by_testssl": [
                p for p in OLD_PROTOCOLS if STARTTLS_REFUSED in by_id.get(p, {}).get("finding", "")
            ],
        },
    )
    assert "scanProblem" not in by_id, by_id["scanProblem"]
    # The scan really ran: a protocol was found and the vulnerability checks reported.
    assert any(by_id.get(p, {}).get("finding", "").startswith("offered") for p in ("TLS1_2", "TLS1_3")), by_id
    assert "heartbleed" in by_id and "secure_client_renego" in by_id, sorted(by_id)
    # vsftpd answers a handshake it refuses with an FTP error line instead of a TLS alert, which
    # testssl.sh reports as "received 4xx/5xx after STARTTLS handshake": not negotiated, but not
    # classified either, so our own client confirms each of those versions is refused.
    unclassified = [p for p in OLD_PROTOCOLS if STARTTLS_REFUSED in by_id[p]["finding"]]
    for proto in set(OLD_PROTOCOLS) - set(unclassified):
        assert by_id[proto]["finding"].startswith("not offered"), by_id[proto]
    for proto in set(unclassified) & set(CLIENT_VERSIONS):
        result = server.session([], tls=True, tls_max_version=CLIENT_VERSIONS[proto], user="anonymous", password="x")
        assert result.get("tls", {}).get("ok") is False and "tls_version" not in result, (proto, result)
    for group in WEAK_CIPHERS:
        assert by_id[group]["finding"].startswith("not offered"), by_id[group]
    assert bad == [], bad


def _nmap(server) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    proc = podman_exec(
        server.client,
        [
            "nmap",
            "-Pn",
            "-n",
            "-v",
            "-p",
            str(server.fact["control_port"]),
            "--script",
            "ftp-anon,ftp-bounce,ftp-syst",
            # A bounce target that is neither the client nor the server (TEST-NET-1).
            "--script-args",
            "ftp-bounce.checkhost=192.0.2.10,ftp-anon.maxlist=-1",
            server.ip,
        ],
        timeout=600,
    )
    return proc.stdout, round(time.monotonic() - start, 1)


def test_res_nmap_sees_only_the_drop_box_writable_and_no_bounce(server):  # type: ignore[no-untyped-def]
    report, elapsed = _nmap(server)
    writable = re.findall(r"(\S+) \[NSE: writeable\]", report)
    bounce = re.search(r"ftp-bounce: (.*)", report)
    port_reply = re.search(r"ftp-bounce.*PORT response: (\d{3}.*)", report)
    record(
        f"nmap-{server.name}",
        {
            "seconds": elapsed,
            "anonymous_login": "Anonymous FTP login allowed" in report,
            "writable": writable,
            "bounce": bounce.group(1) if bounce else None,
            "bounce_port_reply": port_reply.group(1) if port_reply else None,
            "syst": "ftp-syst:" in report,
        },
    )
    assert "21/tcp open" in report or f"{server.fact['control_port']}/tcp open" in report, report
    # ftp-anon logged in and listed the anonymous root: the drop-box (write-only, never
    # world-writable) is the only place an anonymous user may write, and nmap sees none.
    assert "Anonymous FTP login allowed" in report, report
    assert set(writable) <= {server.test["upload_dir"]}, report
    # ftp-bounce logged in, sent PORT to a third host and was refused (5xx).
    assert "bounce working" not in report, report
    assert port_reply and port_reply.group(1).startswith("5"), report
