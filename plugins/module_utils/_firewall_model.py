# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exported firewall model and the queries the checker asks of it (private module).

:func:`build_model` evaluates a :class:`~._netfilter_model.Ruleset` (with ``_rule_walk``)
into a plain dict: which TCP ports new connections surely reach, from where and on which
interface, which ports depend on rules the model cannot evaluate (``uncertain_*``, naming
them), whether the ftp conntrack helper is attached, whether RELATED and ESTABLISHED traffic
is accepted, whether egress is filtered.

Contexts: every family is evaluated for "any source" (an address in no network the rules
list) on an interface no rule names, then for each source network named by a port-specific
accepting rule or given in ``extra_sources`` and for each interface the rules name.
``openings`` holds what "any source" reaches plus, per source network, what it reaches
besides; ``blocked`` what "any source" reaches and a source network does not; ``evaluated``
records the contexts, so :func:`reachability` answers for exactly the one a query falls in; a
query that does not name the interface is judged on every interface context (open on some of
them only is uncertain).
"""

from __future__ import annotations

import ipaddress
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    Interval,
    IntervalSet,
    iv_contains,
    iv_intersect,
    iv_normalize,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.plugins.module_utils._limits import UNPRIVILEGED_PORTS
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import FAMILIES, Net, Ruleset, Table
from ansible_collections.hardened.ftp.plugins.module_utils._rule_walk import (
    Context,
    default_policy,
    evaluate_path,
    helper_assignments,
    rules_for,
)

MAX_CONTEXTS = 48
# Keys of the exported model holding port ranges whose verdict is not known, with their rules.
UNCERTAIN_KEYS = ("uncertain_openings", "uncertain_helper_ports", "uncertain_related_ports")
_DECIDING = ("accept", "drop", "reject", "jump", "goto")


def _interesting(ruleset: Ruleset, family: str) -> tuple[list[Net], list[str]]:
    """Sources of port-specific accepting TCP rules, and interfaces named by rules that decide
    or jump (and by netdev chains): the contexts worth evaluating besides "any source, an
    interface no rule names"."""
    sources = []  # type: t.List[Net]
    seen = set()  # type: t.Set[Net]
    ifaces = []  # type: t.List[str]
    version = 4 if family == "ipv4" else 6

    def add_iface(name: str) -> None:
        if name not in ("lo", "+", "*"):
            name = name.rstrip("+*")
            if name not in ifaces:
                ifaces.append(name)

    for table in ruleset.tables:
        if not table.serves(family):
            continue
        for chain in table.chains.values():
            for name in chain.devices:
                add_iface(name)
            for rule in chain.rules:
                match = rule.match
                if rule.action not in _DECIDING:
                    continue
                if match.protocols is not None and "tcp" not in match.protocols and not match.proto_neg:
                    continue
                accepts_ports = rule.action == "accept" and chain.kind in ("filter", "security")
                if accepts_ports and match.dports is not None and match.saddr is not None and not match.saddr_neg:
                    for network in match.saddr:
                        if network.prefixlen and network.version == version and network not in seen:
                            seen.add(network)
                            sources.append(network)
                if match.iif is not None and not match.iif_neg:
                    for name in match.iif:
                        add_iface(name)
    return sources, ifaces


def _ranges(ranges: IntervalSet) -> list[Interval]:
    return [(max(low, 1), high) for low, high in ranges if high >= 1]


def _entry(family: str, low: int, high: int, sources: list[str], iface: str | None) -> dict[str, t.Any]:
    return {
        "protocol": "tcp",
        "port_min": low,
        "port_max": high,
        "sources": sources,
        "family": family,
        "interface": iface or "",
    }


def _uncertain(
    ranges: IntervalSet, doubts: t.Sequence[tuple[str, IntervalSet]], base: dict[str, t.Any]
) -> list[dict[str, t.Any]]:
    """One entry per range of ``ranges``, naming the rules it depends on."""
    return [
        dict(base, port_min=low, port_max=high, rules=rules_for(doubts, ((low, high),)))
        for low, high in _ranges(ranges)
    ]


class _Builder:
    """The exported model, filled family by family."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.model = {
            "backend": ruleset.backend,
            "families": ruleset.families(),
            "input_policy": {},
            "output_policy": {},
            "openings": [],
            "blocked": [],
            "uncertain_openings": [],
            "helper_ports": [],
            "uncertain_helper_ports": [],
            "auto_helper": bool(ruleset.auto_helper),
            "related_ports": [],
            "uncertain_related_ports": [],
            "established_accepted": {},
            "egress": {},
            "evaluated": {},
            "warnings": [],
        }  # type: t.Dict[str, t.Any]
        self.helper_types = {}  # type: t.Dict[str, str]
        for table in ruleset.tables:
            self.helper_types.update(table.helper_types)

    def add_family(self, family: str, extra_sources: t.Sequence[str], interface: str | None) -> None:
        version = 4 if family == "ipv4" else 6
        model = self.model
        model["input_policy"][family] = default_policy(self.ruleset, "input", family)
        model["output_policy"][family] = default_policy(self.ruleset, "output", family)
        sources, ifaces = _interesting(self.ruleset, family)
        for text in extra_sources:
            network = Net.parse(text)
            if network.version == version and network not in sources:
                sources.append(network)
        if len(sources) > MAX_CONTEXTS:
            self.ruleset.warnings.append(
                f"{family}: more than {MAX_CONTEXTS} source networks, only the first {MAX_CONTEXTS} evaluated"
            )
            sources = sources[:MAX_CONTEXTS]
        iface_choices = [interface] if interface else [None, *ifaces]
        model["evaluated"][family] = {
            "interfaces": [iface or "" for iface in iface_choices],
            "sources": [str(network) for network in sources],
        }
        for iface in iface_choices:
            self.openings(family, iface, sources)
        self.helpers(family)
        self.related(family)
        self.established_and_egress(family)

    def openings(self, family: str, iface: str | None, sources: list[Net]) -> None:
        model = self.model
        generic = evaluate_path(self.ruleset, "input", Context(family=family, iif=iface))
        for low, high in _ranges(generic.open):
            model["openings"].append(_entry(family, low, high, ["any"], iface))
        base = _entry(family, 0, 0, ["any"], iface)
        model["uncertain_openings"] += _uncertain(generic.uncertain, generic.doubts, base)
        for network in sources:
            seen = evaluate_path(
                self.ruleset, "input", Context(family=family, iif=iface, saddr=network.network_address)
            )
            for low, high in _ranges(iv_subtract(seen.open, generic.open)):
                model["openings"].append(_entry(family, low, high, [str(network)], iface))
            for low, high in _ranges(iv_subtract(generic.open, seen.open)):
                model["blocked"].append(_entry(family, low, high, [str(network)], iface))
            base = _entry(family, 0, 0, [str(network)], iface)
            model["uncertain_openings"] += _uncertain(seen.uncertain, seen.doubts, base)

    def helpers(self, family: str) -> None:
        found = helper_assignments(self.ruleset, family, self.helper_types)
        for low, high in _ranges(found.sure):
            self.model["helper_ports"].append({"family": family, "port_min": low, "port_max": high})
        self.model["uncertain_helper_ports"] += _uncertain(found.uncertain, found.doubts, {"family": family})

    def related(self, family: str) -> None:
        model = self.model
        related_any = evaluate_path(self.ruleset, "input", Context(family=family, ct_state="related", helper=None))
        related_ftp = evaluate_path(self.ruleset, "input", Context(family=family, ct_state="related", helper="ftp"))
        for low, high in _ranges(related_any.open):
            model["related_ports"].append({"family": family, "port_min": low, "port_max": high, "helper": "any"})
        for low, high in _ranges(iv_subtract(related_ftp.open, related_any.open)):
            model["related_ports"].append({"family": family, "port_min": low, "port_max": high, "helper": "ftp"})
        for outcome, helper in ((related_any, "any"), (related_ftp, "ftp")):
            base = {"family": family, "helper": helper}
            model["uncertain_related_ports"] += _uncertain(outcome.uncertain, outcome.doubts, base)

    def established_and_egress(self, family: str) -> None:
        ruleset = self.ruleset
        est = evaluate_path(ruleset, "input", Context(family=family, ct_state="established"))
        self.model["established_accepted"][family] = iv_contains(est.open, *UNPRIVILEGED_PORTS)
        clients = (UNPRIVILEGED_PORTS,)
        outcomes = {
            "established_related": Context(family=family, direction="out", ct_state="established", sport=21),
            "port20_new": Context(family=family, direction="out", ct_state="new", sport=20),
            "port20_related": Context(family=family, direction="out", ct_state="related", helper="ftp", sport=20),
        }
        egress = {}  # type: t.Dict[str, t.Any]
        doubts = []  # type: t.List[str]
        for key, ctx in outcomes.items():
            outcome = evaluate_path(ruleset, "output", ctx, clients)
            egress[key] = iv_contains(outcome.open, *UNPRIVILEGED_PORTS)
            for label in outcome.rules_for(outcome.uncertain):
                if label not in doubts:
                    doubts.append(label)
        filtered = self.model["output_policy"][family] == "drop" or not egress["port20_new"]
        self.model["egress"][family] = {"filtered": filtered, **egress, "uncertain_rules": doubts}


def build_model(
    ruleset: Ruleset, extra_sources: t.Sequence[str] = (), interface: str | None = None
) -> dict[str, t.Any]:
    """Compute the exported firewall model (a plain dict, see the ftp_firewall_facts module)."""
    builder = _Builder(ruleset)
    for family in builder.model["families"]:
        builder.add_family(family, extra_sources, interface)
    warnings = builder.model["warnings"]
    for warning in ruleset.warnings:
        if warning not in warnings:
            warnings.append(warning)
    return builder.model


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


def _network(text: str) -> t.Any:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _source_context(evaluated: t.Sequence[str], source: str | None) -> str:
    """The evaluated source network ``source`` falls in (the narrowest), or ``any``."""
    if not source:
        return "any"
    wanted = ipaddress.ip_network(source, strict=False)
    best, best_len = "any", -1
    for text in evaluated:
        network = _network(text)
        if network is None or network.version != wanted.version:
            continue
        if wanted.subnet_of(network) and network.prefixlen > best_len:  # type: ignore[arg-type]
            best, best_len = text, network.prefixlen
    return best


def _interface_context(evaluated: t.Sequence[str], interface: str | None) -> str:
    """The evaluated interface ``interface`` stands for: itself, the longest evaluated prefix
    (from a wildcard like ``eth+``), or ``""`` (an interface no rule names)."""
    if not interface:
        return ""
    if interface in evaluated:
        return interface
    prefixes = [name for name in evaluated if name and interface.startswith(name)]
    return max(prefixes, key=len) if prefixes else ""


def _selected(
    model: t.Mapping[str, t.Any], key: str, family: str | None, source: str | None, interface: str | None
) -> list[t.Mapping[str, t.Any]]:
    """The entries of ``model[key]`` for the context a query falls in."""
    evaluated = (model.get("evaluated") or {}).get(family or "")
    items = [item for item in model.get(key) or [] if not family or item.get("family") == family]
    if evaluated is None:
        return _legacy_selection(items, source, interface)
    iface = _interface_context(evaluated.get("interfaces") or [""], interface)
    where = _source_context(evaluated.get("sources") or [], source)
    found = []
    for item in items:
        sources = item.get("sources") or ["any"]
        if item.get("interface", "") == iface and (where in sources or (key == "openings" and "any" in sources)):
            found.append(item)
    return found


def _legacy_selection(
    items: list[t.Mapping[str, t.Any]], source: str | None, interface: str | None
) -> list[t.Mapping[str, t.Any]]:
    """Entries of a model without ``evaluated`` (written by hand): any-source entries, those
    whose sources contain ``source``, on any interface or ``interface``."""
    wanted = ipaddress.ip_network(source, strict=False) if source else None
    found = []
    for item in items:
        if interface and item.get("interface") not in ("", interface):
            continue
        sources = item.get("sources") or ["any"]
        if "any" not in sources and (wanted is None or not any(_covers(text, wanted) for text in sources)):
            continue
        found.append(item)
    return found


def _covers(text: str, wanted: t.Any) -> bool:
    network = _network(text)
    return network is not None and network.version == wanted.version and wanted.subnet_of(network)


def _as_set(items: t.Iterable[t.Mapping[str, t.Any]]) -> IntervalSet:
    return iv_normalize((int(item["port_min"]), int(item["port_max"])) for item in items)


class Reach:
    """Whether new connections reach the ports, for one query: ``open`` (surely), ``uncertain``
    (depending on the rules in ``doubts``, ``[(rule, ports)]``); every other port is closed."""

    __slots__ = ("doubts", "open", "uncertain")

    def __init__(self, open_set: IntervalSet, uncertain: IntervalSet, doubts: list[tuple[str, IntervalSet]]) -> None:
        self.open = open_set
        self.uncertain = iv_subtract(uncertain, open_set)
        self.doubts = doubts

    def rules(self, ports: IntervalSet | None = None) -> list[str]:
        """The rules that make ``ports`` (all uncertain ones by default) uncertain."""
        return rules_for(self.doubts, self.uncertain if ports is None else ports)


def _reach_in(model: t.Mapping[str, t.Any], family: str | None, source: str | None, interface: str | None) -> Reach:
    """:class:`Reach` in the one context (or, for a hand-written model, the entries) a query falls in."""
    opened = _as_set(_selected(model, "openings", family, source, interface))
    if source and (model.get("evaluated") or {}).get(family or ""):
        opened = iv_subtract(opened, _as_set(_selected(model, "blocked", family, source, interface)))
    items = _selected(model, "uncertain_openings", family, source, interface)
    doubts = [(rule, _as_set([item])) for item in items for rule in item.get("rules") or []]
    return Reach(opened, _as_set(items), doubts)


def reachability(
    model: t.Mapping[str, t.Any],
    family: str | None = None,
    source: str | None = None,
    interface: str | None = None,
) -> Reach:
    """Which ports new connections reach according to an exported model.

    ``source`` ``None`` means any internet source, a CIDR the narrowest evaluated network it
    falls in.  ``interface`` names the one clients use; ``None`` (not known) judges every
    interface context evaluated: a port open on some of them only is uncertain."""
    evaluated = (model.get("evaluated") or {}).get(family or "")
    interfaces = (evaluated or {}).get("interfaces") or [""]
    if interface or evaluated is None or len(interfaces) == 1:
        return _reach_in(model, family, source, interface or interfaces[0] or None)
    reaches = {name: _reach_in(model, family, source, name or None) for name in interfaces}
    always = possible = None  # type: t.Optional[IntervalSet]
    for reach in reaches.values():
        always = reach.open if always is None else iv_intersect(always, reach.open)
        possible = iv_union(possible or EMPTY, iv_union(reach.open, reach.uncertain))
    always, possible = always or EMPTY, possible or EMPTY
    doubts = [doubt for reach in reaches.values() for doubt in reach.doubts]
    varying = iv_subtract(iv_normalize(p for reach in reaches.values() for p in reach.open), always)
    if varying:
        where = ", ".join(
            name or "an interface no rule names" for name, reach in reaches.items() if iv_intersect(reach.open, varying)
        )
        label = f"the verdict depends on the interface clients arrive on: open on {where} only (give interface)"
        doubts.append((label, varying))
    return Reach(always, possible, doubts)


def open_ports(
    model: t.Mapping[str, t.Any],
    family: str | None = None,
    source: str | None = None,
    interface: str | None = None,
) -> IntervalSet:
    """Ports new connections surely reach (see :func:`reachability`)."""
    return reachability(model, family, source, interface).open


def uncertain_ports(
    model: t.Mapping[str, t.Any],
    key: str = "uncertain_openings",
    family: str | None = None,
    source: str | None = None,
    interface: str | None = None,
    helper: str | None = None,
    ports: IntervalSet | None = None,
) -> tuple[IntervalSet, list[str]]:
    """Ports of ``model[key]`` (one of :data:`UNCERTAIN_KEYS`) whose verdict is not known, and
    the rules responsible (for those of them in ``ports`` when given), for the context of the
    query (``source`` and ``interface`` only apply to openings)."""
    if key == "uncertain_openings":
        reach = reachability(model, family, source, interface)
        found = reach.uncertain if ports is None else iv_intersect(reach.uncertain, ports)
        return found, reach.rules(found)
    items = [item for item in model.get(key) or [] if not family or item.get("family") == family]
    if helper:
        items = [item for item in items if item.get("helper") == helper]
    found = _as_set(items)
    rules = []  # type: t.List[str]
    for item in items:
        if ports is not None and not iv_intersect(((int(item["port_min"]), int(item["port_max"])),), ports):
            continue
        for rule in item.get("rules") or []:
            if rule not in rules:
                rules.append(rule)
    return (found if ports is None else iv_intersect(found, ports)), rules


def port_verdict(
    model: t.Mapping[str, t.Any],
    family: str,
    port: int,
    source: str | None = None,
    interface: str | None = None,
) -> str:
    """``open``, ``closed`` or ``uncertain``: whether new connections reach ``port``."""
    single = ((port, port),)
    reach = reachability(model, family, source, interface)
    if iv_intersect(reach.open, single):
        return "open"
    return "uncertain" if iv_intersect(reach.uncertain, single) else "closed"


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
