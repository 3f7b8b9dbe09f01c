# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Aggregate hardened.ftp.ftp_audit results of a fleet and render them (private module).

:func:`build_report` turns ``{host: ftp_audit result}`` into one report dict (the JSON
report); :func:`render_junit` and :func:`render_html` render that dict.  All pure: no
clock, no files, so the controller-side filter and the tests get the same text.
"""

from __future__ import annotations

import json
import typing as t
import xml.etree.ElementTree as ET
from html import escape

from ansible_collections.hardened.ftp.plugins.module_utils._audit_controls import CONTROLS, STATUSES

REPORT_VERSION = 1
STATUS_ORDER = {"fail": 0, "waived": 1, "pass": 2, "not-applicable": 3}
HOST_ORDER = {"error": 0, "fail": 1, "pass": 2}


class ReportInputError(ValueError):
    """Input that is not a ``{host: ftp_audit result}`` mapping."""


def _host_entry(host: str, result: t.Any) -> dict[str, t.Any]:
    if not isinstance(result, t.Mapping):
        raise ReportInputError(f"the result of host {host} must be a dict registered from hardened.ftp.ftp_audit")
    controls = result.get("controls")
    if result.get("unreachable") or not isinstance(controls, list) or not controls:
        message = str(result.get("msg") or "no audit result (host unreachable, or the audit task failed)")
        return {"host": host, "status": "error", "error": message, "daemon": None, "summary": {}, "controls": []}
    ordered = sorted(controls, key=lambda item: (STATUS_ORDER.get(item.get("status"), 9), item.get("id", "")))
    summary = dict.fromkeys(STATUSES, 0)
    for item in ordered:
        summary[item["status"]] = summary.get(item["status"], 0) + 1
    return {
        "host": host,
        "status": "fail" if summary["fail"] else "pass",
        "error": "",
        "daemon": result.get("daemon"),
        "summary": summary,
        "controls": [dict(item) for item in ordered],
    }


def build_report(
    results: t.Mapping[str, t.Any], generated: str = "", title: str = "hardened.ftp baseline audit"
) -> dict[str, t.Any]:
    """The fleet report: hosts in error or failing first, each host's failures first."""
    if not isinstance(results, t.Mapping):
        raise ReportInputError("audit results must be a dict {host: registered hardened.ftp.ftp_audit result}")
    hosts = [_host_entry(str(host), result) for host, result in results.items()]
    hosts.sort(key=lambda item: (HOST_ORDER[item["status"]], item["host"]))
    totals = dict.fromkeys(STATUSES, 0)
    for host in hosts:
        for status, count in host["summary"].items():
            totals[status] = totals.get(status, 0) + count
    return {
        "version": REPORT_VERSION,
        "title": title,
        "generated": generated,
        "summary": {
            "hosts": len(hosts),
            "hosts_failing": sum(1 for host in hosts if host["status"] == "fail"),
            "hosts_in_error": sum(1 for host in hosts if host["status"] == "error"),
            "controls": totals,
            "passed": all(host["status"] == "pass" for host in hosts),
        },
        "baseline": [{"id": item["id"], "title": item["title"], "mapping": list(item["mapping"])} for item in CONTROLS],
        "hosts": hosts,
    }


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
    """JUnit XML: one test suite per host, one test case per host x control."""
    suites = ET.Element("testsuites", name=str(report.get("title", "")))
    all_tests = all_failures = all_errors = all_skipped = 0
    for host in report.get("hosts", []):
        suite = ET.SubElement(suites, "testsuite", name=host["host"])
        tests = failures = errors = skipped = 0
        if host["status"] == "error":
            case = ET.SubElement(suite, "testcase", classname=f"hardened.ftp.audit.{host['host']}", name="audit")
            ET.SubElement(case, "error", message=host["error"], type="audit-error").text = host["error"]
            tests, errors = 1, 1
        for control in host.get("controls", []):
            tests += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"hardened.ftp.audit.{host['host']}",
                name="{} {}".format(control["id"], control.get("title", "")),
            )
            status = control.get("status")
            if status == "fail":
                failures += 1
                first = (control.get("evidence") or ["failed"])[0]
                ET.SubElement(case, "failure", message=str(first), type=control["id"]).text = _evidence_text(control)
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


def _host_row(host: t.Mapping[str, t.Any]) -> str:
    summary = host.get("summary") or {}
    failed = [item["id"] for item in host.get("controls", []) if item.get("status") == "fail"]
    detail = escape(host["error"]) if host["status"] == "error" else escape(", ".join(failed) or "none")
    return (
        '<tr{cls}><td>{badge}</td><td class="host"><a href="#host-{anchor}">{host}</a></td><td>{daemon}</td>'
        '<td class="num">{fail}</td><td class="num">{waived}</td><td class="num">{passed}</td>'
        '<td class="num">{na}</td><td>{detail}</td></tr>'
    ).format(
        cls=' class="row-fail"' if host["status"] != "pass" else "",
        badge=_badge(host["status"]),
        anchor=escape(host["host"]),
        host=escape(host["host"]),
        daemon=escape(str(host.get("daemon") or "-")),
        fail=summary.get("fail", 0),
        waived=summary.get("waived", 0),
        passed=summary.get("pass", 0),
        na=summary.get("not-applicable", 0),
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
        cls=' class="row-fail"' if control.get("status") == "fail" else "",
        badge=_badge(str(control.get("status"))),
        cid=escape(str(control["id"])),
        title=escape(str(control.get("title", ""))),
        mapped=mapped,
        evidence=evidence,
        extra=extra,
    )


def _host_section(host: t.Mapping[str, t.Any]) -> str:
    head = '<h2 id="host-{anchor}">{badge} {host}</h2>'.format(
        anchor=escape(host["host"]), badge=_badge(host["status"]), host=escape(host["host"])
    )
    if host["status"] == "error":
        return head + "<p>The audit could not run on this host: {}</p>".format(escape(host["error"]))
    rows = "".join(_control_row(control) for control in host.get("controls", []))
    return (
        head + '<p class="meta">Daemon: {}. Failures first, then waived, passed and not applicable controls.</p>'
        "<table><thead><tr><th>Status</th><th>Control</th><th>Requirement</th><th>Found on the host (problems first)"
        "</th></tr></thead><tbody>{}</tbody></table>"
    ).format(escape(str(host.get("daemon") or "-")), rows)


def render_html(report: t.Mapping[str, t.Any]) -> str:
    """A self-contained XHTML page (inline style, no script, well-formed XML)."""
    summary = report.get("summary") or {}
    totals = summary.get("controls") or {}
    passed = bool(summary.get("passed"))
    if passed:
        verdict = "All {} host(s) meet the baseline.".format(summary.get("hosts", 0))
    else:
        verdict = "{} of {} host(s) fail the baseline{}: {} failed control(s) in total.".format(
            summary.get("hosts_failing", 0),
            summary.get("hosts", 0),
            ", {} could not be audited".format(summary["hosts_in_error"]) if summary.get("hosts_in_error") else "",
            totals.get("fail", 0),
        )
    title = escape(str(report.get("title", "")))
    rows = "".join(_host_row(host) for host in report.get("hosts", []))
    sections = "".join(_host_section(host) for host in report.get("hosts", []))
    legend = " ".join(
        f"<span>{_badge(status)} {escape(text)}</span>"
        for status, text in (
            ("fail", "the host does not meet the control"),
            ("waived", "fails, accepted with the recorded reason"),
            ("pass", "meets it"),
            ("not-applicable", "does not apply to this host"),
        )
    )
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">'
        '<head><meta charset="utf-8"/><title>{title}</title><style>{style}</style></head><body>'
        "<h1>{title}</h1>"
        '<p class="meta">Generated {generated}. Baseline: {count} controls (HFTP-001 to HFTP-{last}), described in '
        "docs/baseline.md of the hardened.ftp collection. Remediation: run the playbook hardened.ftp.site.</p>"
        '<div class="verdict {cls}">{verdict}</div>'
        '<p class="legend">{legend}</p>'
        "<table><thead><tr><th>Status</th><th>Host</th><th>Daemon</th><th>Failed</th><th>Waived</th>"
        "<th>Passed</th><th>N/A</th><th>Failed controls</th></tr></thead><tbody>{rows}</tbody></table>"
        "{sections}</body></html>\n"
    ).format(
        title=title,
        style=STYLE,
        generated=escape(str(report.get("generated") or "(time not recorded)")),
        count=len(report.get("baseline") or CONTROLS),
        last=str(len(report.get("baseline") or CONTROLS)).zfill(3),
        cls="pass" if passed else "fail",
        verdict=escape(verdict),
        legend=legend,
        rows=rows,
        sections=sections,
    )
