# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``nft -j list ruleset`` parser (private module).

Tables of the ``ip``, ``ip6`` and ``inet`` families are read (``arp``, ``bridge`` and
``netdev`` do not filter the INPUT path and are skipped).  Base chains keep their hook,
priority, type and policy.  Rule statements understood: ``match`` on ``tcp``/``udp``/``th``
ports (single, range, anonymous or named set, comparisons), ``ip``/``ip6`` addresses and
protocol, ``meta`` l4proto/nfproto/iifname/oifname, ``ct state``, ``ct helper`` and
``fib daddr type``; verdicts ``accept``, ``drop``, ``reject``, ``return``, ``jump``,
``goto``, ``continue``; ``ct helper set`` (with ``ct helper`` objects, whose ``type`` tells
whether they are the FTP helper); verdict maps on a supported key are expanded into one rule
per element.  Anything else makes the rule unsupported (never matches, listed in warnings).
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
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import (
    Chain,
    Match,
    Net,
    Rule,
    Ruleset,
    Table,
)

FAMILY_MAP = {"ip": "ipv4", "ip6": "ipv6", "inet": "inet"}
CT_STATES = frozenset(("new", "established", "related", "invalid", "untracked"))
_VERDICT_KEYS = ("accept", "drop", "reject", "return", "jump", "goto", "continue", "queue")
_IGNORED_STATEMENTS = frozenset(
    ("counter", "log", "limit", "meter", "quota", "notrack", "set", "mangle", "dup", "fwd", "synproxy", "secmark")
)


class _Unsupported(Exception):
    """A statement or expression this parser does not model."""


def _copy(match: Match) -> Match:
    return Match(**{name: getattr(match, name) for name in Match.__slots__})


def _port_value(value: t.Any, sets: t.Mapping[str, list[t.Any]]) -> IntervalSet:
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
        services = {"ftp": 21, "ftp-data": 20, "ssh": 22, "http": 80, "https": 443, "smtp": 25, "domain": 53}
        if value in services:
            number = services[value]
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


def _networks(value: t.Any, sets: t.Mapping[str, list[t.Any]]) -> tuple[t.Any, ...]:
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
            return tuple(Net.of(net) for net in ipaddress.summarize_address_range(low, high))
        if "elem" in value:
            return _networks(value["elem"].get("val"), sets)
    if isinstance(value, list):
        return tuple(net for item in value for net in _networks(item, sets))
    raise _Unsupported(f"address value {value!r}")


def _words(value: t.Any, sets: t.Mapping[str, list[t.Any]]) -> frozenset[str]:
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


def _apply(match: Match, op: str, left: t.Any, right: t.Any, sets: t.Mapping[str, list[t.Any]]) -> None:
    """Constrain ``match`` with ``left op right``."""
    if op not in ("==", "!=", "in", "<", ">", "<=", ">="):
        raise _Unsupported(f"operator {op}")
    negated = op == "!="
    if not isinstance(left, dict) or len(left) != 1:
        raise _Unsupported(f"expression {left!r}")
    kind, body = next(iter(left.items()))
    if kind == "payload" and isinstance(body, dict):
        protocol, field = body.get("protocol"), body.get("field")
        if field in ("dport", "sport") and protocol in ("tcp", "udp", "sctp", "th"):
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
        if protocol in ("ip", "ip6") and field in ("saddr", "daddr"):
            _set_family(match, "ipv4" if protocol == "ip" else "ipv6")
            if getattr(match, field) is not None:
                raise _Unsupported(f"two {field} matches")
            setattr(match, field, _networks(right, sets))
            setattr(match, field + "_neg", negated)
            return
        if (protocol, field) in (("ip", "protocol"), ("ip6", "nexthdr")):
            _set_family(match, "ipv4" if protocol == "ip" else "ipv6")
            _protocols(match, _words(right, sets), negated)
            return
        raise _Unsupported(f"payload {protocol} {field}")
    if kind == "meta" and isinstance(body, dict):
        key = body.get("key")
        if key == "l4proto":
            _protocols(match, _words(right, sets), negated)
            return
        if key == "nfproto":
            words = _words(right, sets)
            if negated or len(words) != 1:
                raise _Unsupported(f"meta nfproto {right!r}")
            _set_family(match, "ipv4" if "ipv4" in words else "ipv6")
            return
        if key in ("iifname", "oifname", "iif", "oif"):
            names = tuple(sorted(_words(right, sets)))
            attr = "iif" if key.startswith("i") else "oif"
            setattr(match, attr, names)
            setattr(match, attr + "_neg", negated)
            return
        raise _Unsupported(f"meta {key}")
    if kind == "ct" and isinstance(body, dict):
        key = body.get("key")
        if key == "state":
            states = frozenset(word.lower() for word in _words(right, sets))
            if negated:
                states = CT_STATES - states
            match.ct_states = states if match.ct_states is None else match.ct_states & states
            return
        if key == "helper":
            match.helpers, match.helper_neg = _words(right, sets), negated
            return
        raise _Unsupported(f"ct {key}")
    if kind == "fib" and isinstance(body, dict):
        if body.get("result") == "type" and "daddr" in body.get("flags", []):
            match.dst_types = frozenset(word.upper() for word in _words(right, sets))
            match.dst_type_neg = negated
            return
        raise _Unsupported(f"fib {body!r}")
    raise _Unsupported(kind)


def _protocols(match: Match, names: frozenset[str], negated: bool) -> None:
    names = frozenset({"6": "tcp", "17": "udp"}.get(name, name) for name in names)
    if match.protocols is not None and not match.proto_neg and not negated:
        match.protocols = match.protocols & names
        return
    match.protocols, match.proto_neg = names, negated


def _verdict(statement: t.Mapping[str, t.Any]) -> tuple[str | None, str] | None:
    for key in _VERDICT_KEYS:
        if key in statement:
            if key in ("jump", "goto"):
                return key, str((statement[key] or {}).get("target", ""))
            if key == "continue":
                return None, ""
            if key == "queue":
                raise _Unsupported("queue verdict")
            return key, ""
    return None


def _rule(expr: t.Sequence[t.Any], sets: t.Mapping[str, list[t.Any]]) -> list[Rule]:
    match = Match()
    helper_set = ""
    for statement in expr:
        if not isinstance(statement, dict) or len(statement) != 1:
            raise _Unsupported(f"statement {statement!r}")
        key, body = next(iter(statement.items()))
        if key == "match":
            _apply(match, body.get("op", "=="), body.get("left"), body.get("right"), sets)
            continue
        if key == "ct helper":
            helper_set = body if isinstance(body, str) else str(body)
            continue
        if key == "vmap":
            return _vmap(match, body, helper_set, sets)
        verdict = _verdict(statement)
        if verdict is not None:
            action, target = verdict
            return [Rule(match, action, target, helper_set)]
        if key in _IGNORED_STATEMENTS:
            if key == "mangle" and isinstance(body, dict) and body.get("key") == {"ct": {"key": "helper"}}:
                helper_set = str(body.get("value", ""))
            continue
        if key in ("dnat", "snat", "masquerade", "redirect", "tproxy"):
            return [Rule(match, "other", key, helper_set)]
        raise _Unsupported(f"statement {key}")
    return [Rule(match, None, "", helper_set)]


def _vmap(match: Match, body: t.Mapping[str, t.Any], helper_set: str, sets: t.Mapping[str, list[t.Any]]) -> list[Rule]:
    data = body.get("data")
    if not isinstance(data, dict) or "set" not in data:
        raise _Unsupported("named verdict map")
    rules = []
    for element in data["set"]:
        if not isinstance(element, list) or len(element) != 2:
            raise _Unsupported(f"verdict map element {element!r}")
        key, verdict_body = element
        part = _copy(match)
        _apply(part, "==", body.get("key"), key, sets)
        verdict = _verdict(verdict_body) if isinstance(verdict_body, dict) else None
        if verdict is None:
            raise _Unsupported(f"verdict map value {verdict_body!r}")
        rules.append(Rule(part, verdict[0], verdict[1], helper_set))
    return rules


def _set_elements(body: t.Mapping[str, t.Any]) -> list[t.Any]:
    elements = body.get("elem", [])
    return elements if isinstance(elements, list) else [elements]


def parse_nft_json(data: str | t.Mapping[str, t.Any], backend: str = "nftables") -> Ruleset:
    """Parse ``nft -j list ruleset`` output (text or already decoded JSON)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ParseError(f"not JSON: {exc}", "nft -j list ruleset") from None
    if not isinstance(data, dict) or not isinstance(data.get("nftables"), list):
        raise ParseError('expected an object with an "nftables" list', "nft -j list ruleset")
    ruleset = Ruleset(backend)
    tables = {}  # type: t.Dict[t.Tuple[str, str], Table]
    sets = {}  # type: t.Dict[t.Tuple[str, str], t.Dict[str, t.List[t.Any]]]
    items = data["nftables"]
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise ParseError(f"unexpected element {item!r}", "nft -j list ruleset")
        kind, body = next(iter(item.items()))
        if not isinstance(body, dict):
            continue
        family = body.get("family", "")
        if kind == "table" and family in FAMILY_MAP:
            table = Table(FAMILY_MAP[family], str(body.get("name")))
            tables[(family, table.name)] = table
            ruleset.tables.append(table)
        elif kind in ("set", "map") and "elem" in body:
            sets.setdefault((family, str(body.get("table"))), {})[str(body.get("name"))] = _set_elements(body)
    for item in items:
        kind, body = next(iter(item.items()))
        if not isinstance(body, dict):
            continue
        key = (body.get("family", ""), str(body.get("table")))
        table = tables.get(key)
        if table is None:
            continue
        if kind == "chain":
            name = str(body.get("name"))
            chain = table.chains.get(name) or Chain(name)
            if "hook" in body:
                chain.hook = str(body["hook"])
                chain.kind = str(body.get("type", "filter"))
                chain.policy = str(body.get("policy", "accept"))
                prio = body.get("prio", 0)
                chain.priority = prio if isinstance(prio, int) else 0
            table.chains[name] = chain
        elif kind == "ct helper":
            table.helper_types[str(body.get("name"))] = str(body.get("type", ""))
        elif kind == "rule":
            name = str(body.get("chain"))
            chain = table.chains.setdefault(name, Chain(name))
            table_sets = sets.get(key, {})
            try:
                rules = _rule(body.get("expr") or [], table_sets)
            except (_Unsupported, KeyError, TypeError, ValueError, IndexError) as exc:
                unsupported = Match(unsupported=(str(exc) or type(exc).__name__,))
                rules = [Rule(unsupported, None)]
                ruleset.warnings.append(
                    "{} {} chain {}: rule handle {} uses {}, not modelled (treated as never matching)".format(
                        body.get("family"), table.name, name, body.get("handle"), str(exc) or type(exc).__name__
                    )
                )
            for rule in rules:
                rule.text = "handle {}".format(body.get("handle"))
            chain.rules.extend(rules)
    return ruleset
