# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Aggregate the results of a fleet and render them: the audit and the probe (private module).

:func:`build_report` turns ``{host: result}`` into one report dict (the JSON report);
:func:`render_junit` and :func:`render_html` render that dict. One renderer serves two kinds of
result (:data:`KINDS`): ``audit`` (``hardened.ftp.ftp_audit``: the baseline's controls, read on the
host) and ``probe`` (``hardened.ftp.ftp_probe``: checks made on the wire, from where the clients
stand). A kind names where its items are, its statuses and its words. All pure: no clock, no
files, so the controller-side filter and the tests get the same text.
"""

from __future__ import annotations

import json
import typing as t
import xml.etree.ElementTree as ET
from html import escape

from ansible_collections.hardened.ftp.plugins.module_utils._audit_controls import CONTROLS
from ansible_collections.hardened.ftp.plugins.module_utils._probe_checks import CHECKS as PROBE_CHECKS

REPORT_VERSION = 1
STATUS_ORDER = {"fail": 0, "waived": 1, "pass": 2, "not-applicable": 3}
HOST_ORDER = {"error": 0, "fail": 1, "pass": 2}


class Kind(t.NamedTuple):
    """What differs between the reports the renderer writes."""

    name: str
    title: str  # the default title
    module: str  # the module whose registered results the report takes
    items: str  # where a result (and a host of the report) keeps its items: controls, checks
    catalogue: str  # the report's key for the list of every item: baseline, checks
    entries: tuple[dict[str, t.Any], ...]  # id, title, mapping of every item
    order: dict[str, int]  # statuses, in the order a host's items are shown
    failing: tuple[str, ...]  # the statuses that make a host fail
    columns: tuple[tuple[str, str], ...]  # (status, column header) of the hosts table
    legend: tuple[tuple[str, str], ...]
    detail: tuple[str, str]  # (column header, key of the host entry) shown beside the host
    item_word: str  # control, check
    meta: str  # the page's paragraph under the title, with {generated}
    verdict_pass: str  # with {hosts}
    verdict_fail: str  # with {failing}, {hosts}, {errors}, {failed}
    unreachable: str  # the message of a host without a result
    junit_prefix: str


_PROBE_ORDER = {"fail": 0, "error": 1, "pass": 2, "not-applicable": 3}

KINDS: dict[str, Kind] = {
    "audit": Kind(
        name="audit",
        title="hardened.ftp baseline audit",
        module="hardened.ftp.ftp_audit",
        items="controls",
        catalogue="baseline",
        entries=tuple({"id": c["id"], "title": c["title"], "mapping": list(c["mapping"])} for c in CONTROLS),
        order=STATUS_ORDER,
        failing=("fail",),
        columns=(("fail", "Failed"), ("waived", "Waived"), ("pass", "Passed"), ("not-applicable", "N/A")),
        legend=(
            ("fail", "the host does not meet the control"),
            ("waived", "fails, accepted with the recorded reason"),
            ("pass", "meets it"),
            ("not-applicable", "does not apply to this host"),
        ),
        detail=("Daemon", "daemon"),
        item_word="control",
        meta="Generated {generated}. Baseline: {count} controls (HFTP-001 to HFTP-{last}), described in "
        "docs/baseline.md of the hardened.ftp collection. Remediation: run the playbook hardened.ftp.site.",
        verdict_pass="All {hosts} host(s) meet the baseline.",
        verdict_fail="{failing} of {hosts} host(s) fail the baseline{errors}: {failed} failed control(s) in total.",
        unreachable="no audit result (host unreachable, or the audit task failed)",
        junit_prefix="hardened.ftp.audit",
    ),
    "probe": Kind(
        name="probe",
        title="hardened.ftp probe: the servers as their clients see them",
        module="hardened.ftp.ftp_probe",
        items="checks",
        catalogue="checks",
        entries=tuple({"id": check_id, "title": title, "mapping": []} for check_id, title in PROBE_CHECKS),
        order=_PROBE_ORDER,
        failing=("fail", "error"),
        columns=(("fail", "Failed"), ("error", "Not checked"), ("pass", "Passed"), ("not-applicable", "N/A")),
        legend=(
            ("fail", "the wire does not match the inventory"),
            ("error", "could not be checked"),
            ("pass", "matches it"),
            ("not-applicable", "does not apply to this server, or was not asked for"),
        ),
        detail=("Probed", "address"),
        item_word="check",
        meta="Generated {generated}. {count} checks made with real FTP sessions from the probe host against "
        "the address clients use, compared with the inventory; described in docs/playbooks.md of the hardened.ftp "
        "collection. Each finding names the variable that fixes it.",
        verdict_pass="All {hosts} server(s) behave on the wire as the inventory says.",
        verdict_fail="{failing} of {hosts} server(s) do not behave as the inventory says{errors}: "
        "{failed} failed or unchecked check(s) in total.",
        unreachable="no probe result (its inputs were refused, or the probe host was unreachable)",
        junit_prefix="hardened.ftp.probe",
    ),
}


class ReportInputError(ValueError):
    """Input that is not a ``{host: result}`` mapping."""


def _kind(kind: str | Kind) -> Kind:
    if isinstance(kind, Kind):
        return kind
    if kind not in KINDS:
        raise ReportInputError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return KINDS[kind]


def _detail(kind: Kind, result: t.Mapping[str, t.Any]) -> t.Any:
    if kind.name == "probe":
        address, port = result.get("address"), result.get("port")
        if not address:
            return None
        target = result.get("target")
        shown = f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"
        return f"{shown} at {target}" if target and target != address else shown
    return result.get(kind.detail[1])


def _host_entry(host: str, result: t.Any, kind: Kind) -> dict[str, t.Any]:
    key = kind.detail[1]
    if not isinstance(result, t.Mapping):
        raise ReportInputError(f"the result of host {host} must be a dict registered from {kind.module}")
    items = result.get(kind.items)
    if result.get("unreachable") or not isinstance(items, list) or not items:
        message = str(result.get("msg") or kind.unreachable)
        return {"host": host, "status": "error", "error": message, key: None, "summary": {}, kind.items: []}
    ordered = sorted(items, key=lambda item: (kind.order.get(item.get("status"), 9), item.get("id", "")))
    summary = dict.fromkeys(kind.order, 0)
    for item in ordered:
        summary[item["status"]] = summary.get(item["status"], 0) + 1
    entry = {
        "host": host,
        "status": "fail" if any(summary.get(status) for status in kind.failing) else "pass",
        "error": "",
        key: _detail(kind, result),
        "summary": summary,
        kind.items: [dict(item) for item in ordered],
    }
    if kind.name == "probe":
        entry["probe"] = {
            name: result.get(name)
            for name in ("target", "resolved", "passive", "tls", "canary", "connections", "elapsed")
            if name in result
        }
    return entry


def build_report(
    results: t.Mapping[str, t.Any], generated: str = "", title: str = "", kind: str | Kind = "audit"
) -> dict[str, t.Any]:
    """The fleet report: hosts in error or failing first, each host's failures first."""
    kind = _kind(kind)
    if not isinstance(results, t.Mapping):
        raise ReportInputError(f"{kind.name} results must be a dict {{host: registered {kind.module} result}}")
    hosts = [_host_entry(str(host), result, kind) for host, result in results.items()]
    hosts.sort(key=lambda item: (HOST_ORDER[item["status"]], item["host"]))
    totals = dict.fromkeys(kind.order, 0)
    for host in hosts:
        for status, count in host["summary"].items():
            totals[status] = totals.get(status, 0) + count
    return {
        "version": REPORT_VERSION,
        "kind": kind.name,
        "title": title or kind.title,
        "generated": generated,
        "summary": {
            "hosts": len(hosts),
            "hosts_failing": sum(1 for host in hosts if host["status"] == "fail"),
            "hosts_in_error": sum(1 for host in hosts if host["status"] == "error"),
            kind.items: totals,
            "passed": all(host["status"] == "pass" for host in hosts),
        },
        kind.catalogue: [dict(entry, mapping=list(entry["mapping"])) for entry in kind.entries],
        "hosts": hosts,
    }


def report_kind(report: t.Mapping[str, t.Any]) -> Kind:
    return KINDS.get(str(report.get("kind") or "audit"), KINDS["audit"])


def render_lines(report: t.Mapping[str, t.Any]) -> list[str]:
    """One line per host, for the console: its status, what it is, and what failed."""
    kind = report_kind(report)
    lines = []
    for host in report.get("hosts", []):
        what = host.get(kind.detail[1])
        where = f" ({kind.detail[0].lower()} {what})" if what else ""
        if host["status"] == "error":
            lines.append(f"{host['host']}: ERROR {host['error']}")
            continue
        summary = host.get("summary") or {}
        failing = [
            f"{item['id']}{' (not checked)' if item.get('status') == 'error' else ''}"
            for item in host.get(kind.items, [])
            if item.get("status") in kind.failing
        ]
        counts = ", ".join(
            f"{summary[status]} {header.lower()}" for status, header in kind.columns if summary.get(status)
        )
        head = "FAIL " + ", ".join(failing) + "; " if failing else "PASS "
        lines.append(f"{host['host']}: {head}{counts}{where}")
    return lines


def render_json(report: t.Mapping[str, t.Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False) + "\n"


# --------------------------------------------------------------------------- JUnit


def _evidence_text(control: t.Mapping[str, t.Any]) -> str:
    lines = [str(line) for line in control.get("evidence") or []]
    if control.get("waiver"):
        lines.append("waiver: {}".format(control["waiver"]))
    if control.get("remediation"):
        lines.append("remediation: {}".format(control["remediation"]))
    return "\n".join(lines)


def render_junit(report: t.Mapping[str, t.Any]) -> str:
    """JUnit XML: one test suite per host, one test case per host x control (or check)."""
    kind = report_kind(report)
    suites = ET.Element("testsuites", name=str(report.get("title", "")))
    all_tests = all_failures = all_errors = all_skipped = 0
    for host in report.get("hosts", []):
        suite = ET.SubElement(suites, "testsuite", name=host["host"])
        tests = failures = errors = skipped = 0
        classname = f"{kind.junit_prefix}.{host['host']}"
        if host["status"] == "error":
            case = ET.SubElement(suite, "testcase", classname=classname, name=kind.name)
            ET.SubElement(case, "error", message=host["error"], type=f"{kind.name}-error").text = host["error"]
            tests, errors = 1, 1
        for control in host.get(kind.items, []):
            tests += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=classname,
                name="{} {}".format(control["id"], control.get("title", "")),
            )
            status = control.get("status")
            if status == "fail":
                failures += 1
                first = (control.get("evidence") or ["failed"])[0]
                ET.SubElement(case, "failure", message=str(first), type=control["id"]).text = _evidence_text(control)
            elif status == "error":
                errors += 1
                first = (control.get("evidence") or ["not checked"])[0]
                ET.SubElement(case, "error", message=str(first), type=control["id"]).text = _evidence_text(control)
            elif status == "waived":
                skipped += 1
                ET.SubElement(case, "skipped", message="waived: {}".format(control.get("waiver")))
            elif status == "not-applicable":
                skipped += 1
                first = (control.get("evidence") or ["not applicable"])[0]
                ET.SubElement(case, "skipped", message=f"not applicable: {first}")
            else:
                ET.SubElement(case, "system-out").text = _evidence_text(control)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skipped))
        all_tests += tests
        all_failures += failures
        all_errors += errors
        all_skipped += skipped
    suites.set("tests", str(all_tests))
    suites.set("failures", str(all_failures))
    suites.set("errors", str(all_errors))
    suites.set("skipped", str(all_skipped))
    if hasattr(ET, "indent"):  # Python 3.9+
        ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- HTML

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:76rem;color:#1b1f24;
line-height:1.4;padding:0 1rem}
h1{margin:0 0 .25rem}h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem}
.meta{color:#57606a;margin:0 0 1rem}
.verdict{padding:.75rem 1rem;border-radius:6px;font-size:1.15rem;font-weight:600;margin:1rem 0}
.verdict.fail{background:#ffebe9;border:1px solid #cf222e;color:#82071e}
.verdict.pass{background:#dafbe1;border:1px solid #1a7f37;color:#116329}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.id,td.host{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:1rem;padding:.05rem .6rem;font-size:.85rem;font-weight:600;
white-space:nowrap}
.fail{background:#cf222e;color:#fff}.pass{background:#1a7f37;color:#fff}
.waived{background:#9a6700;color:#fff}.not-applicable{background:#6e7781;color:#fff}.error{background:#8250df;color:#fff}
tr.row-fail td{background:#fff5f5}
ul{margin:.2rem 0;padding-left:1.2rem}li{margin:.1rem 0}
.fix{margin-top:.35rem;color:#0a3069}.waiver{margin-top:.35rem;color:#7d4e00;font-weight:600}
.map{color:#57606a;font-size:.85rem}
.legend span{margin-right:.75rem}
code{font-size:.9em}
"""

LABELS = {"fail": "FAIL", "pass": "pass", "waived": "waived", "not-applicable": "n/a", "error": "ERROR"}


def _badge(status: str) -> str:
    return f'<span class="badge {escape(status)}">{escape(LABELS.get(status, status))}</span>'


def _host_row(host: t.Mapping[str, t.Any], kind: Kind) -> str:
    summary = host.get("summary") or {}
    failed = [item["id"] for item in host.get(kind.items, []) if item.get("status") in kind.failing]
    detail = escape(host["error"]) if host["status"] == "error" else escape(", ".join(failed) or "none")
    counts = "".join(f'<td class="num">{summary.get(status, 0)}</td>' for status, _header in kind.columns)
    return (
        '<tr{cls}><td>{badge}</td><td class="host"><a href="#host-{anchor}">{host}</a></td><td>{daemon}</td>'
        "{counts}<td>{detail}</td></tr>"
    ).format(
        cls=' class="row-fail"' if host["status"] != "pass" else "",
        badge=_badge(host["status"]),
        anchor=escape(host["host"]),
        host=escape(host["host"]),
        daemon=escape(str(host.get(kind.detail[1]) or "-")),
        counts=counts,
        detail=detail,
    )


def _control_row(control: t.Mapping[str, t.Any]) -> str:
    evidence = "".join(f"<li>{escape(str(line))}</li>" for line in control.get("evidence") or [])
    extra = ""
    if control.get("waiver"):
        extra += '<div class="waiver">Waived: {}</div>'.format(escape(str(control["waiver"])))
    if control.get("remediation"):
        extra += '<div class="fix">Fix: {}</div>'.format(escape(str(control["remediation"])))
    mapping = control.get("mapping") or []
    mapped = '<div class="map">Maps to: {}</div>'.format(escape("; ".join(mapping))) if mapping else ""
    return (
        '<tr{cls}><td>{badge}</td><td class="id"><strong>{cid}</strong></td><td>{title}{mapped}</td>'
        "<td><ul>{evidence}</ul>{extra}</td></tr>"
    ).format(
        cls=' class="row-fail"' if control.get("status") in ("fail", "error") else "",
        badge=_badge(str(control.get("status"))),
        cid=escape(str(control["id"])),
        title=escape(str(control.get("title", ""))),
        mapped=mapped,
        evidence=evidence,
        extra=extra,
    )


def _host_section(host: t.Mapping[str, t.Any], kind: Kind) -> str:
    head = '<h2 id="host-{anchor}">{badge} {host}</h2>'.format(
        anchor=escape(host["host"]), badge=_badge(host["status"]), host=escape(host["host"])
    )
    if host["status"] == "error":
        return head + "<p>The {} could not run on this host: {}</p>".format(kind.name, escape(host["error"]))
    rows = "".join(_control_row(control) for control in host.get(kind.items, []))
    if kind.name == "audit":
        meta = "Daemon: {}. Failures first, then waived, passed and not applicable controls.".format(
            escape(str(host.get("daemon") or "-"))
        )
        columns = "<th>Control</th><th>Requirement</th><th>Found on the host (problems first)</th>"
    else:
        meta = "Probed: {}. Failures first, then checks that could not be made, passed and not applicable.".format(
            escape(str(host.get("address") or "-"))
        )
        columns = "<th>Check</th><th>Expected</th><th>Seen on the wire (problems first)</th>"
    return (
        head + '<p class="meta">{}</p><table><thead><tr><th>Status</th>{}</tr></thead><tbody>{}</tbody></table>'
    ).format(meta, columns, rows)


def render_html(report: t.Mapping[str, t.Any]) -> str:
    """A self-contained XHTML page (inline style, no script, well-formed XML)."""
    kind = report_kind(report)
    summary = report.get("summary") or {}
    totals = summary.get(kind.items) or {}
    passed = bool(summary.get("passed"))
    if passed:
        verdict = kind.verdict_pass.format(hosts=summary.get("hosts", 0))
    else:
        not_run = "audited" if kind.name == "audit" else "probed"
        verdict = kind.verdict_fail.format(
            failing=summary.get("hosts_failing", 0),
            hosts=summary.get("hosts", 0),
            errors=f", {summary['hosts_in_error']} could not be {not_run}" if summary.get("hosts_in_error") else "",
            failed=sum(totals.get(status, 0) for status in kind.failing),
        )
    title = escape(str(report.get("title", "")))
    rows = "".join(_host_row(host, kind) for host in report.get("hosts", []))
    sections = "".join(_host_section(host, kind) for host in report.get("hosts", []))
    legend = " ".join(f"<span>{_badge(status)} {escape(text)}</span>" for status, text in kind.legend)
    count = len(report.get(kind.catalogue) or kind.entries)
    headers = "".join(f"<th>{escape(header)}</th>" for _status, header in kind.columns)
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">'
        '<head><meta charset="utf-8"/><title>{title}</title><style>{style}</style></head><body>'
        "<h1>{title}</h1>"
        '<p class="meta">{meta}</p>'
        '<div class="verdict {cls}">{verdict}</div>'
        '<p class="legend">{legend}</p>'
        "<table><thead><tr><th>Status</th><th>Host</th><th>{detail}</th>{headers}"
        "<th>Failed {word}s</th></tr></thead><tbody>{rows}</tbody></table>"
        "{sections}</body></html>\n"
    ).format(
        title=title,
        style=STYLE,
        meta=escape(
            kind.meta.format(
                generated=str(report.get("generated") or "(time not recorded)"),
                count=count,
                last=str(count).zfill(3),
            )
        ),
        cls="pass" if passed else "fail",
        verdict=escape(verdict),
        legend=legend,
        detail=escape(kind.detail[0]),
        headers=headers,
        word=kind.item_word,
        rows=rows,
        sections=sections,
    )
