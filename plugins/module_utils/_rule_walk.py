# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walk the chains of a ruleset the way the kernel does, for all ports at once (private module).

Chains are walked in order, first match wins for ACCEPT/DROP/REJECT/RETURN, jumps and gotos
are followed, non-terminal rules (LOG, CT, counters) fall through, and a base chain's policy
decides what is left.  Destination ports are evaluated symbolically as interval sets.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    PORT_SPACE,
    IntervalSet,
    iv_carve_one,
    iv_complement,
    iv_intersect,
    iv_intersect_one,
    iv_normalize,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import Chain, Match, Net, Ruleset, Table

MAX_DEPTH = 64


class Context:
    """The fixed (non-port) attributes of the packets being evaluated.

    ``direction`` is ``in`` (to this host) or ``out`` (from it).  An address of ``None`` is
    the remote peer (outside every listed network) for the remote side and one of the host's
    own unicast addresses for the local side.  An interface of ``None`` matches no named
    interface.
    """

    __slots__ = ("ct_state", "daddr", "direction", "family", "helper", "iif", "oif", "protocol", "saddr", "sport")

    def __init__(
        self,
        family: str = "ipv4",
        protocol: str = "tcp",
        direction: str = "in",
        saddr: t.Any = None,
        daddr: t.Any = None,
        iif: str | None = None,
        oif: str | None = None,
        ct_state: str = "new",
        helper: str | None = None,
        sport: int | None = None,
    ) -> None:
        self.family = family
        self.protocol = protocol
        self.direction = direction
        self.saddr = saddr
        self.daddr = daddr
        self.iif = iif
        self.oif = oif
        self.ct_state = ct_state
        self.helper = helper
        self.sport = sport


def _iface_match(patterns: tuple[str, ...], name: str | None) -> bool:
    for pattern in patterns:
        if pattern in ("+", "*"):
            return True
        if name is None:
            continue
        if pattern.endswith(("+", "*")):
            if name.startswith(pattern[:-1]):
                return True
        elif pattern == name:
            return True
    return False


def _addr_match(networks: tuple[Net, ...], address: t.Any, local: bool) -> bool:
    for network in networks:
        if network.prefixlen == 0:
            return True
        if address is None:
            if (
                local
                and not network.is_multicast
                and network.prefixlen > network.bits - 64
                and not network.is_broadcast
            ):
                return True
            continue
        if address in network:
            return True
    return False


def context_matches(match: Match, ctx: Context) -> bool:
    """True when the non-port conditions of ``match`` hold for ``ctx``."""
    if match.unsupported:
        return False
    if match.family is not None and match.family != ctx.family:
        return False
    if match.protocols is not None and (ctx.protocol in match.protocols) == match.proto_neg:
        return False
    if match.ct_states is not None and (ctx.ct_state in match.ct_states) == match.ct_neg:
        return False
    if match.helpers is not None:
        found = ctx.helper is not None and any(name.split("-", 1)[0] == ctx.helper for name in match.helpers)
        if found == match.helper_neg:
            return False
    if match.saddr is not None and _addr_match(match.saddr, ctx.saddr, ctx.direction == "out") == match.saddr_neg:
        return False
    if match.daddr is not None and _addr_match(match.daddr, ctx.daddr, ctx.direction == "in") == match.daddr_neg:
        return False
    if match.iif is not None and _iface_match(match.iif, ctx.iif) == match.iif_neg:
        return False
    if match.oif is not None and _iface_match(match.oif, ctx.oif) == match.oif_neg:
        return False
    if match.sports is not None:
        found = False if ctx.sport is None else any(low <= ctx.sport <= high for low, high in match.sports)
        if found == match.sport_neg:
            return False
    if match.dst_types is not None:
        local_types = {"LOCAL", "UNICAST"} if ctx.direction == "in" else {"UNICAST"}
        if bool(match.dst_types & local_types) == match.dst_type_neg:
            return False
    return True


def port_set(match: Match) -> IntervalSet:
    """Destination ports matched by ``match`` (all ports when not restricted)."""
    if match.dports is None:
        return PORT_SPACE
    if match.dport_neg:
        return iv_complement(match.dports)
    return match.dports


class _Walk:
    """One symbolic walk: results and side effects (helper assignment)."""

    __slots__ = ("ctx", "helpers", "table", "warnings")

    def __init__(self, table: Table, ctx: Context, warnings: list[str]) -> None:
        self.table = table
        self.ctx = ctx
        self.helpers = {}  # type: t.Dict[str, IntervalSet]
        self.warnings = warnings

    def chain(self, chain: Chain, live: IntervalSet, depth: int) -> tuple[IntervalSet, IntervalSet, IntervalSet]:
        """Return (accepted, dropped, returned) subsets of ``live``; for a user chain,
        ``returned`` includes what fell off its end."""
        accepted = []  # type: t.List[Interval]
        dropped = []  # type: t.List[Interval]
        returned = []  # type: t.List[Interval]
        if depth > MAX_DEPTH:
            self.warnings.append(f"chain {chain.name}: jumps nested deeper than {MAX_DEPTH}, treated as returning")
            return EMPTY, EMPTY, live
        ctx = self.ctx
        live = list(live)  # carved in place as rules take ports away
        for rule in chain.rules:
            if not live:
                break
            match = rule.match
            if not context_matches(match, ctx):
                continue
            dports = match.dports
            single = None  # type: t.Optional[Interval]
            if dports is None:
                hit = live
            elif len(dports) == 1 and not match.dport_neg:
                single = dports[0]
                hit = iv_intersect_one(live, single[0], single[1])
            else:
                hit = tuple(iv_intersect(live, port_set(match)))
            if not hit:
                continue
            if rule.helper_set:
                self.helpers[rule.helper_set] = iv_union(self.helpers.get(rule.helper_set, EMPTY), tuple(hit))
            action = rule.action
            if action is None:
                continue
            if action == "accept":
                accepted.extend(hit)
            elif action in ("drop", "reject"):
                dropped.extend(hit)
            elif action == "return":
                returned.extend(hit)
            elif action in ("jump", "goto"):
                target = self.table.chains.get(rule.target)
                if target is None:
                    self.warnings.append(f"chain {chain.name}: jump to unknown chain {rule.target} ignored")
                    continue
                sub_acc, sub_drop, sub_ret = self.chain(target, hit, depth + 1)
                accepted.extend(sub_acc)
                dropped.extend(sub_drop)
                if action == "goto":
                    returned.extend(sub_ret)
                else:
                    live = list(iv_union(iv_subtract(live, hit), sub_ret))
                    continue
            else:
                continue
            if hit is live:
                live = []
            elif single is not None:
                iv_carve_one(live, single[0], single[1])
            else:
                live = list(iv_subtract(live, hit))
        if chain.hook is None:
            returned.extend(live)
        elif chain.policy == "drop":
            dropped.extend(returned)
            dropped.extend(live)
            returned = []
        else:
            accepted.extend(returned)
            accepted.extend(live)
            returned = []
        return iv_normalize(accepted), iv_normalize(dropped), iv_normalize(returned)


def base_chains(
    ruleset: Ruleset, hook: str, family: str, kinds: tuple[str, ...] = ("filter",)
) -> list[tuple[Table, Chain]]:
    found = []
    for table in ruleset.tables:
        if not table.serves(family):
            continue
        for chain in table.chains.values():
            if chain.hook == hook and chain.kind in kinds:
                found.append((table, chain))
    found.sort(key=lambda item: item[1].priority)
    return found


def evaluate_hook(ruleset: Ruleset, hook: str, ctx: Context, ports: IntervalSet = PORT_SPACE) -> IntervalSet:
    """Ports of ``ports`` that every base chain of ``hook`` accepts for ``ctx``."""
    live = ports
    for table, chain in base_chains(ruleset, hook, ctx.family):
        if not live:
            break
        accepted, _dropped, _returned = _Walk(table, ctx, ruleset.warnings).chain(chain, live, 0)
        live = accepted
    return live


def helper_assignments(ruleset: Ruleset, family: str, helper_types: t.Mapping[str, str]) -> IntervalSet:
    """Destination ports whose new TCP connections get a conntrack helper of type ``ftp``
    in the prerouting hook (iptables ``raw``/``-j CT --helper ftp``, nft ``ct helper set``)."""
    ports = EMPTY
    ctx = Context(family=family)
    for table, chain in base_chains(ruleset, "prerouting", family, ("filter", "raw")):
        walk = _Walk(table, ctx, ruleset.warnings)
        walk.chain(chain, PORT_SPACE, 0)
        for name, hit in walk.helpers.items():
            if helper_types.get(name, name).split("-", 1)[0] == "ftp":
                ports = iv_union(ports, hit)
    return ports


def default_policy(ruleset: Ruleset, hook: str, family: str) -> str:
    """``drop`` when any base chain of the hook drops by default, else ``accept``."""
    for _table, chain in base_chains(ruleset, hook, family):
        if chain.policy == "drop":
            return "drop"
    return "accept"
