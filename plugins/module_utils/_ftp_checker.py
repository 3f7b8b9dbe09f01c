# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-check an FTP server model against a firewall model (private module).

:func:`check` returns findings ``{"id", "severity", "message", "fix"}``.  Ids are stable
(see :data:`FINDING_IDS`); severities are ``error`` (FTP is broken or unsafe), ``warning``
(works, but fragile or wider than needed, or cannot be told) and ``info``.

How FTP data connections get through a stateful firewall, which is what the checks reason
about: passive data connections arrive at the server on a port of the passive range; they
are admitted either because the range is open to NEW connections, or because the ``ftp``
conntrack helper, attached to the control connection, read the PASV/EPSV reply and
registered an expectation, so the data connection is RELATED.  The helper cannot read
encrypted control connections (FTPS), and the kernel no longer attaches it automatically
(``nf_conntrack_helper=0`` since Linux 4.7): a rule must attach it (``-j CT --helper ftp``,
``ct helper set``).  Active data connections leave the server from port 20; with egress
filtering they must be allowed out as NEW, or as RELATED through the helper.

Every check is three-valued: what the firewall model says surely holds, surely does not, or
depends on rules the model cannot evaluate (its ``uncertain_*`` entries).  A check that cannot
be decided reports ``verdict_uncertain`` naming those rules, never an error it cannot prove.

Families: each family the server listens on and the firewall filters is judged against the
intended client sources of that family.  Without ``client_sources`` every family must be
reachable from any source; with them, a family none of them belongs to is meant to be closed
and is not judged.
"""

from __future__ import annotations

import ipaddress
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import (
    model_ranges,
    open_ports,
    uncertain_ports,
)
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    IntervalSet,
    iv_intersect,
    iv_size,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.plugins.module_utils._limits import (
    MAX_PASSIVE_PORTS,
    UNBOUNDED_PASSIVE_RANGE,
    UNPRIVILEGED_PORTS,
)
from ansible_collections.hardened.ftp.plugins.module_utils._names import (
    ROLE_VARIABLES,
    SERVER_KEY_VARIABLES,
    passive_range_variables,
    variable,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import SERVER_KEYS, normalize_server_model

FINDING_IDS = (
    "control_port_closed",
    "passive_range_not_open",
    "passive_range_partially_open",
    "passive_range_wider_than_server",
    "passive_range_unbounded",
    "helper_not_attached",
    "related_not_accepted",
    "tls_helper_blind",
    "active_port20_blocked",
    "bounce_allowed",
    # A check whose outcome depends on rules the firewall model cannot evaluate (warning).
    "verdict_uncertain",
    # The live daemon configuration differs from the model the role published (error).
    "server_drift",
)
# The names of hardened.ftp.ftp_firewall's ftp_firewall_passive_policy (plus auto: either path).
PASSIVE_POLICIES = ("auto", "range", "related")
# Older spelling of "related", still accepted (the ftp_consistency module offered it).
POLICY_ALIASES = {"helper": "related"}
UNBOUNDED_RANGE = UNBOUNDED_PASSIVE_RANGE

DEFAULT_OPTIONS = {
    "passive_policy": "auto",
    "client_sources": [],
    "interface": None,
    "max_passive_ports": MAX_PASSIVE_PORTS,
}  # type: t.Dict[str, t.Any]

# Three-valued outcomes of a check.
YES, NO, MAYBE = "yes", "no", "maybe"

# How to undo what a daemon role never configures otherwise.
BOUNCE_FIX = {
    "vsftpd": "port_promiscuous=NO (the vsftpd role always writes it: re-run the role to undo a manual change)",
    "pureftpd": "AllowUserFXP and AllowAnonymousFXP to no (the pureftpd role always does: re-run the role)",
    "proftpd": "AllowForeignAddress off (the proftpd role always writes it: re-run the role to undo a manual change)",
}
ACTIVE_FIX = {
    "vsftpd": "{}: false".format(variable("vsftpd", "active_enable")),
    "pureftpd": "not possible with pure-ftpd, which always accepts PORT/EPRT",
    "proftpd": "{}: false".format(variable("proftpd", "active_enable")),
}
POLICY = variable("ftp_firewall", "passive_policy")
SOURCES = variable("ftp_firewall", "allowed_sources")


class CheckOptionsError(ValueError):
    """An invalid checker option."""


def _fmt(ranges: IntervalSet) -> str:
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges) or "none"


def _finding(finding_id: str, severity: str, message: str, fix: str) -> dict[str, str]:
    return {"id": finding_id, "severity": severity, "message": message, "fix": fix}


def _all(*values: str) -> str:
    if NO in values:
        return NO
    return YES if all(value == YES for value in values) else MAYBE


def _any(*values: str) -> str:
    if YES in values:
        return YES
    return NO if all(value == NO for value in values) else MAYBE


def _covered(wanted: IntervalSet, sure: IntervalSet, possible: IntervalSet) -> str:
    """YES when ``sure`` covers ``wanted``, NO when some port of it is in neither set."""
    if not iv_subtract(wanted, sure):
        return YES
    return MAYBE if not iv_subtract(wanted, iv_union(sure, possible)) else NO


def normalize_options(options: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    result = dict(DEFAULT_OPTIONS)
    for key, value in (options or {}).items():
        if key not in DEFAULT_OPTIONS:
            raise CheckOptionsError(
                "unknown checker option {!r}; known: {}".format(key, ", ".join(sorted(DEFAULT_OPTIONS)))
            )
        if value is not None:
            result[key] = value
    result["passive_policy"] = POLICY_ALIASES.get(result["passive_policy"], result["passive_policy"])
    if result["passive_policy"] not in PASSIVE_POLICIES:
        raise CheckOptionsError(
            "passive_policy {!r} is not one of {} (helper is an older name for related)".format(
                result["passive_policy"], ", ".join(PASSIVE_POLICIES)
            )
        )
    if isinstance(result["client_sources"], str):
        result["client_sources"] = [result["client_sources"]]
    for source in result["client_sources"]:
        try:
            ipaddress.ip_network(str(source), strict=False)
        except ValueError:
            raise CheckOptionsError(
                f"client_sources: {source!r} is not a network; give CIDR networks such as 192.0.2.0/24"
            ) from None
    try:
        result["max_passive_ports"] = int(result["max_passive_ports"])
    except (TypeError, ValueError):
        raise CheckOptionsError("max_passive_ports {!r} is not a number".format(result["max_passive_ports"])) from None
    return result


def _families(server: t.Mapping[str, t.Any], firewall: t.Mapping[str, t.Any]) -> list[str]:
    """The families the server listens on and the firewall filters."""
    present = list(firewall.get("families") or [])
    wanted = ["ipv4", "ipv6"] if server["listen_ipv6"] else ["ipv4"]
    address = server["listen_address"]
    if address and address != "::":
        wanted = ["ipv6"] if ":" in address else ["ipv4"]
    return [family for family in wanted if family in present]


def intended_sources(client_sources: t.Sequence[str], family: str) -> list[str | None] | None:
    """The sources ``family`` must be reachable from: ``[None]`` (any) without client sources,
    the networks of that family, or ``None`` when none is: the family is meant to be closed."""
    if not client_sources:
        return [None]
    version = 4 if family == "ipv4" else 6
    found = [
        str(source) for source in client_sources if ipaddress.ip_network(str(source), strict=False).version == version
    ]
    return list(found) or None


def _helper(server: t.Mapping[str, t.Any], firewall: t.Mapping[str, t.Any], family: str) -> tuple[str, list[str]]:
    """Whether the ftp helper is attached to the control port, and the rules that leave it open."""
    port = server["control_port"]
    if firewall.get("auto_helper") and port == 21:
        return YES, []
    if iv_intersect(model_ranges(firewall, "helper_ports", family), ((port, port),)):
        return YES, []
    maybe, rules = uncertain_ports(firewall, "uncertain_helper_ports", family, ports=((port, port),))
    return (MAYBE, rules) if maybe else (NO, [])


def check(
    server_model: t.Mapping[str, t.Any],
    firewall_model: t.Mapping[str, t.Any],
    options: t.Mapping[str, t.Any] | None = None,
) -> list[dict[str, str]]:
    """Findings for ``server_model`` behind ``firewall_model`` (see the module docstring)."""
    server = normalize_server_model(server_model)
    opts = normalize_options(options)
    if not isinstance(firewall_model, t.Mapping):
        raise CheckOptionsError("the firewall model must be a dict as returned by hardened.ftp.ftp_firewall_facts")
    findings = []  # type: t.List[t.Dict[str, str]]
    findings.extend(_check_bounce(server))
    findings.extend(_check_unbounded(server, opts))
    for family in _families(server, firewall_model):
        sources = intended_sources(opts["client_sources"], family)
        for source in sources or []:
            findings.extend(_Family(server, firewall_model, opts, family, source).findings())
    unique = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    return unique


def _check_bounce(server: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    if not server["port_promiscuous"] or not server["active_enable"]:
        return []
    return [
        _finding(
            "bounce_allowed",
            "error",
            f"{server['daemon']} accepts PORT/EPRT to a host other than the client (FTP bounce): anyone who can log in "
            "can make the server connect to third hosts and ports",
            "set {}".format(BOUNCE_FIX[server["daemon"]]),
        )
    ]


def _passive_range(server: t.Mapping[str, t.Any]) -> tuple[int, int]:
    if server["pasv_min_port"] is None:
        return UNBOUNDED_RANGE
    return server["pasv_min_port"], server["pasv_max_port"]


def _check_unbounded(server: t.Mapping[str, t.Any], opts: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    if not server["pasv_enable"]:
        return []
    low, high = _passive_range(server)
    size = high - low + 1
    if server["pasv_min_port"] is not None and size <= opts["max_passive_ports"]:
        return []
    if server["pasv_min_port"] is None:
        what = "no passive port range is configured: {} lets the kernel pick any unprivileged port".format(
            server["daemon"]
        )
    else:
        what = f"the passive port range {low}-{high} spans {size} ports (more than {opts['max_passive_ports']})"
    return [
        _finding(
            "passive_range_unbounded",
            "warning",
            f"{what}, so the firewall must either open all of them or rely on the conntrack helper",
            "set {} to a small dedicated range (at most {} ports, e.g. 30000-30999) and open exactly that range".format(
                passive_range_variables(server["daemon"]), opts["max_passive_ports"]
            ),
        )
    ]


def uncertain_finding(what: str, label: str, rules: t.Sequence[str]) -> dict[str, str]:
    """``verdict_uncertain``: ``what`` cannot be told because of ``rules``."""
    return _finding(
        "verdict_uncertain",
        "warning",
        "whether {} ({}) cannot be told: it depends on firewall rules hardened.ftp cannot evaluate: {}".format(
            what, label, "; ".join(rules) or "(not named)"
        ),
        "check these rules by hand (what the model does not evaluate is in brackets); a rule that decides on "
        "addresses, ports, interfaces and connection state only can be judged",
    )


class _Family:
    """The checks of one family and one intended source."""

    def __init__(
        self,
        server: t.Mapping[str, t.Any],
        firewall: t.Mapping[str, t.Any],
        opts: t.Mapping[str, t.Any],
        family: str,
        source: str | None,
    ) -> None:
        self.server = server
        self.firewall = firewall
        self.opts = opts
        self.family = family
        self.source = source
        self.label = f"{family} from {source or 'any source'}"
        self.reachable = open_ports(firewall, family, source, opts["interface"])
        self.maybe, _rules = uncertain_ports(firewall, "uncertain_openings", family, source, opts["interface"])
        self.helper, self.helper_rules = _helper(server, firewall, family)
        self.out = []  # type: t.List[t.Dict[str, str]]

    def rules(self, ports: IntervalSet) -> list[str]:
        return uncertain_ports(
            self.firewall, "uncertain_openings", self.family, self.source, self.opts["interface"], ports=ports
        )[1]

    def findings(self) -> list[dict[str, str]]:
        self.control()
        if self.server["pasv_enable"]:
            self.passive()
        if self.server["active_enable"]:
            self.active()
        return self.out

    def control(self) -> None:
        port = self.server["control_port"]
        single = ((port, port),)
        if iv_intersect(self.reachable, single):
            return
        if iv_intersect(self.maybe, single):
            what = f"control port {port}/tcp is reachable for new connections"
            self.out.append(uncertain_finding(what, self.label, self.rules(single)))
            return
        self.out.append(
            _finding(
                "control_port_closed",
                "error",
                f"control port {port}/tcp is not reachable for new connections "
                f"({self.label}, {self.firewall.get('backend', '?')} firewall)",
                f"open {port}/tcp in the firewall (ftp_firewall role, {SOURCES}) or change {{}}".format(
                    variable(self.server["daemon"], "listen_port")
                ),
            )
        )

    def related(self, wanted: IntervalSet) -> tuple[str, IntervalSet, list[str]]:
        """Whether RELATED connections to ``wanted`` are accepted, which ports are not surely."""
        firewall, family = self.firewall, self.family
        sure = iv_union(
            model_ranges(firewall, "related_ports", family, "any"),
            model_ranges(firewall, "related_ports", family, "ftp"),
        )
        possible, rules = uncertain_ports(firewall, "uncertain_related_ports", family, ports=wanted)
        return _covered(wanted, sure, possible), iv_subtract(wanted, sure), rules

    def passive(self) -> None:
        server, policy = self.server, self.opts["passive_policy"]
        low, high = _passive_range(server)
        wanted = ((low, high),)
        open_part = iv_intersect(self.reachable, wanted)
        unsure = iv_subtract(iv_intersect(self.maybe, wanted), open_part)
        closed = iv_subtract(wanted, iv_union(open_part, unsure))
        self.wider(wanted, open_part)
        range_ok = _covered(wanted, open_part, unsure)
        related_ok, not_related, related_rules = self.related(wanted)
        helper_path = _all(self.helper, related_ok)
        if range_ok == YES:
            return
        if policy == "range":
            passive_ok = range_ok
        elif policy == "related":
            passive_ok = helper_path
        else:
            passive_ok = _any(range_ok, helper_path)
        # TLS hides PASV from the helper: a certain finding wherever passive data relies on it.
        tls_blind = server["tls_enable"] and (
            policy == "related" or (policy == "auto" and range_ok == NO and helper_path != NO)
        )
        if passive_ok == MAYBE and not tls_blind:
            rules = self.rules(unsure) + self.helper_rules + related_rules
            what = f"passive data connections to {low}-{high}/tcp get through"
            self.out.append(uncertain_finding(what, self.label, list(dict.fromkeys(rules))))
        if passive_ok == NO and policy != "related":
            self.range_closed(wanted, open_part, unsure, closed)
        if passive_ok == NO and policy != "range" and (policy == "related" or YES in (self.helper, related_ok)):
            self.helper_path(wanted, related_ok, not_related)
        if tls_blind:
            self.tls_blind(low, high)

    def wider(self, wanted: IntervalSet, open_part: IntervalSet) -> None:
        """Firewall openings overlapping the range but reaching past it."""
        low, high = wanted[0]
        port = self.server["control_port"]
        if not open_part or self.server["pasv_min_port"] is None:
            return
        extra = EMPTY
        for r_low, r_high in self.reachable:
            if r_high >= low and r_low <= high:
                extra = iv_union(extra, iv_subtract(((r_low, r_high),), wanted))
        extra = iv_subtract(extra, ((port, port),))
        if extra:
            self.out.append(
                _finding(
                    "passive_range_wider_than_server",
                    "warning",
                    f"the firewall opens {_fmt(extra)}/tcp ({self.label}) next to the passive range {low}-{high}, "
                    "but the server never listens there",
                    "open exactly {}-{}/tcp, or widen {} to match the firewall".format(
                        low, high, passive_range_variables(self.server["daemon"])
                    ),
                )
            )

    def range_closed(
        self, wanted: IntervalSet, open_part: IntervalSet, unsure: IntervalSet, closed: IntervalSet
    ) -> None:
        low, high = wanted[0]
        size = high - low + 1
        names = passive_range_variables(self.server["daemon"])
        port = self.server["control_port"]
        if open_part or unsure:
            unknown = (
                f"; whether {_fmt(unsure)} is open depends on rules hardened.ftp cannot evaluate" if unsure else ""
            )
            self.out.append(
                _finding(
                    "passive_range_partially_open",
                    "error",
                    f"only {_fmt(open_part)}/tcp of the passive range {low}-{high} is open ({self.label}); "
                    f"passive transfers on {_fmt(closed)} ({iv_size(closed)} of {size} ports) will hang{unknown}",
                    f"open {low}-{high}/tcp in the firewall, or set {names} to {_fmt(open_part)}",
                )
            )
            return
        self.out.append(
            _finding(
                "passive_range_not_open",
                "error",
                f"no port of the passive range {low}-{high}/tcp is open for new connections ({self.label}) and the "
                "FTP conntrack helper path is not working; passive transfers (LIST, RETR, STOR) will hang",
                f"open {low}-{high}/tcp ({POLICY}: range), or attach the ftp helper to port {port} "
                f"and accept RELATED ({POLICY}: related)",
            )
        )

    def helper_path(self, wanted: IntervalSet, related_ok: str, not_related: IntervalSet) -> None:
        low, high = wanted[0]
        port, family = self.server["control_port"], self.family
        if self.helper == NO:
            self.out.append(
                _finding(
                    "helper_not_attached",
                    "error",
                    f"the firewall relies on RELATED for passive data ({low}-{high}) but no rule attaches the ftp "
                    f"conntrack helper to control port {port}/tcp ({family}); since Linux 4.7 it is not attached "
                    "automatically",
                    f"add a raw PREROUTING rule '-p tcp --dport {port} -j CT --helper ftp' (nft: 'tcp dport {port} ct "
                    f"helper set' an object of type ftp), e.g. {POLICY}: related; or open the range instead "
                    f"({POLICY}: range)",
                )
            )
        if related_ok == NO:
            self.out.append(
                _finding(
                    "related_not_accepted",
                    "error",
                    f"INPUT does not accept RELATED connections on {_fmt(not_related)} of the passive "
                    f"range {low}-{high}/tcp ({family}); data connections announced by the helper are dropped",
                    "accept RELATED connections of the ftp helper before any drop: "
                    "'-m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT' "
                    "(nft: 'ct state related ct helper \"ftp\" accept')",
                )
            )

    def tls_blind(self, low: int, high: int) -> None:
        server = self.server
        self.out.append(
            _finding(
                "tls_helper_blind",
                "error" if server["tls_required"] else "warning",
                f"{server['daemon']} uses TLS on the control connection "
                f"{'for every session' if server['tls_required'] else 'for some sessions'}, "
                "so the ftp conntrack helper "
                f"cannot read the PASV replies and never marks the data connections to {low}-{high}/tcp RELATED "
                f"({self.family})",
                "open the passive range {}-{}/tcp for new connections ({}: range) and keep {} small".format(
                    low, high, POLICY, passive_range_variables(server["daemon"])
                ),
            )
        )

    def active(self) -> None:
        server, family = self.server, self.family
        egress = (self.firewall.get("egress") or {}).get(family)
        if not egress or not egress.get("filtered"):
            return
        helper_ok = self.helper == YES
        if egress.get("port20_new") or (helper_ok and egress.get("port20_related") and not server["tls_required"]):
            return
        doubts = list(egress.get("uncertain_rules") or []) + (self.helper_rules if self.helper == MAYBE else [])
        if doubts:
            what = "active data connections from port 20/tcp get out"
            self.out.append(uncertain_finding(what, f"{family} OUTPUT", doubts))
            return
        self.out.append(
            _finding(
                "active_port20_blocked",
                "warning",
                "active mode is enabled but OUTPUT ({}) drops new connections from port 20/tcp "
                "to clients' ports {}-{}{}; active transfers will fail".format(
                    family, *UNPRIVILEGED_PORTS, "" if helper_ok else " and no ftp helper makes them RELATED"
                ),
                "allow '-p tcp --sport 20 -m conntrack --ctstate NEW,RELATED,ESTABLISHED' out "
                "(or RELATED via the ftp helper), "
                "or disable active mode ({})".format(ACTIVE_FIX[server["daemon"]]),
            )
        )


# --------------------------------------------------------------------------- drift from the published model


def drift(live_model: t.Mapping[str, t.Any], expected_model: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    """``server_drift`` findings: every key where the live server model differs from the one a
    role published (``expected_model``, the ``hardened_ftp_server`` fact)."""
    live = normalize_server_model(live_model)
    expected = normalize_server_model(expected_model)
    daemon = expected["daemon"]
    findings = []
    for key in SERVER_KEYS:
        if live[key] == expected[key]:
            continue
        concept = SERVER_KEY_VARIABLES.get(key)
        if key == "daemon":
            fix = "run the role of the daemon that should serve FTP (hardened.ftp.site with {}), or stop {}".format(
                variable("site", "daemon"), live["daemon"]
            )
        elif concept and concept in ROLE_VARIABLES.get(daemon, {}):
            wanted = variable(daemon, concept)
            fix = f"re-run hardened.ftp.{daemon} to restore it, or set {wanted} if the change is wanted"
        else:
            fix = f"re-run hardened.ftp.{daemon}: it always writes this setting the hardened way"
        findings.append(
            _finding(
                "server_drift",
                "error",
                f"{live['daemon']} runs with {key}={_show(live[key])} but the role published "
                f"{key}={_show(expected[key])}: the configuration changed after the role wrote it",
                fix,
            )
        )
    return findings


def _show(value: t.Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
