# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-check an FTP server model against a firewall model (private module).

:func:`check` returns findings ``{"id", "severity", "message", "fix"}``.  Ids are stable
(see :data:`FINDING_IDS`); severities are ``error`` (FTP is broken or unsafe), ``warning``
(works, but fragile or wider than needed) and ``info``.

How FTP data connections get through a stateful firewall, which is what the checks reason
about: passive data connections arrive at the server on a port of the passive range; they
are admitted either because the range is open to NEW connections, or because the ``ftp``
conntrack helper, attached to the control connection, read the PASV/EPSV reply and
registered an expectation, so the data connection is RELATED.  The helper cannot read
encrypted control connections (FTPS), and the kernel no longer attaches it automatically
(``nf_conntrack_helper=0`` since Linux 4.7): a rule must attach it (``-j CT --helper ftp``,
``ct helper set``).  Active data connections leave the server from port 20; with egress
filtering they must be allowed out as NEW, or as RELATED through the helper.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import model_ranges, open_ports
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    IntervalSet,
    iv_intersect,
    iv_size,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model

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
)
# The names of hardened.ftp.ftp_firewall's ftp_firewall_passive_policy (plus auto: either path).
PASSIVE_POLICIES = ("auto", "range", "related")
# Older spelling of "related", still accepted (the ftp_consistency module offers it).
POLICY_ALIASES = {"helper": "related"}
UNBOUNDED_RANGE = (1024, 65535)

DEFAULT_OPTIONS = {
    "passive_policy": "auto",
    "client_sources": [],
    "interface": None,
    "max_passive_ports": 10000,
}  # type: t.Dict[str, t.Any]

# Role variables named in the fixes, per daemon.
ROLE_VARS = {
    "vsftpd": {
        "range": "vsftpd_pasv_min_port / vsftpd_pasv_max_port",
        "port": "vsftpd_listen_port",
        "bounce": "port_promiscuous=NO (the vsftpd role always writes it: re-run the role to undo a manual change)",
        "active": "vsftpd_active_enable: false",
    },
    "pureftpd": {
        "range": "pureftpd_pasv_min_port / pureftpd_pasv_max_port",
        "port": "pureftpd_listen_port",
        "bounce": "AllowUserFXP and AllowAnonymousFXP to no (the pureftpd role always does: re-run the role)",
        "active": "not possible with pure-ftpd, which always accepts PORT/EPRT",
    },
}
FIREWALL_VARS = {
    "policy": "ftp_firewall_passive_policy",
    "sources": "ftp_firewall_allowed_sources",
}


class CheckOptionsError(ValueError):
    """An invalid checker option."""


def _fmt(ranges: IntervalSet) -> str:
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges) or "none"


def _finding(finding_id: str, severity: str, message: str, fix: str) -> dict[str, str]:
    return {"id": finding_id, "severity": severity, "message": message, "fix": fix}


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
            "passive_policy {!r} is not one of {}".format(result["passive_policy"], ", ".join(PASSIVE_POLICIES))
        )
    if isinstance(result["client_sources"], str):
        result["client_sources"] = [result["client_sources"]]
    try:
        result["max_passive_ports"] = int(result["max_passive_ports"])
    except (TypeError, ValueError):
        raise CheckOptionsError("max_passive_ports {!r} is not a number".format(result["max_passive_ports"])) from None
    return result


def _families(server: t.Mapping[str, t.Any], firewall: t.Mapping[str, t.Any]) -> list[str]:
    present = list(firewall.get("families") or [])
    wanted = ["ipv4", "ipv6"] if server["listen_ipv6"] else ["ipv4"]
    address = server["listen_address"]
    if address:
        wanted = ["ipv6"] if ":" in address else ["ipv4"]
    return [family for family in wanted if family in present]


def _helper_ok(server: t.Mapping[str, t.Any], firewall: t.Mapping[str, t.Any], family: str) -> bool:
    port = server["control_port"]
    if firewall.get("auto_helper") and port == 21:
        return True
    return bool(iv_intersect(model_ranges(firewall, "helper_ports", family), ((port, port),)))


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
    names = ROLE_VARS[server["daemon"]]
    findings = []  # type: t.List[t.Dict[str, str]]
    findings.extend(_check_bounce(server, names))
    findings.extend(_check_unbounded(server, opts, names))
    sources = list(opts["client_sources"]) or [None]
    for family in _families(server, firewall_model):
        for source in sources:
            findings.extend(_check_family(server, firewall_model, opts, family, source, names))
    unique = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    return unique


def _check_bounce(server: t.Mapping[str, t.Any], names: t.Mapping[str, str]) -> list[dict[str, str]]:
    if not server["port_promiscuous"] or not server["active_enable"]:
        return []
    return [
        _finding(
            "bounce_allowed",
            "error",
            f"{server['daemon']} accepts PORT/EPRT to a host other than the client (FTP bounce): anyone who can log in "
            "can make the server connect to third hosts and ports",
            "set {}".format(names["bounce"]),
        )
    ]


def _passive_range(server: t.Mapping[str, t.Any]) -> tuple[int, int]:
    if server["pasv_min_port"] is None:
        return UNBOUNDED_RANGE
    return server["pasv_min_port"], server["pasv_max_port"]


def _check_unbounded(
    server: t.Mapping[str, t.Any], opts: t.Mapping[str, t.Any], names: t.Mapping[str, str]
) -> list[dict[str, str]]:
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
            "set {} to a small dedicated range (e.g. 30000-30999) and open exactly that range".format(names["range"]),
        )
    ]


def _check_family(
    server: t.Mapping[str, t.Any],
    firewall: t.Mapping[str, t.Any],
    opts: t.Mapping[str, t.Any],
    family: str,
    source: str | None,
    names: t.Mapping[str, str],
) -> list[dict[str, str]]:
    findings = []
    port = server["control_port"]
    where = f"from {source or 'any source'}"
    label = f"{family} {where}"
    reachable = open_ports(firewall, family, source, opts["interface"])
    if not iv_intersect(reachable, ((port, port),)):
        findings.append(
            _finding(
                "control_port_closed",
                "error",
                f"control port {port}/tcp is not reachable for new connections "
                f"({label}, {firewall.get('backend', '?')} firewall)",
                f"open {port}/tcp in the firewall (ftp_firewall role, {FIREWALL_VARS['sources']}) "
                f"or change {names['port']}",
            )
        )
    helper_ok = _helper_ok(server, firewall, family)
    related = iv_union(
        model_ranges(firewall, "related_ports", family, "any"), model_ranges(firewall, "related_ports", family, "ftp")
    )
    if server["pasv_enable"]:
        findings.extend(_check_passive(server, firewall, opts, family, label, reachable, related, helper_ok, names))
    if server["active_enable"]:
        findings.extend(_check_active(server, firewall, family, label, helper_ok))
    return findings


def _check_passive(
    server: t.Mapping[str, t.Any],
    firewall: t.Mapping[str, t.Any],
    opts: t.Mapping[str, t.Any],
    family: str,
    label: str,
    reachable: IntervalSet,
    related: IntervalSet,
    helper_ok: bool,
    names: t.Mapping[str, str],
) -> list[dict[str, str]]:
    findings = []
    low, high = _passive_range(server)
    wanted = ((low, high),)
    size = high - low + 1
    open_part = iv_intersect(reachable, wanted)
    missing = iv_subtract(wanted, open_part)
    policy = opts["passive_policy"]
    port = server["control_port"]
    # Firewall openings overlapping the range but reaching past it.
    if open_part:
        extra = EMPTY
        for r_low, r_high in reachable:
            if r_high >= low and r_low <= high:
                extra = iv_union(extra, iv_subtract(((r_low, r_high),), wanted))
        extra = iv_subtract(extra, ((port, port),))
        if extra and server["pasv_min_port"] is not None:
            findings.append(
                _finding(
                    "passive_range_wider_than_server",
                    "warning",
                    f"the firewall opens {_fmt(extra)}/tcp ({label}) next to the passive range {low}-{high}, "
                    "but the server never listens there",
                    f"open exactly {low}-{high}/tcp, or widen {names['range']} to match the firewall",
                )
            )
    if not missing:
        return findings
    related_ok = not iv_subtract(wanted, related)
    helper_path = helper_ok and related_ok
    if policy != "related" and not (policy == "auto" and helper_path):
        if open_part:
            findings.append(
                _finding(
                    "passive_range_partially_open",
                    "error",
                    f"only {_fmt(open_part)}/tcp of the passive range {low}-{high} is open ({label}); "
                    "passive transfers "
                    f"on {_fmt(missing)} ({iv_size(missing)} of {size} ports) will hang",
                    f"open {low}-{high}/tcp in the firewall, or set {names['range']} to {_fmt(open_part)}",
                )
            )
        else:
            findings.append(
                _finding(
                    "passive_range_not_open",
                    "error",
                    f"no port of the passive range {low}-{high}/tcp is open for new connections ({label}) and the "
                    f"FTP conntrack helper path is {'working' if helper_path else 'not working'}; passive transfers "
                    "(LIST, RETR, STOR) will hang",
                    f"open {low}-{high}/tcp ({FIREWALL_VARS['policy']}: range), "
                    f"or attach the ftp helper to port {port} "
                    f"and accept RELATED ({FIREWALL_VARS['policy']}: related)",
                )
            )
    if policy == "range":
        return findings
    if policy == "related" or related_ok or helper_ok:
        if not helper_ok:
            findings.append(
                _finding(
                    "helper_not_attached",
                    "error",
                    f"the firewall relies on RELATED for passive data ({low}-{high}) but no rule attaches the ftp "
                    f"conntrack helper to control port {port}/tcp ({family}); since Linux 4.7 it is not attached "
                    "automatically",
                    f"add a raw PREROUTING rule '-p tcp --dport {port} -j CT --helper ftp' (nft: 'tcp dport {port} ct "
                    f"helper set' an object of type ftp), e.g. {FIREWALL_VARS['policy']}: related; or open the range "
                    f"instead ({FIREWALL_VARS['policy']}: range)",
                )
            )
        if not related_ok:
            findings.append(
                _finding(
                    "related_not_accepted",
                    "error",
                    f"INPUT does not accept RELATED connections on {_fmt(iv_subtract(wanted, related))} of the passive "
                    f"range {low}-{high}/tcp ({family}); data connections announced by the helper are dropped",
                    "accept RELATED connections of the ftp helper before any drop: "
                    "'-m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT' "
                    "(nft: 'ct state related ct helper \"ftp\" accept')",
                )
            )
    if server["tls_enable"] and (helper_path or policy == "related"):
        findings.append(
            _finding(
                "tls_helper_blind",
                "error" if server["tls_required"] else "warning",
                f"{server['daemon']} uses TLS on the control connection "
                f"{'for every session' if server['tls_required'] else 'for some sessions'}, "
                "so the ftp conntrack helper "
                f"cannot read the PASV replies and never marks the data connections to {low}-{high}/tcp RELATED "
                f"({family})",
                f"open the passive range {low}-{high}/tcp for new connections ({FIREWALL_VARS['policy']}: range) and "
                f"keep {names['range']} small",
            )
        )
    return findings


def _check_active(
    server: t.Mapping[str, t.Any], firewall: t.Mapping[str, t.Any], family: str, label: str, helper_ok: bool
) -> list[dict[str, str]]:
    egress = (firewall.get("egress") or {}).get(family)
    if not egress or not egress.get("filtered"):
        return []
    if egress.get("port20_new") or (helper_ok and egress.get("port20_related") and not server["tls_required"]):
        return []
    return [
        _finding(
            "active_port20_blocked",
            "warning",
            "active mode is enabled but OUTPUT ({}) drops new connections from port 20/tcp "
            "to clients' ports 1024-65535{}; "
            "active transfers will fail".format(family, "" if helper_ok else " and no ftp helper makes them RELATED"),
            "allow '-p tcp --sport 20 -m conntrack --ctstate NEW,RELATED,ESTABLISHED' out "
            "(or RELATED via the ftp helper), "
            "or disable active mode ({})".format(ROLE_VARS[server["daemon"]]["active"]),
        )
    ]
