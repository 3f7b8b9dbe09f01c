# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import ipaddress

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    PORT_SPACE,
    iv_intersect,
    iv_normalize,
    iv_subtract,
)
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import SYN_FLAGS, parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
)
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import (
    MAX_DEPTH,
    Context,
    evaluate_hook,
    evaluate_path,
    helper_assignments,
    match_state,
    path_chains,
)
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.strategies import chains, matches
from hypothesis import given
from hypothesis import strategies as st

FTP = ((21, 21),)


def ruleset(*rules: str, table: str = "filter", policy: str = "DROP") -> Ruleset:
    chains = {"filter": "INPUT", "raw": "PREROUTING", "nat": "PREROUTING", "mangle": "PREROUTING"}
    lines = [f"*{table}", f":{chains[table]} {policy if table == 'filter' else 'ACCEPT'} [0:0]"]
    lines += [f"-A {chains[table]} {rule}" for rule in rules]
    return parse_iptables_save("\n".join([*lines, "COMMIT"]) + "\n")


def verdict(rules: Ruleset, ports: tuple = FTP, **context: object) -> str:
    outcome = evaluate_path(rules, "input", Context(**context), ports)  # type: ignore[arg-type]
    return "open" if outcome.open == ports else "closed" if outcome.closed == ports else "uncertain"


# --- one rule --------------------------------------------------------------------------------------


def test_match_state_is_three_valued() -> None:
    assert match_state(Match(protocols=frozenset(("udp",))), Context()) is None
    assert match_state(Match(protocols=frozenset(("tcp",))), Context()) == ()
    reasons = match_state(Match(unsupported=("-m limit: depends on the packet rate",)), Context())
    assert reasons == ("-m limit: depends on the packet rate",)
    # A condition known to fail decides, whatever else is unknown.
    assert match_state(Match(protocols=frozenset(("udp",)), unsupported=("x",)), Context()) is None


def test_addresses_of_this_host_and_of_the_peer() -> None:
    local = Match(daddr=(Net.parse("192.0.2.10"),))
    assert match_state(local, Context())  # which of the host's addresses clients use is not known
    assert match_state(Match(daddr=(Net.parse("127.0.0.0/8"),)), Context()) is None
    assert match_state(Match(daddr=(Net.parse("127.0.0.0/8"),), daddr_neg=True), Context()) == ()
    assert match_state(Match(daddr=(Net.parse("0.0.0.0/0"),)), Context()) == ()
    assert match_state(local, Context(daddr=ipaddress.ip_address("192.0.2.10"))) == ()
    peer = Match(saddr=(Net.parse("198.51.100.0/24"),))
    assert match_state(peer, Context()) is None  # any source lies outside every listed network
    assert match_state(peer, Context(saddr=ipaddress.ip_address("198.51.100.9"))) == ()


def test_tcp_flags_of_first_and_later_packets() -> None:
    syn = Match(tcp_flags=SYN_FLAGS)
    assert match_state(syn, Context()) == () and match_state(syn, Context(ct_state="related")) == ()
    assert match_state(syn, Context(ct_state="established")) is None
    not_syn = Match(tcp_flags=SYN_FLAGS, tcp_flags_neg=True)
    assert match_state(not_syn, Context()) is None and match_state(not_syn, Context(ct_state="established")) == ()
    null_scan = Match(tcp_flags=(frozenset(("FIN", "SYN", "RST", "PSH", "ACK", "URG")), frozenset(), "all"))
    assert match_state(null_scan, Context()) is None
    fin_psh = Match(tcp_flags=(frozenset(("FIN", "PSH")), frozenset(("FIN",)), "all"))
    assert match_state(fin_psh, Context(ct_state="established"))  # FIN and PSH vary: cannot tell


def test_fragments_bridging_reverse_path_and_types() -> None:
    assert match_state(Match(fragment=True), Context()) is None and match_state(Match(fragment=False), Context()) == ()
    assert match_state(Match(bridged=True), Context()) is None
    assert match_state(Match(rpf=False), Context()) is None and match_state(Match(rpf=True), Context()) == ()
    assert match_state(Match(dst_types=frozenset(("LOCAL",))), Context()) == ()
    assert match_state(Match(dst_types=frozenset(("UNICAST",))), Context()) is None
    assert match_state(Match(dst_types=frozenset(("UNICAST",))), Context(direction="out")) == ()
    assert match_state(Match(pkt_types=frozenset(("BROADCAST",))), Context()) is None


def test_run_time_lists() -> None:
    listed = Match(lists=(("ipset f2b-sshd", True, False),))
    assert match_state(listed, Context()) is None  # a source in no listed network is in no ipset either
    assert match_state(Match(lists=(("ipset allow", True, True),)), Context()) == ()
    assert match_state(listed, Context(saddr=ipaddress.ip_address("192.0.2.1"))) == (
        "ipset f2b-sshd: its members are not known",
    )
    assert match_state(Match(lists=(("ipset dsts", False, False),)), Context())


# --- walking chains --------------------------------------------------------------------------------


def test_unknown_accept_may_open_and_unknown_drop_may_close() -> None:
    assert verdict(ruleset("-p tcp --dport 21 -m limit --limit 1/s -j ACCEPT")) == "uncertain"
    assert verdict(ruleset("-p tcp --dport 21 -m limit --limit 1/s -j DROP", "-p tcp --dport 21 -j ACCEPT")) == (
        "uncertain"
    )
    assert verdict(ruleset("-p tcp --dport 21 -j ACCEPT", "-m limit --limit 1/s -j DROP")) == "open"
    assert verdict(ruleset("-m limit --limit 1/s -j ACCEPT", "-j REJECT", policy="ACCEPT")) == "uncertain"


def test_outcome_names_the_rules_responsible() -> None:
    rules = ruleset("-p tcp --dport 21 -m frob --level 3 -j DROP", "-p tcp --dport 21:22 -j ACCEPT")
    outcome = evaluate_path(rules, "input", Context(), ((20, 23),))
    assert outcome.open == ((22, 22),) and outcome.uncertain == ((21, 21),) and outcome.closed == ((20, 20), (23, 23))
    (label,) = outcome.rules_for(outcome.uncertain)
    assert label.startswith("ipv4 filter INPUT: -A INPUT -p tcp --dport 21 -m frob --level 3 -j DROP [")
    assert "-m frob: not modelled" in label
    assert outcome.rules_for(((22, 22),)) == []


def test_uncertain_jump_takes_both_branches() -> None:
    text = "\n".join(
        [
            "*filter",
            ":INPUT DROP [0:0]",
            ":X - [0:0]",
            "-A INPUT -m mark --mark 1 -j X",
            "-A INPUT -p tcp --dport 21:22 -j ACCEPT",
            "-A X -p tcp --dport 21 -j DROP",
            "-A X -j RETURN",
            "COMMIT",
            "",
        ]
    )
    outcome = evaluate_path(parse_iptables_save(text), "input", Context(), ((21, 22),))
    assert outcome.open == ((22, 22),) and outcome.uncertain == ((21, 21),)


def test_goto_returns_to_the_caller_of_the_calling_chain() -> None:
    text = "\n".join(
        [
            "*filter",
            ":INPUT DROP [0:0]",
            ":A - [0:0]",
            ":B - [0:0]",
            "-A INPUT -j A",
            "-A INPUT -p tcp --dport 21 -j ACCEPT",
            "-A A -g B",
            "-A A -p tcp --dport 21 -j DROP",
            "-A B -p tcp --dport 22 -j ACCEPT",
            "-A B -j RETURN",
            "COMMIT",
            "",
        ]
    )
    assert evaluate_hook(parse_iptables_save(text), "input", Context(), ((20, 23),)) == ((21, 22),)


def test_unknown_target_and_notrack_may_do_anything() -> None:
    assert verdict(ruleset("-p tcp --dport 21 -j TARPIT", "-p tcp --dport 21 -j ACCEPT")) == "uncertain"
    raw = ruleset("-p tcp --dport 21 -j CT --notrack", table="raw")
    assert verdict(raw.merge(ruleset("-p tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT"))) == "uncertain"


def test_depth_limit_is_uncertain() -> None:
    table = Table("ipv4", "filter")
    table.chains["INPUT"] = Chain("INPUT", [Rule(Match(), "jump", "loop")], "drop", "input")
    table.chains["loop"] = Chain("loop", [Rule(Match(), "jump", "loop")])
    outcome = evaluate_path(Ruleset("iptables", [table]), "input", Context(), FTP)
    assert outcome.uncertain == FTP and any(str(MAX_DEPTH) in label for label, _ports in outcome.doubts)


# --- the packet's path -----------------------------------------------------------------------------


def test_a_drop_in_raw_prerouting_closes_what_filter_opens() -> None:
    rules = ruleset("-p tcp --dport 21 -j DROP", table="raw").merge(ruleset("-p tcp --dport 21 -j ACCEPT"))
    assert verdict(rules) == "closed"
    assert [chain.kind for _table, chain in path_chains(rules, "input", Context())] == ["raw", "filter"]


def test_dnat_in_prerouting_hands_the_connection_elsewhere_for_new_connections_only() -> None:
    nat = ruleset("-p tcp --dport 21 -j DNAT --to-destination 10.0.0.2:21", table="nat")
    rules = nat.merge(ruleset("-p tcp --dport 21 -j ACCEPT"))
    assert verdict(rules) == "uncertain"
    assert verdict(rules, ct_state="established") == "open"


def test_netdev_chains_apply_to_their_devices() -> None:
    ingress = Chain("ingress", [Rule(Match(dports=FTP), "drop")], "accept", "ingress")
    ingress.devices = ("eth0",)
    rules = Ruleset("nftables", [Table("netdev", "edge", {"ingress": ingress})]).merge(
        ruleset("-p tcp --dport 21 -j ACCEPT")
    )
    assert verdict(rules) == "open" and verdict(rules, iif="eth0") == "closed"


def test_base_chains_are_crossed_by_priority_and_each_must_accept() -> None:
    early = Chain("early", [Rule(Match(dports=FTP), "accept")], "accept", "input", -10)
    late = Chain("late", [Rule(Match(dports=FTP), "drop")], "accept", "input", 0)
    rules = Ruleset("nftables", [Table("inet", "a", {"early": early}), Table("inet", "b", {"late": late})])
    assert verdict(rules) == "closed"


# --- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "sure", "uncertain"),
    [
        ("-p tcp --dport 21 -j CT --helper ftp", FTP, ()),
        ("-p tcp --dport 21 -m connlimit --connlimit-above 9 -j CT --helper ftp", (), FTP),
        ("-p tcp --dport 21 -j CT --helper irc", (), ()),
    ],
)
def test_helper_assignments(rule: str, sure: tuple, uncertain: tuple) -> None:
    found = helper_assignments(ruleset(rule, table="raw"), "ipv4", {})
    assert found.sure == sure and found.uncertain == uncertain
    assert bool(found.doubts) == bool(uncertain)


# --- monotonicity: what the model does not understand never turns a verdict around ------------------


UNKNOWN = Match(unsupported=("-m frobnicate: not modelled",))


@given(
    chains(),
    st.integers(0, 7),
    st.sampled_from(["accept", "drop", "jump", "goto", "unknown", "opaque", None]),
    matches(),
)
def test_an_unknown_rule_only_adds_uncertainty(ruleset: Ruleset, where: int, action: str | None, known: Match) -> None:
    contexts = [Context(), Context(ct_state="established"), Context(saddr=ipaddress.ip_address("192.0.2.1"))]
    before = [evaluate_path(ruleset, "input", ctx) for ctx in contexts]
    unknown = known.copy()
    unknown.unsupported = UNKNOWN.unsupported
    rules = ruleset.tables[0].chains["INPUT"].rules
    rules.insert(min(where, len(rules)), Rule(unknown, action, "user" if action in ("jump", "goto") else "x"))
    for ctx, old in zip(contexts, before):
        new = evaluate_path(ruleset, "input", ctx)
        assert not iv_subtract(new.open, old.open), "an unknown rule opened a port"
        assert not iv_subtract(new.closed, old.closed), "an unknown rule closed a port"
        assert not iv_subtract(old.uncertain, new.uncertain)
        assert iv_normalize(new.open + new.closed + new.uncertain) == PORT_SPACE


@given(chains())
def test_the_three_verdicts_partition_the_ports(ruleset: Ruleset) -> None:
    outcome = evaluate_path(ruleset, "input", Context())
    assert iv_normalize(outcome.open + outcome.closed + outcome.uncertain) == PORT_SPACE
    assert not iv_intersect(outcome.open, outcome.closed) and not iv_intersect(outcome.open, outcome.uncertain)
    # Without a rule the model does not understand nothing is uncertain.
    assert outcome.uncertain == () and outcome.doubts == []
