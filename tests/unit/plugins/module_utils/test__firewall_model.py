# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import (
    MAX_CONTEXTS,
    build_model,
    empty_model,
    model_ranges,
    open_ports,
    port_verdict,
    uncertain_ports,
)
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save

TEXT = """\
*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp
COMMIT
*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -s 198.51.100.0/24 -j DROP
-A INPUT -i eth1 -p tcp -m tcp --dport 8080 -j ACCEPT
-A INPUT -i eth2 -j DROP
-A INPUT -s 10.20.0.0/16 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m limit --limit 3/min -j ACCEPT
-A INPUT -p tcp -m multiport --dports 21,30000:30009 -j ACCEPT
COMMIT
"""


def model(*sources: str, interface: str | None = None) -> dict:
    return build_model(parse_iptables_save(TEXT), sources, interface)


def test_exported_keys() -> None:
    found = model()
    assert set(found) == {
        "backend",
        "families",
        "input_policy",
        "output_policy",
        "openings",
        "blocked",
        "uncertain_openings",
        "helper_ports",
        "uncertain_helper_ports",
        "auto_helper",
        "related_ports",
        "uncertain_related_ports",
        "established_accepted",
        "egress",
        "evaluated",
        "warnings",
    }
    assert found["evaluated"] == {"ipv4": {"interfaces": ["", "eth1", "eth2"], "sources": ["10.20.0.0/16"]}}
    assert model_ranges(found, "helper_ports", "ipv4") == ((21, 21),)
    assert found["egress"]["ipv4"] == {
        "filtered": False,
        "established_related": True,
        "port20_new": True,
        "port20_related": True,
        "uncertain_rules": [],
    }


def test_open_uncertain_and_closed_ports() -> None:
    found = model()
    # On an interface no rule names:
    assert open_ports(found, "ipv4", None, "eth9") == ((21, 21), (30000, 30009))
    assert port_verdict(found, "ipv4", 22, None, "eth9") == "uncertain"
    assert port_verdict(found, "ipv4", 3306, None, "eth9") == "closed"
    ports, rules = uncertain_ports(found, "uncertain_openings", "ipv4", None, "eth9")
    assert ports == ((22, 22),) and len(rules) == 1 and "-m limit" in rules[0]
    assert uncertain_ports(found, "uncertain_openings", "ipv4", None, "eth9", ports=((21, 21),)) == ((), [])
    assert any("-m limit: depends on the packet rate" in warning for warning in found["warnings"])


def test_a_source_context_is_exact() -> None:
    found = model("198.51.100.0/24", interface="eth0")
    assert port_verdict(found, "ipv4", 22, "10.20.1.0/24", "eth0") == "open"  # the narrowest evaluated network
    assert port_verdict(found, "ipv4", 21, "198.51.100.0/24", "eth0") == "closed"  # blocked, though open to any
    assert port_verdict(found, "ipv4", 21, "198.51.100.128/25", "eth0") == "closed"
    assert {entry["sources"][0] for entry in found["blocked"]} == {"198.51.100.0/24"}
    # A network nothing evaluated: a source in no listed network.
    assert port_verdict(found, "ipv4", 21, "203.0.113.0/24", "eth0") == "open"


def test_an_interface_context_is_exact() -> None:
    found = model()
    assert port_verdict(found, "ipv4", 8080, interface="eth1") == "open"
    assert port_verdict(found, "ipv4", 8080, interface="eth9") == "closed"
    assert port_verdict(found, "ipv4", 21, interface="eth2") == "closed"
    assert port_verdict(found, "ipv4", 21, interface="eth9") == "open"
    single = model(interface="eth2")
    assert single["evaluated"]["ipv4"]["interfaces"] == ["eth2"] and open_ports(single, "ipv4", None, "eth2") == ()


def test_without_an_interface_every_interface_context_is_judged() -> None:
    found = model()
    # 21 is open on eth1 and unnamed interfaces, closed on eth2: which one clients use decides.
    assert port_verdict(found, "ipv4", 21) == "uncertain"
    assert port_verdict(found, "ipv4", 3306) == "closed"  # closed everywhere
    _ports, rules = uncertain_ports(found, "uncertain_openings", "ipv4", ports=((21, 21),))
    assert rules == [
        "the verdict depends on the interface clients arrive on: open on an interface no rule names, eth1 only "
        "(give interface)"
    ]
    without_eth2 = build_model(parse_iptables_save(TEXT.replace("-A INPUT -i eth2 -j DROP\n", "")))
    assert port_verdict(without_eth2, "ipv4", 21) == "open" and port_verdict(without_eth2, "ipv4", 8080) == (
        "uncertain"
    )


def test_a_hand_written_model_without_contexts() -> None:
    legacy = {
        "families": ["ipv4"],
        "openings": [
            {"port_min": 21, "port_max": 21, "sources": ["any"], "family": "ipv4", "interface": ""},
            {"port_min": 22, "port_max": 22, "sources": ["10.0.0.0/8"], "family": "ipv4", "interface": ""},
            {"port_min": 80, "port_max": 80, "sources": ["any"], "family": "ipv4", "interface": "eth1"},
        ],
    }
    # As before contexts were recorded: any interface counts, and every network containing the source.
    assert open_ports(legacy, "ipv4") == ((21, 21), (80, 80))
    assert open_ports(legacy, "ipv4", "10.1.0.0/16") == ((21, 22), (80, 80))
    assert open_ports(legacy, "ipv4", None, "eth2") == ((21, 21),)
    assert uncertain_ports(legacy, "uncertain_openings", "ipv4") == ((), [])


def test_empty_model_is_an_open_host() -> None:
    found = empty_model("none", ["ipv4"], True, ["no packet filter rules found"])
    assert found["families"] == ["ipv4"] and found["auto_helper"] is True
    assert open_ports(found, "ipv4") == ((1, 65535),)
    assert found["warnings"] == ["no packet filter rules found"]
    assert found["egress"]["ipv4"]["filtered"] is False


def test_too_many_source_networks_are_cut_and_said() -> None:
    sources = [f"10.{n}.0.0/16" for n in range(MAX_CONTEXTS + 2)]
    found = model(*sources)
    assert len(found["evaluated"]["ipv4"]["sources"]) == MAX_CONTEXTS
    assert any(f"more than {MAX_CONTEXTS}" in warning for warning in found["warnings"])
