# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exported firewall model and the queries the checker asks of it (private module).

:func:`build_model` evaluates a :class:`~._netfilter_model.Ruleset` (with ``_rule_walk``)
into a plain dict: which TCP ports new connections reach, from where, whether the ftp
conntrack helper is attached, whether RELATED and ESTABLISHED traffic is accepted, whether
egress is filtered.  What is not modelled is made explicit: a rule with a match this
collection does not understand never matches and is listed in ``warnings``; an unknown
source is assumed to lie outside every listed network; an unknown destination is assumed
to be one of the host's own unicast addresses.
"""

from __future__ import annotations

import ipaddress
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    Interval,
    IntervalSet,
    iv_contains,
    iv_normalize,
    iv_subtract,
)
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import FAMILIES, Net, Ruleset, Table
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import (
    Context,
    default_policy,
    evaluate_hook,
    helper_assignments,
)

MAX_CONTEXTS = 48


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


def empty_model(
    backend: str = "none",
    families: t.Sequence[str] = FAMILIES,
    auto_helper: bool = False,
    warnings: t.Sequence[str] = (),
) -> dict[str, t.Any]:
    """The model of a host without any packet filter on ``families``: everything is reachable."""
    ruleset = Ruleset(backend, [Table(family, "none") for family in families], list(warnings))
    ruleset.auto_helper = auto_helper
    return build_model(ruleset)


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
