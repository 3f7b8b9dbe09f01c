# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis strategies shared by the property tests of the firewall model."""

from __future__ import annotations

import ipaddress

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import iv_normalize
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
)
from hypothesis import strategies as st

ports = st.integers(min_value=1, max_value=65535)


def mostly(hostile: st.SearchStrategy[str], *valid: str) -> st.SearchStrategy[str]:
    """One of ``valid`` three times in four, a ``hostile`` value otherwise, so both paths are taken often."""
    return st.tuples(st.integers(0, 3), st.sampled_from(valid), hostile).map(lambda v: v[2] if v[0] == 0 else v[1])


port_sets = st.lists(st.tuples(ports, ports).map(sorted).map(tuple), min_size=1, max_size=4).map(iv_normalize)
networks = st.one_of(
    st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)).map(
        lambda v: Net.of(ipaddress.ip_network((v[0], v[1]), strict=False))
    ),
)


@st.composite
def matches(draw: st.DrawFn) -> Match:
    match = Match()
    if draw(st.booleans()):
        match.protocols = frozenset((draw(st.sampled_from(["tcp", "udp"])),))
        match.proto_neg = draw(st.booleans())
        if not match.proto_neg and draw(st.booleans()):
            match.dports, match.dport_neg = draw(port_sets), draw(st.booleans())
        if not match.proto_neg and draw(st.booleans()):
            match.sports, match.sport_neg = draw(port_sets), draw(st.booleans())
    if draw(st.booleans()):
        match.saddr, match.saddr_neg = (draw(networks),), draw(st.booleans())
    if draw(st.booleans()):
        match.iif, match.iif_neg = (draw(st.sampled_from(["eth0", "ens3", "docker0", "eth+"])),), draw(st.booleans())
    if draw(st.booleans()):
        states = draw(st.sets(st.sampled_from(["new", "established", "related", "invalid"]), min_size=1))
        match.ct_states, match.ct_neg = frozenset(states), draw(st.booleans())
    if draw(st.booleans()):
        match.helpers, match.helper_neg = frozenset(("ftp",)), draw(st.booleans())
    return match


@st.composite
def chains(draw: st.DrawFn) -> Ruleset:
    """A random INPUT chain (and a user chain it may jump to) of rules the model understands."""
    table = Table("ipv4", "filter")
    user = [
        Rule(draw(matches()), draw(st.sampled_from(["accept", "drop", "return"])))
        for _i in range(draw(st.integers(0, 3)))
    ]
    table.chains["user"] = Chain("user", user)
    rules = []
    for _number in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["accept", "drop", "reject", "jump", "goto", None]))
        rules.append(Rule(draw(matches()), action, "user" if action in ("jump", "goto") else ""))
    policy = draw(st.sampled_from(["accept", "drop"]))
    table.chains["INPUT"] = Chain("INPUT", rules, policy, "input")
    return Ruleset("iptables", [table])
