# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plugins judge the ruleset firewalld's nftables backend loads.

The fixtures are ``nft -j list ruleset`` from a Debian bookworm container running firewalld 1.3.3
(nftables backend, zone public with its stock ssh and dhcpv6-client services, plus http), where a
service ``hardened-ftp`` (2121/tcp) carries an explicit helper ``hardened-ftp`` (nf_conntrack_ftp on
2121/tcp), a service ``hardened-ftp-passive`` holds 30000-30009/tcp, and rich rules open them:
  rule family="ipv4" source address="10.88.0.0/16" service name="hardened-ftp" accept
  rule family="ipv4" source address="10.88.0.0/16" service name="hardened-ftp-passive" accept
  rule family="ipv6" source address="fd00::/64" service name="hardened-ftp" accept
``nft_firewalld_no_helper.json`` is the same host after
``firewall-cmd --permanent --service=hardened-ftp --remove-helper=hardened-ftp`` and a reload.
"""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError, firewall_model
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import (
    build_model,
    model_ranges,
    port_verdict,
)
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import check
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json

LAN = "10.88.0.5/32"
LAN6 = "fd00::5/128"
SERVER = {
    "daemon": "vsftpd",
    "listen_address": "",
    "control_port": 2121,
    "listen_ipv6": True,
    "pasv_enable": True,
    "pasv_min_port": 30000,
    "pasv_max_port": 30009,
    "pasv_address": "",
    "active_enable": True,
    "tls_enable": False,
    "tls_required": False,
    "anonymous_enable": True,
    "anon_upload_enable": False,
    "port_promiscuous": False,
}


def ids(findings: t.Sequence[t.Mapping[str, str]]) -> set[str]:
    return {finding["id"] for finding in findings}


@pytest.fixture
def helper_model(fixture_text: t.Callable[[str], str]) -> dict:
    return build_model(parse_nft_json(fixture_text("nft_firewalld_helper.json"), "firewalld"), [LAN, LAN6])


@pytest.fixture
def plain_model(fixture_text: t.Callable[[str], str]) -> dict:
    return build_model(parse_nft_json(fixture_text("nft_firewalld_no_helper.json"), "firewalld"), [LAN, LAN6])


def test_zones_are_followed_and_sources_respected(helper_model: dict) -> None:
    """filter_INPUT jumps to filter_INPUT_ZONES, which goes to filter_IN_public and its allow chain;
    the final "reject with icmpx admin-prohibited" is the default deny."""
    assert helper_model["backend"] == "firewalld"
    assert helper_model["families"] == ["ipv4", "ipv6"]
    verdicts = {port: port_verdict(helper_model, "ipv4", port, LAN) for port in (22, 80, 2121, 30000, 30009)}
    assert set(verdicts.values()) == {"open"}
    # Listeners outside the opened ports are unreachable, from the allowed network too.
    for port in (21, 29999, 30010, 3306):
        assert port_verdict(helper_model, "ipv4", port, LAN) == "closed"
    # From anywhere else only the zone's services answer.
    assert port_verdict(helper_model, "ipv4", 2121) == "closed"
    assert port_verdict(helper_model, "ipv4", 30000) == "closed"
    assert port_verdict(helper_model, "ipv4", 22) == "open"


def test_ipv6_gets_its_own_rich_rules(helper_model: dict) -> None:
    assert port_verdict(helper_model, "ipv6", 2121, LAN6) == "open"
    # The passive range was opened to the IPv4 network only.
    assert port_verdict(helper_model, "ipv6", 30000, LAN6) == "closed"
    assert port_verdict(helper_model, "ipv6", 2121) == "closed"


def test_the_explicit_helper_is_read_from_its_ct_helper_object(helper_model: dict, plain_model: dict) -> None:
    """ "tcp dport 2121 ct helper set "helper-hardened-ftp-tcp"" with the object's type "ftp"."""
    for family in ("ipv4", "ipv6"):
        assert model_ranges(helper_model, "helper_ports", family) == ((2121, 2121),)
        assert model_ranges(plain_model, "helper_ports", family) == ()
    assert helper_model["uncertain_helper_ports"] == []
    assert helper_model["warnings"] == []


def test_the_related_policy_needs_the_helper(helper_model: dict, plain_model: dict) -> None:
    options = {"passive_policy": "related", "client_sources": ["10.88.0.0/16"]}
    related = server(pasv_min_port=None, pasv_max_port=None)
    assert "helper_not_attached" not in ids(check(related, helper_model, options))
    missing = check(related, plain_model, options)
    assert "helper_not_attached" in ids(missing)
    assert "2121" in " ".join(finding["message"] for finding in missing)


def test_the_range_policy_is_judged_without_the_helper(plain_model: dict) -> None:
    findings = check(server(listen_ipv6=False), plain_model, {"passive_policy": "range", "client_sources": [LAN]})
    assert findings == []


def server(**changes: t.Any) -> dict:
    model = dict(SERVER)
    model.update(changes)
    return model


def runner(nft: str) -> t.Callable[[list], tuple]:
    def run(argv: list) -> tuple:
        return (0, nft, "") if argv[0].endswith("nft") else (1, "", "not installed")

    return run


def test_collect_names_firewalld(fixture_text: t.Callable[[str], str], nft_ruleset: dict) -> None:
    def find(name: str) -> str | None:
        return "/usr/sbin/nft" if name == "nft" else None

    text = fixture_text("nft_firewalld_helper.json")
    assert firewall_model("auto", runner(text), find, auto_helper=False)["backend"] == "firewalld"
    assert firewall_model("firewalld", runner(text), find, auto_helper=False)["backend"] == "firewalld"
    other = fixture_text("nft_ruleset.json")
    assert firewall_model("auto", runner(other), find, auto_helper=False)["backend"] == "nftables"
    with pytest.raises(CollectError, match="firewalld is not running"):
        firewall_model("firewalld", runner(other), find, auto_helper=False)
    with pytest.raises(CollectError, match="backend=firewalld but the nft command"):
        firewall_model("firewalld", runner(text), lambda name: None, auto_helper=False)


def test_the_final_reject_is_a_default_deny(helper_model: dict) -> None:
    """firewalld's base chains accept by policy and reject in their last rule: HFTP-011 must see a deny."""
    assert helper_model["input_policy"] == {"ipv4": "drop", "ipv6": "drop"}


@pytest.mark.parametrize(
    ("rules", "policy"),
    [
        (["-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "-A INPUT -j REJECT"], "drop"),
        (["-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp -j DROP"], "drop"),
        # Every TCP port but 22 dropped: what is not opened is dropped (FTP is judged on TCP).
        (["-A INPUT -p tcp -m tcp ! --dport 22 -j DROP"], "drop"),
        # Only some ports dropped, or the rest accepted from one network only: not a default deny.
        (["-A INPUT -p tcp -m tcp --dport 3306 -j DROP"], "accept"),
        (["-A INPUT -p udp -j DROP"], "accept"),
        (["-A INPUT -s 192.0.2.0/24 -j DROP"], "accept"),
        (["-A INPUT -s 192.0.2.0/24 -j ACCEPT", "-A INPUT -j DROP"], "drop"),
        # A rate limit decides on what the model does not evaluate.
        (["-A INPUT -m limit --limit 3/min -j ACCEPT", "-A INPUT -j DROP"], "accept"),
    ],
)
def test_an_accept_policy_with_a_final_drop(rules: list, policy: str) -> None:
    text = "*filter\n:INPUT ACCEPT [0:0]\n{}\nCOMMIT\n".format("\n".join(rules))
    assert build_model(parse_iptables_save(text))["input_policy"]["ipv4"] == policy
