# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fast path of hardened.ftp.site (hardened.ftp.last_good_run), on the real daemon and firewall.

Runs on the servers whose inventory sets ``ftp_test_fast_path`` (and ``hardened_ftp_fast_path:
true``; molecule turns the fast path off everywhere else). Their converge wrote the record and their
idempotence and check steps already took the fast path. Here: a run with nothing to do reaches the
host once; hand edits, a stopped daemon, a drop-box opened to all and a foreign firewall table are
each noticed and named; and (``ftp_test_fast_path: repair``) the next run is a full one that puts
the host right, and the one after it is fast again.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import typing as t
from pathlib import Path

import pytest
from conftest import group_hosts, hostvars, podman_exec

SERVERS = [name for name in group_hosts("ftp_servers") if hostvars(name).get("ftp_test_fast_path")]
CHECK_ONLY = """
- hosts: {host}
  gather_facts: false
  tasks:
    - hardened.ftp.last_good_run: {{}}
"""
FOREIGN = {
    "nftables": (
        ["nft", "add", "table", "inet", "hftp_test_foreign"],
        ["nft", "delete", "table", "inet", "hftp_test_foreign"],
    ),
    "iptables": (["iptables", "-N", "HFTP-TEST-FOREIGN"], ["iptables", "-X", "HFTP-TEST-FOREIGN"]),
    "ufw": (["iptables", "-N", "HFTP-TEST-FOREIGN"], ["iptables", "-X", "HFTP-TEST-FOREIGN"]),
}


def playbook(host: str, path: str) -> tuple[dict[str, t.Any], str]:
    """Run ``path`` on ``host`` with the scenario's inventory; the JSON result and the raw output."""
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_NOCOLOR": "true"}
    proc = subprocess.run(
        ["ansible-playbook", "-i", inventory, "--limit", host, path],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{path} failed on {host}:\n{output[-4000:]}"
    return json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{") :])[0], output


def results(run: dict[str, t.Any], host: str) -> list[tuple[str, dict[str, t.Any]]]:
    """(task name, result) of every task that ran on ``host``, in order (skipped ones left out)."""
    found = []
    for play in run["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get(host)
            if result is not None and not result.get("skipped"):
                # A role's task is named "<role> : <name>": keep the name.
                found.append((task["task"]["name"].split(" : ", 1)[-1], result))
    return found


def check_only(host: str) -> dict[str, t.Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check.yml"
        path.write_text(CHECK_ONLY.format(host=host))
        run = playbook(host, str(path))[0]
    return results(run, host)[0][1]


def edited_file(name: str) -> str:
    """The first of the files the scenario watches that is a plain path (not a pattern)."""
    return next(path for path in hostvars(name)["ftp_test"]["watched_files"] if "*" not in path)


@pytest.fixture
def server_name(host) -> str:  # type: ignore[no-untyped-def]
    if host.backend.name not in SERVERS:
        pytest.skip("the fast path is tested on the servers with ftp_test_fast_path")
    return str(host.backend.name)


def test_a_run_with_nothing_to_do_reaches_the_host_once(server_name: str) -> None:
    # Tests before this one ran the firewall role alone (it re-saves the rules it puts back), which
    # the fast path rightly notices: one good run of the playbook first, then the run to judge.
    playbook(server_name, "hardened.ftp.site")
    run, output = playbook(server_name, "hardened.ftp.site")
    ran = results(run, server_name)
    first = dict(ran).get("Ask the host whether anything changed since the last good run", {})
    assert first.get("unchanged") is True, f"not the fast path: {first.get('reasons')}"
    assert run["stats"][server_name]["changed"] == 0, output[-3000:]
    # Every other task that ran is an assert, a set_fact, a meta task or the role's argument check:
    # none reaches the host.
    controller_only = {
        "Check the fast path's age limit",
        "Nothing changed, so keep the facts the last good run published",
        "Nothing changed, so this host is done",
    }
    assert [
        name for name, _result in ran if name not in controller_only and not name.startswith("Validating arguments")
    ] == ["Ask the host whether anything changed since the last good run"]
    assert first["facts"]["hardened_ftp_server"]["control_port"] == int(
        hostvars(server_name).get("vsftpd_listen_port", hostvars(server_name).get("pureftpd_listen_port", 21))
    )


def test_each_difference_is_noticed_and_named(host, server_name: str) -> None:  # type: ignore[no-untyped-def]
    daemon = hostvars(server_name)["hardened_ftp_daemon"]
    unit = hostvars(server_name)["ftp_test"]["unit"]
    conf = edited_file(server_name)
    anon = hostvars(server_name)["ftp_test"]
    dropbox = f"{anon['anon_root']}/{anon['upload_dir']}"
    backend = hostvars(server_name).get("ftp_firewall_backend", "nftables")
    before = host.file(conf).content_string
    mode = host.file(dropbox).mode
    # Pure-FTPd's unit is generated from its SysV script ("generated"); vsftpd's is "enabled".
    unit_file_state = host.check_output(f"systemctl show --property=UnitFileState --value {unit}")
    podman_exec(server_name, ["sh", "-c", f"echo '# edited by hand' >> {conf}"])
    podman_exec(server_name, ["systemctl", "stop", unit])
    podman_exec(server_name, ["chmod", "0777", dropbox])
    podman_exec(server_name, FOREIGN[backend][0])
    try:
        reasons = check_only(server_name)["reasons"]
        named = " | ".join(reasons)
        assert any(reason.startswith(f"{conf}: was file") for reason in reasons), named
        assert any(reason.startswith(f"{dropbox}: was directory") for reason in reasons), named
        was, now = f"loaded/active/{unit_file_state}", f"loaded/inactive/{unit_file_state}"
        assert f"service {unit}: was {was}, now {now}" in reasons, named
        assert "the live firewall rules changed" in reasons, named
        assert any(reason.startswith("port ") for reason in reasons), named
    finally:
        if hostvars(server_name)["ftp_test_fast_path"] != "repair":
            podman_exec(server_name, ["sh", "-c", f"cat > {conf}"], stdin=before)
            podman_exec(server_name, ["chmod", oct(mode)[2:], dropbox])
            podman_exec(server_name, ["systemctl", "start", unit])
            podman_exec(server_name, FOREIGN[backend][1])
    assert daemon in ("vsftpd", "pureftpd", "proftpd")


def test_the_next_run_is_a_full_one_that_repairs_then_a_fast_one(host, server_name: str) -> None:  # type: ignore[no-untyped-def]
    if hostvars(server_name)["ftp_test_fast_path"] != "repair":
        pytest.skip("the repair run is tested on the servers with ftp_test_fast_path: repair")
    unit = hostvars(server_name)["ftp_test"]["unit"]
    conf = edited_file(server_name)
    anon = hostvars(server_name)["ftp_test"]
    dropbox = f"{anon['anon_root']}/{anon['upload_dir']}"
    backend = hostvars(server_name).get("ftp_firewall_backend", "nftables")
    # The foreign table stays the user's (the firewall tests show the role keeps other tools' rules);
    # it goes here so that the repaired host is the one the last good run recorded.
    podman_exec(server_name, FOREIGN[backend][1], check=False)
    run, output = playbook(server_name, "hardened.ftp.site")
    ran = dict(results(run, server_name))
    why = ran["Show why the host gets a full run"]["msg"]
    assert any(reason.startswith(f"{conf}: was file") for reason in why), why
    assert "the live firewall rules changed" not in why, why
    assert run["stats"][server_name]["changed"] > 0, output[-3000:]
    assert "# edited by hand" not in host.file(conf).content_string
    assert host.service(unit).is_running
    assert host.file(dropbox).mode != 0o777
    run, output = playbook(server_name, "hardened.ftp.site")
    assert run["stats"][server_name]["changed"] == 0, output[-3000:]
    first = dict(results(run, server_name))["Ask the host whether anything changed since the last good run"]
    assert first["unchanged"] is True, first["reasons"]
