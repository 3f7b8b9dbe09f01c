# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _audit_collect as collect
from ansible_collections.hardened.ftp.plugins.module_utils._audit_collect import (
    daemon_running,
    directory_tree,
    parse_proc_net_tcp,
    pureftpd_key_path,
    read_names,
    stat_path,
)

PROC_TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0015 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 0200000A:0015 0300000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
"""
PROC_TCP6 = """  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:0015 00000000000000000000000000000000:0000 0A 0
"""


def test_listening_sockets_only() -> None:
    assert parse_proc_net_tcp(PROC_TCP, "ipv4") == [
        {"family": "ipv4", "address": "0.0.0.0", "port": 21},
        {"family": "ipv4", "address": "127.0.0.1", "port": 22},
    ]
    assert parse_proc_net_tcp(PROC_TCP6, "ipv6") == [{"family": "ipv6", "address": "0:0:0:0:0:0:0:1", "port": 21}]
    assert parse_proc_net_tcp("header\ngarbage line\n", "ipv4") == []


def test_stat_and_tree(tmp_path: Path) -> None:
    (tmp_path / "pub" / "deep").mkdir(parents=True)
    (tmp_path / "incoming").mkdir()
    os.chmod(tmp_path / "incoming", 0o1730)
    (tmp_path / "link").symlink_to(tmp_path / "pub")
    tree = directory_tree(str(tmp_path))
    assert sorted(Path(item["path"]).name for item in tree) == ["deep", "incoming", "pub"]
    incoming = stat_path(str(tmp_path / "incoming"))
    assert incoming is not None and incoming["mode"] == 0o1730 and incoming["exists"]
    assert stat_path(str(tmp_path / "missing"))["exists"] is False
    assert stat_path(None) is None and directory_tree(None) == []


def test_read_names(tmp_path: Path) -> None:
    names = tmp_path / "user_list"
    names.write_text("# allowed\nanonymous\n\nalice\n")
    assert read_names(str(names)) == ["anonymous", "alice"]
    assert read_names(str(tmp_path / "missing")) is None


def test_daemon_running_and_key_path() -> None:
    processes = [("systemd", ["/sbin/init"]), ("pure-ftpd", ["pure-ftpd (SERVER)"])]
    assert daemon_running("pureftpd", processes) and not daemon_running("vsftpd", processes)
    assert pureftpd_key_path({"CertFile": "/etc/a.pem,/etc/a.key\n"}) == "/etc/a.key"
    assert pureftpd_key_path({}) == "/etc/ssl/private/pure-ftpd.pem"


def test_virtual_users_of_vsftpd_and_pure_ftpd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sha512 = "$6$hardenedftp$" + "a" * 86
    pam = tmp_path / "pam.d"
    pam.mkdir()
    passwd = tmp_path / "virtual.passwd"
    passwd.write_text(f"acme:{sha512}\nplain:Secret\nroot:{sha512}\n")
    (pam / "hardened-ftp-vsftpd").write_text(
        "auth\trequired\tpam_listfile.so item=user sense=deny file=/etc/ftpusers onerr=succeed\n"
        f"auth\t[success=done auth_err=die default=ignore]\tpam_pwdfile.so pwdfile={passwd}\n"
        "@include vsftpd\n"
    )
    conf = tmp_path / "user_conf"
    conf.mkdir()
    (conf / "acme").write_text("guest_enable=YES\nlocal_root=/srv/ftp-virtual/acme\n")
    (conf / "plain").write_text("guest_enable=YES\nvirtual_use_local_privs=YES\n")
    monkeypatch.setattr(collect, "PAM_DIR", str(pam))
    options = {"pam_service_name": "hardened-ftp-vsftpd", "user_config_dir": str(conf), "chroot_local_user": False}
    found = collect.vsftpd_virtual_users(options)
    assert found is not None and [item["path"] for item in found["files"]] == [str(passwd)]
    users = {user["name"]: user for user in found["users"]}
    assert users["acme"] == {
        "name": "acme",
        "kind": "sha512crypt",
        "home": "/srv/ftp-virtual/acme",
        "chrooted": True,
        "account": False,
    }
    assert users["plain"]["kind"] == "plain" and users["plain"]["chrooted"] is False
    assert users["root"]["account"] is True and users["root"]["chrooted"] is False
    assert sha512 not in str(found)
    assert collect.vsftpd_virtual_users({"pam_service_name": "missing"}) is None
    assert collect.pam_databases("auth required pam_userdb.so db=/etc/vsftpd/login") == [
        ("userdb", "/etc/vsftpd/login.db")
    ]

    auth = tmp_path / "auth"
    auth.mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "PureDB").write_text("/etc/pure-ftpd/pureftpd.pdb\n")
    (auth / "50puredb").symlink_to("../conf/PureDB")
    puredb = tmp_path / "pureftpd.passwd"
    puredb.write_text(f"acme:{sha512}:1002:996::/srv/ftp-virtual/acme/./::::::::::::\n")
    monkeypatch.setattr(collect, "PUREFTPD_AUTH_DIR", str(auth))
    monkeypatch.setattr(collect, "PUREFTPD_PASSWD", str(puredb))
    found = collect.pureftpd_virtual_users({"PureDB": "/etc/pure-ftpd/pureftpd.pdb", "ChrootEveryone": "no"})
    assert found is not None and found["users"][0]["chrooted"] is True
    assert [item["path"] for item in found["files"]] == ["/etc/pure-ftpd/pureftpd.pdb", str(puredb)]
    (auth / "50puredb").unlink()
    assert collect.pureftpd_virtual_users({"PureDB": "/etc/pure-ftpd/pureftpd.pdb"}) is None
