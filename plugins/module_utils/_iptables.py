# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iptables-save / ip6tables-save parser (private module).

Reads every table (``*filter``, ``*raw``, ``*nat``, ``*mangle``...), chain declarations
(``:CHAIN POLICY [packets:bytes]``), ``-N``, ``-P``, ``-A`` and ``-I`` lines (with or without
``[packets:bytes]`` counters), and turns each rule into the neutral
:class:`~._netfilter_model.Rule`.  How many values each option takes, and what it means for
the model, comes from the table in ``_iptables_options``: options the model evaluates set
the match (addresses, interfaces, protocol, ports incl. ``multiport``, ``state``/``conntrack``
state, ``helper``, ``addrtype``, ``pkttype``, TCP flags incl. ``--syn``, ``-f``,
``--physdev-is-bridged``, ``rpfilter``, ``iprange``, ipset and ``recent`` list membership);
harmless ones (comments, log prefixes, ICMP types) are accepted; the others, and modules
and options the table does not know, make the rule's match uncertain (see ``_rule_walk``).
Matches may follow the target, as in ufw's rules files.  Only text iptables-restore would
refuse raises :class:`~._errors.ParseError`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    IntervalSet,
    iv_complement,
    iv_intersect,
    iv_normalize,
)
from ansible_collections.hardened.ftp.plugins.module_utils._iptables_options import (
    CONDITION_MODULES,
    HARMLESS,
    HEADER_MODULES,
    IMPLICIT_MODULES,
    MATCH_OPTIONS,
    RULE_OPTIONS,
    TARGET_ACTIONS,
    TARGET_OPTIONS,
    UNSUPPORTED,
    module_reason,
)
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    TCP_FLAGS,
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
    rule_warning,
)

BUILTIN_HOOKS = {
    "PREROUTING": "prerouting",
    "INPUT": "input",
    "FORWARD": "forward",
    "OUTPUT": "output",
    "POSTROUTING": "postrouting",
}
TABLE_PRIORITY = {"raw": -300, "mangle": -150, "nat": -100, "filter": 0, "security": 50}
PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp", "0": "all", "132": "sctp"}
PROTOCOL_ALIASES = {"icmpv6": "ipv6-icmp", "tcp": "tcp", "udp": "udp"}
VERDICTS = frozenset(("ACCEPT", "DROP", "REJECT", "RETURN"))
SYN_FLAGS = (frozenset(("FIN", "SYN", "RST", "ACK")), frozenset(("SYN",)), "all")
_NO_OPTIONS = {}  # type: t.Dict[str, t.Tuple[int, str]]


_WORD = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^\s"])+')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


def _unquote(match: t.Match[str]) -> str:
    return _ESCAPE.sub(r"\1", match.group(1))


def tokenize(line: str) -> list[str]:
    """Split one iptables-save line into words like iptables-restore: double quotes group
    (``\\"`` escapes a quote), adjacent quoted and plain parts join into one word."""
    if '"' not in line:
        return line.split()
    if "\\" not in line:
        return _split_quoted(line.split('"'))
    return _tokenize_escaped(line)


def _tokenize_escaped(line: str) -> list[str]:
    """The general (regular expression) path of :func:`tokenize`, for lines with backslashes."""
    if (line.count('"') - line.count('\\"')) % 2:
        raise ParseError("unterminated quote", "iptables-save")
    return [_QUOTED.sub(_unquote, word) if '"' in word else word for word in _WORD.findall(line)]


def _split_quoted(parts: list[str]) -> list[str]:
    """Words of a line without backslashes, given as its pieces between double quotes:
    the odd pieces are quoted text, the even ones are split on whitespace, and pieces that
    touch join into one word (``--comment "a b"c`` is ``--comment``, ``a bc``)."""
    if not len(parts) % 2:
        raise ParseError("unterminated quote", "iptables-save")
    words = []  # type: t.List[str]
    current = None  # type: t.Optional[str]
    for index, part in enumerate(parts):
        if index % 2:
            current = part if current is None else current + part
            continue
        if not part:
            continue
        pieces = part.split()
        if current is not None and (not pieces or part[0].isspace()):
            words.append(current)
            current = None
        if not pieces:
            continue
        if current is not None:
            pieces[0] = current + pieces[0]
        if part[-1].isspace():
            words.extend(pieces)
            current = None
        else:
            words.extend(pieces[:-1])
            current = pieces[-1]
    if current is not None:
        words.append(current)
    return words


def _ports(text: str) -> IntervalSet:
    ranges = []
    for part in text.split(","):
        low, sep, high = part.partition(":")
        try:
            low_port = int(low) if low else 0
            high_port = int(high) if sep and high else (65535 if sep else low_port)
        except ValueError:
            raise ParseError(f"bad port {part!r}", "iptables-save") from None
        if not (0 <= low_port <= 65535 and 0 <= high_port <= 65535):
            raise ParseError(f"port {part!r} out of range", "iptables-save")
        if low_port > high_port:
            low_port, high_port = high_port, low_port
        ranges.append((low_port, high_port))
    return iv_normalize(ranges)


def _networks(text: str) -> tuple[Net, ...]:
    try:
        if "," not in text:
            return (Net.parse(text),)
        return tuple(Net.parse(part) for part in text.split(","))
    except ValueError:
        raise ParseError(f"bad address {text!r}", "iptables-save") from None


def _protocol(text: str) -> frozenset[str] | None:
    name = text.lower()
    name = PROTOCOL_NUMBERS.get(name, PROTOCOL_ALIASES.get(name, name))
    if name == "all":
        return None
    return frozenset((name,))


def _address_range(text: str) -> tuple[Net, ...]:
    """Networks covering ``low-high`` (``-m iprange``)."""
    low, _sep, high = text.partition("-")
    try:
        first = ipaddress.ip_address(low)
        last = ipaddress.ip_address(high or low)
        return tuple(Net.of(net) for net in ipaddress.summarize_address_range(first, last))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParseError(f"bad address range {text!r}", "iptables-save") from None


def _flag_set(text: str) -> frozenset[str]:
    names = frozenset(text.upper().split(","))
    if "ALL" in names:
        return TCP_FLAGS
    return names - {"NONE"}


@functools.lru_cache(maxsize=4096)
def _cached_ports(text: str) -> IntervalSet:
    return _ports(text)


@functools.lru_cache(maxsize=256)
def _words_set(text: str, upper: bool) -> frozenset[str]:
    return frozenset((text.upper() if upper else text.lower()).split(","))


def _positive(ports: IntervalSet, negated: bool) -> IntervalSet:
    return iv_complement(ports) if negated else ports


class _RuleReader:
    """Reads the words of one rule (after ``-A CHAIN``) into a :class:`Rule`."""

    def __init__(self, words: t.Sequence[str]) -> None:
        self.words = words
        self.index = 0
        self.match = Match()
        self.unsupported = []  # type: t.List[str]
        self.lists = []  # type: t.List[t.Tuple[str, bool, bool]]
        self.modules = []  # type: t.List[str]
        self.implicit = ""
        self.action = None  # type: t.Optional[str]
        self.target = ""
        self.extension = ""  # the -j target whose options follow
        self.in_target = False
        self.helper_set = ""
        self.recent = None  # type: t.Optional[t.Dict[str, t.Any]]

    def read(self) -> Rule:
        negate = False
        words = self.words
        while self.index < len(words):
            word = words[self.index]
            self.index += 1
            if word == "!":
                negate = True
            elif word in ("-m", "--match"):
                self.load_module(self.value(word))
                negate = False
            elif word in ("-j", "--jump", "-g", "--goto"):
                self.set_target(word in ("-g", "--goto"), self.value(word))
                negate = False
            elif word[:1] == "-" and len(word) > 1:
                self.option(word, negate)
                negate = False
            else:
                # iptables-restore would refuse a stray word; a rule that has one is not understood.
                self.doubt(f"word {word!r} not understood")
        self.finish_module()
        match = self.match
        match.unsupported = tuple(dict.fromkeys(self.unsupported))
        match.lists = tuple(self.lists)
        return Rule(match, self.action, self.target, self.helper_set)

    def doubt(self, reason: str) -> None:
        self.unsupported.append(reason)

    def value(self, option: str) -> str:
        if self.index >= len(self.words):
            raise ParseError(f"{option} without a {'target' if option[1] in 'jg-' else 'value'}", "iptables-save")
        word = self.words[self.index]
        self.index += 1
        return word

    def load_module(self, name: str) -> None:
        self.finish_module()
        self.in_target = False
        self.modules.append(name)
        if name == "recent":
            self.recent = {"name": "DEFAULT", "check": None, "rdest": False}
        elif name == "rpfilter":
            self.match.rpf = True
        elif name in HEADER_MODULES:
            self.match.headers = (*self.match.headers, name)
        elif name in CONDITION_MODULES or name not in MATCH_OPTIONS:
            self.doubt(module_reason(name))

    def finish_module(self) -> None:
        recent = self.recent
        if recent is not None and recent["check"] is not None:
            self.lists.append((f"recent list {recent['name']}", not recent["rdest"], recent["check"]))
        self.recent = None

    def set_target(self, goto: bool, name: str) -> None:
        self.finish_module()
        self.in_target = True
        self.extension = name
        if goto:
            self.action, self.target = "goto", name
        elif name in TARGET_ACTIONS:
            # A verdict needs no target name; SNAT, LOG... keep theirs.
            self.action, self.target = TARGET_ACTIONS[name], "" if name in VERDICTS else name
        else:
            self.action, self.target = "jump", name

    def lookup(self, option: str) -> tuple[int, str, str] | None:
        """(values, meaning, module) of ``option`` where it stands, or None when unknown."""
        found = RULE_OPTIONS.get(option)
        if found is not None:
            return found[0], found[1], ""
        if self.in_target:
            found = TARGET_OPTIONS.get(self.extension, _NO_OPTIONS).get(option)
            return (found[0], found[1], self.extension) if found else None
        modules = self.modules
        for index in range(len(modules) - 1, -1, -1):
            found = MATCH_OPTIONS.get(modules[index], _NO_OPTIONS).get(option)
            if found is not None:
                return found[0], found[1], modules[index]
        found = MATCH_OPTIONS.get(self.implicit, _NO_OPTIONS).get(option)
        return (found[0], found[1], self.implicit) if found else None

    def values(self, option: str, count: int) -> tuple[list[str], bool]:
        """The ``count`` values of ``option`` and whether the old ``-s ! ADDR`` spelling negated it."""
        words, index = self.words, self.index
        negated = False
        if count and index < len(words) and words[index] == "!":
            negated = True
            index += 1
        if index + count > len(words):
            raise ParseError(f"option {option} without a value", "iptables-save")
        self.index = index + count
        return list(words[slice(index, index + count)]), negated

    def skip_unknown(self) -> list[str]:
        """The values of an option the table does not know: up to the next option or ``!``."""
        values = []
        while self.index < len(self.words) and self.words[self.index][:1] != "-" and self.words[self.index] != "!":
            values.append(self.words[self.index])
            self.index += 1
        return values

    def option(self, option: str, negate: bool) -> None:
        found = self.lookup(option)
        if found is None:
            values = self.skip_unknown()
            where = (
                f"-j {self.extension}" if self.in_target else f"-m {self.modules[-1]}" if self.modules else "the rule"
            )
            text = " ".join(("!" if negate else "", option, *values)).strip()
            self.doubt(f"{text} (option of {where}): not modelled")
            return
        count, meaning, module = found
        values, negated = self.values(option, count)
        negate = negate or negated
        if meaning == HARMLESS:
            return
        if meaning == UNSUPPORTED:
            if module not in CONDITION_MODULES:
                self.doubt(module_reason(module, "{}{} {}".format("! " if negate else "", option, " ".join(values))))
            return
        _SETTERS[meaning](self, values, negate)

    # --- the options the model evaluates -------------------------------------------------

    def set_protocols(self, values: list[str], negate: bool) -> None:
        self.match.protocols, self.match.proto_neg = _protocol(values[0]), negate
        self.implicit = IMPLICIT_MODULES.get(values[0].lower(), "")

    def set_saddr(self, values: list[str], negate: bool) -> None:
        self._address("saddr", _networks(values[0]), negate)

    def set_daddr(self, values: list[str], negate: bool) -> None:
        self._address("daddr", _networks(values[0]), negate)

    def set_src_range(self, values: list[str], negate: bool) -> None:
        self._address("saddr", _address_range(values[0]), negate)

    def set_dst_range(self, values: list[str], negate: bool) -> None:
        self._address("daddr", _address_range(values[0]), negate)

    def _address(self, field: str, networks: tuple[Net, ...], negate: bool) -> None:
        if getattr(self.match, field) is not None:
            self.doubt(f"a second {'source' if field == 'saddr' else 'destination'} address condition")
            return
        setattr(self.match, field, networks)
        setattr(self.match, field + "_neg", negate)

    def set_iif(self, values: list[str], negate: bool) -> None:
        self.match.iif, self.match.iif_neg = (values[0],), negate

    def set_oif(self, values: list[str], negate: bool) -> None:
        self.match.oif, self.match.oif_neg = (values[0],), negate

    def set_fragment(self, _values: list[str], negate: bool) -> None:
        self.match.fragment = not negate

    def set_dports(self, values: list[str], negate: bool) -> None:
        self._ports("dports", "dport_neg", _cached_ports(values[0]), negate)

    def set_sports(self, values: list[str], negate: bool) -> None:
        self._ports("sports", "sport_neg", _cached_ports(values[0]), negate)

    def _ports(self, field: str, negated_field: str, ports: IntervalSet, negate: bool) -> None:
        """Set a port condition; a second one (``-m tcp --dport`` and ``-m multiport --dports``) narrows it."""
        current = getattr(self.match, field)
        if current is None:
            setattr(self.match, field, ports)
            setattr(self.match, negated_field, negate)
            return
        both = iv_intersect(_positive(current, getattr(self.match, negated_field)), _positive(ports, negate))
        setattr(self.match, field, both)
        setattr(self.match, negated_field, False)

    def set_ct_states(self, values: list[str], negate: bool) -> None:
        if self.match.ct_states is not None:
            self.doubt("a second connection state condition")
            return
        self.match.ct_states, self.match.ct_neg = _words_set(values[0], False), negate

    def set_ct_status(self, values: list[str], negate: bool) -> None:
        """``--ctstatus SNAT``/``DNAT``: whether NAT rewrote the connection; other bits are not modelled."""
        statuses = _words_set(values[0], False)
        if statuses <= {"snat", "dnat"}:
            self.match.nat = not negate
        else:
            self.doubt(f"-m conntrack --ctstatus {values[0]}: not modelled")

    def set_helpers(self, values: list[str], negate: bool) -> None:
        self.match.helpers, self.match.helper_neg = frozenset((values[0],)), negate

    def set_dst_types(self, values: list[str], negate: bool) -> None:
        self.match.dst_types, self.match.dst_type_neg = _words_set(values[0], True), negate

    def set_src_types(self, values: list[str], negate: bool) -> None:
        self.match.src_types, self.match.src_type_neg = _words_set(values[0], True), negate

    def set_pkt_types(self, values: list[str], negate: bool) -> None:
        self.match.pkt_types, self.match.pkt_type_neg = _words_set(values[0], True), negate

    def set_tcp_flags(self, values: list[str], negate: bool) -> None:
        self.match.tcp_flags = (_flag_set(values[0]), _flag_set(values[1]), "all")
        self.match.tcp_flags_neg = negate

    def set_syn(self, _values: list[str], negate: bool) -> None:
        self.match.tcp_flags, self.match.tcp_flags_neg = SYN_FLAGS, negate

    def set_headers(self, values: list[str], negate: bool) -> None:
        """``-m ipv6header --header LIST``: the packet carries one of them (none, without ``!``)."""
        if negate:
            self.doubt(f"-m ipv6header ! --header {values[0]}: not modelled")
        else:
            self.match.headers = (*self.match.headers, f"ipv6header {values[0]}")

    def set_bridged(self, _values: list[str], negate: bool) -> None:
        self.match.bridged = not negate

    def set_rpf_invert(self, _values: list[str], _negate: bool) -> None:
        self.match.rpf = False

    def set_match_set(self, values: list[str], negate: bool) -> None:
        name, flags = values
        self.lists.append((f"ipset {name}", flags.split(",")[0] == "src", negate))

    def set_recent_set(self, _values: list[str], _negate: bool) -> None:
        """``--set`` adds the source to the list and always matches."""

    def set_recent_check(self, _values: list[str], negate: bool) -> None:
        if self.recent is not None:
            self.recent["check"] = negate

    def set_recent_name(self, values: list[str], _negate: bool) -> None:
        if self.recent is not None:
            self.recent["name"] = values[0]

    def set_recent_rdest(self, _values: list[str], _negate: bool) -> None:
        if self.recent is not None:
            self.recent["rdest"] = True

    def set_ct_helper(self, values: list[str], _negate: bool) -> None:
        self.helper_set = values[0]

    def set_ct_notrack(self, _values: list[str], _negate: bool) -> None:
        # Untracked, the connection is seen as UNTRACKED by every rule after this one.
        self.action, self.target = "unknown", "CT --notrack"


_SETTERS = {name[4:]: setter for name, setter in vars(_RuleReader).items() if name.startswith("set_")}


def parse_rule_words(words: t.Sequence[str], family: str = "ipv4") -> Rule:
    """Turn the words after ``-A CHAIN`` into a :class:`Rule` (``family`` is that of the table)."""
    return _RuleReader(words).read()


def _table_chain(table: Table, name: str, table_name: str) -> Chain:
    chain = table.chains.get(name)
    if chain is None:
        hook = BUILTIN_HOOKS.get(name)
        chain = Chain(
            name,
            hook=hook,
            priority=TABLE_PRIORITY.get(table_name, 0),
            kind=table_name if table_name != "security" else "security",
        )
        if hook is not None:
            chain.policy = "accept"
        table.chains[name] = chain
    return chain


def parse_iptables_save(text: str, family: str = "ipv4", backend: str = "iptables") -> Ruleset:
    """Parse ``iptables-save`` (``family="ipv4"``) or ``ip6tables-save`` (``"ipv6"``) output.

    Raises :class:`ParseError` with the line number for text that is not iptables-save format.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", "iptables-save")
    ruleset = Ruleset(backend)
    table = None  # type: t.Optional[Table]
    table_name = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        try:
            if line[0] == "*":
                table_name = line[1:].strip()
                if not table_name or " " in table_name:
                    raise ParseError(f"bad table line {line!r}", "iptables-save")
                table = Table(family, table_name)
                ruleset.tables.append(table)
                continue
            if line == "COMMIT":
                table = None
                continue
            if table is None:
                raise ParseError(f"{line[:60]!r} outside a *table ... COMMIT block", "iptables-save")
            if line[0] == ":":
                parts = line[1:].split()
                if not parts:
                    raise ParseError("empty chain declaration", "iptables-save")
                chain = _table_chain(table, parts[0], table_name)
                if len(parts) > 1 and parts[1] != "-":
                    if parts[1] not in ("ACCEPT", "DROP"):
                        raise ParseError(f"bad policy {parts[1]!r}", "iptables-save")
                    chain.policy = parts[1].lower()
                continue
            if line[0] == "[":
                line = line.partition("]")[2].strip()
            words = tokenize(line)
            command = words[0] if words else ""
            if command in ("-A", "--append", "-I", "--insert") and len(words) >= 2:
                chain = _table_chain(table, words[1], table_name)
                rest = words[2:]
                position = None
                if command in ("-I", "--insert") and rest and rest[0].isdecimal():
                    position = int(rest[0]) - 1
                    rest = rest[1:]
                rule = parse_rule_words(rest, family)
                rule.text = line
                if position is None:
                    chain.rules.append(rule)
                else:
                    chain.rules.insert(position, rule)
                warning = rule_warning(rule)
                if warning:
                    ruleset.warnings.append(f"{table_name} {words[1]}: rule {line[:120]!r} {warning}")
            elif command in ("-N", "--new-chain") and len(words) == 2:
                _table_chain(table, words[1], table_name)
            elif command in ("-P", "--policy") and len(words) == 3:
                _table_chain(table, words[1], table_name).policy = words[2].lower()
            else:
                raise ParseError(f"unexpected line {line[:60]!r}", "iptables-save")
        except ParseError as exc:
            raise ParseError(str(exc).split(": ", 1)[-1], "iptables-save", number) from None
    if table is not None:
        raise ParseError(f"table *{table_name} has no COMMIT", "iptables-save")
    return ruleset
