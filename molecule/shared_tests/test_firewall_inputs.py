# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.ftp_firewall's inputs, proven with real connections.

The test runs the role alone on each server with other inputs, checks who can connect, and runs it
again with the inventory's inputs. Sources are told apart by where a probe starts: the scenario's
client container, or the controller (another address on the same network, which no input names).
The inputs do not depend on the daemon, so scenarios that already cover a backend may deselect
this module.
"""

from __future__ import annotations

from conftest import container_ip


def test_firewall_inputs_change_what_is_open(server, firewall):  # type: ignore[no-untyped-def]
    """allowed_sources, ssh_sources and extra_allowed; then default_deny false; then the inventory's inputs."""
    client = f"{container_ip(server.client)}/32"
    extra = firewall.high + 2000
    assert firewall.probe(firewall.control_port, source="controller")["ok"], "control port closed before the test"

    # 1. Only the client may reach FTP and SSH over IPv4 (SSH over IPv6 stays open: sources must name
    # both families the host filters); the extra port is open to anyone.
    firewall.run_role(
        {
            "ftp_firewall_allowed_sources": [client],
            "ftp_firewall_ssh_sources": [client, "::/0"],
            "ftp_firewall_extra_allowed": [{"port": extra, "proto": "tcp"}],
        }
    )
    assert firewall.probe(firewall.control_port)["ok"], "the allowed client cannot reach the control port"
    assert firewall.probe(22)["ok"], "the allowed client cannot reach SSH"
    assert server.download_works()
    refused = firewall.probe(firewall.control_port, source="controller")
    assert not refused["ok"], f"a source outside ftp_firewall_allowed_sources reached FTP: {refused}"
    refused = firewall.probe(22, source="controller")
    assert not refused["ok"], f"a source outside ftp_firewall_ssh_sources reached SSH: {refused}"
    with firewall.listener(extra) as port:
        reply = firewall.probe(port, source="controller")
        assert reply["ok"], f"port {port} in ftp_firewall_extra_allowed is closed: {reply}"

    # 2. A host with a firewall of its own (accepting by default): the role only adds its rules.
    firewall.accept_by_default()
    firewall.run_role({"ftp_firewall_default_deny": False})
    assert server.download_works()
    assert not [f for f in firewall.consistency() if f["severity"] == "error"]
    with firewall.listener(extra) as port:
        reply = firewall.probe(port, source="controller")
        assert reply["ok"], f"ftp_firewall_default_deny false, yet port {port} is dropped: {reply}"

    # 3. The inventory's inputs again: any source, default deny, the extra port closed once more.
    firewall.run_role({})
    assert firewall.probe(firewall.control_port, source="controller")["ok"]
    assert server.download_works()
    with firewall.listener(extra) as port:
        assert not firewall.probe(port, source="controller")["ok"], f"port {port} stayed open after the role ran"
