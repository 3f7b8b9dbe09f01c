# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the FTP/firewall checks and order the findings, for the module and the filter (private module)."""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import check, drift

# The checker options the ftp_consistency module and the ftp_firewall_findings filter take.
CHECK_OPTIONS = ("passive_policy", "client_sources", "interface", "max_passive_ports")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def sorted_findings(
    server: t.Mapping[str, t.Any],
    firewall: t.Mapping[str, t.Any],
    options: t.Mapping[str, t.Any],
    expected: t.Mapping[str, t.Any] | None = None,
) -> list[dict[str, str]]:
    """The checker's findings, with the drift of ``server`` from the ``expected`` (published)
    model when given, errors first (stable within a severity).

    Raises ``ServerModelError`` or ``CheckOptionsError`` for bad input."""
    findings = check(server, firewall, {name: options.get(name) for name in CHECK_OPTIONS})
    if expected is not None:
        findings = drift(server, expected) + findings
    return sorted(findings, key=lambda finding: SEVERITY_ORDER.get(finding["severity"], len(SEVERITY_ORDER)))


def error_count(findings: t.Iterable[t.Mapping[str, str]]) -> int:
    return sum(1 for finding in findings if finding["severity"] == "error")
