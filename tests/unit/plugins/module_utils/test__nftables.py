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
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import Context, evaluate_path
from hypothesis import given, settings
from hypothesis import strategies as st


def _ports(model: dict, family: str, source: str = "any") -> set:
    found = set()
    for item in model["openings"]:
        if item["family"] == family and source in item["sources"]:
            found.add((item["port_min"], item["port_max"]))
    return found


def test_several_tables_and_families(nft_ruleset: dict) -> None:
    ruleset = parse_nft_json(nft_ruleset)
    assert sorted((table.family, table.name) for table in ruleset.tables) == [
        ("inet", "filter"),
        ("inet", "hardened_ftp"),
        ("ipv4", "nat"),
    ]
    model = build_model(ruleset)
    assert model["families"] == ["ipv4", "ipv6"]
    assert model["input_policy"] == {"ipv4": "drop", "ipv6": "drop"}
    for family in ("ipv4", "ipv6"):
        assert (21, 21) in _ports(model, family) and (30000, 30999) in _ports(model, family)
        assert not any(low <= 3306 <= high for low, high in _ports(model, family))  # xt match: unsupported
        assert not any(low <= 8080 <= high for low, high in _ports(model, family))  # DNAT only, not filtered in
    assert (22, 22) in _ports(model, "ipv4", "10.20.0.0/16")  # named set of networks
    assert model["helper_ports"] == [
        {"family": "ipv4", "port_min": 21, "port_max": 21},
        {"family": "ipv6", "port_min": 21, "port_max": 21},
    ]
    assert any("xt" in warning or "statement" in warning for warning in model["warnings"])


def test_verdict_map_is_expanded(nft_ruleset: dict) -> None:
    model = build_model(parse_nft_json(nft_ruleset))
    assert model["established_accepted"] == {"ipv4": True, "ipv6": True}
    assert {"family": "ipv4", "port_min": 1, "port_max": 65535, "helper": "any"} in model["related_ports"]


def test_accept_in_one_base_chain_does_not_bypass_another(nft_ruleset: dict) -> None:
    data = nft_ruleset
    # The FTP table accepts port 2121 at priority -10, but inet filter (priority 0) drops it: closed.
    data["nftables"].append(
        {
            "rule": {
                "family": "inet",
                "table": "hardened_ftp",
                "chain": "input",
                "handle": 99,
                "expr": [
                    {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 2121}},
                    {"accept": None},
                ],
            }
        }
    )
    model = build_model(parse_nft_json(data))
    assert not any(low <= 2121 <= high for low, high in _ports(model, "ipv4"))


def test_comparisons_and_negation() -> None:
    rules = [
        [
            {"match": {"op": ">=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 50000}},
            {"accept": None},
        ],
        [
            {
                "match": {
                    "op": "!=",
                    "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                    "right": {"range": [1, 49999]},
                }
            },
            {"drop": None},
        ],
        [
            {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": 21}},
            {"accept": None},
        ],
    ]
    items = [
        {"table": {"family": "ip", "name": "t"}},
        {
            "chain": {
                "family": "ip",
                "table": "t",
                "name": "in",
                "type": "filter",
                "hook": "input",
                "prio": 0,
                "policy": "drop",
            }
        },
    ]
    items += [
        {"rule": {"family": "ip", "table": "t", "chain": "in", "handle": n, "expr": e}} for n, e in enumerate(rules)
    ]
    model = build_model(parse_nft_json({"nftables": items}))
    assert _ports(model, "ipv4") == {(21, 21), (50000, 65535)}


@pytest.mark.parametrize("text", ["", "[]", '{"nftables": 3}', "{", '{"nftables": [1]}'])
def test_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        parse_nft_json(text)


# --- what nft prints, statement by statement --------------------------------------------------------

DPORT = {"payload": {"protocol": "tcp", "field": "dport"}}


def _doc(*rules: list, chain: dict | None = None, extra: tuple = ()) -> dict:
    base = chain or {"type": "filter", "hook": "input", "prio": 0, "policy": "drop"}
    items = [
        {"table": {"family": "inet", "name": "t"}},
        {"chain": {"family": "inet", "table": "t", "name": "in", **base}},
        {"chain": {"family": "inet", "table": "t", "name": "sub"}},
        *extra,
    ]
    items += [
        {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": n, "expr": e}} for n, e in enumerate(rules)
    ]
    return {"nftables": items}


def _verdict(doc: dict, port: int = 21, **context: t.Any) -> str:
    outcome = evaluate_path(parse_nft_json(doc), "input", Context(**context), ((port, port),))
    return "open" if outcome.open else "closed" if outcome.closed else "uncertain"


def _match(left: dict, right: t.Any, op: str = "==") -> dict:
    return {"match": {"op": op, "left": left, "right": right}}


ACCEPT_21 = [_match(DPORT, 21), {"accept": None}]


def test_named_verdict_map() -> None:
    vmap = {"map": {"family": "inet", "table": "t", "name": "m", "type": "inet_service", "map": "verdict"}}
    vmap["map"]["elem"] = [[21, {"accept": None}], [22, {"jump": {"target": "sub"}}]]
    doc = _doc([{"vmap": {"key": DPORT, "data": "@m"}}], extra=(vmap,))
    assert _verdict(doc, 21) == "open" and _verdict(doc, 22) == "closed" and _verdict(doc, 23) == "closed"


def test_tcp_flags_and_fragments() -> None:
    flags = {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["fin", "syn", "rst", "ack"]]}
    not_syn_drop = [_match(flags, "syn", "!="), {"drop": None}]
    assert _verdict(_doc(not_syn_drop, ACCEPT_21)) == "open"
    syn_any = [_match({"payload": {"protocol": "tcp", "field": "flags"}}, "syn", "in"), *ACCEPT_21]
    assert _verdict(_doc(syn_any)) == "open"
    fragment = {"&": [{"payload": {"protocol": "ip", "field": "frag-off"}}, 8191]}
    assert _verdict(_doc([_match(fragment, 0, "!="), {"drop": None}], ACCEPT_21)) == "open"


def test_reverse_path_and_nat_status() -> None:
    rpf = {"fib": {"result": "oif", "flags": ["saddr", "iif"]}}
    assert _verdict(_doc([_match(rpf, False), {"drop": None}], ACCEPT_21)) == "open"
    dnat = [_match({"ct": {"key": "status"}}, "dnat", "in"), {"accept": None}]
    assert _verdict(_doc(dnat)) == "closed"


def test_conditions_the_model_does_not_evaluate() -> None:
    limited = [_match(DPORT, 21), {"limit": {"rate": 5, "per": "minute", "inv": True}}, {"drop": None}]
    assert _verdict(_doc(limited, ACCEPT_21)) == "uncertain"
    marked = [_match({"meta": {"key": "mark"}}, 1), *ACCEPT_21]
    assert _verdict(_doc(marked)) == "uncertain"
    icmp = [_match({"payload": {"protocol": "icmp", "field": "type"}}, "echo-request"), {"accept": None}]
    assert _verdict(_doc(icmp)) == "closed"  # a field of ICMP needs ICMP: not TCP


def test_statements_that_hand_the_packet_elsewhere() -> None:
    chain = {"type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}
    dnat = _doc([_match(DPORT, 21), {"dnat": {"addr": "10.0.0.2", "port": 21}}], chain=chain)
    assert _verdict(dnat) == "uncertain" and _verdict(dnat, ct_state="established") == "open"
    xt = [_match(DPORT, 21), {"xt": {"type": "target", "name": "REJECT"}}]
    assert _verdict(_doc(xt, ACCEPT_21)) == "closed"
    assert _verdict(_doc([_match(DPORT, 21), {"xt": {"type": "match", "name": "recent"}}, {"accept": None}])) == (
        "uncertain"
    )


def test_a_statement_nobody_knows_may_do_anything() -> None:
    doc = _doc([{"frobnicate": {"level": 3}}], ACCEPT_21)
    ruleset = parse_nft_json(doc)
    assert _verdict(doc) == "uncertain"
    assert any("statement frobnicate" in warning for warning in ruleset.warnings)


def test_sets_filled_from_the_packet_path_are_run_time_lists() -> None:
    dyn = {"set": {"family": "inet", "table": "t", "name": "seen", "type": "ipv4_addr", "flags": ["timeout"]}}
    add = [{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@seen"}}]
    lookup = [_match({"payload": {"protocol": "ip", "field": "saddr"}}, "@seen"), {"drop": None}]
    doc = _doc(add, lookup, ACCEPT_21, extra=(dyn,))
    assert _verdict(doc) == "open"  # a source in no listed network is in no such set
    assert _verdict(doc, saddr=__import__("ipaddress").ip_address("192.0.2.1")) == "uncertain"


def test_netdev_ingress_chains_keep_their_device() -> None:
    items = [
        {"table": {"family": "netdev", "name": "edge"}},
        {"chain": {"family": "netdev", "table": "edge", "name": "in", "type": "filter", "hook": "ingress"}},
        {
            "rule": {
                "family": "netdev",
                "table": "edge",
                "chain": "in",
                "handle": 1,
                "expr": [_match(DPORT, 21), {"drop": None}],
            }
        },
    ]
    items[1]["chain"].update(prio=-500, dev="eth0", policy="accept")
    ruleset = parse_nft_json({"nftables": items})
    assert ruleset.tables[0].chains["in"].devices == ("eth0",) and ruleset.families() == []


STATEMENTS = st.sampled_from(
    [
        _match(DPORT, 21),
        _match(DPORT, {"set": [21, {"range": [30000, 30009]}]}),
        _match({"payload": {"protocol": "ip", "field": "saddr"}}, {"prefix": {"addr": "192.0.2.0", "len": 24}}),
        _match({"ct": {"key": "state"}}, ["established", "related"], "in"),
        _match({"meta": {"key": "iifname"}}, "eth0"),
        _match({"meta": {"key": "l4proto"}}, "tcp"),
        _match({"fib": {"result": "type", "flags": ["daddr"]}}, "local"),
        {"counter": {"packets": 0, "bytes": 0}},
        {"log": {"prefix": "x "}},
        {"ct helper": "ftp-standard"},
    ]
)
UNKNOWN_STATEMENTS = st.sampled_from(
    [
        {"limit": {"rate": 1, "per": "second"}},
        {"quota": {"val": 1, "val_unit": "mbytes"}},
        _match({"meta": {"key": "mark"}}, 1),
        _match({"osf": {"key": "name"}}, "Linux"),
        {"frobnicate": None},
        {"queue": {"num": 1}},
    ]
)
VERDICTS = st.sampled_from([{"accept": None}, {"drop": None}, {"jump": {"target": "sub"}}, {"return": None}, None])


def _rule(statements: list, verdict: dict | None) -> list:
    return [*statements, verdict] if verdict else statements


@given(
    st.lists(st.tuples(st.lists(STATEMENTS, max_size=3), VERDICTS), max_size=6),
    st.integers(0, 6),
    st.lists(UNKNOWN_STATEMENTS, min_size=1, max_size=2),
    VERDICTS,
)
@settings(max_examples=150)
def test_an_unknown_statement_never_turns_a_verdict_around(
    rules: list, where: int, unknown: list, verdict: Any
) -> None:
    known = [_rule(statements, rule_verdict) for statements, rule_verdict in rules]
    with_unknown = list(known)
    with_unknown.insert(min(where, len(known)), _rule(unknown, verdict))
    for ctx in (Context(), Context(ct_state="established")):
        old = evaluate_path(parse_nft_json(_doc(*known)), "input", ctx)
        new = evaluate_path(parse_nft_json(_doc(*with_unknown)), "input", ctx)
        assert not iv_subtract(new.open, old.open) and not iv_subtract(new.closed, old.closed)
        assert not iv_subtract(old.uncertain, new.uncertain)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    ["match", "op", "left", "right", "payload", "set", "accept", "jump", "vmap", "key", "data"]
                ),
                inner,
                max_size=3,
            )
        ),
        max_leaves=12,
    )
)
def test_any_expression_raises_nothing(expr: Any) -> None:
    """Rule expressions of any shape: the rule is not understood at worst, never an exception."""
    ruleset = parse_nft_json(_doc(expr if isinstance(expr, list) else [expr]))
    assert ruleset.tables
