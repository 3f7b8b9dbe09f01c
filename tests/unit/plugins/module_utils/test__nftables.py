# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json


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
