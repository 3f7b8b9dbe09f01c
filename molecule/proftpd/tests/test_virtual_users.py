# SPDX-License-Identifier: GPL-3.0-or-later
"""ProFTPd's virtual users (AuthUserFile), on the servers that have them (``ftp_test.read_only_user``).

The shared tests log the first virtual user in as the scenario's local user (chrooted, writes her own
place); here: a user without ``write`` reads and cannot change anything, one user cannot reach
another's home, accounts of the host cannot log in, and the file of hashes is root's alone.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def reader(host, server):  # type: ignore[no-untyped-def]
    user = server.test.get("read_only_user")
    if not user:
        pytest.skip("no read-only virtual user on this server")
    host.run(f"echo 'for rita' > {user['home']}/rita.txt")
    return user


def test_a_user_without_write_only_reads(server, reader, unique):  # type: ignore[no-untyped-def]
    result = server.session(
        [
            {"op": "pwd"},
            {"op": "retr", "path": "rita.txt"},
            {"op": "stor", "path": f"{unique}.txt", "data": "x"},
            {"op": "dele", "path": "rita.txt"},
            {"op": "rename", "from": "rita.txt", "to": f"{unique}.txt"},
            {"op": "mkd", "path": unique},
            {"op": "retr", "path": "/srv/ftp-virtual/vera/files/vera.txt"},
            {"op": "retr", "path": "../vera/files/vera.txt"},
        ],
        user=reader["name"],
        password=reader["password"],
        tls=server.fact["tls_enable"],
    )
    assert result["login"]["ok"], result
    pwd, retr, stor, dele, rename, mkd, absolute, climb = result["steps"]
    assert pwd["path"] == "/", pwd
    assert retr["ok"] and retr["data"] == "for rita\n", retr
    for step in (stor, dele, rename, mkd, absolute, climb):
        assert not step["ok"], step


def test_the_hashes_are_root_s_alone(host, reader):  # type: ignore[no-untyped-def]
    passwd = host.file("/etc/proftpd/hardened-ftp.passwd")
    assert passwd.user == "root" and passwd.mode == 0o600
    assert "Secret-" not in passwd.content_string
