# SPDX-License-Identifier: GPL-3.0-or-later
"""Hosts managed over SSH as an unprivileged user with sudo, as the README's inventory does.

Runs on the servers whose inventory sets ``ftp_test_ssh_user`` (and ``ansible_connection: ssh``,
``ansible_become: true``; shared_tests/ssh_user.yml made the user in prepare). Converge, idempotence
and check reached them that way; here: sshd's journal shows the user's key login and no root login,
sudo's that Ansible's modules ran through it,
the user is no root and reaches root only through sudo, and after the firewall role ran a new SSH
login from the controller to the host's address still works, as the admin's next run needs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import group_hosts, hostvars

SERVERS = [name for name in group_hosts("ftp_servers") if hostvars(name).get("ftp_test_ssh_user")]
pytestmark = pytest.mark.skipif(not SERVERS, reason="no server of this scenario is reached over SSH")


def _ssh(name: str, command: str) -> subprocess.CompletedProcess[str]:
    """A new SSH login from the controller, as the inventory's user, with the inventory's key."""
    hv = hostvars(name)
    ephemeral = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    return subprocess.run(
        [
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            f"UserKnownHostsFile={ephemeral / 'ssh_known_hosts'}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-i",
            str(ephemeral / "ssh_user_ed25519"),
            f"{hv['ftp_test_ssh_user']}@{hv['ansible_host']}",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _ssh_journal(host) -> str:  # type: ignore[no-untyped-def]
    return host.check_output("journalctl -u ssh.service --no-pager -o cat")


@pytest.mark.parametrize("name", SERVERS)
def test_inventory_logs_in_as_unprivileged_user_with_become(name: str) -> None:
    hv = hostvars(name)
    assert hv.get("ansible_connection") == "ssh", f"{name}: ansible_connection is {hv.get('ansible_connection')!r}"
    assert hv.get("ansible_user") == hv["ftp_test_ssh_user"] != "root"
    assert hv.get("ansible_become") is True


def test_every_run_came_over_ssh_as_that_user(host, server) -> None:  # type: ignore[no-untyped-def]
    if server.name not in SERVERS:
        pytest.skip(f"{server.name} is reached through podman")
    user = server.vars["ftp_test_ssh_user"]
    journal = _ssh_journal(host)
    logins = [line for line in journal.splitlines() if line.startswith(f"Accepted publickey for {user} ")]
    # Ansible keeps its SSH connection open between runs (ControlPersist), so the runs of prepare,
    # converge, idempotence and check may share one login: at least one, and never root's.
    assert logins, f"sshd accepted no key login for {user}:\n{journal[-2000:]}"
    assert "Accepted publickey for root" not in journal and "Accepted password for root" not in journal
    # Each module Ansible ran on the host went through sudo as that user (become): sudo logs each one.
    sudo = host.check_output("journalctl -t sudo --no-pager -o cat")
    becomes = [line for line in sudo.splitlines() if f"{user} :" in line and "BECOME-SUCCESS" in line]
    assert len(becomes) >= 10, f"sudo ran {len(becomes)} of Ansible's commands for {user}:\n{sudo[-2000:]}"


def test_user_is_not_root_and_sudo_gives_root(host, server) -> None:  # type: ignore[no-untyped-def]
    if server.name not in SERVERS:
        pytest.skip(f"{server.name} is reached through podman")
    user = server.vars["ftp_test_ssh_user"]
    assert host.user(user).uid != 0
    assert user not in host.group("root").members
    result = _ssh(server.name, "id -u && sudo -n id -u")
    assert result.returncode == 0, f"ssh {user}@{server.vars['ansible_host']}: {result.stderr.strip()}"
    assert result.stdout.split() == [str(host.user(user).uid), "0"]


def test_ssh_login_survives_the_firewall(host, server) -> None:  # type: ignore[no-untyped-def]
    if server.name not in SERVERS:
        pytest.skip(f"{server.name} is reached through podman")
    # The firewall role ran in converge (hardened_ftp_firewall_enabled): SSH must still let the admin in.
    # The role's own nftables table (ftp_firewall_backend: nftables, the default) holds an input policy.
    assert "table inet hardened_ftp" in host.check_output("nft list tables"), "the firewall role did not run here"
    result = _ssh(server.name, "true")
    assert result.returncode == 0, f"after the firewall was configured, SSH to {server.name} fails: {result.stderr}"
