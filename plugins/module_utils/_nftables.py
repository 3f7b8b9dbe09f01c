# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``nft -j list ruleset`` parser (private module).

Tables of the ``ip``, ``ip6``, ``inet`` and ``netdev`` families are read (``arp`` and
``bridge`` do not filter the path of packets to local sockets and are skipped).  Base chains
keep their hook, priority, type, policy and (netdev) devices.

Expressions evaluated: ``tcp``/``udp``/``sctp``/``th`` ports (single, range, anonymous,
named or interval set, comparisons), TCP flags (``tcp flags syn``, ``tcp flags & (syn | ack)
== syn``), ``ip``/``ip6`` addresses and protocol, ``ip frag-off``, ``meta``
l4proto/nfproto/iifname/oifname/iif/oif/pkttype, ``ct state``, ``ct helper``, ``fib daddr
type`` and the reverse path check ``fib saddr . iif oif``; a field of another protocol
(``icmp type``) requires that protocol.  Statements: verdicts ``accept``, ``drop``,
``reject``, ``return``, ``jump``, ``goto``, ``continue``; verdict maps (anonymous or named)
expand into one rule per element; ``ct helper set`` (with ``ct helper`` objects, whose
``type`` tells whether they are the FTP helper); ``counter``, ``log``, ``mangle`` and other
side effects fall through; ``limit``, ``quota``, ``meter`` are conditions the model does not
evaluate; ``dnat``, ``redirect``, ``queue`` hand the packet elsewhere; ``snat`` and
``masquerade`` end a nat chain.  Named sets are evaluated with the elements listed; a set
that rules fill from the packet path is a run-time list.  Anything else makes the rule
uncertain (see ``_rule_walk``), never silently ignored.
"""

from __future__ import annotations

import ipaddress
import json
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    IntervalSet,
    iv_complement,
    iv_intersect,
    iv_normalize,
)
from ansible_collections.hardened.ftp.plugins.module_utils._iptables_options import TARGET_ACTIONS
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

FAMILY_MAP = {"ip": "ipv4", "ip6": "ipv6", "inet": "inet", "netdev": "netdev"}
CT_STATES = frozenset(("new", "established", "related", "invalid", "untracked"))
_VERDICT_KEYS = ("accept", "drop", "reject", "return", "jump", "goto", "continue")
# Side effects that never decide a packet's fate.
_SIDE_EFFECTS = frozenset(
    ("counter", "log", "mangle", "dup", "secmark", "flow", "ct count", "ct timeout", "ct expectation", "synproxy")
)
# Statements that decide whether the rule goes on, on something the model does not evaluate.
_CONDITIONS = {
    "limit": "limit: depends on the packet rate",
    "quota": "quota: depends on the traffic so far",
    "meter": "meter: depends on the packet rate per key",
    "connlimit": "ct count: depends on how many connections are open",
}
# Statements that hand the packet elsewhere: its fate is not decided in the ruleset.
_OPAQUE = frozenset(("dnat", "redirect", "tproxy", "queue", "fwd"))
# payload protocols whose fields imply the transport protocol.
_L4_PAYLOADS = {
    "tcp": "tcp",
    "udp": "udp",
    "udplite": "udplite",
    "sctp": "sctp",
    "dccp": "dccp",
    "icmp": "icmp",
    "icmpv6": "ipv6-icmp",
    "esp": "esp",
    "ah": "ah",
    "igmp": "igmp",
}
_SERVICES = {"ftp": 21, "ftp-data": 20, "ssh": 22, "http": 80, "https": 443, "smtp": 25, "domain": 53}
_FIB_FAILED = (False, 0, "0", "missing")
_NAT = frozenset(("snat", "dnat"))

Sets = t.Mapping[str, t.List[t.Any]]


class _Unsupported(Exception):
    """A statement or expression this parser does not model."""


class _Tables:
    """The sets and maps of one table, and which sets rules fill from the packet path."""

    def __init__(self) -> None:
        self.sets = {}  # type: t.Dict[str, t.List[t.Any]]
        self.maps = {}  # type: t.Dict[str, t.List[t.Any]]
        self.dynamic = set()  # type: t.Set[str]


def _port_value(value: t.Any, sets: Sets) -> IntervalSet:
    if isinstance(value, bool):
        raise _Unsupported("boolean port")
    if isinstance(value, int):
        return ((value, value),)
    if isinstance(value, str):
        if value.startswith("@"):
            if value[1:] in sets:
                return iv_normalize(range_item for item in sets[value[1:]] for range_item in _port_value(item, sets))
            raise _Unsupported(f"named set {value}")
        if value.isdecimal():
            number = int(value)
            return ((number, number),)
        if value in _SERVICES:
            number = _SERVICES[value]
            return ((number, number),)
        raise _Unsupported(f"service name {value}")
    if isinstance(value, dict):
        if "range" in value:
            low, high = value["range"]
            low_set, high_set = _port_value(low, sets), _port_value(high, sets)
            return ((low_set[0][0], high_set[0][1]),)
        if "set" in value:
            items = value["set"]
            if not isinstance(items, list):
                items = [items]
            return iv_normalize(range_item for item in items for range_item in _port_value(item, sets))
        if "elem" in value:
            return _port_value(value["elem"].get("val"), sets)
    if isinstance(value, list):
        return iv_normalize(range_item for item in value for range_item in _port_value(item, sets))
    raise _Unsupported(f"port value {value!r}")


def _compare_ports(op: str, value: IntervalSet) -> tuple[IntervalSet, bool]:
    """(positive set, negated) for ``op`` applied to ``value``."""
    if op in ("==", "in"):
        return value, False
    if op == "!=":
        return value, True
    number = value[0][0]
    if op == "<":
        return ((0, number - 1),) if number > 0 else (), False
    if op == "<=":
        return ((0, number),), False
    if op == ">":
        return ((number + 1, 65535),) if number < 65535 else (), False
    if op == ">=":
        return ((number, 65535),), False
    raise _Unsupported(f"operator {op}")


def _networks(value: t.Any, sets: Sets) -> tuple[t.Any, ...]:
    if isinstance(value, str):
        if value.startswith("@"):
            if value[1:] in sets:
                return tuple(net for item in sets[value[1:]] for net in _networks(item, sets))
            raise _Unsupported(f"named set {value}")
        try:
            return (Net.parse(value),)
        except ValueError:
            raise _Unsupported(f"address {value}") from None
    if isinstance(value, dict):
        if "prefix" in value:
            prefix = value["prefix"]
            return (Net.parse("{}/{}".format(prefix["addr"], prefix["len"])),)
        if "set" in value:
            return tuple(net for item in value["set"] for net in _networks(item, sets))
        if "range" in value:
            low, high = (ipaddress.ip_address(item) for item in value["range"])
            return tuple(Net.of(net) for net in ipaddress.summarize_address_range(low, high))  # type: ignore[arg-type]
        if "elem" in value:
            return _networks(value["elem"].get("val"), sets)
    if isinstance(value, list):
        return tuple(net for item in value for net in _networks(item, sets))
    raise _Unsupported(f"address value {value!r}")


def _words(value: t.Any, sets: Sets) -> frozenset[str]:
    if isinstance(value, str):
        if value.startswith("@"):
            if value[1:] in sets:
                return frozenset(word for item in sets[value[1:]] for word in _words(item, sets))
            raise _Unsupported(f"named set {value}")
        return frozenset((value,))
    if isinstance(value, int) and not isinstance(value, bool):
        return frozenset((str(value),))
    if isinstance(value, dict) and "set" in value:
        return frozenset(word for item in value["set"] for word in _words(item, sets))
    if isinstance(value, list):
        return frozenset(word for item in value for word in _words(item, sets))
    raise _Unsupported(f"value {value!r}")


def _set_family(match: Match, family: str) -> None:
    if match.family is not None and match.family != family:
        raise _Unsupported("conflicting families")
    match.family = family


def _protocols(match: Match, names: frozenset[str], negated: bool) -> None:
    names = frozenset({"6": "tcp", "17": "udp", "icmpv6": "ipv6-icmp", "58": "ipv6-icmp"}.get(n, n) for n in names)
    if match.protocols is not None and not match.proto_neg and not negated:
        match.protocols = match.protocols & names
        return
    match.protocols, match.proto_neg = names, negated


def _tcp_flags(value: t.Any) -> frozenset[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise _Unsupported(f"tcp flags {value!r}")
    flags = frozenset(name.upper() for name in names)
    if not flags <= TCP_FLAGS:
        raise _Unsupported("tcp flags {}".format(",".join(sorted(flags - TCP_FLAGS)).lower()))
    return flags


def _apply_masked(match: Match, op: str, left: t.Any, right: t.Any) -> None:
    """``EXPR & MASK op VALUE``: TCP flags and the IPv4 fragment offset."""
    operands = left.get("&")
    if not isinstance(operands, list) or len(operands) != 2 or not isinstance(operands[0], dict):
        raise _Unsupported(f"expression {left!r}")
    payload = operands[0].get("payload") or {}
    if payload.get("protocol") == "tcp" and payload.get("field") == "flags" and op in ("==", "!="):
        match.tcp_flags = (_tcp_flags(operands[1]), _tcp_flags(right) if right else frozenset(), "all")
        match.tcp_flags_neg = op == "!="
        return
    if payload.get("protocol") == "ip" and payload.get("field") == "frag-off" and operands[1] == 8191 and right == 0:
        _set_family(match, "ipv4")
        match.fragment = op == "!="
        return
    raise _Unsupported(f"expression {left!r}")


def _apply_payload(match: Match, op: str, body: t.Mapping[str, t.Any], right: t.Any, sets: Sets) -> None:
    negated = op == "!="
    protocol, field = body.get("protocol"), body.get("field")
    if field in ("dport", "sport") and protocol in ("tcp", "udp", "udplite", "sctp", "dccp", "th"):
        if protocol != "th":
            _protocols(match, frozenset((protocol,)), False)
        ports, negated = _compare_ports(op, _port_value(right, sets))
        if negated:
            ports = iv_complement(ports)
        if field == "dport":
            match.dports = ports if match.dports is None else iv_intersect(match.dports, ports)
        else:
            match.sports = ports if match.sports is None else iv_intersect(match.sports, ports)
        return
    if protocol == "tcp" and field == "flags":
        if op == "in":
            match.tcp_flags = (_tcp_flags(right), frozenset(), "any")
        elif op in ("==", "!="):
            match.tcp_flags, match.tcp_flags_neg = (TCP_FLAGS, _tcp_flags(right), "all"), negated
        else:
            raise _Unsupported(f"tcp flags {op}")
        return
    if protocol in ("ip", "ip6") and field in ("saddr", "daddr"):
        _set_family(match, "ipv4" if protocol == "ip" else "ipv6")
        if op not in ("==", "!=", "in"):
            raise _Unsupported(f"{protocol} {field} {op}")
        if getattr(match, field) is not None:
            raise _Unsupported(f"two {field} matches")
        setattr(match, field, _networks(right, sets))
        setattr(match, field + "_neg", negated)
        return
    if (protocol, field) in (("ip", "protocol"), ("ip6", "nexthdr")):
        _set_family(match, "ipv4" if protocol == "ip" else "ipv6")
        _protocols(match, _words(right, sets), negated)
        return
    if protocol in _L4_PAYLOADS:
        _protocols(match, frozenset((_L4_PAYLOADS[protocol],)), False)
    raise _Unsupported(f"{protocol} {field}")


def _apply_meta(match: Match, negated: bool, key: t.Any, right: t.Any, sets: Sets) -> None:
    if key == "l4proto":
        _protocols(match, _words(right, sets), negated)
    elif key == "nfproto":
        words = _words(right, sets)
        if negated or len(words) != 1:
            raise _Unsupported(f"meta nfproto {right!r}")
        _set_family(match, "ipv4" if "ipv4" in words else "ipv6")
    elif key in ("iifname", "oifname", "iif", "oif"):
        attr = "iif" if key.startswith("i") else "oif"
        setattr(match, attr, tuple(sorted(_words(right, sets))))
        setattr(match, attr + "_neg", negated)
    elif key == "pkttype":
        match.pkt_types = frozenset(word.upper() for word in _words(right, sets))
        match.pkt_type_neg = negated
    else:
        raise _Unsupported(f"meta {key}")


def _apply_fib(match: Match, negated: bool, body: t.Mapping[str, t.Any], right: t.Any, sets: Sets) -> None:
    flags = body.get("flags", [])
    if body.get("result") == "type" and "daddr" in flags:
        match.dst_types = frozenset(word.upper() for word in _words(right, sets))
        match.dst_type_neg = negated
    elif body.get("result") in ("oif", "oifname") and "saddr" in flags and right in _FIB_FAILED:
        # "fib saddr . iif oif missing": the reverse path check fails.
        match.rpf = negated
    else:
        raise _Unsupported(f"fib {body!r}")


def _apply(match: Match, op: str, left: t.Any, right: t.Any, sets: Sets, tables: _Tables | None = None) -> None:
    """Constrain ``match`` with ``left op right``."""
    if op not in ("==", "!=", "in", "<", ">", "<=", ">="):
        raise _Unsupported(f"operator {op}")
    negated = op == "!="
    if not isinstance(left, dict) or len(left) != 1:
        raise _Unsupported(f"expression {left!r}")
    if isinstance(right, str) and right.startswith("@") and tables is not None and right[1:] in tables.dynamic:
        _dynamic_lookup(match, left, right, negated)
        return
    kind, body = next(iter(left.items()))
    if kind == "&":
        _apply_masked(match, op, left, right)
    elif kind == "payload" and isinstance(body, dict):
        _apply_payload(match, op, body, right, sets)
    elif kind == "meta" and isinstance(body, dict):
        _apply_meta(match, negated, body.get("key"), right, sets)
    elif kind == "ct" and isinstance(body, dict) and body.get("key") == "state":
        states = frozenset(word.lower() for word in _words(right, sets))
        if negated:
            states = CT_STATES - states
        match.ct_states = states if match.ct_states is None else match.ct_states & states
    elif kind == "ct" and isinstance(body, dict) and body.get("key") == "status" and _words(right, sets) <= _NAT:
        match.nat = not negated  # "ct status dnat": the connection was rewritten by NAT
    elif kind == "ct" and isinstance(body, dict) and body.get("key") == "helper":
        match.helpers, match.helper_neg = _words(right, sets), negated
    elif kind == "fib" and isinstance(body, dict):
        _apply_fib(match, negated, body, right, sets)
    elif kind == "exthdr" and isinstance(body, dict) and op in ("==", "in") and right is not False:
        match.headers = (*match.headers, "exthdr {}".format(body.get("name")))  # the packet must carry it
    else:
        raise _Unsupported(kind if not isinstance(body, dict) else "{} {}".format(kind, body.get("key", "")).strip())


def _dynamic_lookup(match: Match, left: t.Mapping[str, t.Any], right: str, negated: bool) -> None:
    """A lookup in a set rules fill from the packet path: a run-time list."""
    payload = left.get("payload") if isinstance(left.get("payload"), dict) else {}
    keyed_on_source = payload.get("field") == "saddr" and payload.get("protocol") in ("ip", "ip6")
    if keyed_on_source:
        _set_family(match, "ipv4" if payload["protocol"] == "ip" else "ipv6")
    label = f"set {right} (filled from the packet path)"
    match.lists = (*match.lists, (label, keyed_on_source, negated))


def _verdict(statement: t.Mapping[str, t.Any]) -> tuple[str | None, str] | None:
    for key in _VERDICT_KEYS:
        if key in statement:
            if key in ("jump", "goto"):
                return key, str((statement[key] or {}).get("target", ""))
            if key == "continue":
                return None, ""
            return key, ""
    return None


def _xt(match: Match, body: t.Any) -> Rule | None:
    """An iptables extension iptables-nft could not translate; a target ends the rule."""
    body = body if isinstance(body, dict) else {}
    name = str(body.get("name", "?"))
    if body.get("type") == "target":
        return Rule(match, TARGET_ACTIONS.get(name, "unknown"), name)
    match.unsupported = (*match.unsupported, f"xt match {name}: translated from iptables, not modelled")
    return None


def _rule(expr: t.Sequence[t.Any], sets: Sets, tables: _Tables | None = None) -> list[Rule]:
    match = Match()
    helper_set = ""
    for statement in expr:
        if not isinstance(statement, dict) or len(statement) != 1:
            raise _Unsupported(f"statement {statement!r}")
        key, body = next(iter(statement.items()))
        verdict = _verdict(statement)
        if key == "match":
            try:
                _apply(match, body.get("op", "=="), body.get("left"), body.get("right"), sets, tables)
            except _Unsupported as exc:  # this condition may or may not hold; the others still count
                match.unsupported = (*match.unsupported, f"{exc}: not modelled")
        elif key == "ct helper":
            helper_set = body if isinstance(body, str) else str(body)
        elif key == "mangle" and isinstance(body, dict) and body.get("key") == {"ct": {"key": "helper"}}:
            helper_set = str(body.get("value", ""))
        elif key == "vmap":
            return _vmap(match, body, helper_set, sets, tables)
        elif verdict is not None:
            return [Rule(match, verdict[0], verdict[1], helper_set)]
        elif key in _SIDE_EFFECTS:
            continue
        elif key in _CONDITIONS or (key == "set" and _limited(body)):
            match.unsupported = (*match.unsupported, _CONDITIONS.get(key, _CONDITIONS["meter"]))
        elif key == "set":
            continue  # adds the packet's key to a set: a side effect
        elif key == "xt":
            rule = _xt(match, body)
            if rule is not None:
                rule.helper_set = helper_set
                return [rule]
        elif key in ("snat", "masquerade"):
            return [Rule(match, "accept", key, helper_set)]
        elif key in _OPAQUE:
            return [Rule(match, "opaque", key, helper_set)]
        elif key == "notrack":
            return [Rule(match, "unknown", "notrack", helper_set)]
        else:
            raise _Unsupported(f"statement {key}")
    return [Rule(match, None, "", helper_set)]


def _limited(body: t.Any) -> bool:
    """A set statement with a limit inside (``update @s { ip saddr limit rate over ... }``)."""
    statements = body.get("stmt") if isinstance(body, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return any(isinstance(item, dict) and set(item) & set(_CONDITIONS) for item in statements or [])


def _vmap(match: Match, body: t.Mapping[str, t.Any], helper_set: str, sets: Sets, tables: _Tables | None) -> list[Rule]:
    data = body.get("data")
    if isinstance(data, str) and data.startswith("@") and tables is not None and data[1:] in tables.maps:
        elements = tables.maps[data[1:]]
    elif isinstance(data, dict) and "set" in data:
        elements = data["set"]
    else:
        raise _Unsupported(f"verdict map {data!r}")
    rules = []
    for element in elements:
        if not isinstance(element, list) or len(element) != 2:
            raise _Unsupported(f"verdict map element {element!r}")
        key, verdict_body = element
        part = match.copy()
        _apply(part, "==", body.get("key"), key, sets, tables)
        verdict = _verdict(verdict_body) if isinstance(verdict_body, dict) else None
        if verdict is None:
            raise _Unsupported(f"verdict map value {verdict_body!r}")
        rules.append(Rule(part, verdict[0], verdict[1], helper_set))
    return rules


def _elements(body: t.Mapping[str, t.Any]) -> list[t.Any]:
    elements = body.get("elem", [])
    return elements if isinstance(elements, list) else [elements]


def _filled_sets(items: t.Sequence[t.Any]) -> dict[tuple[str, str], set[str]]:
    """Per table, the sets rules add elements to (``add @s``, ``update @s``, meters)."""
    found = {}  # type: t.Dict[t.Tuple[str, str], t.Set[str]]
    for item in items:
        body = item.get("rule") if isinstance(item, dict) else None
        if not isinstance(body, dict):
            continue
        for statement in body.get("expr") or []:
            if isinstance(statement, dict) and isinstance(statement.get("set"), dict):
                name = str(statement["set"].get("set", "")).lstrip("@")
                found.setdefault((str(body.get("family")), str(body.get("table"))), set()).add(name)
    return found


def _decode(data: str | t.Mapping[str, t.Any]) -> list[t.Any]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ParseError(f"not JSON: {exc}", "nft -j list ruleset") from None
    if not isinstance(data, dict) or not isinstance(data.get("nftables"), list):
        raise ParseError('expected an object with an "nftables" list', "nft -j list ruleset")
    items = data["nftables"]
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise ParseError(f"unexpected element {item!r}", "nft -j list ruleset")
    return items


def _chain(table: Table, body: t.Mapping[str, t.Any]) -> None:
    name = str(body.get("name"))
    chain = table.chains.get(name) or Chain(name)
    if "hook" in body:
        chain.hook = str(body["hook"])
        chain.kind = str(body.get("type", "filter"))
        chain.policy = str(body.get("policy", "accept"))
        prio = body.get("prio", 0)
        chain.priority = prio if isinstance(prio, int) and not isinstance(prio, bool) else 0
        devices = body.get("dev", body.get("devs"))
        if devices:
            chain.devices = tuple(devices) if isinstance(devices, list) else (str(devices),)
    table.chains[name] = chain


def _label(body: t.Mapping[str, t.Any]) -> str:
    comment = body.get("comment")
    return "handle {}{}".format(body.get("handle"), f' "{comment}"' if comment else "")


def parse_nft_json(data: str | t.Mapping[str, t.Any], backend: str = "nftables") -> Ruleset:
    """Parse ``nft -j list ruleset`` output (text or already decoded JSON)."""
    items = _decode(data)
    ruleset = Ruleset(backend)
    tables = {}  # type: t.Dict[t.Tuple[str, str], Table]
    contents = {}  # type: t.Dict[t.Tuple[str, str], _Tables]
    filled = _filled_sets(items)
    for item in items:
        kind, body = next(iter(item.items()))
        if not isinstance(body, dict):
            continue
        family = body.get("family", "")
        if kind == "table" and family in FAMILY_MAP:
            table = Table(FAMILY_MAP[family], str(body.get("name")))
            tables[(family, table.name)] = table
            ruleset.tables.append(table)
        elif kind in ("set", "map"):
            key = (str(family), str(body.get("table")))
            known = contents.setdefault(key, _Tables())
            name = str(body.get("name"))
            if name in filled.get(key, set()):
                known.dynamic.add(name)
            elif kind == "map" and body.get("map") == "verdict":
                known.maps[name] = _elements(body)
            else:
                known.sets[name] = _elements(body)
    for item in items:
        kind, body = next(iter(item.items()))
        if not isinstance(body, dict):
            continue
        key = (body.get("family", ""), str(body.get("table")))
        table = tables.get(key)
        if table is None:
            continue
        if kind == "chain":
            _chain(table, body)
        elif kind == "ct helper":
            table.helper_types[str(body.get("name"))] = str(body.get("type", ""))
        elif kind == "rule":
            _add_rule(ruleset, table, body, contents.get(key) or _Tables())
    return ruleset


def _add_rule(ruleset: Ruleset, table: Table, body: t.Mapping[str, t.Any], known: _Tables) -> None:
    name = str(body.get("chain"))
    chain = table.chains.setdefault(name, Chain(name))
    try:
        rules = _rule(body.get("expr") or [], known.sets, known)
    except (_Unsupported, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        reason = str(exc) or type(exc).__name__
        # Not understood at all: it may match anything and do anything.
        rules = [Rule(Match(unsupported=(f"{reason}: not modelled",)), "unknown", "rule")]
        ruleset.warnings.append(
            "{} {} chain {}: rule {} is not understood ({}): it may match anything and do anything".format(
                body.get("family"), table.name, name, _label(body), reason
            )
        )
    else:
        for rule in rules:
            warning = rule_warning(rule)
            if warning:
                ruleset.warnings.append(
                    "{} {} chain {}: rule {} {}".format(body.get("family"), table.name, name, _label(body), warning)
                )
                break
    for rule in rules:
        rule.text = _label(body)
    chain.rules.extend(rules)
