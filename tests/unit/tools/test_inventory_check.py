# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/inventory_check.py, run as `make lint` runs it, refuses the mistakes it is there to catch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "inventory_check.py"


def run_check(inventory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(inventory)], capture_output=True, text=True, check=False)


def write_inventory(path: Path, hosts_yml: str, group_vars: str = "") -> Path:
    (path / "group_vars").mkdir(parents=True)
    (path / "hosts.yml").write_text(hosts_yml)
    if group_vars:
        (path / "group_vars" / "ftp_servers.yml").write_text(group_vars)
    return path


def test_a_valid_inventory_passes(tmp_path: Path) -> None:
    inventory = write_inventory(
        tmp_path / "ok",
        "ftp_servers:\n  hosts:\n    a.example.org:\n",
        "hardened_ftp_daemon: pureftpd\npureftpd_pasv_min_port: 40000\nftp_firewall_backend: iptables\n",
    )
    done = run_check(inventory)
    assert done.returncode == 0, done.stderr
    assert "1 hosts, 0 problems" in done.stdout


# One host per mistake, all in one inventory (ansible-inventory is the slow part).
MISTAKES = {
    "typo.example.org": (
        "{vsftpd_pasv_min_prot: 30000}",
        "vsftpd_pasv_min_prot is not a variable of hardened.ftp.vsftpd",
    ),
    "type.example.org": ("{vsftpd_pasv_min_port: many}", "'vsftpd_pasv_min_port' is of type str"),
    "choice.example.org": (
        "{ftp_firewall_backend: pf}",
        "ftp_firewall_backend must be one of: iptables, nftables, ufw",
    ),
    "suboption.example.org": (
        "{ftp_firewall_extra_allowed: [{port: 443, prot: tcp}]}",
        "ftp_firewall_extra_allowed.prot",
    ),
    "daemon.example.org": (
        "{hardened_ftp_daemon: wu-ftpd}",
        "hardened_ftp_daemon must be one of: vsftpd, pureftpd, proftpd",
    ),
    "playbook.example.org": (
        "{hardened_ftp_deamon: vsftpd}",
        "hardened_ftp_deamon is not read by any hardened.ftp playbook",
    ),
    "other.example.org": (
        "{hardened_ftp_daemon: pureftpd, vsftpd_listen_port: 2121}",
        "but hardened_ftp_daemon is pureftpd",
    ),
}


def test_each_mistake_fails_naming_the_host_and_variable(tmp_path: Path) -> None:
    hosts = "".join(f"    {host}: {mistake[0]}\n" for host, mistake in MISTAKES.items())
    inventory = write_inventory(tmp_path / "bad", "ftp_servers:\n  hosts:\n" + hosts)
    done = run_check(inventory)
    assert done.returncode == 1
    for host, mistake in MISTAKES.items():
        expected = mistake[1]
        lines = [line for line in done.stderr.splitlines() if f": {host}: " in line]
        assert any(expected in line for line in lines), (host, expected, lines)
    assert f"{len(MISTAKES)} problems" in done.stdout


def test_an_inventory_without_ftp_servers_fails(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "empty", "web:\n  hosts:\n    w.example.org:\n")
    done = run_check(inventory)
    assert done.returncode == 1
    assert "the group ftp_servers is empty" in done.stderr
