# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewalld part of the firewall plan: definitions, zone services, rich rules, the lock-out guard."""

from __future__ import annotations

import pytest
from test__firewall_plan import SERVER, errors, plan_of

INSTALLED = {"packages": {"firewalld": True, "netbase": True, "nftables": True, "python3-apt": True}}


def test_any_source_opens_services_in_the_zone_with_the_helper_on_the_control_port() -> None:
    plan = plan_of(dict(SERVER, control_port=2121), INSTALLED, backend="firewalld")
    fwd = plan["firewalld"]
    assert fwd["helpers"] == {"hardened-ftp": {"module": "nf_conntrack_ftp", "port": "2121"}}
    assert fwd["services"]["hardened-ftp"] == {"ports": [{"port": "2121", "protocol": "tcp"}], "helper": "hardened-ftp"}
    assert fwd["services"]["hardened-ftp-passive"]["ports"] == [{"port": "30000-30009", "protocol": "tcp"}]
    # SSH first, so the zone has it before anything else changes.
    assert fwd["zone_services"] == ["hardened-ftp-ssh", "hardened-ftp", "hardened-ftp-passive"]
    assert fwd["rich_rules"] == []
    assert fwd["policies"] == {}
    assert plan["packages"] == ["python3-apt", "firewalld", "netbase", "nftables"]
    assert plan["missing_packages"] == []


def test_restricted_sources_become_rich_rules_per_family() -> None:
    plan = plan_of(
        dict(SERVER, tls_enable=False, tls_required=False),
        INSTALLED,
        backend="firewalld",
        allowed_sources=["10.88.0.0/16", "fd00::/64"],
        ssh_sources=["192.0.2.0/24", "::/0"],
    )
    fwd = plan["firewalld"]
    assert "hardened-ftp-passive" not in fwd["services"]  # related: no range
    assert fwd["zone_services"] == []
    assert fwd["rich_rules"] == [
        'rule family="ipv4" source address="192.0.2.0/24" service name="hardened-ftp-ssh" accept',
        # The live session's address is always kept.
        'rule family="ipv4" source address="10.88.0.1" service name="hardened-ftp-ssh" accept',
        'rule family="ipv6" service name="hardened-ftp-ssh" accept',
        'rule family="ipv4" source address="10.88.0.0/16" service name="hardened-ftp" accept',
        'rule family="ipv6" source address="fd00::/64" service name="hardened-ftp" accept',
        # firewalld's stock ssh service would accept from anywhere: what is not a source is dropped first.
        'rule family="ipv4" source NOT ipset="hardened-ftp-ssh4" service name="hardened-ftp-ssh" drop',
    ]
    assert fwd["ipsets"] == {"hardened-ftp-ssh4": {"family": "inet", "entries": ["192.0.2.0/24", "10.88.0.1"]}}


def test_ipv6_off_opens_ftp_over_ipv4_only_and_extra_ports_everywhere() -> None:
    plan = plan_of(SERVER, INSTALLED, backend="firewalld", ipv6=False, extra_allowed=[{"port": "8000-8010"}])
    fwd = plan["firewalld"]
    assert fwd["zone_services"] == ["hardened-ftp-ssh", "hardened-ftp-extra"]
    assert fwd["rich_rules"] == [
        'rule family="ipv4" service name="hardened-ftp" accept',
        'rule family="ipv4" service name="hardened-ftp-passive" accept',
    ]
    assert fwd["services"]["hardened-ftp-extra"]["ports"] == [{"port": "8000-8010", "protocol": "tcp"}]


@pytest.mark.parametrize(("tls", "policy"), [(False, {"hardened-ftp-out": {"drop_source_port": 20}}), (True, {})])
def test_egress_drops_new_connections_from_port_20_unless_ftps_hides_port(tls: bool, policy: dict) -> None:
    server = dict(SERVER, tls_enable=tls, tls_required=tls)
    assert plan_of(server, INSTALLED, backend="firewalld", filter_egress=True)["firewalld"]["policies"] == policy


def test_a_zone_name_is_checked() -> None:
    assert plan_of(SERVER, INSTALLED, backend="firewalld", firewalld_zone="internal")["firewalld"]["zone"] == "internal"
    for bad in ("a zone", "../x", "z" * 18, "-x"):
        assert any(
            "ftp_firewall_firewalld_zone" in m
            for m in errors(SERVER, INSTALLED, backend="firewalld", firewalld_zone=bad)
        )


def test_installing_firewalld_is_refused_when_ssh_is_not_on_port_22() -> None:
    messages = errors(SERVER, {"ssh": {"client": "10.88.0.1", "port": 2222}}, backend="firewalld", ssh_port=2222)
    assert any("ftp_firewall_backend" in m and "2222" in m for m in messages), messages
    # Installed already: the role opens the port in the zone before anything closes.
    assert not errors(
        SERVER, dict(INSTALLED, ssh={"client": "10.88.0.1", "port": 2222}), backend="firewalld", ssh_port=2222
    )
    assert not errors(SERVER, backend="firewalld")


def test_one_firewall_per_host() -> None:
    running = {"units": {"firewalld": {"active": "active"}}}
    messages = errors(SERVER, running, backend="nftables")
    assert any("firewalld runs on this host" in m and "systemctl mask --now firewalld" in m for m in messages)
    assert not errors(SERVER, running, backend="firewalld")
    # The role's own nftables or iptables rules are taken out by the switch, not refused.
    left = dict(INSTALLED, paths={"/etc/nftables.d/hardened-ftp.nft": {"exists": True}})
    assert not errors(SERVER, left, backend="firewalld")
    # An enabled ufw is the administrator's frontend: refused, with the fix.
    enabled = dict(INSTALLED, files={"/etc/ufw/ufw.conf": "ENABLED=yes\n"})
    messages = errors(SERVER, enabled, backend="firewalld")
    assert any("ufw is enabled" in m and "ufw disable" in m for m in messages), messages
    assert not errors(SERVER, dict(INSTALLED, files={"/etc/ufw/ufw.conf": "ENABLED=no\n"}), backend="firewalld")


@pytest.mark.parametrize(
    ("present", "backends"),
    [
        ({}, []),
        ({"/etc/nftables.d/hardened-ftp.nft": True}, ["nftables"]),
        # The digest alone (the file deleted by hand) still means the table may be live.
        ({"/var/lib/hardened-ftp/firewall/nftables.json": True}, ["nftables"]),
        ({"/etc/hardened-ftp/rules.ipv6": True, "/etc/nftables.d/hardened-ftp.nft": False}, ["iptables"]),
        ({"/etc/hardened-ftp/rules.ipv4": True, "/etc/nftables.d/hardened-ftp.nft": True}, ["nftables", "iptables"]),
    ],
)
def test_a_switch_to_firewalld_takes_out_the_roles_earlier_backend(
    present: dict[str, bool], backends: list[str]
) -> None:
    host = dict(INSTALLED, paths={path: {"exists": there} for path, there in present.items()})
    plan = plan_of(SERVER, host, backend="firewalld")
    assert [item["backend"] for item in plan["switch_from"]] == backends
    items = {item["backend"]: item for item in plan["switch_from"]}
    if "iptables" in items:
        assert items["iptables"]["chains"] == ["HARDENED-FTP-INPUT", "HARDENED-FTP-OUTPUT", "HARDENED-FTP-PRE"]
        assert items["iptables"]["saved_files"] == ["/etc/iptables/rules.v4", "/etc/iptables/rules.v6"]
        assert [rule["path"] for rule in items["iptables"]["rules"]] == [
            "/etc/hardened-ftp/rules.ipv4",
            "/etc/hardened-ftp/rules.ipv6",
        ]
    if "nftables" in items:
        assert items["nftables"]["include"] == 'include "/etc/nftables.d/*.nft"'
        assert items["nftables"]["table"] == "hardened_ftp"
    # Only a switch to firewalld takes anything out.
    assert plan_of(SERVER, host, backend="nftables")["switch_from"] == []
