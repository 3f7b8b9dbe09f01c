# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.firewalld_ftp's logic, with firewall-cmd faked: files, check, reload, rollback, the zone."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _firewalld_config as fc

DEFS = {
    "helpers": {"hardened-ftp": {"module": "nf_conntrack_ftp", "port": "2121"}},
    "services": {"hardened-ftp": {"ports": [{"port": "2121", "protocol": "tcp"}], "helper": "hardened-ftp"}},
    "policies": {"hardened-ftp-out": {"drop_source_port": 20}},
}
ROUTE = "Iface\tDestination\tGateway\neth0\t0000580A\t00000000\neth1\t00000000\t0100580A\n"


class Fake:
    def __init__(
        self,
        running: bool = True,
        check_rc: int = 0,
        check_out: str = "",
        zone_of: str = "no zone",
        zones: dict[str, str] | None = None,
    ) -> None:
        self.running, self.check_rc, self.check_out, self.zone_of = running, check_rc, check_out, zone_of
        self.zones = zones or {}
        self.calls: list[list[str]] = []
        self.services = "ssh dhcpv6-client hardened-ftp hardened-ftp-passive"
        self.rules = (
            'rule family="ipv4" source address="192.0.2.0/24" service name="hardened-ftp" accept\n'
            'rule family="ipv4" source address="192.0.2.9" service name="http" accept\n'
        )
        self.target = "default"
        self.live_rule = ""
        self.nft = 'table inet firewalld {\n\t\ttcp dport 2121 ct helper set "helper-hardened-ftp-tcp"\n}\n'

    def __call__(self, argv: list[str]) -> tuple[int, str, str]:
        self.calls.append(argv)
        last = argv[-1]
        if last == "--state":
            return (0, "running", "") if self.running else (252, "not running", "")
        if last == "--check-config":
            return self.check_rc, self.check_out, ""
        if last == "--get-zones":
            return 0, "block dmz drop internal public trusted\n", ""
        if last.startswith("--get-zone-of-interface=") and self.zones:
            zone = self.zones.get(last.split("=", 1)[1], "no zone")
            return (2, zone, "") if zone == "no zone" else (0, zone + "\n", "")
        if last.startswith("--get-zone-of-interface="):
            return (2, self.zone_of, "") if self.zone_of == "no zone" else (0, self.zone_of + "\n", "")
        if last == "--get-default-zone":
            assert "--permanent" not in argv, "a stand-alone option"
            return 0, "public\n", ""
        if last == "--list-services":
            return 0, self.services + "\n", ""
        if last == "--list-rich-rules":
            live = self.live_rule if "--permanent" not in argv and argv[0] == "firewall-cmd" else ""
            return 0, self.rules + live, ""
        if argv[0] == "nft":
            return 0, self.nft, ""
        if last == "--get-target":
            return 0, self.target + "\n", ""
        return 0, "success", ""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    route = tmp_path / "route"
    route.write_text(ROUTE)
    monkeypatch.setattr(fc, "ROUTE", str(route))
    return str(tmp_path / "etc")


def params(**changes: t.Any) -> dict[str, t.Any]:
    base = {
        "definitions": DEFS,
        "prefix": "hardened-ftp",
        "zone": "",
        "zone_services": ["hardened-ftp"],
        "rich_rules": [],
    }
    base.update(changes)
    return base


def test_definitions_are_written_checked_reloaded_and_then_stable(root: str) -> None:
    fake = Fake()
    result = fc.define(params(), fake, False, root)
    assert result["changed"] and len(result["written"]) == 3
    helper = Path(root, "helpers", "hardened-ftp.xml").read_text()
    assert 'module="nf_conntrack_ftp"' in helper and 'port="2121"' in helper
    assert '<helper name="hardened-ftp"/>' in Path(root, "services", "hardened-ftp.xml").read_text()
    assert (
        '<source-port port="20" protocol="tcp"/><drop/>' in Path(root, "policies", "hardened-ftp-out.xml").read_text()
    )
    assert ["firewall-offline-cmd", "--check-config"] in fake.calls and ["firewall-cmd", "--reload"] in fake.calls
    # The zone: eth1 carries the default route and is in no zone, so firewalld's default zone.
    assert result["zone"] == "public" and "eth1" in result["zone_reason"]
    # Only the role's own entries are stale; the administrator's http rule is not.
    assert result["stale_services"] == ["hardened-ftp-passive"]
    assert result["stale_rich_rules"] == [
        'rule family="ipv4" source address="192.0.2.0/24" service name="hardened-ftp" accept'
    ]
    again = Fake()
    assert not fc.define(params(), again, False, root)["changed"]
    assert ["firewall-cmd", "--reload"] not in again.calls


def test_a_rule_of_the_roles_added_live_only_is_stale_too(root: str) -> None:
    fake = Fake()
    fake.live_rule = 'rule family="ipv4" service name="hardened-ftp-ssh" accept\n'
    stale = fc.define(params(), fake, True, root)["stale_rich_rules"]
    assert 'rule family="ipv4" service name="hardened-ftp-ssh" accept' in stale
    assert len(stale) == 2


def test_check_mode_writes_nothing_and_shows_the_diff(root: str) -> None:
    result = fc.define(params(), Fake(), True, root)
    assert result["changed"] and result["diff"] and not Path(root).exists()


@pytest.mark.parametrize(
    ("rc", "out"), [(116, "Error: INVALID_NAME"), (0, "WARNING: Invalid rule: More than one element")]
)
def test_a_refused_configuration_puts_the_previous_files_back(root: str, rc: int, out: str) -> None:
    fc.define(params(), Fake(), False, root)
    before = Path(root, "helpers", "hardened-ftp.xml").read_text()
    changed = dict(DEFS, helpers={"hardened-ftp": {"module": "nf_conntrack_ftp", "port": "2222"}})
    with pytest.raises(fc.FirewalldError, match="previous ones are back"):
        fc.define(params(definitions=changed), Fake(check_rc=rc, check_out=out), False, root)
    assert Path(root, "helpers", "hardened-ftp.xml").read_text() == before


def test_a_stopped_firewalld_is_configured_offline_and_not_reloaded(root: str) -> None:
    fake = Fake(running=False)
    fc.define(params(), fake, False, root)
    assert ["firewall-cmd", "--reload"] not in fake.calls
    assert ["firewall-offline-cmd", "--zone=public", "--list-services"] in fake.calls


def test_the_zone_of_the_interface_or_the_one_asked_for(root: str) -> None:
    assert fc.define(params(), Fake(zone_of="dmz"), True, root)["zone"] == "dmz"
    assert fc.define(params(zone="trusted"), Fake(), True, root)["zone"] == "trusted"
    with pytest.raises(fc.FirewalldError, match="no zone nowhere"):
        fc.define(params(zone="nowhere"), Fake(), True, root)


def test_prune_removes_only_the_roles_unused_files_and_an_accept_target(root: str) -> None:
    fc.define(params(), Fake(), False, root)
    Path(root, "services", "hardened-ftp-passive.xml").write_text("<service/>")
    Path(root, "services", "admins-own.xml").write_text("<service/>")
    fake = Fake()
    fake.target = "ACCEPT"
    result = fc.prune(dict(params(zone="public"), default_deny=True), fake, False, root)
    assert result["removed"] == [str(Path(root, "services", "hardened-ftp-passive.xml"))]
    assert Path(root, "services", "admins-own.xml").exists()
    assert ["firewall-cmd", "--permanent", "--zone=public", "--set-target=default"] in fake.calls
    assert not fc.prune(dict(params(zone="public"), default_deny=True), Fake(), False, root)["changed"]


ADDRESSES = {"eth0": ["10.88.0.5", "fe80::1"], "eth1": ["192.0.2.7", "2001:db8::7"], "lo": ["127.0.0.1", "::1"]}


@pytest.mark.parametrize(
    ("session", "zones", "zone", "why"),
    [
        # The session's interface (eth0) wins over the default route's (eth1), IPv4 or IPv6, scoped or not.
        ("10.88.0.5", {"eth0": "internal", "eth1": "public"}, "internal", "eth0, the interface of the SSH session"),
        ("fe80::1%eth0", {"eth0": "internal", "eth1": "public"}, "internal", "the SSH session (fe80::1%eth0)"),
        ("2001:db8::7", {"eth0": "internal", "eth1": "dmz"}, "dmz", "eth1, the interface of the SSH session"),
        # The session's interface in no zone: firewalld's default zone filters it, not the route's zone.
        ("10.88.0.5", {"eth1": "dmz"}, "public", "eth0, the interface of the SSH session (10.88.0.5), is in no zone"),
        # An address on no interface (NAT in front): the default route's interface.
        ("198.51.100.1", {"eth0": "internal", "eth1": "dmz"}, "dmz", "is on no interface"),
        # No SSH session (podman, local): the default route's interface, else the default zone.
        ("", {"eth0": "internal", "eth1": "dmz"}, "dmz", "eth1, the interface of the default route"),
        ("", {"eth0": "internal"}, "public", "the default route, is in no zone"),
    ],
)
def test_the_zone_of_the_ssh_sessions_interface(session: str, zones: dict[str, str], zone: str, why: str) -> None:
    found, reason = fc.Firewalld(Fake(zones=zones)).zone("", ROUTE, session, ADDRESSES)
    assert (found, why in reason) == (zone, True), reason


def test_no_session_and_no_default_route_is_the_default_zone() -> None:
    found, reason = fc.Firewalld(Fake(zones={"eth0": "internal"})).zone("", "Iface\tDestination\n", "", ADDRESSES)
    assert (found, reason) == ("public", "firewalld's default zone (no SSH session and no default route)")


def test_define_reads_the_hosts_addresses_for_the_session(root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fc, "local_addresses", lambda: ADDRESSES)
    result = fc.define(params(session_address="10.88.0.5"), Fake(zones={"eth0": "internal"}), True, root)
    assert result["zone"] == "internal"
    # A zone named is used as it is: the host's addresses are not read.
    monkeypatch.setattr(fc, "local_addresses", lambda: pytest.fail("read"))
    assert fc.define(params(zone="dmz", session_address="10.88.0.5"), Fake(), True, root)["zone"] == "dmz"


def test_addresses_and_interfaces() -> None:
    text = (
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "fe800000000000000000000000000001 02 40 20 80     eth0\n"
        "garbage\n"
    )
    assert fc.inet6_addresses(text) == {"lo": ["::1"], "eth0": ["fe80::1"]}
    assert fc.interface_of("fe80::1%eth0", ADDRESSES) == "eth0"
    assert fc.interface_of("192.0.2.7", ADDRESSES) == "eth1"
    assert fc.interface_of("192.0.2.8", ADDRESSES) == ""
    assert fc.interface_of("not an address", ADDRESSES) == ""
    # The machine's own loopback holds 127.0.0.1 (SIOCGIFADDR, read live).
    assert "127.0.0.1" in [a for held in fc.inet_addresses().values() for a in held]


def test_default_interface() -> None:
    assert fc.default_interface(ROUTE) == "eth1"
    assert fc.default_interface("Iface\tDestination\n") == ""


def test_a_helper_rule_deleted_behind_firewalld_is_loaded_again(root: str) -> None:
    fc.define(params(), Fake(), False, root)
    fake = Fake()
    fake.nft = "table inet firewalld {\n}\n"
    result = fc.prune(params(zone="public"), fake, False, root)
    assert result["changed"] and result["helpers_missing"] == ["hardened-ftp"]
    assert ["firewall-cmd", "--reload"] in fake.calls
    # Stopped: nothing is live to compare.
    assert not fc.prune(params(zone="public"), Fake(running=False), False, root)["changed"]
