# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render model rules back to iptables-save text: a test helper for the parser's round-trip tests.

The collection itself never writes iptables rules from the model (the ftp_firewall role
renders its own templates), so this lives with the tests.
"""

from __future__ import annotations

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import IntervalSet
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import Rule, Ruleset


def _quote(word: str) -> str:
    if word and not any(char.isspace() or char in '"\\' for char in word):
        return word
    return '"{}"'.format(word.replace("\\", "\\\\").replace('"', '\\"'))


def _render_ports(ranges: IntervalSet) -> str:
    return ",".join(str(low) if low == high else f"{low}:{high}" for low, high in ranges)


def _neg(flag: bool) -> str:
    return "! " if flag else ""


def render_rule(chain: str, rule: Rule) -> str:
    """Render a rule as an ``iptables-save`` line (canonical option order).

    Rules with unsupported matches or run-time lists are rendered from their original text.
    """
    match = rule.match
    if (match.unsupported or match.lists) and rule.text:
        return rule.text
    parts = ["-A", chain]
    if match.saddr is not None:
        parts.append("{}-s {}".format(_neg(match.saddr_neg), ",".join(str(net) for net in match.saddr)))
    if match.daddr is not None:
        parts.append("{}-d {}".format(_neg(match.daddr_neg), ",".join(str(net) for net in match.daddr)))
    if match.iif is not None:
        parts.append(f"{_neg(match.iif_neg)}-i {match.iif[0]}")
    if match.oif is not None:
        parts.append(f"{_neg(match.oif_neg)}-o {match.oif[0]}")
    protocol = None
    if match.protocols is not None:
        protocol = min(match.protocols)
        parts.append(f"{_neg(match.proto_neg)}-p {protocol}")
    ports_module = protocol if protocol in ("tcp", "udp", "sctp") and not match.proto_neg else "tcp"
    multi = (match.dports is not None and len(match.dports) > 1) or (match.sports is not None and len(match.sports) > 1)
    if match.dports is not None or match.sports is not None:
        if multi:
            parts.append("-m multiport")
            if match.sports is not None:
                parts.append(f"{_neg(match.sport_neg)}--sports {_render_ports(match.sports)}")
            if match.dports is not None:
                parts.append(f"{_neg(match.dport_neg)}--dports {_render_ports(match.dports)}")
        else:
            parts.append(f"-m {ports_module}")
            if match.sports is not None:
                parts.append(f"{_neg(match.sport_neg)}--sport {_render_ports(match.sports)}")
            if match.dports is not None:
                parts.append(f"{_neg(match.dport_neg)}--dport {_render_ports(match.dports)}")
    if match.ct_states is not None:
        parts.append(
            "-m conntrack {}--ctstate {}".format(
                _neg(match.ct_neg), ",".join(state.upper() for state in sorted(match.ct_states))
            )
        )
    if match.helpers is not None:
        parts.append(f"-m helper {_neg(match.helper_neg)}--helper {_quote(min(match.helpers))}")
    if match.dst_types is not None:
        parts.append("-m addrtype {}--dst-type {}".format(_neg(match.dst_type_neg), ",".join(sorted(match.dst_types))))
    if rule.action in ("accept", "drop", "reject", "return") and not rule.target:
        parts.append(f"-j {rule.action.upper()}")
    elif rule.action == "goto":
        parts.append(f"-g {rule.target}")
    elif rule.target:
        parts.append(f"-j {rule.target}")
        if rule.target == "CT" and rule.helper_set:
            parts.append(f"--helper {_quote(rule.helper_set)}")
    return " ".join(parts)


def render_iptables_save(ruleset: Ruleset) -> str:
    """Render a ruleset back to ``iptables-save`` text (one family's tables)."""
    lines = []
    for table in ruleset.tables:
        lines.append(f"*{table.name}")
        for chain in table.chains.values():
            policy = chain.policy.upper() if chain.hook is not None and chain.policy else "-"
            lines.append(f":{chain.name} {policy} [0:0]")
        for chain in table.chains.values():
            for rule in chain.rules:
                lines.append(render_rule(chain.name, rule))
        lines.append("COMMIT")
    return "\n".join(lines) + "\n"
