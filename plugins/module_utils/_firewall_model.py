# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Common firewall model: rules, chains, evaluation and the exported model (private module).

Every back-end (iptables-save, nft JSON, ufw) is turned into a :class:`Ruleset` of tables,
chains and :class:`Rule` objects with a back-end neutral :class:`Match`.  Evaluation follows
the kernel's semantics closely enough to answer "which TCP destination ports does a packet
in this connection state, from this source, on this interface reach": chains are walked in
order, first match wins for ACCEPT/DROP/REJECT/RETURN, jumps and gotos are followed, non-
terminal rules (LOG, CT, counters) fall through, and a base chain's policy decides what is
left.  Destination ports are evaluated symbolically as interval sets, so one walk of the
chains answers for all 65535 ports at once.

What is not modelled is made explicit: a rule with a match this module does not understand
(``-m recent``, named sets, marks...) never matches and is listed in ``warnings``; an
unknown source is assumed to lie outside every listed network; an unknown destination is
assumed to be one of the host's own unicast addresses.
"""

from __future__ import annotations

import ipaddress
import typing as t

Interval = t.Tuple[int, int]
IntervalSet = t.Tuple[Interval, ...]

PORT_SPACE = ((0, 65535),)  # type: IntervalSet
EMPTY = ()  # type: IntervalSet
FAMILIES = ("ipv4", "ipv6")
TERMINAL = frozenset(("accept", "drop", "reject"))
MAX_DEPTH = 64
MAX_CONTEXTS = 48


# --------------------------------------------------------------------------- interval sets


def iv_normalize(ranges: t.Iterable[Interval]) -> IntervalSet:
    """Sort and merge overlapping or adjacent ``(low, high)`` ranges."""
    merged = []  # type: t.List[t.List[int]]
    for low, high in sorted(ranges):
        if low > high:
            continue
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def iv_union(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    if not left:
        return right
    if not right:
        return left
    return iv_normalize(left + right)


def iv_intersect(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    if not left or not right:
        return EMPTY
    if right is PORT_SPACE:
        return left
    if left is PORT_SPACE:
        return right
    out = []  # type: t.List[Interval]
    i = j = 0
    while i < len(left) and j < len(right):
        low = max(left[i][0], right[j][0])
        high = min(left[i][1], right[j][1])
        if low <= high:
            out.append((low, high))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def iv_subtract(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    """Ports of ``left`` not in ``right``, in one linear merge."""
    if not left or not right:
        return left
    out = []  # type: t.List[Interval]
    j = 0
    count = len(right)
    for low, high in left:
        current = low
        while j < count and right[j][1] < current:
            j += 1
        k = j
        while k < count and right[k][0] <= high:
            r_low, r_high = right[k]
            if r_low > current:
                out.append((current, r_low - 1))
            current = max(current, r_high + 1)
            if current > high:
                break
            k += 1
        if current <= high:
            out.append((current, high))
    return tuple(out)


def _first_reaching(ranges: IntervalSet, low: int) -> int:
    """Index of the first interval whose end is >= ``low`` (binary search)."""
    first, last = 0, len(ranges)
    while first < last:
        middle = (first + last) // 2
        if ranges[middle][1] < low:
            first = middle + 1
        else:
            last = middle
    return first


def iv_intersect_one(ranges: IntervalSet, low: int, high: int) -> IntervalSet:
    """``ranges`` intersected with ``low..high`` in O(log n + k)."""
    out = []
    index = _first_reaching(ranges, low)
    while index < len(ranges) and ranges[index][0] <= high:
        r_low, r_high = ranges[index]
        out.append((max(r_low, low), min(r_high, high)))
        index += 1
    return tuple(out)


def iv_carve_one(ranges: list[Interval], low: int, high: int) -> None:
    """Remove ``low..high`` from the sorted, merged list ``ranges`` in place (one slice
    assignment instead of copying the whole set)."""
    start = _first_reaching(ranges, low)
    end = start
    middle = []
    while end < len(ranges) and ranges[end][0] <= high:
        r_low, r_high = ranges[end]
        if r_low < low:
            middle.append((r_low, low - 1))
        if r_high > high:
            middle.append((high + 1, r_high))
        end += 1
    if start != end:
        ranges[start:end] = middle


def iv_complement(ranges: IntervalSet) -> IntervalSet:
    return iv_subtract(PORT_SPACE, ranges)


def iv_size(ranges: IntervalSet) -> int:
    return sum(high - low + 1 for low, high in ranges)


def iv_contains(ranges: IntervalSet, low: int, high: int) -> bool:
    """True when every port of ``low..high`` is in ``ranges``."""
    return iv_size(iv_intersect(ranges, ((low, high),))) == high - low + 1


# --------------------------------------------------------------------------- addresses


class _Value:
    """Equality and hashing by :meth:`key`, for the small value classes below."""

    __slots__ = ()

    def key(self) -> tuple[t.Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.key() == other.key()  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.key())


class Net(_Value):
    """An IPv4 or IPv6 network as ``(version, integer, prefix length)``.

    Rule addresses are stored this way rather than as :mod:`ipaddress` objects: building
    one costs a fraction of an ``IPv4Network`` and membership is two shifts, which matters
    for blocklists of tens of thousands of single addresses.  ``address in net`` accepts
    another :class:`Net` (its first address) or an :mod:`ipaddress` address.
    """

    __slots__ = ("prefixlen", "value", "version")

    def __init__(self, version: int, value: int, prefixlen: int) -> None:
        bits = 32 if version == 4 else 128
        self.version = version
        self.prefixlen = prefixlen
        self.value = value >> (bits - prefixlen) << (bits - prefixlen)

    @classmethod
    def parse(cls, text: str) -> Net:
        """An address or network in any form :func:`ipaddress.ip_network` accepts (host bits
        are cleared); raises :class:`ValueError` otherwise.  Dotted IPv4 takes a fast path."""
        head, slash, prefix = text.partition("/")
        octets = head.split(".")
        if (
            len(octets) == 4
            and "" not in octets
            and head.isascii()
            and "".join(octets).isdecimal()
            and (not slash or (prefix.isascii() and prefix.isdecimal()))
        ):
            first, second, third, fourth = map(int, octets)
            length = int(prefix) if slash else 32
            if max(first, second, third, fourth) <= 255 and length <= 32:
                return cls(4, (first << 24) | (second << 16) | (third << 8) | fourth, length)
        return cls.of(ipaddress.ip_network(text, strict=False))

    @classmethod
    def of(cls, network: t.Any) -> Net:
        """Convert an :mod:`ipaddress` network or address."""
        if isinstance(network, Net):
            return network
        if hasattr(network, "network_address"):
            return cls(network.version, int(network.network_address), network.prefixlen)
        return cls(network.version, int(network), network.max_prefixlen)

    @property
    def bits(self) -> int:
        return 32 if self.version == 4 else 128

    @property
    def num_addresses(self) -> int:
        return 1 << (self.bits - self.prefixlen)

    @property
    def is_multicast(self) -> bool:
        if self.version == 4:
            return self.prefixlen >= 4 and self.value >> 28 == 0xE
        return self.prefixlen >= 8 and self.value >> 120 == 0xFF

    @property
    def is_broadcast(self) -> bool:
        return self.version == 4 and self.value == 0xFFFFFFFF

    @property
    def network_address(self) -> t.Any:
        return ipaddress.ip_address(self.value) if self.version == 4 else ipaddress.IPv6Address(self.value)

    def __contains__(self, address: t.Any) -> bool:
        if address.version != self.version:
            return False
        value = address.value if isinstance(address, Net) else int(address)
        shift = self.bits - self.prefixlen
        return value >> shift == self.value >> shift

    def key(self) -> tuple[int, int, int]:
        return (self.version, self.value, self.prefixlen)

    def __str__(self) -> str:
        if self.version == 4:
            value = self.value
            return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}/{self.prefixlen}"
        return str(ipaddress.IPv6Network((self.value, self.prefixlen)))

    def __repr__(self) -> str:
        return f"Net({self})"


# --------------------------------------------------------------------------- rules


class Match(_Value):
    """Back-end neutral match of one rule.  ``None`` means "not restricted"."""

    __slots__ = (
        "ct_neg",
        "ct_states",
        "daddr",
        "daddr_neg",
        "dport_neg",
        "dports",
        "dst_type_neg",
        "dst_types",
        "family",
        "helper_neg",
        "helpers",
        "iif",
        "iif_neg",
        "oif",
        "oif_neg",
        "proto_neg",
        "protocols",
        "saddr",
        "saddr_neg",
        "sport_neg",
        "sports",
        "unsupported",
    )

    def __init__(self, **kwargs: t.Any) -> None:
        self.family = None  # type: t.Optional[str]
        self.protocols = None  # type: t.Optional[t.FrozenSet[str]]
        self.proto_neg = False
        self.dports = None  # type: t.Optional[IntervalSet]
        self.dport_neg = False
        self.sports = None  # type: t.Optional[IntervalSet]
        self.sport_neg = False
        self.saddr = None  # type: t.Optional[t.Tuple[t.Any, ...]]
        self.saddr_neg = False
        self.daddr = None  # type: t.Optional[t.Tuple[t.Any, ...]]
        self.daddr_neg = False
        self.iif = None  # type: t.Optional[t.Tuple[str, ...]]
        self.iif_neg = False
        self.oif = None  # type: t.Optional[t.Tuple[str, ...]]
        self.oif_neg = False
        self.ct_states = None  # type: t.Optional[t.FrozenSet[str]]
        self.ct_neg = False
        self.helpers = None  # type: t.Optional[t.FrozenSet[str]]
        self.helper_neg = False
        self.dst_types = None  # type: t.Optional[t.FrozenSet[str]]
        self.dst_type_neg = False
        self.unsupported = ()  # type: t.Tuple[str, ...]
        for key, value in kwargs.items():
            setattr(self, key, value)

    def key(self) -> tuple[t.Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__slots__ if getattr(self, name) not in (None, False, ())
        )
        return f"Match({fields})"


class Rule(_Value):
    """A rule: a match, an optional action (``accept``, ``drop``, ``reject``, ``return``,
    ``jump``, ``goto`` or ``None`` for non-terminal rules) and side effects."""

    __slots__ = ("action", "helper_set", "match", "target", "text")

    def __init__(
        self,
        match: Match,
        action: str | None = None,
        target: str = "",
        helper_set: str = "",
        text: str = "",
    ) -> None:
        self.match = match
        self.action = action
        self.target = target
        self.helper_set = helper_set
        self.text = text

    def key(self) -> tuple[t.Any, ...]:
        return (self.match, self.action, self.target, self.helper_set)

    def __repr__(self) -> str:
        return f"Rule({self.match!r}, {self.action!r}, {self.target!r}, {self.helper_set!r})"


class Chain:
    """A chain; base chains have a ``hook`` and a ``policy``."""

    __slots__ = ("hook", "kind", "name", "policy", "priority", "rules")

    def __init__(
        self,
        name: str,
        rules: list[Rule] | None = None,
        policy: str | None = None,
        hook: str | None = None,
        priority: int = 0,
        kind: str = "filter",
    ) -> None:
        self.name = name
        self.rules = rules if rules is not None else []
        self.policy = policy
        self.hook = hook
        self.priority = priority
        self.kind = kind


class Table:
    """A table: ``family`` is ``ipv4``, ``ipv6`` or ``inet`` (both)."""

    __slots__ = ("chains", "family", "helper_types", "name")

    def __init__(self, family: str, name: str, chains: dict[str, Chain] | None = None) -> None:
        self.family = family
        self.name = name
        self.chains = chains if chains is not None else {}
        self.helper_types = {}  # type: t.Dict[str, str]

    def serves(self, family: str) -> bool:
        return self.family == family or self.family == "inet"


class Ruleset:
    """All tables of one host, the back-end that produced them and what could not be modelled."""

    __slots__ = ("auto_helper", "backend", "tables", "warnings")

    def __init__(self, backend: str, tables: list[Table] | None = None, warnings: list[str] | None = None) -> None:
        self.backend = backend
        self.tables = tables if tables is not None else []
        self.warnings = warnings if warnings is not None else []
        self.auto_helper = False

    def families(self) -> list[str]:
        present = set()
        for table in self.tables:
            if table.family == "inet":
                present.update(FAMILIES)
            elif table.family in FAMILIES:
                present.add(table.family)
        return [family for family in FAMILIES if family in present]

    def merge(self, other: Ruleset) -> Ruleset:
        merged = Ruleset(self.backend, self.tables + other.tables, self.warnings + other.warnings)
        merged.auto_helper = self.auto_helper or other.auto_helper
        return merged


# --------------------------------------------------------------------------- evaluation


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


def _may_hold_own_address(network: Net) -> bool:
    """A network one of the host's own unicast addresses may lie in: not multicast, not the
    broadcast address, and not wider than a /64 of IPv6 (a catch-all is not "local")."""
    return not network.is_multicast and not network.is_broadcast and network.prefixlen > network.bits - 64


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


# --------------------------------------------------------------------------- the exported model


def _interesting(ruleset: Ruleset, family: str) -> tuple[list[t.Any], list[str]]:
    """Sources of port-specific accepting TCP rules and interfaces named by accepting or
    jumping rules: the contexts worth evaluating besides "any source, any interface"."""
    sources = []  # type: t.List[Net]
    seen = set()  # type: t.Set[Net]
    ifaces = []  # type: t.List[str]
    version = 4 if family == "ipv4" else 6
    for table in ruleset.tables:
        if not table.serves(family):
            continue
        for chain in table.chains.values():
            if chain.kind != "filter":
                continue
            for rule in chain.rules:
                match = rule.match
                if rule.action not in ("accept", "jump", "goto") or match.unsupported:
                    continue
                if match.protocols is not None and "tcp" not in match.protocols and not match.proto_neg:
                    continue
                if (
                    rule.action == "accept"
                    and match.dports is not None
                    and match.saddr is not None
                    and not match.saddr_neg
                ):
                    for network in match.saddr:
                        if network.prefixlen and network.version == version and network not in seen:
                            seen.add(network)
                            sources.append(network)
                if match.iif is not None and not match.iif_neg:
                    for name in match.iif:
                        if name not in ("lo", "+", "*"):
                            name = name.rstrip("+*")
                            if name not in ifaces:
                                ifaces.append(name)
    return sources, ifaces


def _ranges(ranges: IntervalSet) -> list[Interval]:
    return [(max(low, 1), high) for low, high in ranges if high >= 1]


def build_model(
    ruleset: Ruleset, extra_sources: t.Sequence[str] = (), interface: str | None = None
) -> dict[str, t.Any]:
    """Compute the exported firewall model (a plain dict, see the module documentation)."""
    families = ruleset.families()
    openings = []  # type: t.List[t.Dict[str, t.Any]]
    helper_ports = []  # type: t.List[t.Dict[str, t.Any]]
    related_ports = []  # type: t.List[t.Dict[str, t.Any]]
    input_policy = {}
    output_policy = {}
    established = {}
    egress = {}
    helper_types = {}  # type: t.Dict[str, str]
    for table in ruleset.tables:
        for name, kind in table.helper_types.items():
            helper_types[name] = kind
    for family in families:
        version = 4 if family == "ipv4" else 6
        input_policy[family] = default_policy(ruleset, "input", family)
        output_policy[family] = default_policy(ruleset, "output", family)
        sources, ifaces = _interesting(ruleset, family)
        for text in extra_sources:
            network = Net.parse(text)
            if network.version == version and network not in sources:
                sources.append(network)
        iface_choices = [interface] if interface else [None, *ifaces]
        contexts = 0
        for iface in iface_choices:
            generic = evaluate_hook(ruleset, "input", Context(family=family, iif=iface))
            for low, high in _ranges(generic):
                openings.append(_opening(family, low, high, ["any"], iface))
            for network in sources:
                contexts += 1
                if contexts > MAX_CONTEXTS:
                    ruleset.warnings.append(
                        f"{family}: more than {MAX_CONTEXTS} source networks, the rest not evaluated"
                    )
                    break
                seen = evaluate_hook(ruleset, "input", Context(family=family, iif=iface, saddr=network.network_address))
                for low, high in _ranges(iv_subtract(seen, generic)):
                    openings.append(_opening(family, low, high, [str(network)], iface))
        for low, high in _ranges(helper_assignments(ruleset, family, helper_types)):
            helper_ports.append({"family": family, "port_min": low, "port_max": high})
        related_any = evaluate_hook(ruleset, "input", Context(family=family, ct_state="related", helper=None))
        related_ftp = evaluate_hook(ruleset, "input", Context(family=family, ct_state="related", helper="ftp"))
        for low, high in _ranges(related_any):
            related_ports.append({"family": family, "port_min": low, "port_max": high, "helper": "any"})
        for low, high in _ranges(iv_subtract(related_ftp, related_any)):
            related_ports.append({"family": family, "port_min": low, "port_max": high, "helper": "ftp"})
        est = evaluate_hook(ruleset, "input", Context(family=family, ct_state="established"))
        established[family] = iv_contains(est, 1024, 65535)
        clients = ((1024, 65535),)
        out_est = evaluate_hook(
            ruleset, "output", Context(family=family, direction="out", ct_state="established", sport=21), clients
        )
        out_new20 = evaluate_hook(
            ruleset, "output", Context(family=family, direction="out", ct_state="new", sport=20), clients
        )
        out_rel20 = evaluate_hook(
            ruleset,
            "output",
            Context(family=family, direction="out", ct_state="related", helper="ftp", sport=20),
            clients,
        )
        egress[family] = {
            "filtered": output_policy[family] == "drop" or not iv_contains(out_new20, 1024, 65535),
            "established_related": iv_contains(out_est, 1024, 65535),
            "port20_new": iv_contains(out_new20, 1024, 65535),
            "port20_related": iv_contains(out_rel20, 1024, 65535),
        }
    warnings = []
    for warning in ruleset.warnings:
        if warning not in warnings:
            warnings.append(warning)
    return {
        "backend": ruleset.backend,
        "families": families,
        "input_policy": input_policy,
        "output_policy": output_policy,
        "openings": openings,
        "helper_ports": helper_ports,
        "auto_helper": bool(ruleset.auto_helper),
        "related_ports": related_ports,
        "established_accepted": established,
        "egress": egress,
        "warnings": warnings,
    }


def _opening(family: str, low: int, high: int, sources: list[str], iface: str | None) -> dict[str, t.Any]:
    return {
        "protocol": "tcp",
        "port_min": low,
        "port_max": high,
        "sources": sources,
        "family": family,
        "interface": iface or "",
    }


def empty_model(backend: str = "none") -> dict[str, t.Any]:
    """The model of a host without any packet filter: everything is reachable."""
    return build_model(Ruleset(backend, [Table("ipv4", "none"), Table("ipv6", "none")]))


# --------------------------------------------------------------------------- queries on the exported model


def open_ports(
    model: t.Mapping[str, t.Any],
    family: str | None = None,
    source: str | None = None,
    interface: str | None = None,
) -> IntervalSet:
    """Ports reachable NEW according to an exported model.

    ``source`` ``None`` means any internet source (only ``any`` openings count); a CIDR
    counts openings whose source network contains it.  ``interface`` ``None`` accepts
    openings on any interface.
    """
    wanted = None
    if source:
        wanted = ipaddress.ip_network(source, strict=False)
    ranges = []  # type: t.List[Interval]
    for opening in model.get("openings", []):
        if family and opening.get("family") != family:
            continue
        if interface and opening.get("interface") not in ("", interface):
            continue
        sources = opening.get("sources") or ["any"]
        if "any" not in sources:
            if wanted is None:
                continue
            if not any(_covers(text, wanted) for text in sources):
                continue
        ranges.append((int(opening["port_min"]), int(opening["port_max"])))
    return iv_normalize(ranges)


def _covers(text: str, wanted: t.Any) -> bool:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return network.version == wanted.version and wanted.subnet_of(network)  # type: ignore[arg-type]


def model_ranges(
    model: t.Mapping[str, t.Any], key: str, family: str | None = None, helper: str | None = None
) -> IntervalSet:
    """Interval set of the ``helper_ports`` or ``related_ports`` entries of a model."""
    ranges = []
    for item in model.get(key, []):
        if family and item.get("family") != family:
            continue
        if helper and item.get("helper") != helper:
            continue
        ranges.append((int(item["port_min"]), int(item["port_max"])))
    return iv_normalize(ranges)
