# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walk the chains of a ruleset the way the kernel does, for all ports at once (private module).

Chains are walked in order, first match wins for ACCEPT/DROP/REJECT/RETURN, jumps and gotos
are followed, non-terminal rules (LOG, CT, counters) fall through, and a base chain's policy
decides what is left.  A packet's path crosses several base chains (``ingress``, then every
``prerouting`` chain, ``raw`` to ``nat``, then every ``input`` chain, by priority); it is
accepted only when each of them accepts it.  Destination ports are evaluated symbolically as
interval sets, so one walk answers for all 65536 ports.

The outcome is three-valued.  A rule whose match the model cannot evaluate (an unknown match,
``-m limit``, an ipset whose members are not listed, a destination address when the host's
addresses are not known...) or whose target it cannot follow (NFQUEUE, DNAT, an unknown
extension) *may* apply: the walk takes both branches.  It tracks the ports that may still be
live (``live``) and those that surely are (``sure``), and collects for each outcome the ports
that *may* end there.  A port is then **open** when it may be accepted and cannot be dropped,
**closed** when it cannot be accepted, and **uncertain** otherwise, with the rules responsible
(:class:`Outcome`).  Adding a rule the model does not understand can only turn a verdict into
"uncertain", never "closed" into "open" or back.

Assumptions about the packets (:class:`Context`): a TCP connection's first packet is a SYN
that is not a fragment, carries no IPv6 extension or IPsec header, is not bridged, arrives over
the reverse path of its source (not spoofed), belongs to a connection no NAT rule rewrote
(``ct status dnat``), is addressed to one of the host's own unicast addresses, and comes from a source
outside every network the rules list and every run-time list the firewall keeps (an ipset,
a ``recent`` list) unless a source is given.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    PORT_SPACE,
    Interval,
    IntervalSet,
    iv_carve_one,
    iv_complement,
    iv_intersect,
    iv_intersect_one,
    iv_normalize,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
)

MAX_DEPTH = 64

# The base chains a packet crosses, hook by hook, and the chain kinds (iptables tables, nft
# chain types) that can stop it there.  nat chains see only a connection's first packet.
PATHS = {
    "input": (
        ("ingress", ("filter",)),
        ("prerouting", ("raw", "mangle", "nat", "filter")),
        ("input", ("mangle", "filter", "security")),
    ),
    "output": (
        ("output", ("raw", "mangle", "nat", "filter", "security", "route")),
        ("postrouting", ("mangle", "filter")),
    ),
}  # type: t.Dict[str, t.Tuple[t.Tuple[str, t.Tuple[str, ...]], ...]]
HOOK_ORDER = {hook: index for path in PATHS.values() for index, (hook, _kinds) in enumerate(path)}

# A match state: ``None`` (does not match), ``()`` (matches) or the reasons it may match.
MatchState = t.Optional[t.Tuple[str, ...]]
MATCHES = ()  # type: t.Tuple[str, ...]


class Context:
    """The fixed (non-port) attributes of the packets being evaluated.

    ``direction`` is ``in`` (to this host) or ``out`` (from it).  An address of ``None`` is
    the remote peer (outside every listed network) for the remote side and one of the host's
    own unicast addresses, which one unknown, for the local side.  An interface of ``None``
    matches no named interface.  ``ct_state`` ``new`` and ``related`` packets are the SYN
    opening a connection; ``established`` packets carry ACK.
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


# --------------------------------------------------------------------------- matching one rule


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


def _addr_state(networks: tuple[Net, ...], address: t.Any, local: bool) -> bool | None:
    """Whether ``address`` lies in one of ``networks`` (``None``: cannot tell).

    ``address`` ``None`` is the remote peer (in no listed network) or, for the ``local`` side,
    one of the host's own addresses: in a catch-all network, never in a loopback, multicast or
    broadcast one, and in any other network perhaps."""
    if address is not None:
        return any(network.prefixlen == 0 or address in network for network in networks)
    unknown = False
    for network in networks:
        if network.prefixlen == 0:
            return True
        if local and not (network.is_loopback or network.is_multicast or network.is_broadcast):
            unknown = True
    return None if unknown else False


def _flags_state(flags: tuple[frozenset[str], frozenset[str], str], ctx: Context) -> bool | None:
    """Whether the TCP flags of the context's packet pass ``flags`` (``None``: cannot tell).

    A connection's first packet carries SYN alone; an established one carries ACK, never SYN,
    and any of the others."""
    mask, compare, mode = flags
    if ctx.ct_state in ("new", "related"):
        present = mask & {"SYN"}
        return bool(present) if mode == "any" else present == compare
    known = {"ACK": True, "SYN": False}
    if mode == "any":
        if "ACK" in mask:
            return True
        return False if mask <= known.keys() else None
    for flag in mask & known.keys():
        if (flag in compare) != known[flag]:
            return False
    return True if mask <= known.keys() else None


def _types(direction: str, side: str) -> frozenset[str]:
    """Address types (``-m addrtype``) of the context's source or destination."""
    local = (direction == "in") == (side == "dst")
    return frozenset(("LOCAL",)) if local else frozenset(("UNICAST",))


def _known_state(match: Match, ctx: Context) -> bool:
    """False when a condition the model evaluates exactly rules the match out."""
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
    if match.iif is not None and _iface_match(match.iif, ctx.iif) == match.iif_neg:
        return False
    if match.oif is not None and _iface_match(match.oif, ctx.oif) == match.oif_neg:
        return False
    if match.sports is not None:
        found = False if ctx.sport is None else any(low <= ctx.sport <= high for low, high in match.sports)
        if found == match.sport_neg:
            return False
    if match.dst_types is not None and bool(match.dst_types & _types(ctx.direction, "dst")) == match.dst_type_neg:
        return False
    if match.src_types is not None and bool(match.src_types & _types(ctx.direction, "src")) == match.src_type_neg:
        return False
    if match.pkt_types is not None and bool(match.pkt_types & {"UNICAST", "HOST"}) == match.pkt_type_neg:
        return False
    if match.headers or match.nat is True:
        return False
    return match.fragment is not True and match.bridged is not True and match.rpf is not False


def match_state(match: Match, ctx: Context) -> MatchState:
    """``None`` when ``match`` does not apply to ``ctx``, ``()`` when it does, else the
    reasons it may (the parts the model cannot evaluate for this context)."""
    if not _known_state(match, ctx):
        return None
    doubts = list(match.unsupported)
    for networks, negated, address, local in (
        (match.saddr, match.saddr_neg, ctx.saddr, ctx.direction == "out"),
        (match.daddr, match.daddr_neg, ctx.daddr, ctx.direction == "in"),
    ):
        if networks is None:
            continue
        inside = _addr_state(networks, address, local)
        if inside is None:
            doubts.append(_address_doubt(networks))
        elif inside == negated:
            return None
    if match.tcp_flags is not None:
        passes = _flags_state(match.tcp_flags, ctx)
        if passes is None:
            doubts.append("TCP flags of an established connection's packets vary")
        elif passes == match.tcp_flags_neg:
            return None
    for label, keyed_on_source, negated in match.lists:
        if keyed_on_source and ctx.saddr is None and ctx.direction == "in":
            if negated:
                continue
            return None
        doubts.append(f"{label}: its members are not known")
    return tuple(doubts) if doubts else MATCHES


def _address_doubt(networks: tuple[Net, ...]) -> str:
    return "address {}: whether it is one of this host's is not known".format(",".join(map(str, networks)))


def context_matches(match: Match, ctx: Context) -> bool:
    """True when the non-port conditions of ``match`` surely hold for ``ctx``."""
    return match_state(match, ctx) == MATCHES


def port_set(match: Match) -> IntervalSet:
    """Destination ports matched by ``match`` (all ports when not restricted)."""
    if match.dports is None:
        return PORT_SPACE
    if match.dport_neg:
        return iv_complement(match.dports)
    return match.dports


# --------------------------------------------------------------------------- walking chains


class Outcome:
    """What a path of chains does with a set of ports.

    ``open``: surely accepted; ``uncertain``: accepted or not depending on rules the model does
    not evaluate, named with the ports they bear on in ``doubts`` (``[(label, ports)]``);
    ``closed``: surely not accepted.
    """

    __slots__ = ("closed", "doubts", "open", "uncertain")

    def __init__(
        self, ports: IntervalSet, may: IntervalSet, sure: IntervalSet, doubts: list[tuple[str, IntervalSet]]
    ) -> None:
        self.open = sure
        self.uncertain = iv_subtract(may, sure)
        self.closed = iv_subtract(ports, may)
        self.doubts = doubts

    def rules_for(self, ports: IntervalSet) -> list[str]:
        """The rules that make ``ports`` uncertain."""
        return rules_for(self.doubts, ports)


def rules_for(doubts: t.Sequence[tuple[str, IntervalSet]], ports: IntervalSet) -> list[str]:
    found = []  # type: t.List[str]
    for label, hit in doubts:
        if iv_intersect(hit, ports) and label not in found:
            found.append(label)
    return found


def rule_label(table: Table, chain: Chain, rule: Rule, reasons: t.Sequence[str]) -> str:
    """How findings name a rule: where it is, how it was written, and what is not known."""
    text = rule.text if len(rule.text) <= 200 else rule.text[:197] + "..."
    label = f"{table.family} {table.name} {chain.name}: {text or '(rule)'}"
    return "{} [{}]".format(label, "; ".join(reasons)) if reasons else label


class _Walk:
    """One symbolic walk of a base chain: outcomes, doubts and helper assignments."""

    __slots__ = ("ctx", "doubts", "helpers", "sure_helpers", "table")

    def __init__(self, table: Table, ctx: Context, doubts: list[tuple[str, IntervalSet]]) -> None:
        self.table = table
        self.ctx = ctx
        self.doubts = doubts
        self.helpers = {}  # type: t.Dict[str, IntervalSet]
        self.sure_helpers = {}  # type: t.Dict[str, IntervalSet]

    def _doubt(self, chain: Chain, rule: Rule, reasons: t.Sequence[str], hit: t.Sequence[Interval]) -> None:
        self.doubts.append((rule_label(self.table, chain, rule, reasons), tuple(hit)))

    def chain(
        self, chain: Chain, live: IntervalSet, sure: IntervalSet, depth: int
    ) -> tuple[IntervalSet, IntervalSet, IntervalSet, IntervalSet]:
        """Walk ``chain`` with the ports of ``live`` (``sure`` of them surely get here).

        Returns the ports that may be accepted, may be dropped, may return to the caller, and
        that surely return; a base chain's policy takes what falls off its end."""
        if depth > MAX_DEPTH:
            label = f"{self.table.family} {self.table.name} {chain.name}: jumps nested deeper than {MAX_DEPTH}"
            self.doubts.append((label, live))
            return live, live, live, EMPTY
        accepted = []  # type: t.List[Interval]
        dropped = []  # type: t.List[Interval]
        returned = []  # type: t.List[Interval]
        returned_sure = []  # type: t.List[Interval]
        pending = list(live)  # carved in place as rules take ports away
        surely = list(sure)
        for rule in chain.rules:
            if not pending:
                break
            state = match_state(rule.match, self.ctx)
            if state is None:
                continue
            hit, hit_sure = self._hits(rule.match, pending, surely, state)
            if not hit:
                continue
            certain = not state
            if rule.helper_set:
                if not certain:
                    self._doubt(chain, rule, state, hit)
                self.helpers[rule.helper_set] = iv_union(self.helpers.get(rule.helper_set, EMPTY), hit)
                if hit_sure:
                    self.sure_helpers[rule.helper_set] = iv_union(
                        self.sure_helpers.get(rule.helper_set, EMPTY), hit_sure
                    )
            action = rule.action
            if action is None:
                continue
            target = self.table.chains.get(rule.target) if action in ("jump", "goto") else None
            if action in ("jump", "goto") and target is None:
                action = "unknown"
                state = (*state, f"jump to {rule.target}, which is neither a chain nor a known target")
            if action in ("opaque", "unknown"):
                self._doubt(chain, rule, state or ("the packet's fate is decided outside the ruleset",), hit)
                accepted.extend(hit)
                dropped.extend(hit)
                surely = _without(surely, rule.match)
                if certain and action == "opaque":
                    pending = _without(pending, rule.match)
                continue
            if not certain:
                self._doubt(chain, rule, state, hit)
            if action == "accept":
                accepted.extend(hit)
            elif action in ("drop", "reject"):
                dropped.extend(hit)
            elif action == "return":
                returned.extend(hit)
                returned_sure.extend(hit_sure)
            elif target is not None:
                sub_acc, sub_drop, sub_ret, sub_ret_sure = self.chain(target, hit, hit_sure, depth + 1)
                accepted.extend(sub_acc)
                dropped.extend(sub_drop)
                if action == "goto":
                    returned.extend(sub_ret)
                    returned_sure.extend(sub_ret_sure)
                elif certain:
                    pending = list(iv_union(iv_subtract(pending, hit), sub_ret))
                    surely = list(iv_union(iv_subtract(surely, hit), sub_ret_sure))
                    continue
            else:
                continue
            surely = _without(surely, rule.match)
            if certain:
                pending = _without(pending, rule.match)
        if chain.hook is None:
            returned.extend(pending)
            returned_sure.extend(surely)
        else:
            (dropped if chain.policy == "drop" else accepted).extend(returned + pending)
            returned, returned_sure = [], []
        return iv_normalize(accepted), iv_normalize(dropped), iv_normalize(returned), iv_normalize(returned_sure)

    @staticmethod
    def _hits(
        match: Match, pending: list[Interval], surely: list[Interval], state: tuple[str, ...]
    ) -> tuple[IntervalSet, IntervalSet]:
        """The ports of ``pending`` (and of ``surely``, for a match that surely applies) the
        rule's destination ports take."""
        dports = match.dports
        if dports is None:
            return tuple(pending), (tuple(surely) if not state else EMPTY)
        if len(dports) == 1 and not match.dport_neg:
            low, high = dports[0]
            hit = iv_intersect_one(pending, low, high)
            return hit, (iv_intersect_one(surely, low, high) if not state and surely else EMPTY)
        ports = port_set(match)
        return iv_intersect(tuple(pending), ports), (iv_intersect(tuple(surely), ports) if not state else EMPTY)


def _without(ports: list[Interval], match: Match) -> list[Interval]:
    """``ports`` without the destination ports of ``match`` (carved in place for one range)."""
    if not ports:
        return ports
    dports = match.dports
    if dports is None:
        return []
    if len(dports) == 1 and not match.dport_neg:
        low, high = dports[0]
        iv_carve_one(ports, low, high)
        return ports
    return list(iv_subtract(tuple(ports), port_set(match)))


def path_chains(ruleset: Ruleset, path: str, ctx: Context) -> list[tuple[Table, Chain]]:
    """The base chains a packet of ``ctx`` crosses on ``path`` (``input`` or ``output``), in order."""
    found = []
    for hook, kinds in PATHS[path]:
        if ctx.ct_state != "new":
            kinds = tuple(kind for kind in kinds if kind != "nat")
        for table, chain in base_chains(ruleset, hook, ctx.family, kinds):
            if chain.devices and not _iface_match(chain.devices, ctx.iif if path == "input" else ctx.oif):
                continue
            found.append((table, chain))
    return found


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


def _walk_path(
    ruleset: Ruleset, path: str, ctx: Context, ports: IntervalSet
) -> tuple[IntervalSet, IntervalSet, list[tuple[str, IntervalSet]], dict[str, IntervalSet], dict[str, IntervalSet]]:
    """Walk every base chain of ``path`` in order: the ports that may be and surely are accepted,
    the doubts, and the ports whose connections may get and surely get each conntrack helper."""
    may = sure = ports
    doubts = []  # type: t.List[t.Tuple[str, IntervalSet]]
    helpers = {}  # type: t.Dict[str, IntervalSet]
    sure_helpers = {}  # type: t.Dict[str, IntervalSet]
    for table, chain in path_chains(ruleset, path, ctx):
        if not may:
            break
        walk = _Walk(table, ctx, doubts)
        accepted, dropped, _returned, _returned_sure = walk.chain(chain, may, sure, 0)
        for name, hit in walk.helpers.items():
            helpers[name] = iv_union(helpers.get(name, EMPTY), hit)
        for name, hit in walk.sure_helpers.items():
            sure_helpers[name] = iv_union(sure_helpers.get(name, EMPTY), hit)
        may = accepted
        sure = iv_intersect(sure, iv_subtract(accepted, dropped))
    return may, sure, doubts, helpers, sure_helpers


def evaluate_path(ruleset: Ruleset, path: str, ctx: Context, ports: IntervalSet = PORT_SPACE) -> Outcome:
    """What the base chains of ``path`` (``input`` or ``output``) do with ``ports`` for ``ctx``."""
    may, sure, doubts, _helpers, _sure_helpers = _walk_path(ruleset, path, ctx, ports)
    return Outcome(ports, may, sure, _merge(doubts))


def _merge(doubts: list[tuple[str, IntervalSet]]) -> list[tuple[str, IntervalSet]]:
    merged = {}  # type: t.Dict[str, IntervalSet]
    for label, hit in doubts:
        merged[label] = iv_union(merged.get(label, EMPTY), hit)
    return list(merged.items())


def evaluate_hook(ruleset: Ruleset, path: str, ctx: Context, ports: IntervalSet = PORT_SPACE) -> IntervalSet:
    """Ports of ``ports`` that the base chains of ``path`` surely accept for ``ctx``."""
    return evaluate_path(ruleset, path, ctx, ports).open


class HelperOutcome:
    """Destination ports whose new connections surely (``sure``) or perhaps (``uncertain``, with
    the ``doubts`` responsible) get the ftp conntrack helper."""

    __slots__ = ("doubts", "sure", "uncertain")

    def __init__(self, sure: IntervalSet, possible: IntervalSet, doubts: list[tuple[str, IntervalSet]]) -> None:
        self.sure = sure
        self.uncertain = iv_subtract(possible, sure)
        self.doubts = doubts


def helper_assignments(ruleset: Ruleset, family: str, helper_types: t.Mapping[str, str]) -> HelperOutcome:
    """Where new TCP connections get a conntrack helper of type ``ftp`` on their way in
    (iptables ``raw``/``-j CT --helper ftp``; nft ``ct helper set``, which firewalld puts in
    its input chains): the helper is attached when the rule is reached before the connection
    is confirmed, that is anywhere on the input path."""
    _may, _sure, doubts, helpers, sure_helpers = _walk_path(ruleset, "input", Context(family=family), PORT_SPACE)
    sure = possible = EMPTY
    for name, hit in helpers.items():
        if helper_types.get(name, name).split("-", 1)[0] == "ftp":
            possible = iv_union(possible, hit)
            sure = iv_union(sure, sure_helpers.get(name, EMPTY))
    return HelperOutcome(sure, possible, _merge(doubts))


def default_policy(ruleset: Ruleset, hook: str, family: str) -> str:
    """``drop`` when what the rules do not open is not accepted, else ``accept``.

    Either a base chain of the hook drops by default, or (``input``) the chains accept policy but
    end in a rule that drops or rejects everything left, as firewalld's ``filter_INPUT`` and its
    zones (``reject with icmpx admin-prohibited``) do: a new TCP connection, from a source and
    on an interface no rule names, to a port no rule names, is surely not accepted."""
    for _table, chain in base_chains(ruleset, hook, family):
        if chain.policy == "drop":
            return "drop"
    if hook != "input" or not base_chains(ruleset, hook, family):
        return "accept"
    residual = iv_complement(named_ports(ruleset, family))
    if not residual:
        return "accept"
    outcome = evaluate_path(ruleset, "input", Context(family=family), residual)
    return "drop" if not outcome.open and not outcome.uncertain else "accept"


def named_ports(ruleset: Ruleset, family: str) -> IntervalSet:
    """Every destination port some rule of ``family``'s tables names (``dport 22`` and ``dport != 22`` alike)."""
    named = EMPTY
    for table in ruleset.tables:
        if not table.serves(family):
            continue
        for chain in table.chains.values():
            for rule in chain.rules:
                if rule.match.dports is not None:
                    named = iv_union(named, rule.match.dports)
    return named
