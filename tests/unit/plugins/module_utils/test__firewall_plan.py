# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall planner: every input rule, every hostile value, and the plan it makes."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_plan import (
    ANY,
    FirewallPlanner,
    ufw_sources,
)

ROLE = Path(__file__).resolve().parents[4] / "roles" / "ftp_firewall"
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
SERVER = {
    "daemon": "vsftpd",
    "listen_address": "",
    "control_port": 21,
    "listen_ipv6": False,
    "pasv_enable": True,
    "pasv_min_port": 30000,
    "pasv_max_port": 30009,
    "pasv_address": "",
    "active_enable": True,
    "tls_enable": True,
    "tls_required": True,
    "anonymous_enable": True,
    "anon_upload_enable": False,
    "port_promiscuous": False,
}
HOST = {
    "ipv6": True,
    "ssh": {"client": "10.88.0.1", "port": 22},
    "packages": {},
    "paths": {},
    "python_apt": True,
    "files": {},
}


def planner(server: t.Any = None, host: dict[str, t.Any] | None = None, **inputs: t.Any) -> FirewallPlanner:
    raw = dict(DEFAULTS, **{f"ftp_firewall_{name}": value for name, value in inputs.items()})
    return FirewallPlanner(raw, dict(SERVER) if server is None else server)


def errors(server: t.Any = None, host: dict[str, t.Any] | None = None, **inputs: t.Any) -> list[str]:
    """Every message the planner gives, from the inputs and, when they pass, from the host."""
    plan = planner(server, **inputs)
    if plan.check():
        return plan.errors.messages()
    return plan.check_host(dict(HOST, **(host or {}))).messages()


def plan_of(server: t.Any = None, host: dict[str, t.Any] | None = None, **inputs: t.Any) -> dict[str, t.Any]:
    p = planner(server, **inputs)
    assert not p.check(), p.errors.messages()
    assert not p.check_host(dict(HOST, **(host or {}))), p.errors.messages()
    return p.plan()


def one(messages: list[str], *needles: str) -> str:
    assert len(messages) == 1, messages
    for needle in needles:
        assert needle in messages[0], messages[0]
    return messages[0]


def test_the_defaults_pass_and_plan_both_families() -> None:
    plan = plan_of()
    assert plan["families"] == plan["ftp_families"] == ["ipv4", "ipv6"]
    assert plan["policy"] == "range" and plan["passive_range"] == {"min": 30000, "max": 30009}
    assert plan["ftp_sources"] == {"ipv4": [ANY], "ipv6": [ANY]}
    assert plan["ssh_sources"] == {"ipv4": [ANY], "ipv6": [ANY]}
    assert plan["ssh_ports"] == [22]
    assert plan["packages"] == ["python3-apt", "nftables"]
    assert plan["missing_packages"] == ["python3-apt", "nftables"]
    assert plan["modules"] == [] and "cannot load modules" in plan["modules_note"]
    assert plan["watch"]["boot_services"] == ["nftables"]
    assert "/var/lib/hardened-ftp/firewall" in plan["watch"]["paths"]
    assert len(plan["rev"]) == 12


# --------------------------------------------------------------------------- hostile and malformed values


@pytest.mark.parametrize(
    ("value", "needles"),
    [
        ("10.0.0.0/255.0.0.0", ["gives a mask", "write it as 10.0.0.0/8"]),
        ("10.0.0.0/0.255.255.255", ["not a contiguous netmask"]),
        ("192.0.2.1/24", ["host bits set", "192.0.2.0/24", "192.0.2.1/32"]),
        ("2001:db8::1/32", ["host bits set", "2001:db8::/32"]),
        ("fe80::1%eth0", ["scope"]),
        ("fe80::/64%eth0", ["scope"]),
        ("192.0.2.0/24\n-A INPUT -j ACCEPT", ["control character", "U+000A"]),
        ("192.0.2.0/24\r", ["control character"]),
        ("192.0.2.0/24\u202e", ["control character"]),
        ("../../etc/passwd", ["not an address or CIDR network"]),
        ("192.0.2.0/33", ["not an address or CIDR network"]),
        ("192.0.2.0/24; drop", ["not an address or CIDR network"]),
        ("example.org", ["not an address or CIDR network"]),
        ("", ["not an address or CIDR network"]),
    ],
)
@pytest.mark.parametrize("variable", ["allowed_sources", "ssh_sources"])
def test_every_bad_network_is_refused_naming_the_variable(variable: str, value: str, needles: list[str]) -> None:
    found = one(errors(**{variable: [value, "::/0", "0.0.0.0/0"]}), f"ftp_firewall_{variable}", *needles)
    assert "\n" not in found and "\r" not in found  # the message escapes what it quotes


def test_every_bad_network_of_a_list_is_reported_at_once() -> None:
    messages = errors(allowed_sources=["10.0.0.0/255.0.0.0", "192.0.2.1/24", "fe80::1%eth0"])
    assert len(messages) == 3, messages


def test_a_scalar_source_is_refused() -> None:
    one(errors(allowed_sources="192.0.2.0/24"), "ftp_firewall_allowed_sources", "must be a list")


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (0, "outside 1-65535"),
        (65536, "outside 1-65535"),
        (70000, "outside 1-65535"),
        ("22\n", "control character"),
        ("\u0662\u0662", "not a port number"),
        ("ssh", "not a port number"),
    ],
)
def test_ssh_port_must_be_a_port(value: t.Any, needle: str) -> None:
    one(errors(ssh_port=value), "ftp_firewall_ssh_port", needle)


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ({"port": "80-"}, "not a port or a port range"),
        ({"port": "8010-8000"}, "above"),
        ({"port": 70000}, "outside 1-65535"),
        ({"port": "0"}, "outside 1-65535"),
        ({"port": "\u0663"}, "not a port or a port range"),  # ARABIC-INDIC DIGIT THREE
        ({"port": "443\n-A INPUT -j ACCEPT"}, "control character"),
        ({"port": True}, "not a port"),
        ({"port": 443, "proto": "icmp"}, "not one of tcp, udp"),
        ({"port": 443, "proto": "tcp\n"}, "not one of tcp, udp"),
        ({"port": 443, "from": "any"}, "unknown keys from"),
        ({"proto": "tcp"}, "not a mapping with a port"),
        ("443", "not a mapping with a port"),
    ],
)
def test_extra_ports_are_ports_or_ranges_with_a_protocol(item: t.Any, needle: str) -> None:
    one(errors(extra_allowed=[item]), "ftp_firewall_extra_allowed[0]", needle)


def test_extra_ports_are_normalised() -> None:
    plan = plan_of(extra_allowed=[{"port": 443}, {"port": "8000:8010", "proto": "udp"}, {"port": "443"}])
    assert plan["extra_allowed"] == [
        {"proto": "tcp", "min": 443, "max": 443},
        {"proto": "udp", "min": 8000, "max": 8010},
    ]


@pytest.mark.parametrize("name", ["backend", "passive_policy"])
def test_choices(name: str) -> None:
    one(errors(**{name: "shorewall"}), f"ftp_firewall_{name}", "not one of")


@pytest.mark.parametrize(
    "name", ["ipv6", "filter_egress", "default_deny", "load_helper_modules", "nat_helper", "persist"]
)
def test_flags_must_be_booleans(name: str) -> None:
    one(errors(**{name: "sometimes"}), f"ftp_firewall_{name}", "true or false")


# --------------------------------------------------------------------------- against the server


@pytest.mark.parametrize(
    ("server", "needles"),
    [
        (None, ["hardened_ftp_server", "is not set", "hardened.ftp.vsftpd"]),
        ("vsftpd", ["hardened_ftp_server", "not a mapping"]),
        ({"daemon": "vsftpd"}, ["hardened_ftp_server", "lacks control_port"]),
        (dict(SERVER, control_port="twenty-one"), ["hardened_ftp_server", "not a port number"]),
        (dict(SERVER, control_port=0), ["hardened_ftp_server", "not a port 1-65535"]),
    ],
)
def test_the_server_fact_is_needed(server: t.Any, needles: list[str]) -> None:
    p = FirewallPlanner(DEFAULTS, server)
    one(p.check().messages(), *needles)


def test_related_is_refused_with_tls() -> None:
    one(errors(passive_policy="related"), "ftp_firewall_passive_policy", "TLS", "vsftpd_tls_enable")


def test_auto_is_related_without_tls_and_opens_no_range() -> None:
    plan = plan_of(dict(SERVER, tls_enable=False, tls_required=False))
    assert plan["policy"] == "related" and plan["passive_range"] == {}


def test_range_needs_a_published_range() -> None:
    server = dict(SERVER, pasv_min_port=None, pasv_max_port=None)
    one(errors(server, passive_policy="range"), "ftp_firewall_passive_policy", "no passive port range")


@pytest.mark.parametrize(("port", "needle"), [(21, "the FTP control port"), (30005, "inside the passive range")])
def test_ssh_port_is_neither_the_control_port_nor_in_the_range(port: int, needle: str) -> None:
    one(errors(ssh_port=port), "ftp_firewall_ssh_port", needle)


def test_a_server_on_ipv6_with_ipv6_off_is_refused_naming_both() -> None:
    found = one(errors(dict(SERVER, listen_ipv6=True), ipv6=False), "ftp_firewall_ipv6", "vsftpd_listen_ipv6")
    assert "set ftp_firewall_ipv6: true" in found
    pure = dict(SERVER, daemon="pureftpd", listen_ipv6=True)
    one(errors(pure, ipv6=False), "pureftpd_listen_ipv6")


def test_ipv6_sources_with_ipv6_off_are_refused() -> None:
    one(errors(ipv6=False, allowed_sources=["2001:db8::/32"]), "ftp_firewall_allowed_sources", "2001:db8::/32")


# --------------------------------------------------------------------------- against the host


@pytest.mark.parametrize(
    ("sources", "family", "fix"),
    [(["192.0.2.0/24"], "IPv6", "::/0"), (["2001:db8::/32"], "IPv4", "0.0.0.0/0")],
)
def test_ssh_sources_of_one_family_are_refused_when_the_other_is_filtered(
    sources: list[str], family: str, fix: str
) -> None:
    one(errors(ssh_sources=sources), "ftp_firewall_ssh_sources", f"over {family} would be closed", fix)
    # ipv6 false does not change it: IPv6 is still filtered.
    if family == "IPv6":
        one(errors(ssh_sources=sources, ipv6=False), "even with ftp_firewall_ipv6: false")


def test_ssh_sources_of_one_family_are_fine_where_the_other_is_not_filtered() -> None:
    assert errors(ssh_sources=["192.0.2.0/24"], host={"ipv6": False}) == []
    assert errors(ssh_sources=["192.0.2.0/24"], default_deny=False) == []


def test_ssh_keeps_the_live_session() -> None:
    plan = plan_of(ssh_sources=["192.0.2.0/24", "2001:db8::/32"], host={"ssh": {"client": "10.1.2.3", "port": 2222}})
    assert plan["ssh_ports"] == [22, 2222]
    assert plan["ssh_sources"] == {"ipv4": ["192.0.2.0/24", "10.1.2.3"], "ipv6": ["2001:db8::/32"]}
    assert plan["session"] == {"client": "10.1.2.3", "port": 2222}
    # A client inside the networks given is not added twice; an IPv4-mapped or scoped client is read.
    inside = plan_of(ssh_sources=["10.0.0.0/8", "::/0"], host={"ssh": {"client": "::ffff:10.1.2.3", "port": 22}})
    assert inside["ssh_sources"] == {"ipv4": ["10.0.0.0/8"], "ipv6": [ANY]}
    scoped = plan_of(ssh_sources=["0.0.0.0/0", "2001:db8::/32"], host={"ssh": {"client": "fe80::1%eth0", "port": 22}})
    assert scoped["ssh_sources"]["ipv6"] == ["2001:db8::/32", "fe80::1"]


def test_the_sessions_server_address_goes_to_the_firewalld_plan() -> None:
    ssh = {"client": "10.1.2.3", "port": 22, "server": "::ffff:10.0.0.5"}
    plan = plan_of(backend="firewalld", host={"ssh": ssh})
    assert plan["session"] == {"client": "10.1.2.3", "port": 22, "server": "10.0.0.5"}
    assert plan["firewalld"]["session_address"] == "10.0.0.5"
    scoped = plan_of(backend="firewalld", host={"ssh": dict(ssh, server="fe80::2%eth0")})
    assert scoped["firewalld"]["session_address"] == "fe80::2"
    # No session (podman, local), or a server address that is not one: the module falls back to the route.
    assert plan_of(backend="firewalld")["firewalld"]["session_address"] == ""
    assert plan_of(backend="firewalld", host={"ssh": dict(ssh, server="bogus")})["firewalld"]["session_address"] == ""


def test_a_session_port_inside_the_ftp_ports_is_refused() -> None:
    one(errors(host={"ssh": {"client": "10.1.2.3", "port": 30001}}), "ftp_firewall_ssh_port", "passive range")


def test_a_garbled_session_is_a_warning() -> None:
    p = planner()
    assert not p.check() and not p.check_host(dict(HOST, ssh={"client": "bogus\n", "port": 22}))
    assert p.plan()["session"] == {}
    assert any("SSH session" in warning for warning in p.warnings)


def test_a_kernel_without_ipv6_gets_ipv4_only_and_is_told() -> None:
    p = planner()
    assert not p.check() and not p.check_host(dict(HOST, ipv6=False))
    plan = p.plan()
    assert plan["families"] == plan["ftp_families"] == ["ipv4"]
    assert set(plan["files"]) == {"inet"}
    assert any("no IPv6" in warning for warning in p.warnings)
    iptables = plan_of(backend="iptables", host={"ipv6": False})
    assert list(iptables["files"]) == ["ipv4"]


def test_ipv6_false_filters_ipv6_and_serves_ipv4() -> None:
    plan = plan_of(ipv6=False, backend="ufw")
    assert plan["families"] == ["ipv4", "ipv6"] and plan["ftp_families"] == ["ipv4"]
    assert plan["ssh_sources"] == {"ipv4": [ANY], "ipv6": [ANY]}
    assert set(plan["ftp_sources"]) == {"ipv4"}
    froms = {(rule["comment"], rule["from_ip"]) for rule in plan["ufw_rules"]}
    assert ("hardened-ftp control port", "0.0.0.0/0") in froms
    assert ("hardened-ftp management SSH", "any") in froms


@pytest.mark.parametrize(
    ("backend", "installed", "needle"),
    [("ufw", {"iptables-persistent": "1.0"}, "iptables-persistent"), ("iptables", {"ufw": "0.36"}, "ufw")],
)
def test_conflicting_firewalls_are_refused(backend: str, installed: dict[str, str], needle: str) -> None:
    one(errors(backend=backend, host={"packages": installed}), "ftp_firewall_backend", needle)


def test_packages_follow_the_backend_and_the_host() -> None:
    apt = "python3-apt"
    assert plan_of(backend="iptables")["packages"] == [apt, "iptables", "netfilter-persistent", "iptables-persistent"]
    assert plan_of(backend="iptables", persist=False)["packages"] == [apt, "iptables"]
    assert plan_of(backend="ufw")["packages"] == [apt, "ufw", "procps"]
    loadable = {"/proc/modules": {"exists": True}}
    plan = plan_of(host={"paths": loadable, "packages": {"nftables": "1.0", apt: "2.6"}})
    assert plan["modules"] == ["nf_conntrack_ftp"] and plan["packages"] == [apt, "nftables", "kmod"]
    assert plan["missing_packages"] == ["kmod"]
    built_in = dict(loadable, **{"/sys/module/nf_conntrack_ftp": {"exists": True}})
    assert plan_of(host={"paths": built_in})["modules"] == []
    assert plan_of(nat_helper=True, host={"paths": loadable})["modules"] == ["nf_conntrack_ftp", "nf_nat_ftp"]
    assert plan_of(load_helper_modules=False, host={"paths": loadable})["modules"] == []


def test_check_mode_on_a_bare_host_is_a_fresh_check() -> None:
    p = planner()
    assert not p.check() and not p.check_host(HOST)
    assert p.plan(check_mode=True)["fresh_check"] is True
    # Without python3-apt the rules are still compared: only the backend's tools matter.
    p.host["packages"] = {"nftables": "1.0"}
    assert p.plan(check_mode=True)["fresh_check"] is False


def test_sources_per_family() -> None:
    plan = plan_of(allowed_sources=["192.0.2.0/24", "192.0.2.0/24", "2001:db8::/32"])
    assert plan["ftp_sources"] == {"ipv4": ["192.0.2.0/24"], "ipv6": ["2001:db8::/32"]}
    only4 = plan_of(allowed_sources=["192.0.2.0/24"])
    assert only4["ftp_sources"] == {"ipv4": ["192.0.2.0/24"], "ipv6": []}
    everywhere = plan_of(allowed_sources=["0.0.0.0/0", "2001:db8::/32"])
    assert everywhere["ftp_sources"] == {"ipv4": [ANY], "ipv6": ["2001:db8::/32"]}


def test_ufw_sources() -> None:
    assert ufw_sources({"ipv4": [ANY], "ipv6": [ANY]}, ["ipv4", "ipv6"]) == [ANY]
    assert ufw_sources({"ipv4": [ANY]}, ["ipv4", "ipv6"]) == ["0.0.0.0/0"]
    assert ufw_sources({"ipv4": ["192.0.2.0/24"], "ipv6": [ANY]}, ["ipv4", "ipv6"]) == ["192.0.2.0/24", "::/0"]


def test_ufw_state_is_read_from_its_files() -> None:
    files = {"/etc/ufw/ufw.conf": "# c\nENABLED=yes\n", "/etc/default/ufw": 'DEFAULT_INPUT_POLICY="DROP"\n'}
    plan = plan_of(backend="ufw", host={"files": files})
    assert plan["ufw_enabled"] is True and plan["ufw_default_deny"] is True
    plan = plan_of(backend="ufw", host={"files": {"/etc/ufw/ufw.conf": None}})
    assert plan["ufw_enabled"] is False and plan["ufw_default_deny"] is False
    assert planner(backend="ufw").host_request()["read"] == []  # before check(): backend unknown
    p = planner(backend="ufw")
    p.check()
    assert p.host_request()["read"] == ["/etc/ufw/ufw.conf", "/etc/default/ufw"]


def test_the_rev_changes_with_the_rules_only() -> None:
    base = plan_of()["rev"]
    assert plan_of(consistency_check=False)["rev"] == base
    assert plan_of(extra_allowed=[{"port": 443}])["rev"] != base
    assert plan_of(host={"ssh": {"client": "10.9.9.9", "port": 2200}})["rev"] != base


def test_ufw_deletes_the_one_family_half_of_an_any_rule_where_the_family_is_restricted() -> None:
    plan = plan_of(backend="ufw", ipv6=False, ssh_sources=["10.0.0.0/8", "::/0"])
    absent = {(rule["port"], rule["from_ip"]) for rule in plan["ufw_absent"]}
    # FTP is not served over IPv6: the IPv6 half of "from any" goes; SSH over IPv4 is restricted.
    assert absent == {("21", "::/0"), ("30000:30009", "::/0"), ("22", "0.0.0.0/0")}
    keep = {
        (rule["port"], tuple(rule["from_ip"]) if isinstance(rule["from_ip"], list) else rule["from_ip"])
        for rule in plan["ufw_keep"]
    }
    assert ("21", ("0.0.0.0/0", "any")) in keep and ("22", "10.0.0.0/8") in keep and ("22", ("::/0", "any")) in keep
    assert plan_of(backend="ufw")["ufw_absent"] == []


def test_boot_service_and_include_line_are_read_with_the_host_so_a_second_run_skips_them() -> None:
    from ansible_collections.hardened.ftp.plugins.module_utils import _firewall_plan as fp

    p = planner(backend="nftables")
    p.check()
    assert "nftables" in p.host_request()["units"] and p.host_request()["read"] == [fp.NFT_CONF]
    enabled = {"units": {"nftables": {"file_state": "enabled"}}, "files": {fp.NFT_CONF: f"  {fp.NFT_INCLUDE}\n"}}
    plan = plan_of(backend="nftables", host=enabled)
    assert plan["boot_enabled"] is True and plan["nft_include_present"] is True
    disabled = {"units": {"nftables": {"file_state": "disabled"}}, "files": {fp.NFT_CONF: "flush ruleset\n"}}
    plan = plan_of(backend="nftables", host=disabled)
    assert plan["boot_enabled"] is False and plan["nft_include_present"] is False
    plan = plan_of(backend="iptables", host={"units": {"netfilter-persistent": {"file_state": "enabled"}}})
    assert plan["boot_enabled"] is True and plan["nft_include_present"] is False
    assert plan_of(backend="iptables", host={})["boot_enabled"] is False
