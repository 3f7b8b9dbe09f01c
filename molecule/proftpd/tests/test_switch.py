# SPDX-License-Identifier: GPL-3.0-or-later
"""Switching a host from vsftpd to ProFTPd and back with playbooks/site.yml.

prepare.yml made ``proftpd-switch`` a vsftpd server with files in the anonymous area and the drop-box
and recorded their checksums; converge ran site.yml with ``hardened_ftp_daemon: proftpd``. Here the
host is switched back to vsftpd, last of its tests: every file served before, the uploads made under
ProFTPd and the local user's files are still there, and one daemon holds the port each time.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import conftest
import pytest
from conftest import listeners

SWITCH_HOST = "proftpd-switch"
# The shared fixtures of molecule/shared_tests/conftest.py, for the tests of this directory.
server = conftest.server
unique = conftest.unique


@pytest.fixture
def switched(host):  # type: ignore[no-untyped-def]
    if host.backend.name != SWITCH_HOST:
        pytest.skip("not the switch host")
    return host


def holders() -> list[str]:
    """The processes listening on port 21, read from /proc by the host's python3 (a bare host has no ss)."""
    return sorted({name for item in listeners(SWITCH_HOST, 21) for name in item["processes"]})


def boot_state(host, unit: str) -> str:  # type: ignore[no-untyped-def]
    """systemctl's word: testinfra's is_enabled falls back to the SysV links a removed package leaves."""
    return str(host.run(f"systemctl is-enabled {unit}").stdout.strip())


def test_only_proftpd_serves_port_21(switched):  # type: ignore[no-untyped-def]
    assert not switched.service("vsftpd").is_running
    # Debian masks the unit of a removed package.
    assert boot_state(switched, "vsftpd") in ("disabled", "masked")
    assert switched.service("proftpd").is_running
    assert holders() == ["proftpd"]


def test_served_files_are_unchanged(switched):  # type: ignore[no-untyped-def]
    result = switched.run("sha1sum --check --strict /root/hardened-ftp-switch.sha1")
    assert result.rc == 0, result.stdout + result.stderr
    assert "before-switch.txt: OK" in result.stdout
    assert switched.file("/srv/ftp/incoming/before-switch.txt").user == "ftpupload"


def test_switching_back_to_vsftpd_keeps_every_file(switched, server, unique):  # type: ignore[no-untyped-def]
    user = server.test["local_user"]
    upload = server.anonymous([{"op": "stor", "path": f"incoming/{unique}.txt", "data": "under proftpd\n"}])
    assert upload["steps"][0]["ok"], upload
    mine = f"{user['upload_dir']}/{unique}-{user['name']}.txt"
    local = server.session(
        [{"op": "stor", "path": mine, "data": "alice under proftpd\n"}],
        user=user["name"],
        password=user["password"],
        tls=True,
    )
    assert local["steps"][0]["ok"], local
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    proc = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            inventory,
            "--limit",
            SWITCH_HOST,
            "-e",
            "hardened_ftp_daemon=vsftpd",
            "hardened.ftp.site",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert holders() == ["vsftpd"]
    assert switched.run("systemctl is-active proftpd").stdout.strip() != "active"
    assert boot_state(switched, "proftpd") in ("disabled", "masked")
    checked = switched.run("sha1sum --check --strict /root/hardened-ftp-switch.sha1")
    assert checked.rc == 0, checked.stdout + checked.stderr
    kept = switched.file(f"/srv/ftp/incoming/{unique}.txt")
    assert kept.exists and kept.user == "ftp" and kept.mode == 0o600
    # vsftpd serves what ProFTPd served: the download (anonymous in plain text, as vsftpd has it) and
    # alice's upload, in the same area.
    plain = server.session(
        [{"op": "retr", "path": server.test["download"]["path"]}], user="anonymous", password="a@b.c"
    )
    assert plain["steps"][0]["ok"] and plain["steps"][0]["data"] == server.test["download"]["content"], plain
    again = server.session([{"op": "retr", "path": mine}], user=user["name"], password=user["password"], tls=True)
    assert again["steps"][0]["ok"] and again["steps"][0]["data"] == "alice under proftpd\n", json.dumps(again)
