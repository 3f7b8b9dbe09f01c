# SPDX-License-Identifier: GPL-3.0-or-later
"""Virtual users, as their clients see them: FTPS, chrooted in their own home, their own rights.

Shared by the vsftpd, pureftpd and proftpd scenarios; the users and their passwords come from the scenario's
``ftp_test.virtual_users``, the hashes the role got from ``<daemon>_virtual_users``. The last test
re-runs the role (as test_bad_input.py does) with a user added and a password changed, then with
the inventory's list again, and checks each change took effect.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import conftest
import pytest
from passlib.hash import sha512_crypt


def ok(step: dict[str, Any]) -> bool:
    return bool(step["ok"])


def virtual(server, role: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    users = server.test.get("virtual_users")
    if not users or role not in users:
        pytest.skip(f"no virtual {role} in this scenario")
    return dict(users[role], home=f"{users['root']}/{users[role]['name']}")


def login(server, user: dict[str, Any], steps: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    kw.setdefault("tls", server.fact["tls_enable"])
    return server.session(steps, user=user["name"], password=kw.pop("password", user["password"]), **kw)


def test_a_writer_is_chrooted_in_their_home_and_may_write_there(host, server, unique) -> None:  # type: ignore[no-untyped-def]
    user = virtual(server, "writer")
    name = f"{unique}.txt"
    result = login(
        server,
        user,
        [
            {"op": "pwd"},
            {"op": "cwd", "path": ".."},
            {"op": "pwd"},
            {"op": "retr", "path": "/etc/passwd"},
            {"op": "stor", "path": name, "data": "virtual upload\n"},
            {"op": "retr", "path": name},
            {"op": "mkd", "path": f"{unique}-dir"},
            {"op": "rename", "from": name, "to": f"{unique}-dir/{name}"},
            {"op": "dele", "path": f"{unique}-dir/{name}"},
            {"op": "raw", "cmd": f"RMD {unique}-dir"},
            {"op": "stor", "path": f"kept-{name}", "data": "kept\n"},
        ],
    )
    assert result["login"]["ok"], result
    if server.fact["tls_enable"]:
        assert result["tls_version"] in ("TLSv1.2", "TLSv1.3"), result
    pwd1, _up, pwd2, passwd, *writes = result["steps"]
    assert pwd1["path"] == "/" and pwd2["path"] == "/", result
    assert not ok(passwd), passwd
    assert all(ok(step) for step in writes), writes
    assert writes[1]["data"] == "virtual upload\n"
    # The upload is on disk in the user's home, owned by the virtual users' account, never root.
    kept = host.file(f"{user['home']}/kept-{name}")
    assert kept.exists and kept.user == "ftpvirtual" and kept.user != "root"
    assert host.file(user["home"]).user == "ftpvirtual"


def test_a_reader_may_download_and_nothing_else(host, server, unique) -> None:  # type: ignore[no-untyped-def]
    user = virtual(server, "reader")
    placed = f"{user['home']}/placed-{unique}.txt"
    host.run(f"printf 'for the reader\\n' > {placed} && chown ftpvirtual:ftpvirtual {placed} && chmod 0640 {placed}")
    result = login(
        server,
        user,
        [
            {"op": "pwd"},
            {"op": "retr", "path": f"placed-{unique}.txt"},
            {"op": "stor", "path": f"{unique}.txt", "data": "x"},
            {"op": "mkd", "path": f"{unique}-dir"},
            {"op": "rename", "from": f"placed-{unique}.txt", "to": f"{unique}-moved.txt"},
            {"op": "dele", "path": f"placed-{unique}.txt"},
        ],
    )
    assert result["login"]["ok"], result
    pwd, retr, *writes = result["steps"]
    assert pwd["path"] == "/" and ok(retr) and retr["data"] == "for the reader\n", result
    for step in writes:
        assert not ok(step) and step["reply"][:1] in ("4", "5"), step
    assert host.file(placed).exists
    assert not host.file(f"{user['home']}/{unique}.txt").exists


def test_wrong_password_unknown_user_and_clear_text_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    user = virtual(server, "writer")
    wrong = login(server, user, [], password="not-" + user["password"])
    assert not wrong["login"]["ok"] and wrong["login"]["reply"][:1] == "5", wrong
    unknown = login(server, {"name": f"nobody-{uuid.uuid4().hex[:6]}", "password": user["password"]}, [])
    assert not unknown["login"]["ok"] and unknown["login"]["reply"][:1] == "5", unknown
    if not server.fact["tls_required"]:
        return
    clear = login(server, user, [], tls=False)
    assert not clear["login"]["ok"], clear
    # 530 (vsftpd: non-anonymous sessions must use encryption), 421 (Pure-FTPd closes at USER) or 550
    # (ProFTPd refuses USER without TLS).
    assert clear["login"]["reply"][:3] in ("530", "421", "550"), clear


def test_one_virtual_user_cannot_reach_another(host, server) -> None:  # type: ignore[no-untyped-def]
    writer, reader = virtual(server, "writer"), virtual(server, "reader")
    marker = f"{reader['home']}/only-for-{reader['name']}.txt"
    host.run(f"echo secret > {marker} && chown ftpvirtual:ftpvirtual {marker} && chmod 0640 {marker}")
    name = Path(marker).name
    result = login(
        server,
        writer,
        [
            {"op": "cwd", "path": f"../{reader['name']}"},
            {"op": "cwd", "path": reader["home"]},
            {"op": "retr", "path": f"../{reader['name']}/{name}"},
            {"op": "retr", "path": f"{reader['home']}/{name}"},
            {"op": "nlst", "path": f"../{reader['name']}"},
            {"op": "nlst", "path": reader["home"]},
        ],
    )
    assert result["login"]["ok"], result
    for step in result["steps"]:
        assert not ok(step) or not any(name in item for item in step.get("names", [])), step
        if step["op"] != "nlst":
            assert not ok(step), step


def test_virtual_users_are_no_accounts_of_the_host(host, server) -> None:  # type: ignore[no-untyped-def]
    for role in ("writer", "reader"):
        user = virtual(server, role)
        assert host.run(f"getent passwd {user['name']}").rc == 2, user["name"]


def test_the_password_files_are_roots_alone(host, server) -> None:  # type: ignore[no-untyped-def]
    virtual(server, "writer")
    files = {
        "vsftpd": ["/etc/vsftpd/hardened-ftp-virtual.passwd"],
        "pureftpd": ["/etc/pure-ftpd/pureftpd.passwd", "/etc/pure-ftpd/pureftpd.pdb"],
        "proftpd": ["/etc/proftpd/hardened-ftp.passwd"],
    }[server.fact["daemon"]]
    for path in files:
        found = host.file(path)
        assert found.exists and found.user == "root" and found.group == "root" and found.mode == 0o600, path


def test_the_quota_is_enforced(host, server, unique) -> None:  # type: ignore[no-untyped-def]
    user = virtual(server, "quota")
    size = (user["quota_mb"] + 1) * 1024 * 1024
    result = login(
        server,
        user,
        [
            {"op": "stor", "path": f"small-{unique}", "size": 1000},
            {"op": "stor", "path": f"big-{unique}", "size": size},
        ],
        timeout=60,
    )
    assert result["login"]["ok"], result
    small, big = result["steps"]
    assert ok(small), small
    assert not ok(big), big
    assert not host.file(f"{user['home']}/big-{unique}").exists


def _run_role(server, overrides: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
    returncode, output = conftest.run_role(server.name, overrides)
    if returncode != 0:
        pytest.fail(f"{server.vars['hardened_ftp_daemon']} with {sorted(overrides)} failed:\n{output[-4000:]}")
    return output


def test_added_changed_and_removed_users_take_effect(host, server, unique) -> None:  # type: ignore[no-untyped-def]
    """Add a user and change a password, then go back to the inventory's list: the added user is
    refused and their files stay, the first password works again."""
    writer = virtual(server, "writer")
    variable = f"{server.vars['hardened_ftp_daemon']}_virtual_users"
    listed = server.vars[variable]
    added = {"name": f"gone-{unique[:6]}", "password": f"Secret-{unique}"}
    new_password = f"Changed-{unique}"
    changed = [
        dict(item, password_hash=sha512_crypt.hash(new_password)) if item["name"] == writer["name"] else item
        for item in listed
    ]
    changed.append({"name": added["name"], "password_hash": sha512_crypt.hash(added["password"]), "write": True})
    output = _run_role(server, {variable: changed})
    for secret in (new_password, added["password"]):
        assert secret not in output
    home = f"{server.test['virtual_users']['root']}/{added['name']}"
    result = login(server, added, [{"op": "stor", "path": "left.txt", "data": "left behind\n"}])
    assert result["login"]["ok"] and ok(result["steps"][0]), result
    assert login(server, writer, [], password=new_password)["login"]["ok"]
    assert not login(server, writer, [])["login"]["ok"]

    _run_role(server, {})
    refused = login(server, added, [])
    assert not refused["login"]["ok"] and refused["login"]["reply"][:1] == "5", refused
    assert host.file(f"{home}/left.txt").content_string == "left behind\n"
    assert login(server, writer, [])["login"]["ok"]
    assert not login(server, writer, [], password=new_password)["login"]["ok"]
