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
_COLUMNS = re.compile(r"\s{2,}")
_ACTION = re.compile(r"^(ALLOW|DENY|REJECT|LIMIT)(?: (IN|OUT|FWD))?$")

# What ufw's stock before.rules / before6.rules do on the INPUT/OUTPUT paths (rewritten here,
# ICMP and multicast details left out: they never concern TCP).
STOCK_BEFORE = """\
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-output -o lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j DROP
"""

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
    body, _sep, comment = line.partition(" # ")
    columns = _COLUMNS.split(body.strip())
    if len(columns) < 3:
        raise ParseError(f"cannot read rule line {line.strip()!r}", "ufw status")
    to, action, source = columns[0], columns[1], " ".join(columns[2:])
    matched = _ACTION.match(action)
    if not matched:
        raise ParseError(f"unknown action {action!r} in {line.strip()!r}", "ufw status")
    v6 = to.endswith("(v6)") or source.endswith("(v6)")
    return {
        "to": to.replace("(v6)", "").strip(),
        "action": matched.group(1),
        "direction": matched.group(2) or "IN",
        "from": source.replace("(v6)", "").strip(),
        "v6": v6,
        "comment": comment.strip(),
    }


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


def _status_rule_lines(rule: t.Mapping[str, t.Any]) -> list[str]:
    """iptables lines for one status rule; ValueError for application profiles."""
    if rule["direction"] != "IN":
        return []
    address, ports, protocol, interface = _endpoint(rule["to"])
    source, sports, sprotocol, _iface = _endpoint(rule["from"])
    for text in (address, source):
        if text:
            ipaddress.ip_network(text, strict=False)
    protocol = protocol or sprotocol
    target = {"ALLOW": "ACCEPT", "LIMIT": "ACCEPT", "DENY": "DROP", "REJECT": "REJECT"}[rule["action"]]
    parts = ["-A ufw-user-input"]
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
        words.append(f"-j {target}")
        lines.append(" ".join(words))
    return lines


def _policy(word: str) -> str:
    return POLICY_WORDS.get(word.lower().strip('"'), "DROP")


def _assemble(fragments: t.Sequence[str], incoming: str, outgoing: str, routed: str) -> str:
    lines = ["*filter"]
    policies = {"INPUT": _policy(incoming), "OUTPUT": _policy(outgoing), "FORWARD": _policy(routed or "deny")}
    for chain, _hook in _BASE_CHAINS:
        lines.append(f":{chain} {policies[chain]} [0:0]")
    for chain, hook in _BASE_CHAINS:
        for stage in _STAGES:
            lines.append(f":ufw-{stage}-{hook} - [0:0]")
            lines.append(f"-A {chain} -j ufw-{stage}-{hook}")
        lines.append(f":ufw-user-{hook} - [0:0]")
    for chain in ("ufw-not-local", "ufw-logging-deny", "ufw-logging-allow", "ufw-user-limit", "ufw-user-limit-accept"):
        lines.append(f":{chain} - [0:0]")
    if _policy(outgoing) == "ACCEPT":
        lines.append("-A ufw-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT")
        lines.append("-A ufw-track-output -p udp -m conntrack --ctstate NEW -j ACCEPT")
    for fragment in fragments:
        lines.extend(_filter_section(fragment))
    lines.append("-A ufw-before-input -j ufw-user-input")
    lines.append("-A ufw-before-output -j ufw-user-output")
    lines.append("-A ufw-before-forward -j ufw-user-forward")
    lines.append("-A ufw-user-limit-accept -j ACCEPT")
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
        text = _assemble(fragments, incoming, outgoing, routed)
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
    rulesets = []
    warnings = []  # type: t.List[str]
    for family, v6 in (("ipv4", False), ("ipv6", True)):
        lines = ["*filter", STOCK_BEFORE.strip()]
        for rule in parsed["rules"]:
            if rule["v6"] != v6:
                continue
            try:
                lines.extend(_status_rule_lines(rule))
            except ValueError:
                warnings.append(
                    "ufw rule {!r} -> {!r} names an application profile or address not understood; not modelled".format(
                        rule["to"], rule["from"]
                    )
                )
        lines.append("COMMIT")
        text = _assemble(
            ["\n".join(lines)],
            parsed["default_incoming"] or "deny",
            parsed["default_outgoing"] or "allow",
            parsed["default_routed"],
        )
        rulesets.append(parse_iptables_save(text, family, backend="ufw"))
    result = rulesets[0].merge(rulesets[1])
    result.backend = "ufw"
    result.warnings.extend(warnings)
    return result


# --- Rules a role added, and the ones it no longer wants ---------------------------------------

_ADDED_LINE = re.compile(r"^ufw (?P<action>allow|deny|reject|limit) (?P<spec>.*?)(?: comment '(?P<comment>.*)')?$")
_PORT_PROTO = re.compile(r"^(?P<port>\d+(?::\d+)?)(?:/(?P<proto>\w+))?$")


def parse_show_added(text: str) -> list[dict[str, str]]:
    """Read ``ufw show added``: one dict per rule with action, port, proto, from_ip, to_ip, comment.

    Lines ufw writes in another shape (application profiles, interfaces, routed rules) are kept
    with ``port`` empty, so callers can tell they are not plain port rules.
    """
    rules: list[dict[str, str]] = []
    for line in text.splitlines():
        match = _ADDED_LINE.match(line.strip())
        if not match:
            continue
        rule = {"action": match["action"], "port": "", "proto": "any", "from_ip": "any", "to_ip": "any"}
        rule["comment"] = match["comment"] or ""
        words = match["spec"].split()
        short = _PORT_PROTO.match(words[0]) if len(words) == 1 else None
        if short:
            rule["port"], rule["proto"] = short["port"], short["proto"] or "any"
        else:
            keys = {"from": "from_ip", "to": "to_ip", "port": "port", "proto": "proto"}
            pairs = list(zip(words[::2], words[1::2]))
            if len(words) % 2 or any(key not in keys for key, _value in pairs):
                rules.append({**rule, "port": "", "spec": match["spec"]})
                continue
            for key, value in pairs:
                rule[keys[key]] = value
        rules.append(rule)
    return rules


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
        if rule["action"] != "allow" or not rule["comment"].startswith(marker) or not rule["port"]:
            continue
        key = (rule["port"], rule["proto"], _normal_source(rule["from_ip"]))
        if rule["to_ip"] == "any" and key not in keep:
            stale.append({k: rule[k] for k in ("port", "proto", "from_ip", "comment")})
    return stale
