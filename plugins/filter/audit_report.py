# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_report
short_description: Aggregate hardened.ftp.ftp_audit results into a fleet report (data, JSON, JUnit or HTML)
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - "Takes the results of M(hardened.ftp.ftp_audit) registered on every host, as C({host: result}), and returns
    the fleet report. Hosts that fail or could not be audited come first, and in each host the failed controls."
  - V(data) returns the report as a dict, V(json) as JSON text, V(junit) as JUnit XML (one test suite per host,
    one test case per host and control; V(fail) is a failure, V(waived) and V(not-applicable) are skipped, a host
    without result is an error), V(html) as a self-contained XHTML page for people.
  - The playbook C(hardened.ftp.audit) writes the three files with this filter.
positional: _input, format
options:
  _input:
    description: "C({host: registered ftp_audit result}); a result without C(controls) (unreachable host, failed
      task) is reported as an error for that host."
    type: dict
    required: true
  format:
    description: What to return.
    type: str
    choices: [data, json, junit, html]
    default: data
  generated:
    description: When the audit ran, shown in the report (the filter reads no clock).
    type: str
    default: ""
  title:
    description: Title of the report.
    type: str
    default: hardened.ftp baseline audit
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
    - For V(data), the report C({version, title, generated, summary, baseline, hosts}); each host has C(host),
      C(status) (V(fail), V(pass) or V(error)), C(error), C(daemon), C(summary) and C(controls) (the results of
      M(hardened.ftp.ftp_audit), failures first).
    - For V(json), V(junit) and V(html), the text of the file.
  type: raw
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._audit_report import (
    ReportInputError,
    build_report,
    render_html,
    render_json,
    render_junit,
)

RENDERERS = {
    "json": render_json,
    "junit": render_junit,
    "html": render_html,
}  # type: t.Dict[str, t.Callable[[t.Mapping[str, t.Any]], str]]


def audit_report(
    results: t.Any, format: str = "data", generated: str = "", title: str = "hardened.ftp baseline audit"
) -> t.Any:
    if format != "data" and format not in RENDERERS:
        raise AnsibleFilterError(
            "hardened.ftp.audit_report: format {!r} is not one of data, {}".format(format, ", ".join(RENDERERS))
        )
    try:
        report = build_report(results, str(generated), str(title))
    except (ReportInputError, KeyError, TypeError) as exc:
        raise AnsibleFilterError(f"hardened.ftp.audit_report: {exc}") from None
    if format == "data":
        return report
    return RENDERERS[format](report)


class FilterModule:
    """Fleet reports of hardened.ftp.ftp_audit."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"audit_report": audit_report}
