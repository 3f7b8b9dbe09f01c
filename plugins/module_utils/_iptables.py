# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iptables-save / ip6tables-save parser and renderer (private module).

Reads every table (``*filter``, ``*raw``, ``*nat``, ``*mangle``...), chain declarations
(``:CHAIN POLICY [packets:bytes]``), ``-N``, ``-P``, ``-A`` and ``-I`` lines (with or without
``[packets:bytes]`` counters), and turns each rule into the neutral
:class:`~._firewall_model.Rule`.  Matches the FTP checks need are modelled (addresses,
interfaces, protocol, ports incl. ``multiport``, ``state``/``conntrack``, ``helper``,
``addrtype``); harmless ones (``comment``, ``limit``, ``icmp``, ``tcp`` flags) are accepted;
anything else makes the rule "unsupported" (never matches, listed in warnings).
"""

from __future__ import annotations

import functools
import re
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import IntervalSet, iv_normalize
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
)

BUILTIN_HOOKS = {
    "PREROUTING": "prerouting",
    "INPUT": "input",
    "FORWARD": "forward",
    "OUTPUT": "output",
    "POSTROUTING": "postrouting",
}
TABLE_PRIORITY = {"raw": -300, "mangle": -150, "nat": -100, "filter": 0, "security": 50}
VERDICTS = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "reject", "RETURN": "return"}
NON_TERMINAL_TARGETS = frozenset(
    (
        "LOG",
        "NFLOG",
        "ULOG",
        "MARK",
        "CONNMARK",
        "TCPMSS",
        "CT",
        "NOTRACK",
        "TRACE",
        "AUDIT",
        "CHECKSUM",
        "CLASSIFY",
        "DSCP",
        "TOS",
        "TTL",
        "HL",
        "SET",
        "SECMARK",
        "CONNSECMARK",
    )
)
# Targets that end the packet's walk in a way a filter check treats as "not accepted here".
OTHER_TERMINAL_TARGETS = frozenset(("DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NFQUEUE", "QUEUE", "TPROXY"))
PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp", "0": "all", "132": "sctp"}
PROTOCOL_ALIASES = {"icmpv6": "ipv6-icmp", "tcp": "tcp", "udp": "udp"}
# Options that take no value.
_FLAG_OPTIONS = frozenset(
    (
        "--syn",
        "--notrack",
        "--rsource",
        "--rdest",
        "--log-uid",
        "--log-tcp-sequence",
        "--log-tcp-options",
        "--log-ip-options",
        "--nflog-size",
        "--rcheck",
        "--update",
        "--set",
        "--remove",
        "--limit-iface-in",
        "--limit-iface-out",
    )
)
_HARMLESS = frozenset(
    ("--comment", "--limit", "--limit-burst", "--icmp-type", "--icmpv6-type", "--tcp-flags", "--syn", "--tcp-option")
)
_NEGATABLE_SHORT = {
    "-p": "--protocol",
    "-s": "--source",
    "-d": "--destination",
    "-i": "--in-interface",
    "-o": "--out-interface",
}


_WORD = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^\s"])+')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r'\\(["\\])')


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


# What each word of a rule is: a negation, a module or target switch, a flag, or an option
# with a value (for match options the model understands, the Match field it sets).
_NOT, _MODULE, _JUMP, _GOTO, _FLAG, _HARMLESS_OPTION = range(6)
_WORD_KIND = {
    "!": _NOT,
    "-m": _MODULE,
    "--match": _MODULE,
    "-j": _JUMP,
    "--jump": _JUMP,
    "-g": _GOTO,
    "--goto": _GOTO,
    "-p": "protocols",
    "--protocol": "protocols",
    "-s": "saddr",
    "--source": "saddr",
    "--src": "saddr",
    "-d": "daddr",
    "--destination": "daddr",
    "--dst": "daddr",
    "-i": "iif",
    "--in-interface": "iif",
    "-o": "oif",
    "--out-interface": "oif",
    "--dport": "dports",
    "--destination-port": "dports",
    "--dports": "dports",
    "--destination-ports": "dports",
    "--sport": "sports",
    "--source-port": "sports",
    "--sports": "sports",
    "--source-ports": "sports",
    "--state": "ct_states",
    "--ctstate": "ct_states",
    "--helper": "helpers",
    "--dst-type": "dst_types",
}  # type: t.Dict[str, t.Any]
_WORD_KIND.update(dict.fromkeys(_FLAG_OPTIONS, _FLAG))
_WORD_KIND.update(dict.fromkeys(_HARMLESS - _FLAG_OPTIONS, _HARMLESS_OPTION))


def _target(goto: bool, name: str) -> tuple[str | None, str]:
    """Action and target of ``-j NAME`` / ``-g NAME``."""
    if name in VERDICTS:
        return VERDICTS[name], ""
    if goto:
        return "goto", name
    if name in NON_TERMINAL_TARGETS:
        return None, name
    if name in OTHER_TERMINAL_TARGETS:
        return "other", name
    return "jump", name


@functools.lru_cache(maxsize=4096)
def _cached_ports(text: str) -> IntervalSet:
    return _ports(text)


@functools.lru_cache(maxsize=256)
def _words_set(text: str, upper: bool) -> frozenset[str]:
    return frozenset((text.upper() if upper else text.lower()).split(","))


def _set_match(match: Match, kind: str, value: str, negate: bool) -> None:
    if kind == "saddr":
        match.saddr, match.saddr_neg = _networks(value), negate
    elif kind == "dports":
        match.dports, match.dport_neg = _cached_ports(value), negate
    elif kind == "ct_states":
        match.ct_states, match.ct_neg = _words_set(value, False), negate
    elif kind == "protocols":
        match.protocols, match.proto_neg = _protocol(value), negate
    elif kind == "daddr":
        match.daddr, match.daddr_neg = _networks(value), negate
    elif kind == "iif":
        match.iif, match.iif_neg = (value,), negate
    elif kind == "oif":
        match.oif, match.oif_neg = (value,), negate
    elif kind == "sports":
        match.sports, match.sport_neg = _cached_ports(value), negate
    elif kind == "helpers":
        match.helpers, match.helper_neg = frozenset((value,)), negate
    else:
        match.dst_types, match.dst_type_neg = _words_set(value, True), negate


def parse_rule_words(words: t.Sequence[str], family: str = "ipv4") -> Rule:
    """Turn the words after ``-A CHAIN`` into a :class:`Rule`."""
    match = Match()
    action = None  # type: t.Optional[str]
    target = ""
    helper_set = ""
    unsupported = []  # type: t.List[str]
    module = ""
    negate = False
    in_target = False
    index = 0
    count = len(words)
    while index < count:
        word = words[index]
        index += 1
        kind = _WORD_KIND.get(word)
        if kind == _NOT:
            negate = True
            continue
        if kind in (_MODULE, _JUMP, _GOTO):
            if index >= count:
                raise ParseError(f"{word} without a {'module' if kind == _MODULE else 'target'}", "iptables-save")
            if kind == _MODULE:
                module = words[index]
            else:
                action, target = _target(kind == _GOTO, words[index])
                in_target = True
            index += 1
            continue
        if kind == _FLAG:
            if word == "--syn" and negate:
                unsupported.append("! --syn")
            negate = False
            continue
        if kind is None and word[:1] != "-":
            raise ParseError(f"unexpected word {word!r}", "iptables-save")
        if index >= count:
            raise ParseError(f"option {word} without a value", "iptables-save")
        value = words[index]
        index += 1
        if value == "!":  # old "-s ! 10.0.0.0/8" spelling
            negate = True
            if index >= count:
                raise ParseError(f"option {word} without a value", "iptables-save")
            value = words[index]
            index += 1
        if in_target:
            if kind == "helpers" and target == "CT":
                helper_set = value
        elif kind is None or (kind == "helpers" and module != "helper"):
            unsupported.append("{}{} {}".format("! " if negate else "", _NEGATABLE_SHORT.get(word, word), value))
        elif kind != _HARMLESS_OPTION:
            _set_match(match, kind, value, negate)
        negate = False
    if family in ("ipv4", "ipv6"):
        match.family = None
    if unsupported:
        match.unsupported = tuple(unsupported)
    return Rule(match, action, target, helper_set)


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
                if rule.match.unsupported:
                    ruleset.warnings.append(
                        "{} {}: rule {!r} uses {}, not modelled (treated as never matching)".format(
                            table_name, words[1], line[:120], ", ".join(rule.match.unsupported)
                        )
                    )
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
