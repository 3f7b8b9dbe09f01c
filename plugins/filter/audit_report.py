# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_report
short_description: Aggregate hardened.ftp.ftp_audit or ftp_probe results into a fleet report (data, JSON, JUnit or HTML)
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - "Takes the results of M(hardened.ftp.ftp_audit) registered on every host, as C({host: result}), and returns
    the fleet report. Hosts that fail or could not be audited come first, and in each host the failed controls."
  - V(data) returns the report as a dict, V(lines) as one line of text per host (for the console), V(json) as JSON
    text, V(junit) as JUnit XML (one test suite per host, one test case per host and control; V(fail) is a failure,
    V(waived) and V(not-applicable) are skipped, a host without result is an error), V(html) as a self-contained
    XHTML page for people.
  - The playbook C(hardened.ftp.audit) writes the three files with this filter.
  - "With O(kind=probe) it takes the results of M(hardened.ftp.ftp_probe) (C(checks) instead of C(controls)) and
    writes the probe's report the same way: a check that could not be made (status V(error)) is a JUnit error and,
    like a failure, makes its host fail. The playbook C(hardened.ftp.probe) writes its files with it."
positional: _input, format
options:
  _input:
    description: "C({host: registered ftp_audit result}) (or ftp_probe result, with O(kind=probe)); a result without
      C(controls) (C(checks)) - an unreachable host, a failed task - is reported as an error for that host."
    type: dict
    required: true
  format:
    description: What to return.
    type: str
    choices: [data, lines, json, junit, html]
    default: data
  generated:
    description: When the audit ran, shown in the report (the filter reads no clock).
    type: str
    default: ""
  title:
    description: Title of the report; by default V(hardened.ftp baseline audit), or the probe's title.
    type: str
    default: ""
  kind:
    description: Which results the input holds.
    type: str
    choices: [audit, probe]
    default: audit
"""

EXAMPLES = r"""
# In a play on localhost after the audit, the results registered on each audited host are
#   dict(hosts | zip(hosts | map('extract', hostvars, 'audit')))
# (the playbook hardened.ftp.audit does this); here two results are written out.
- name: Render the JUnit report
  ansible.builtin.debug:
    msg: "{{ results | hardened.ftp.audit_report('junit', generated='2026-01-01 12:00 UTC') }}"
  vars:
    results: &results
      ftp1:
        daemon: vsftpd
        controls:
          - id: HFTP-010
            title: "No FTP bounce: data connections only to and from the client"
            status: fail
            evidence: ["PORT/EPRT to a third host is accepted (FTP bounce)"]
            remediation: "Run hardened.ftp.site"
            mapping: []
            waiver: null
      ftp2:
        msg: host unreachable

- name: Render the probe's HTML report from registered hardened.ftp.ftp_probe results
  ansible.builtin.debug:
    msg: "{{ probes | hardened.ftp.audit_report('html', kind='probe', generated='2026-01-01 12:00 UTC') }}"
  vars:
    probes:
      ftp1:
        address: ftp1.example.org
        port: 21
        checks:
          - id: passive_address
            title: PASV announces the address clients use, or the documented NAT address
            status: fail
            evidence: ["PASV announced 10.0.0.5 (a private address), not ftp1.example.org (203.0.113.10)"]
            remediation: "set vsftpd_pasv_address to the public address clients reach; then run hardened.ftp.site"
            mapping: []
            waiver: null

- name: Fail when a host fails the baseline or could not be audited
  ansible.builtin.assert:
    that:
      - report.summary.hosts_failing == 1
      - report.summary.hosts_in_error == 1
      - not report.summary.passed
  vars:
    results: *results
    report: "{{ results | hardened.ftp.audit_report }}"
"""

RETURN = r"""
_value:
  description:
    - For V(data), the report C({version, kind, title, generated, summary, baseline, hosts}); each host has
      C(host), C(status) (V(fail), V(pass) or V(error)), C(error), C(daemon), C(summary) and C(controls) (the results
      of M(hardened.ftp.ftp_audit), failures first).
    - With O(kind=probe), C(checks) replaces C(baseline) and each host's C(controls), C(address) (what was probed)
      replaces C(daemon), and C(probe) holds the probe's details (the passive announcements, TLS versions and
      certificate, the canary, connections and time used).
    - For V(lines), a list of strings, one per host - V(PASS), V(FAIL) with what failed, or V(ERROR) with why.
    - For V(json), V(junit) and V(html), the text of the file.
  type: raw
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._audit_report import (
    KINDS,
    ReportInputError,
    build_report,
    render_html,
    render_json,
    render_junit,
    render_lines,
)

RENDERERS = {
    "json": render_json,
    "junit": render_junit,
    "html": render_html,
}  # type: t.Dict[str, t.Callable[[t.Mapping[str, t.Any]], str]]


def audit_report(
    results: t.Any, format: str = "data", generated: str = "", title: str = "", kind: str = "audit"
) -> t.Any:
    if format not in ("data", "lines") and format not in RENDERERS:
        raise AnsibleFilterError(
            "hardened.ftp.audit_report: format {!r} is not one of data, lines, {}".format(format, ", ".join(RENDERERS))
        )
    if kind not in KINDS:
        raise AnsibleFilterError(f"hardened.ftp.audit_report: kind {kind!r} is not one of {', '.join(KINDS)}")
    try:
        report = build_report(results, str(generated), str(title or ""), kind)
    except (ReportInputError, KeyError, TypeError) as exc:
        raise AnsibleFilterError(f"hardened.ftp.audit_report: {exc}") from None
    if format == "data":
        return report
    if format == "lines":
        return render_lines(report)
    return RENDERERS[format](report)


class FilterModule:
    """Fleet reports of hardened.ftp.ftp_audit and hardened.ftp.ftp_probe."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"audit_report": audit_report}
