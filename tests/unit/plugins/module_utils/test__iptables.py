# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t
from typing import Any

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import iv_subtract
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save, tokenize
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import Context, evaluate_hook, evaluate_path
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.strategies import chains
from hypothesis import given, settings
from hypothesis import strategies as st
from iptables_render import render_iptables_save


def _model(text: str, family: str = "ipv4") -> dict:
    return build_model(parse_iptables_save(text, family))


def _any(model: dict, port: int, source: str = "any") -> bool:
    return any(item["port_min"] <= port <= item["port_max"] and source in item["sources"] for item in model["openings"])


def test_docker_host_openings_follow_user_chains(fixture_text: t.Callable[[str], str]) -> None:
    model = _model(fixture_text("iptables_docker_host.save"))
    assert model["input_policy"] == {"ipv4": "drop"}
    assert _any(model, 21) and _any(model, 30000) and _any(model, 30999) and _any(model, 443)
    assert not _any(model, 31000) and not _any(model, 8080) and not _any(model, 3306)
    assert not _any(model, 22)  # only from 10.20.0.0/16
    assert _any(model, 22, "10.20.0.0/16") and _any(model, 9100, "192.0.2.0/24")
    assert model["helper_ports"] == [{"family": "ipv4", "port_min": 21, "port_max": 21}]
    assert {"family": "ipv4", "port_min": 1, "port_max": 65535, "helper": "ftp"} in model["related_ports"]
    assert model["established_accepted"] == {"ipv4": True}
    assert any("recent" in warning for warning in model["warnings"])


def test_blocked_source_in_user_chain_is_dropped(fixture_text: t.Callable[[str], str]) -> None:
    ruleset = parse_iptables_save(fixture_text("iptables_docker_host.save"))
    blocked = Context(saddr=__import__("ipaddress").ip_address("198.51.100.7"))
    assert evaluate_hook(ruleset, "input", blocked, ((21, 21),)) == ()
    assert evaluate_hook(ruleset, "input", Context(), ((21, 21),)) == ((21, 21),)


def test_ip6tables_with_egress_filter(fixture_text: t.Callable[[str], str]) -> None:
    model = _model(fixture_text("ip6tables_host.save"), "ipv6")
    assert _any(model, 21) and _any(model, 30499) and not _any(model, 30500)
    assert model["egress"]["ipv6"]["filtered"] is True
    assert model["egress"]["ipv6"]["port20_new"] is False
    assert model["egress"]["ipv6"]["port20_related"] is True
    assert model["helper_ports"] == []


def test_goto_returns_to_the_caller_of_the_calling_chain() -> None:
    text = """*filter
:INPUT DROP [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A INPUT -p tcp --dport 21 -j ACCEPT
-A A -g B
-A A -p tcp --dport 21 -j DROP
-A B -p tcp --dport 22 -j ACCEPT
-A B -j RETURN
COMMIT
"""
    ruleset = parse_iptables_save(text)
    assert evaluate_hook(ruleset, "input", Context(), ((20, 23),)) == ((21, 22),)


def test_negations_masks_and_old_spelling() -> None:
    text = """*filter
:INPUT DROP [0:0]
-A INPUT ! -s 192.0.2.0/255.255.255.0 -p tcp -m tcp ! --dport 1:1023 -j ACCEPT
-A INPUT -s ! 10.0.0.0/8 -p 6 --dport 21 -j ACCEPT
-A INPUT -i eth+ -p tcp --dport 990 -j ACCEPT
COMMIT
"""
    model = build_model(parse_iptables_save(text))
    assert _any(model, 1024) and _any(model, 21) and not _any(model, 1023)
    assert any(item["interface"] == "eth" and item["port_min"] == 990 for item in model["openings"])


def test_counters_prefix_insert_and_quotes() -> None:
    text = """*filter
:INPUT ACCEPT [0:0]
[5:300] -A INPUT -p tcp --dport 21 -m comment --comment "say \"hi\" there" -j DROP
-I INPUT 1 -p tcp --dport 21 -s 10.0.0.0/8 -j ACCEPT
COMMIT
"""
    ruleset = parse_iptables_save(text)
    rules = ruleset.tables[0].chains["INPUT"].rules
    assert rules[0].action == "accept" and rules[1].action == "drop"
    assert tokenize('-m comment --comment "a \\"b\\" c" -j X')[3] == 'a "b" c'


@pytest.mark.parametrize(
    "text",
    [
        "-A INPUT -j ACCEPT\n",
        "*filter\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n",
        "*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n",
        "*filter\n-A INPUT -s not-an-address -j ACCEPT\nCOMMIT\n",
        "*filter\n-A INPUT -j\nCOMMIT\n",
        "*filter\n:INPUT ACCEPT [0:0]\n",
        '*filter\n-A INPUT -m comment --comment "open\nCOMMIT\n',
    ],
)
def test_garbage_raises_parse_error_with_line(text: str) -> None:
    with pytest.raises(ParseError):
        parse_iptables_save(text)


def test_render_round_trip_of_fixture(fixture_text: t.Callable[[str], str]) -> None:
    ruleset = parse_iptables_save(fixture_text("iptables_docker_host.save"))
    again = parse_iptables_save(render_iptables_save(ruleset))
    for left, right in zip(ruleset.tables, again.tables):
        assert left.name == right.name
        for name, chain in left.chains.items():
            assert [rule.key() for rule in chain.rules] == [rule.key() for rule in right.chains[name].rules]
            assert chain.policy == right.chains[name].policy


# --- words from the wild ---------------------------------------------------------------------------

UNKNOWN_LINES = st.sampled_from(
    [
        "-m frobnicate --level 3",
        "-p tcp -m tcp --dport 21 -m quota --quota 1000",
        "-m mark --mark 0x1/0xff",
        "-p tcp -m multiport --dports 21,30000:30009 -m connlimit --connlimit-above 5 --connlimit-mask 32",
        '-m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0x55534552"',
        "-p tcp --tcp-option 8",
    ]
)


@given(chains(), st.integers(0, 7), UNKNOWN_LINES, st.sampled_from(["ACCEPT", "DROP", "user", "NFQUEUE --queue-num 1"]))
@settings(max_examples=150)
def test_an_unknown_line_never_turns_a_verdict_around(ruleset: Any, where: int, unknown: str, target: str) -> None:
    text = render_iptables_save(ruleset)
    lines = text.splitlines()
    rules = [index for index, line in enumerate(lines) if line.startswith("-A INPUT")]
    position = rules[min(where, len(rules) - 1)] if rules else lines.index("COMMIT")
    lines.insert(position, f"-A INPUT {unknown} -j {target}")
    before, after = parse_iptables_save(text), parse_iptables_save("\n".join(lines) + "\n")
    for ctx in (Context(), Context(ct_state="established")):
        old, new = evaluate_path(before, "input", ctx), evaluate_path(after, "input", ctx)
        assert not iv_subtract(new.open, old.open) and not iv_subtract(new.closed, old.closed)
        assert not iv_subtract(old.uncertain, new.uncertain)
