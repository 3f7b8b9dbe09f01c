# SPDX-License-Identifier: GPL-3.0-or-later
"""Switching a host from vsftpd to Pure-FTPd with playbooks/site.yml.

prepare.yml made ``pureftpd-switch`` a vsftpd server with files in the anonymous area and the
drop-box and recorded their checksums; converge ran site.yml with ``hardened_ftp_daemon: pureftpd``.
"""

from __future__ import annotations

import pytest
from conftest import listeners

SWITCH_HOST = "pureftpd-switch"


@pytest.fixture
def switched(host):  # type: ignore[no-untyped-def]
    if host.backend.name != SWITCH_HOST:
        pytest.skip("not the switch host")
    return host


def test_only_pure_ftpd_serves_port_21(switched):  # type: ignore[no-untyped-def]
    vsftpd = switched.service("vsftpd")
    assert not vsftpd.is_running
    # vsftpd cannot start at boot: disabled, or masked (Debian masks the unit of a removed package;
    # testinfra's is_enabled then falls back to the SysV links the removal leaves, so ask systemd).
    boot = switched.run("systemctl is-enabled vsftpd").stdout.strip()
    assert boot in ("disabled", "masked"), boot
    assert switched.service("pure-ftpd").is_running
    # Read from /proc by the host's python3: a bare host has no ss.
    held = listeners(SWITCH_HOST, 21)
    assert len(held) == 1, held
    assert held[0]["processes"] == ["pure-ftpd"], held


def test_served_files_are_unchanged(switched):  # type: ignore[no-untyped-def]
    result = switched.run("sha1sum --check --strict /root/hardened-ftp-switch.sha1")
    assert result.rc == 0, result.stdout + result.stderr
    assert "before-switch.txt: OK" in result.stdout
    assert switched.file("/srv/ftp/incoming/before-switch.txt").user == "ftpupload"
