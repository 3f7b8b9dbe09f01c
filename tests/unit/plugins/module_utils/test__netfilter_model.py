# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
    rule_warning,
)
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import Context, context_matches
from hypothesis import given
from hypothesis import strategies as st


def test_net_parses_and_clears_host_bits() -> None:
    assert str(Net.parse("192.0.2.77/24")) == "192.0.2.0/24"
    assert str(Net.parse("2001:db8::1/32")) == "2001:db8::/32"
    assert Net.parse("10.0.0.1").prefixlen == 32
    with pytest.raises(ValueError):
        Net.parse("10.0.0.300")


def test_net_kinds() -> None:
    assert Net.parse("127.0.0.0/8").is_loopback and Net.parse("::1").is_loopback
    assert not Net.parse("128.0.0.0/8").is_loopback and not Net.parse("::2").is_loopback
    assert Net.parse("224.0.0.251").is_multicast and Net.parse("ff02::1").is_multicast
    assert Net.parse("255.255.255.255").is_broadcast
    assert ipaddress.ip_address("10.1.2.3") in Net.parse("10.0.0.0/8")
    assert ipaddress.ip_address("2001:db8::1") not in Net.parse("10.0.0.0/8")


def test_match_equality_copy_and_repr() -> None:
    match = Match(dports=((21, 21),), protocols=frozenset(("tcp",)))
    copied = match.copy()
    assert copied == match and copied is not match and hash(copied) == hash(match)
    copied.dport_neg = True
    assert copied != match
    assert repr(match) == "Match(dports=((21, 21),), protocols=frozenset({'tcp'}))"


def test_rule_equality_ignores_how_it_was_written() -> None:
    one = Rule(Match(), "accept", text="-A INPUT -j ACCEPT")
    assert one == Rule(Match(), "accept", text="handle 3") and one != Rule(Match(), "drop")


def test_rule_warning_only_for_rules_that_decide() -> None:
    unknown = Match(unsupported=("-m limit: depends on the packet rate",))
    assert "does not evaluate (-m limit: depends on the packet rate)" in rule_warning(Rule(unknown, "accept"))
    assert rule_warning(Rule(Match(unsupported=("x",), protocols=frozenset(("udp",))), "accept")) == ""
    assert rule_warning(Rule(unknown, None)) == ""  # a LOG with a rate limit decides nothing
    assert "helper" not in rule_warning(Rule(unknown, None, helper_set="ftp")) and rule_warning(
        Rule(unknown, None, helper_set="ftp")
    )
    listed = Match(lists=(("ipset f2b-sshd", True, False),))
    assert "ipset f2b-sshd" in rule_warning(Rule(listed, "reject"))
    assert rule_warning(Rule(Match(), "accept")) == ""


def test_tables_and_rulesets() -> None:
    inet = Table("inet", "hardened_ftp", {"input": Chain("input", hook="input", policy="drop")})
    netdev = Table("netdev", "ingress")
    assert inet.serves("ipv4") and inet.serves("ipv6") and netdev.serves("ipv6")
    assert not Table("ipv4", "filter").serves("ipv6")
    merged = Ruleset("iptables", [Table("ipv4", "filter")], ["a"]).merge(Ruleset("nftables", [netdev], ["b"]))
    assert merged.families() == ["ipv4"] and merged.warnings == ["a", "b"]
    assert Ruleset("nftables", [inet]).families() == ["ipv4", "ipv6"]
    assert Chain("x").devices == () and Chain("x").rules == []


@given(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), st.integers(0, 2**32 - 1))
def test_net_agrees_with_ipaddress(network: tuple, address: int) -> None:
    reference = ipaddress.ip_network(network, strict=False)
    net = Net.parse(str(reference))
    assert net == Net.of(reference) and str(net) == str(reference)
    assert net.is_multicast == reference.is_multicast and net.num_addresses == reference.num_addresses
    assert net.is_loopback == (reference.subnet_of(ipaddress.ip_network("127.0.0.0/8")))
    assert (ipaddress.ip_address(address) in net) == (ipaddress.ip_address(address) in reference)
    match = Match(saddr=(net,))
    assert context_matches(match, Context(saddr=ipaddress.ip_address(address))) == (
        ipaddress.ip_address(address) in reference
    )
