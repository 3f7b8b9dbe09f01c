# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ufw reader (private module), built on :mod:`._iptables`.

ufw keeps its rules in iptables-restore fragments (``/etc/ufw/before.rules``,
``user.rules``, ``after.rules`` and their ``6`` twins) and hooks them into INPUT/OUTPUT in a
fixed order: ``ufw-before-*``, ``ufw-after-*``, ``ufw-reject-*``, ``ufw-track-*``, with
``ufw-before-input`` ending in a jump to ``ufw-user-input``.  :func:`ufw_ruleset_from_files`
rebuilds that structure from the files; :func:`ufw_ruleset_from_status` approximates it from
``ufw status verbose`` alone (stock before.rules assumed); :func:`parse_ufw_status` reads the
status text.  On a live host ``iptables-save`` shows the same chains and is preferred.
"""

from __future__ import annotations

import ipaddress
import re
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import Ruleset
from ansible_collections.hardened.ftp.plugins.module_utils._port_range import parse_port_range

POLICY_WORDS = {"deny": "DROP", "reject": "DROP", "allow": "ACCEPT", "drop": "DROP", "accept": "ACCEPT"}
_ACTION_WORD = re.compile(r" (ALLOW|DENY|REJECT|LIMIT)(?: (IN|OUT|FWD))? ")
_NUMBERED = re.compile(r"^\[\s*\d+\]\s*")
_LOGGED = re.compile(r"\((log|log-all)\)\s*$")
# An application profile named in verbose output: "22/tcp (OpenSSH)", "22/tcp (OpenSSH (v6))".
_PROFILE = re.compile(r"\(\s*[^()\s]+\s*\)")

# What ufw's stock before.rules / before6.rules do on the INPUT/OUTPUT paths (rewritten here,
# ICMP and multicast details left out: they never concern TCP).
STOCK_BEFORE = """\
-A {p}-before-input -i lo -j ACCEPT
-A {p}-before-output -o lo -j ACCEPT
-A {p}-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A {p}-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A {p}-before-input -m conntrack --ctstate INVALID -j DROP
"""
# What ufw's user.rules does with a "limit" rule's connections (its RATE LIMITING section).
STOCK_LIMIT = """\
-A {p}-user-limit -m limit --limit 3/minute -j LOG --log-prefix "[UFW LIMIT BLOCK] "
-A {p}-user-limit -j REJECT
"""
_TARGETS = {"ALLOW": "ACCEPT", "DENY": "DROP", "REJECT": "REJECT"}
# ufw names its IPv6 chains ufw6-*.
CHAIN_PREFIX = {"ipv4": "ufw", "ipv6": "ufw6"}

_BASE_CHAINS = (
    ("INPUT", "input"),
    ("OUTPUT", "output"),
    ("FORWARD", "forward"),
)
_STAGES = ("before-logging", "before", "after", "after-logging", "reject", "track")


def parse_ufw_status(text: str) -> dict[str, t.Any]:
    """Parse ``ufw status verbose``.

    Returns ``{"active": bool, "logging": str, "default_incoming": str,
    "default_outgoing": str, "default_routed": str, "rules": [{"to", "action", "direction",
    "from", "v6", "comment"}]}``.
    """
    if not isinstance(text, str):
        raise ParseError("expected text", "ufw status")
    status = {
        "active": False,
        "logging": "",
        "default_incoming": "",
        "default_outgoing": "",
        "default_routed": "",
        "rules": [],
    }  # type: t.Dict[str, t.Any]
    in_table = False
    seen_status = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("Status:"):
            status["active"] = line.split(":", 1)[1].strip() == "active"
            seen_status = True
        elif line.startswith("Logging:"):
            status["logging"] = line.split(":", 1)[1].strip()
        elif line.startswith("Default:"):
            for part in line.split(":", 1)[1].split(","):
                words = part.strip().split()
                if len(words) == 2:
                    status["default_" + words[1].strip("()")] = words[0]
        elif line.lstrip().startswith("To ") and "Action" in line:
            in_table = True
        elif in_table and line.lstrip().startswith("--"):
            continue
        elif in_table:
            status["rules"].append(_status_rule(line))
    if not seen_status:
        raise ParseError("no 'Status:' line: not ufw status output", "ufw status")
    return status


def _status_rule(line: str) -> dict[str, t.Any]:
    """One rule line of ``ufw status [verbose|numbered]``.

    The columns are padded to a width, but a long ``To`` overflows into ``Action`` with a
    single space (``10.9.0.0/16 80/tcp on eth2 ALLOW FWD   Anywhere on eth1``): the action
    word, not the padding, separates them."""
    text = _NUMBERED.sub("", line.strip())
    body, _sep, comment = text.partition(" # ")
    found = _ACTION_WORD.search(" " + body + " ")
    if not found:
        raise ParseError(f"cannot read rule line {line.strip()!r}: no ALLOW, DENY, REJECT or LIMIT", "ufw status")
    # Offsets in body: the padded text starts one character earlier.
    to, source = body[slice(found.start())].strip(), body[slice(found.end() - 2, None)].strip()
    if not to:
        raise ParseError(f"cannot read rule line {line.strip()!r}: no destination column", "ufw status")
    logged = _LOGGED.search(source)
    if logged:
        source = source[: logged.start()].strip()
    v6 = "(v6)" in to or "(v6)" in source
    to = _PROFILE.sub("", " ".join(to.replace("(v6)", "").split())).strip()
    source = _PROFILE.sub("", " ".join(source.replace("(v6)", "").split())).strip()
    if not v6:
        v6 = any(_is_ipv6(word) for word in (to + " " + source).split())
    return {
        "to": " ".join(to.split()),
        "action": found.group(1),
        "direction": found.group(2) or "IN",
        "from": " ".join(source.split()),
        "v6": v6,
        "comment": comment.strip(),
    }


def _is_ipv6(word: str) -> bool:
    try:
        return ipaddress.ip_network(word.partition("/")[0] if word.count("/") > 1 else word, strict=False).version == 6
    except ValueError:
        return False


def _endpoint(text: str) -> tuple[str, str, str, str]:
    """(address, ports, protocol, interface) of a status column like ``10.0.0.0/8 21/tcp on eth0``."""
    words = text.split()
    interface = ""
    if "on" in words:
        position = words.index("on")
        interface = words[position + 1] if position + 1 < len(words) else ""
        words = words[:position]
    address, ports, protocol = "", "", ""
    for word in words:
        if word == "Anywhere":
            continue
        spec, _sep, proto = word.partition("/")
        if spec.replace(":", "").replace(",", "").isdecimal():
            ports, protocol = spec, proto
        else:
            address = word if not proto or not proto.isalpha() else spec
            if proto.isalpha():
                protocol = proto
    return address, ports, protocol, interface


def _status_rule_lines(rule: t.Mapping[str, t.Any], prefix: str = "ufw") -> list[str]:
    """iptables lines for one status rule, as ufw writes them; ValueError for application
    profiles and addresses that are not addresses."""
    if rule["direction"] != "IN":
        return []
    address, ports, protocol, interface = _endpoint(rule["to"])
    source, sports, sprotocol, _iface = _endpoint(rule["from"])
    for text in (address, source):
        if text:
            ipaddress.ip_network(text, strict=False)
    protocol = protocol or sprotocol
    parts = [f"-A {prefix}-user-input"]
    if interface:
        parts.append(f"-i {interface}")
    if source:
        parts.append(f"-s {source}")
    if address:
        parts.append(f"-d {address}")
    protocols = [protocol] if protocol else (["tcp", "udp"] if ports or sports else [""])
    lines = []
    for proto in protocols:
        words = list(parts)
        if proto:
            words.append(f"-p {proto}")
        if ports:
            words.append(f"-m multiport --dports {ports}" if "," in ports else f"--dport {ports}")
        if sports:
            words.append(f"-m multiport --sports {sports}" if "," in sports else f"--sport {sports}")
        match = " ".join(words)
        if rule["action"] == "LIMIT":
            new = f"{match} -m conntrack --ctstate NEW -m recent"
            lines.append(f"{new} --set")
            lines.append(f"{new} --update --seconds 30 --hitcount 6 -j {prefix}-user-limit")
            lines.append(f"{match} -j {prefix}-user-limit-accept")
        else:
            lines.append("{} -j {}".format(match, _TARGETS[rule["action"]]))
    return lines


def _policy(word: str) -> str:
    return POLICY_WORDS.get(word.lower().strip('"'), "DROP")


def _assemble(fragments: t.Sequence[str], incoming: str, outgoing: str, routed: str, prefix: str = "ufw") -> str:
    """The filter table ufw builds around its rules files (chains ``prefix-*``)."""
    lines = ["*filter"]
    policies = {"INPUT": _policy(incoming), "OUTPUT": _policy(outgoing), "FORWARD": _policy(routed or "deny")}
    for chain, _hook in _BASE_CHAINS:
        lines.append(f":{chain} {policies[chain]} [0:0]")
    for chain, hook in _BASE_CHAINS:
        for stage in _STAGES:
            lines.append(f":{prefix}-{stage}-{hook} - [0:0]")
            lines.append(f"-A {chain} -j {prefix}-{stage}-{hook}")
        lines.append(f":{prefix}-user-{hook} - [0:0]")
    for name in ("not-local", "logging-deny", "logging-allow", "user-limit", "user-limit-accept"):
        lines.append(f":{prefix}-{name} - [0:0]")
    if _policy(outgoing) == "ACCEPT":
        lines.append(f"-A {prefix}-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT")
        lines.append(f"-A {prefix}-track-output -p udp -m conntrack --ctstate NEW -j ACCEPT")
    for fragment in fragments:
        lines.extend(_filter_section(fragment))
    lines.append(f"-A {prefix}-before-input -j {prefix}-user-input")
    lines.append(f"-A {prefix}-before-output -j {prefix}-user-output")
    lines.append(f"-A {prefix}-before-forward -j {prefix}-user-forward")
    lines.append(f"-A {prefix}-user-limit-accept -j ACCEPT")
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _filter_section(text: str) -> list[str]:
    """The rule and chain lines of the ``*filter`` section of an iptables-restore fragment."""
    lines = []
    table = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            table = line[1:].strip()
            continue
        if line == "COMMIT":
            table = ""
            continue
        if table == "filter":
            lines.append(line)
    return lines


def parse_ufw_defaults(text: str) -> dict[str, str]:
    """Read ``/etc/default/ufw`` (shell ``KEY="value"`` lines)."""
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _sep, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def ufw_ruleset_from_files(
    files: t.Mapping[str, str],
    incoming: str = "deny",
    outgoing: str = "allow",
    routed: str = "disabled",
) -> Ruleset:
    """Rebuild ufw's ruleset from its rules files, keyed by base name (``before.rules``...).

    ``incoming``/``outgoing``/``routed`` are the default policies (``ufw status verbose`` or
    ``DEFAULT_*_POLICY`` of ``/etc/default/ufw``; pass ``files["default"]`` to use that file).
    """
    if "default" in files:
        defaults = parse_ufw_defaults(files["default"])
        incoming = defaults.get("DEFAULT_INPUT_POLICY", incoming)
        outgoing = defaults.get("DEFAULT_OUTPUT_POLICY", outgoing)
        routed = defaults.get("DEFAULT_FORWARD_POLICY", routed)
    rulesets = []
    for family, suffix in (("ipv4", ""), ("ipv6", "6")):
        names = [f"before{suffix}.rules", f"user{suffix}.rules", f"after{suffix}.rules"]
        fragments = [files[name] for name in names if name in files]
        if not fragments:
            continue
        text = _assemble(fragments, incoming, outgoing, routed, CHAIN_PREFIX[family])
        rulesets.append(parse_iptables_save(text, family, backend="ufw"))
    if not rulesets:
        raise ParseError("no before.rules/user.rules/after.rules (or 6) given", "ufw")
    result = rulesets[0]
    for other in rulesets[1:]:
        result = result.merge(other)
    result.backend = "ufw"
    if "default" in files:
        modules = parse_ufw_defaults(files["default"]).get("IPT_MODULES", "")
        result.auto_helper = "nf_conntrack_ftp" in modules.split()
    return result


def ufw_ruleset_from_status(status: str | t.Mapping[str, t.Any]) -> Ruleset:
    """Approximate ufw's ruleset from ``ufw status verbose`` (text or :func:`parse_ufw_status`)."""
    parsed = parse_ufw_status(status) if isinstance(status, str) else status
    if not parsed["active"]:
        ruleset = Ruleset("ufw")
        ruleset.warnings.append("ufw is inactive: it filters nothing")
        return ruleset
    return _ruleset_from_rules(
        parsed["rules"], parsed["default_incoming"], parsed["default_outgoing"], parsed["default_routed"]
    )


def _ruleset_from_rules(rules: t.Sequence[t.Mapping[str, t.Any]], incoming: str, outgoing: str, routed: str) -> Ruleset:
    """ufw's ruleset for rules in the shape :func:`parse_ufw_status` returns (stock before.rules)."""
    rulesets = []
    warnings = []  # type: t.List[str]
    for family, v6 in (("ipv4", False), ("ipv6", True)):
        prefix = CHAIN_PREFIX[family]
        lines = ["*filter", STOCK_BEFORE.format(p=prefix).strip(), STOCK_LIMIT.format(p=prefix).strip()]
        for rule in rules:
            if rule["v6"] != v6:
                continue
            try:
                lines.extend(_status_rule_lines(rule, prefix))
            except ValueError:
                warnings.append(
                    "ufw rule {!r} -> {!r} names an application profile or address not understood; not modelled".format(
                        rule["to"], rule["from"]
                    )
                )
        lines.append("COMMIT")
        text = _assemble(["\n".join(lines)], incoming or "deny", outgoing or "allow", routed, prefix)
        rulesets.append(parse_iptables_save(text, family, backend="ufw"))
    result = rulesets[0].merge(rulesets[1])
    result.backend = "ufw"
    result.warnings.extend(dict.fromkeys(warnings))
    return result


# --- Rules a role added, and the ones it no longer wants ---------------------------------------

_ADDED_LINE = re.compile(
    r"^ufw (?P<route>route )?(?P<action>allow|deny|reject|limit) (?P<spec>.*?)(?: comment '(?P<comment>.*)')?$"
)
_PORT_PROTO = re.compile(r"^(?P<port>\d+(?::\d+)?(?:,\d+(?::\d+)?)*)(?:/(?P<proto>\w+))?$")
_ADDED_KEYS = {"from": "from_ip", "to": "to_ip", "port": "ports", "proto": "proto", "app": "app"}


def parse_show_added(text: str) -> list[dict[str, str]]:
    """Read ``ufw show added``: one dict per rule.

    Keys: ``action``, ``port``, ``proto``, ``from_ip``, ``to_ip``, ``comment``, and how ufw
    wrote the rest: ``direction`` (``in``/``out``), ``interface``, ``route`` (``yes`` for
    routed rules), ``log`` (``log``/``log-all``), ``app`` (a profile) and ``ports`` (the port
    spec, also a list like ``80,443``).  ``port`` is set only for plain rules (incoming, no
    interface, one port or range, no profile), so callers can tell the rules a role adds;
    words ufw writes in a shape not listed here are kept in ``spec`` with ``port`` empty.
    """
    rules: list[dict[str, str]] = []
    for line in text.splitlines():
        match = _ADDED_LINE.match(line.strip())
        if not match:
            continue
        rule = {"action": match["action"], "port": "", "proto": "any", "from_ip": "any", "to_ip": "any"}
        rule.update(comment=match["comment"] or "", direction="in", interface="", route="yes" if match["route"] else "")
        rule.update(log="", app="", ports="")
        words = match["spec"].split()
        while words and words[0] in ("in", "out", "log", "log-all", "on"):
            word = words.pop(0)
            if word == "on" and words:
                rule["interface"] = words.pop(0)
            elif word in ("in", "out"):
                rule["direction"] = word
            else:
                rule["log"] = word
        short = _PORT_PROTO.match(words[0]) if len(words) == 1 else None
        pairs = list(zip(words[::2], words[1::2]))
        if short:
            rule["ports"], rule["proto"] = short["port"], short["proto"] or "any"
        elif len(words) == 1:
            rule["app"] = words[0]
        elif len(words) % 2 == 0 and all(key in _ADDED_KEYS for key, _value in pairs):
            for key, value in pairs:
                rule[_ADDED_KEYS[key]] = value
        else:
            rule["spec"] = match["spec"]
        plain = not (rule["route"] or rule["interface"] or rule["app"] or "spec" in rule) and rule["direction"] == "in"
        if plain and "," not in rule["ports"]:
            rule["port"] = rule["ports"]
        rules.append(rule)
    return rules


def ufw_ruleset_from_added(text: str, incoming: str = "deny", outgoing: str = "allow", routed: str = "") -> Ruleset:
    """Approximate ufw's ruleset from ``ufw show added`` (which lists the rules whether or not
    ufw is active, but not the default policies: pass them)."""
    rules = []
    for rule in parse_show_added(text):
        if rule["route"] or "spec" in rule:
            continue
        ports = rule["ports"] + ("/" + rule["proto"] if rule["ports"] and rule["proto"] != "any" else "")
        where = " ".join(part for part in (_any(rule["to_ip"]), ports or rule["app"]) if part) or "Anywhere"
        if rule["interface"]:
            where += " on " + rule["interface"]
        source = _any(rule["from_ip"]) or "Anywhere"
        families = {_is_ipv6(address) for address in (rule["to_ip"], rule["from_ip"]) if address != "any"}
        for v6 in sorted(families) if families else (False, True):
            rules.append(
                {
                    "to": where,
                    "action": rule["action"].upper(),
                    "direction": rule["direction"].upper(),
                    "from": source,
                    "v6": v6,
                    "comment": rule["comment"],
                }
            )
    return _ruleset_from_rules(rules, incoming, outgoing, routed)


def _any(address: str) -> str:
    return "" if address == "any" else address


def _ufw_port(value: t.Any) -> str:
    low, high = parse_port_range(value)
    return str(low) if low == high else f"{low}:{high}"


def _as_list(value: t.Any) -> list[t.Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def expand_wanted(wanted: t.Sequence[t.Mapping[str, t.Any]]) -> set[tuple[str, str, str]]:
    """(port, proto, source) for every combination the wanted entries describe.

    Each entry has ``port`` (a port, a range such as ``8000-8010`` or ``8000:8010``, or a list of
    them), ``proto`` (default tcp) and ``from_ip`` (an address, a network, a list of them; empty or
    missing means any).
    """
    out: set[tuple[str, str, str]] = set()
    for entry in wanted:
        if not isinstance(entry, t.Mapping) or "port" not in entry:
            raise ParseError(f"each wanted ufw rule needs a port, got {entry!r}")
        sources = [str(s) if s else "any" for s in _as_list(entry.get("from_ip") or "any")] or ["any"]
        for port in _as_list(entry["port"]):
            for source in sources:
                out.add((_ufw_port(port), str(entry.get("proto") or "tcp"), _normal_source(source)))
    return out


def _normal_source(source: str) -> str:
    if source == "any":
        return source
    try:
        return str(ipaddress.ip_network(source, strict=False))
    except ValueError:
        return source


def stale_rules(show_added: str, wanted: t.Sequence[t.Mapping[str, t.Any]], marker: str) -> list[dict[str, str]]:
    """Allow rules whose comment starts with ``marker`` and that ``wanted`` no longer describes."""
    keep = expand_wanted(wanted)
    stale = []
    for rule in parse_show_added(show_added):
        if rule["action"] != "allow" or not rule["comment"].startswith(marker) or not rule["port"]:  # not plain
            continue
        key = (rule["port"], rule["proto"], _normal_source(rule["from_ip"]))
        if rule["to_ip"] == "any" and key not in keep:
            stale.append({k: rule[k] for k in ("port", "proto", "from_ip", "comment")})
    return stale
