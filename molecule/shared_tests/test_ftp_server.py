# SPDX-License-Identifier: GPL-3.0-or-later
"""What a user of any hardened.ftp server sees, checked with a real FTP client.

Shared by the vsftpd, pureftpd and proftpd scenarios: expectations come from the fact the role published
(hardened_ftp_server) and from the scenario's ``ftp_test`` inventory variable.
"""

from __future__ import annotations

import re

import pytest
from conftest import listeners


def ok(step):  # type: ignore[no-untyped-def]
    return step["ok"]


def test_service_runs_and_listens(host, server):  # type: ignore[no-untyped-def]
    daemon = server.fact["daemon"]
    unit = {"vsftpd": "vsftpd", "pureftpd": "pure-ftpd", "proftpd": "proftpd"}[daemon]
    assert host.service(unit).is_running
    assert host.service(unit).is_enabled
    # The daemon itself holds the control port on every address (read from /proc: no ss on a bare host).
    port = server.fact["control_port"]
    held = [s for s in listeners(server.name, port) if s["address"] in ("0.0.0.0", "::")]
    assert held, f"nothing listens on port {port} of every address: {listeners(server.name)}"
    assert {unit} == {name for s in held for name in s["processes"]}, held


def test_greeting_is_the_warning_banner(server):  # type: ignore[no-untyped-def]
    """HFTP-003: the warning text is shown before login, and the daemon does not name its version."""
    result = server.anonymous([])
    greeting = result["connect"]["reply"]
    assert server.test["banner"] in greeting, greeting
    assert not re.search(r"\d+\.\d+\.\d+", greeting), f"the greeting names a version: {greeting}"


def test_anonymous_passive_download(server):  # type: ignore[no-untyped-def]
    want = server.test["download"]
    result = server.anonymous([{"op": "retr", "path": want["path"]}])
    step = result["steps"][0]
    assert ok(step), step
    assert step["data"] == want["content"]


def test_anonymous_active_download(server):  # type: ignore[no-untyped-def]
    if not server.fact["active_enable"]:
        pytest.skip("active mode is disabled in this scenario")
    want = server.test["download"]
    result = server.anonymous([{"op": "retr", "path": want["path"]}], passive=False)
    step = result["steps"][0]
    assert ok(step), step
    assert step["data"] == want["content"]
    assert step["data_ports"] == []


def test_passive_ports_stay_in_the_published_range(server):  # type: ignore[no-untyped-def]
    low, high = server.fact["pasv_min_port"], server.fact["pasv_max_port"]
    want = server.test["download"]
    result = server.anonymous([{"op": "retr", "path": want["path"]} for _round in range(8)] + [{"op": "nlst"}])
    ports = [p for step in result["steps"] for p in step["data_ports"]]
    assert all(ok(s) for s in result["steps"]), result
    assert len(ports) == 9
    assert all(low <= p <= high for p in ports), f"ports {ports} outside {low}-{high}"


def test_anonymous_cannot_write_outside_the_drop_box(server, unique):  # type: ignore[no-untyped-def]
    result = server.anonymous(
        [
            {"op": "stor", "path": f"/{unique}.txt", "data": "x"},
            {"op": "stor", "path": f"pub/{unique}.txt", "data": "x"},
            {"op": "mkd", "path": f"/{unique}"},
            {"op": "dele", "path": server.test["download"]["path"]},
        ]
    )
    for step in result["steps"]:
        assert not ok(step), step
        assert step["reply"][:1] in ("5", "4"), step


def test_drop_box_is_write_only(host, server, unique):  # type: ignore[no-untyped-def]
    if not server.fact["anon_upload_enable"]:
        pytest.skip("no drop-box in this scenario")
    box = server.test["upload_dir"]
    name = f"{box}/{unique}.txt"
    result = server.anonymous(
        [
            {"op": "stor", "path": name, "data": "secret upload\n"},
            {"op": "nlst", "path": box},
            {"op": "list", "path": box},
            {"op": "retr", "path": name},
            {"op": "rename", "from": name, "to": f"{box}/{unique}-renamed.txt"},
            {"op": "dele", "path": name},
            {"op": "stor", "path": name, "data": "overwritten\n"},
            {"op": "mkd", "path": f"{box}/{unique}-dir"},
        ]
    )
    stor, nlst, lst, retr, rename, dele, overwrite, mkd = result["steps"]
    assert ok(stor), stor
    # Listing either fails or shows nothing of what was uploaded.
    assert not ok(nlst) or not any(unique in n for n in nlst["names"]), nlst
    assert not ok(lst) or not any(unique in line for line in lst["lines"]), lst
    for step in (retr, rename, dele, overwrite, mkd):
        assert not ok(step), step
    # The upload is intact, owned by the drop-box owner and readable by nobody else.
    f = host.file(f"{server.test['anon_root']}/{name}")
    assert f.exists
    assert f.user == server.test["upload_owner"]
    assert f.mode == 0o600
    assert f.content_string == "secret upload\n"


def test_local_user_needs_tls(server):  # type: ignore[no-untyped-def]
    user = server.test.get("local_user")
    if not user or not server.fact["tls_required"]:
        pytest.skip("no local user or TLS not required in this scenario")
    result = server.session(user=user["name"], password=user["password"], tls=False)
    assert not result["login"]["ok"], result
    # 530 (vsftpd: not logged in), 421 (Pure-FTPd: closes a clear-text session at USER) or 550 (ProFTPd:
    # refuses USER without TLS), each before the password is sent.
    assert result["login"]["reply"][:3] in ("530", "421", "550"), result


def _local_users(server):  # type: ignore[no-untyped-def]
    user = server.test.get("local_user")
    return ([user] if user else []) + list(server.test.get("more_local_users", []))


def test_local_users_over_tls_are_chrooted_and_can_write_their_place(server, unique):  # type: ignore[no-untyped-def]
    """Each allowed user, as useradd made them (a home of their own, or none): FTPS, chrooted, upload."""
    users = _local_users(server)
    if not users:
        pytest.skip("no local user in this scenario")
    for user in users:
        upload = "/".join(part for part in (user.get("upload_dir", ""), f"{unique}-{user['name']}.txt") if part)
        steps = [
            {"op": "pwd"},
            {"op": "cwd", "path": ".."},
            {"op": "pwd"},
            {"op": "retr", "path": "/etc/passwd"},
            {"op": "stor", "path": upload, "data": f"{user['name']}'s upload\n"},
            {"op": "retr", "path": upload},
            {"op": "dele", "path": upload},
        ]
        if user.get("file"):
            steps.append({"op": "retr", "path": user["file"]})
        result = server.session(steps, user=user["name"], password=user["password"], tls=server.fact["tls_enable"])
        assert result["login"]["ok"], (user["name"], result)
        if server.fact["tls_enable"]:
            assert result["tls_version"] in ("TLSv1.2", "TLSv1.3"), result
        pwd1, _cwd, pwd2, passwd, stor, retr, dele, *own = result["steps"]
        assert pwd1["path"] == "/" and pwd2["path"] == "/", (user["name"], result)
        assert not ok(passwd), passwd
        assert ok(stor) and ok(retr) and retr["data"] == f"{user['name']}'s upload\n", (user["name"], result)
        assert ok(dele), dele
        if own:
            assert ok(own[0]) and own[0]["data"] == user["content"], own


def test_users_not_allowed_are_refused(server):  # type: ignore[no-untyped-def]
    for user in server.test.get("denied_users", []):
        result = server.session(user=user["name"], password=user["password"], tls=server.fact["tls_enable"])
        assert not result["login"]["ok"], (user["name"], result)
        assert result["login"]["reply"][:1] == "5", result


def test_old_tls_versions_are_refused(server):  # type: ignore[no-untyped-def]
    if not server.fact["tls_enable"]:
        pytest.skip("TLS is off in this scenario")
    for version in ("TLSv1", "TLSv1_1"):
        result = server.session(tls=True, tls_max_version=version)
        assert "tls" in result and not result["tls"]["ok"], (version, result)
        # The client did offer the old protocol; the server answered with an alert. A client-side
        # "no protocols available" would prove nothing.
        assert "alert" in result["tls"]["reply"].lower(), (version, result)
    # Control: the same client capped at TLS 1.2 gets through.
    result = server.session(tls=True, tls_max_version="TLSv1_2")
    assert result.get("tls_version") == "TLSv1.2", result


def test_bounce_port_is_refused(server):  # type: ignore[no-untyped-def]
    if not server.fact["active_enable"]:
        pytest.skip("active mode is disabled")
    # 127.0.0.2 is not the client's address: a server that allows FTP bounce would accept it.
    result = server.anonymous([{"op": "port_to", "address": "127.0.0.2", "port": 2121}])
    step = result["steps"][0]
    assert not ok(step), step
