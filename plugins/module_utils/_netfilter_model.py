# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The back-end neutral netfilter model: addresses, matches, rules, chains, tables (private module).

Every back-end (iptables-save, nft JSON, ufw) is turned into a :class:`Ruleset` of tables,
chains and :class:`Rule` objects with a back-end neutral :class:`Match`; ``_rule_walk``
evaluates them.
"""

from __future__ import annotations

import ipaddress
import typing as t

FAMILIES = ("ipv4", "ipv6")


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
        dotted = len(octets) == 4 and "" not in octets and head.isascii() and "".join(octets).isdecimal()
        if dotted and (not slash or (prefix.isascii() and prefix.isdecimal())):
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
    def is_loopback(self) -> bool:
        """Inside 127.0.0.0/8 or ::1: never the address a remote client connects to."""
        if self.version == 4:
            return self.prefixlen >= 8 and self.value >> 24 == 127
        return self.prefixlen == 128 and self.value == 1

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


# Flags of a TCP header as iptables names them (``ALL`` is these six).
TCP_FLAGS = frozenset(("FIN", "SYN", "RST", "PSH", "ACK", "URG"))


class Match(_Value):
    """Back-end neutral match of one rule.  ``None`` means "not restricted".

    Besides addresses, ports, interfaces and connection state, a match can require:
    ``tcp_flags`` ``(mask, compare, mode)``: with mode ``all`` the flags of ``mask`` that are
    set must be exactly ``compare`` (iptables ``--tcp-flags``, nft ``tcp flags & mask ==``),
    with mode ``any`` one of ``mask`` must be set (nft ``tcp flags syn``); ``fragment``: the
    packet is (``True``) or is not (``False``) a non-first fragment (``-f``); ``bridged``: the
    packet is (not) being bridged (``--physdev-is-bridged``); ``rpf``: the reverse path check
    passes (``True``) or fails (``False``) (``-m rpfilter``, nft ``fib saddr . iif oif``);
    ``nat``: the connection was (``True``) or was not (``False``) rewritten by NAT (nft ``ct
    status dnat``, iptables ``--ctstatus DNAT``); ``headers``: IPv6 extension or IPsec headers
    the packet must carry (``-m rt``, ``-m frag``, nft ``exthdr``); ``lists``: membership of
    run-time address lists (ipsets, ``recent`` lists, sets filled from the packet path) as
    ``(label, keyed_on_source, negated)``.  ``unsupported`` names the parts the model does not
    evaluate: with any of them the rule may or may not match.
    """

    __slots__ = (
        "bridged",
        "ct_neg",
        "ct_states",
        "daddr",
        "daddr_neg",
        "dport_neg",
        "dports",
        "dst_type_neg",
        "dst_types",
        "family",
        "fragment",
        "headers",
        "helper_neg",
        "helpers",
        "iif",
        "iif_neg",
        "lists",
        "nat",
        "oif",
        "oif_neg",
        "pkt_type_neg",
        "pkt_types",
        "proto_neg",
        "protocols",
        "rpf",
        "saddr",
        "saddr_neg",
        "sport_neg",
        "sports",
        "src_type_neg",
        "src_types",
        "tcp_flags",
        "tcp_flags_neg",
        "unsupported",
    )

    def __init__(self, **kwargs: t.Any) -> None:
        self.family = None  # type: t.Optional[str]
        self.protocols = None  # type: t.Optional[t.FrozenSet[str]]
        self.proto_neg = False
        self.dports = None  # type: t.Optional[t.Tuple[t.Tuple[int, int], ...]]
        self.dport_neg = False
        self.sports = None  # type: t.Optional[t.Tuple[t.Tuple[int, int], ...]]
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
        self.src_types = None  # type: t.Optional[t.FrozenSet[str]]
        self.src_type_neg = False
        self.pkt_types = None  # type: t.Optional[t.FrozenSet[str]]
        self.pkt_type_neg = False
        self.tcp_flags = None  # type: t.Optional[t.Tuple[t.FrozenSet[str], t.FrozenSet[str], str]]
        self.tcp_flags_neg = False
        self.fragment = None  # type: t.Optional[bool]
        self.bridged = None  # type: t.Optional[bool]
        self.rpf = None  # type: t.Optional[bool]
        self.headers = ()  # type: t.Tuple[str, ...]
        self.nat = None  # type: t.Optional[bool]
        self.lists = ()  # type: t.Tuple[t.Tuple[str, bool, bool], ...]
        self.unsupported = ()  # type: t.Tuple[str, ...]
        for key, value in kwargs.items():
            setattr(self, key, value)

    def key(self) -> tuple[t.Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def copy(self) -> Match:
        return Match(**{name: getattr(self, name) for name in self.__slots__})

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__slots__ if getattr(self, name) not in (None, False, ())
        )
        return f"Match({fields})"


# What a rule does when it matches (``Rule.action``).
VERDICT_ACTIONS = ("accept", "drop", "reject", "return")
JUMP_ACTIONS = ("jump", "goto")
# ``opaque``: the packet leaves the chain and its fate is decided somewhere the model does not
# follow (NFQUEUE to a user-space program, DNAT/REDIRECT to another address or port).
# ``unknown``: a target the model does not know; it may end the walk or not, with any verdict.
# ``None``: a non-terminal rule (LOG, counters, MARK, CT...): the walk goes on.
UNCERTAIN_ACTIONS = ("opaque", "unknown")


class Rule(_Value):
    """A rule: a match, an optional action (see :data:`VERDICT_ACTIONS`, :data:`JUMP_ACTIONS`,
    :data:`UNCERTAIN_ACTIONS`; ``None`` for non-terminal rules) and side effects.

    ``target`` is the chain of a jump or goto, or the name of the target extension;
    ``helper_set`` the conntrack helper the rule attaches; ``text`` how the rule was written
    (an iptables-save line, an nft handle), used to name it in findings.
    """

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


def rule_warning(rule: Rule) -> str:
    """What a parser tells the user about a rule that decides (or attaches a helper) on
    something the model does not know exactly, or ``""``."""
    match = rule.match
    if rule.action is None and not rule.helper_set:
        return ""
    if match.protocols is not None and not match.proto_neg and "tcp" not in match.protocols:
        return ""  # the model evaluates TCP: what decides for other protocols does not matter to it
    if match.unsupported:
        reasons = "; ".join(match.unsupported)
        return f"decides on what the model does not evaluate ({reasons}): where it decides, the verdict is uncertain"
    if match.lists:
        return "checks {}: a source in no listed network is taken not to be in it either".format(
            ", ".join(label for label, _source, _negated in match.lists)
        )
    return ""


class Chain:
    """A chain; base chains have a ``hook``, a ``priority`` and a ``policy``.

    ``kind`` is the iptables table (``raw``, ``mangle``, ``nat``, ``filter``, ``security``) or
    the nft chain type (``filter``, ``nat``, ``route``); ``devices`` limits a netdev ingress
    chain to packets of those interfaces.
    """

    __slots__ = ("devices", "hook", "kind", "name", "policy", "priority", "rules")

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
        self.devices = ()  # type: t.Tuple[str, ...]


class Table:
    """A table: ``family`` is ``ipv4``, ``ipv6`` or ``inet`` (both; nft ``netdev`` tables too).

    ``helper_types`` maps the nft ``ct helper`` objects of the table to their type."""

    __slots__ = ("chains", "family", "helper_types", "name")

    def __init__(self, family: str, name: str, chains: dict[str, Chain] | None = None) -> None:
        self.family = family
        self.name = name
        self.chains = chains if chains is not None else {}
        self.helper_types = {}  # type: t.Dict[str, str]

    def serves(self, family: str) -> bool:
        return self.family in (family, "inet", "netdev")


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
