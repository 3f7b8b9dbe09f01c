# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults: the collection never leaves a host worse than it found it.

Each test breaks one thing on a converged server, runs what meets the fault (playbooks/site.yml for
a daemon switch, the server role for a new port, the firewall role for new rules), and checks the
run fails naming the cause while the daemon, its configuration, the firewall rules and the served
files are as before. The first test records checksums of the anonymous area (with an
upload in the drop-box); the last proves every fault left them untouched.
"""

from __future__ import annotations

import uuid

import pytest
from conftest import Firewall, Server
from res_common import FAILING_TEST, NO_MIRROR, NO_MIRROR_CONF, podman_exec, record, rules, run_playbook, serves, state

SUMS = "/root/hardened-ftp-resilience.sha256"


@pytest.fixture(scope="module")
def server(host):  # type: ignore[no-untyped-def]
    return Server(host.backend.name)


@pytest.fixture(scope="module")
def firewall(server):  # type: ignore[no-untyped-def]
    return Firewall(server)


def test_res_a_record_the_served_files(server):  # type: ignore[no-untyped-def]
    upload = f"{server.test['upload_dir']}/before-faults-{uuid.uuid4().hex[:12]}.txt"
    result = server.anonymous([{"op": "stor", "path": upload, "data": "dropped before the faults\n"}])
    assert result["steps"][0]["ok"], result
    root = server.test["anon_root"]
    podman_exec(server.name, ["sh", "-c", f"find {root} -type f -print0 | sort -z | xargs -0 sha256sum > {SUMS}"])
    sums = podman_exec(server.name, ["cat", SUMS]).stdout
    assert "before-faults-" in sums and "welcome.txt" in sums, sums


def test_res_failed_install_leaves_the_running_daemon(server, firewall):  # type: ignore[no-untyped-def]
    other = server.test["other_daemon"]
    assert podman_exec(server.name, ["dpkg", "-s", other["package"]], check=False).returncode != 0
    before, rules_before = state(server), rules(firewall)
    # No mirror reachable: every download goes to a closed local port.
    podman_exec(server.name, ["sh", "-c", f"cat > {NO_MIRROR}"], stdin=NO_MIRROR_CONF)
    try:
        rc, output, seconds = run_playbook(server, "site", {"hardened_ftp_daemon": other["name"]})
    finally:
        podman_exec(server.name, ["rm", "-f", NO_MIRROR])
    record(f"fault-install-{server.name}", {"rc": rc, "seconds": seconds, "tail": output[-1500:]})
    assert rc != 0, output[-3000:]
    assert f"Could not install {other['name']}" in output, output[-3000:]
    assert "still runs, on its old configuration" in output, output[-3000:]
    assert podman_exec(server.name, ["dpkg", "-s", other["package"]], check=False).returncode != 0
    assert state(server) == before
    assert rules(firewall) == rules_before
    serves(server)


def test_res_daemon_that_does_not_start_is_rolled_back(server, firewall):  # type: ignore[no-untyped-def]
    before, rules_before = state(server), rules(firewall)
    port = 2121
    prefix = server.vars["hardened_ftp_daemon"]
    # Another program holds the new port: no validation can see that, only the start can.
    with firewall.listener(port, idle=900):
        rc, output, seconds = run_playbook(server, "server", {f"{prefix}_listen_port": port})
    record(f"fault-start-{server.name}", {"rc": rc, "seconds": seconds, "tail": output[-1500:]})
    assert rc != 0, output[-3000:]
    assert "did not run with the new configuration" in output, output[-3000:]
    assert f"listen port {port}" in output, output[-3000:]
    assert "last good configuration is back" in output, output[-3000:]
    assert state(server) == before
    assert rules(firewall) == rules_before
    serves(server)


def test_res_firewall_rules_that_fail_their_test_leave_the_old_ones(server, firewall):  # type: ignore[no-untyped-def]
    tools = ["nft"] if firewall.backend == "nftables" else ["iptables-restore", "ip6tables-restore"]
    before, rules_before = state(server), rules(firewall)
    for tool in tools:
        podman_exec(
            server.name,
            ["sh", "-c", f"cat > /usr/local/sbin/{tool} && chmod 0755 /usr/local/sbin/{tool}"],
            stdin=FAILING_TEST.replace("{tool}", tool),
        )
    try:
        # A new input, so the rules file changes and must pass its test before it is used.
        rc, output, seconds = run_playbook(
            server, "ftp_firewall", {"ftp_firewall_extra_allowed": [{"port": 8021, "proto": "tcp"}]}
        )
    finally:
        podman_exec(server.name, ["rm", "-f", *(f"/usr/local/sbin/{tool}" for tool in tools)])
    record(f"fault-firewall-{server.name}", {"rc": rc, "seconds": seconds, "tail": output[-1500:]})
    assert rc != 0, output[-3000:]
    assert "injected failure of the rules test" in output, output[-3000:]
    assert "previous rules are in force" in output, output[-3000:]
    assert rules(firewall) == rules_before
    assert state(server) == before
    ssh = firewall.probe(22)
    assert ssh["ok"] and ssh["banner"].startswith("SSH-2.0"), ssh
    serves(server)


def test_res_z_served_files_are_unchanged(server):  # type: ignore[no-untyped-def]
    check = podman_exec(server.name, ["sha256sum", "--check", "--strict", SUMS], check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "before-faults-" in check.stdout
