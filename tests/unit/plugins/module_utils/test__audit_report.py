# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet report: JUnit a JUnit library reads back, HTML that is well-formed XHTML, JSON round trip."""

from __future__ import annotations

import json
import typing as t
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._audit import apply_waivers, evaluate
from ansible_collections.hardened.ftp.plugins.module_utils._audit_controls import CONTROL_IDS
from ansible_collections.hardened.ftp.plugins.module_utils._audit_report import (
    ReportInputError,
    build_report,
    render_html,
    render_json,
    render_junit,
)
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.test__audit import (
    HARDENED_CONF,
    WEAK_CONF,
    firewall,
    stat,
    state,
)
from junitparser import Error, Failure, JUnitXml, Skipped

XHTML = "{http://www.w3.org/1999/xhtml}"


def module_result(host_state: dict[str, t.Any], waivers: dict[str, str] | None = None) -> dict[str, t.Any]:
    controls = apply_waivers(evaluate(host_state), waivers or {})
    return {"changed": False, "controls": controls, "daemon": host_state["daemon"]}


@pytest.fixture
def results() -> dict[str, t.Any]:
    weak = state(
        WEAK_CONF + "ftpd_banner=<b>Hi & welcome</b>\n",
        anon_tree=[stat("/srv/ftp/incoming", 100, 101, 0o777)],
        firewall=firewall(passive_open=False),
        userlist=None,
    )
    return {
        "audit-good": module_result(state(HARDENED_CONF)),
        "audit-weak": module_result(weak, {"HFTP-010": "bounce needed by <legacy> & old batch job"}),
        "audit-down": {"unreachable": True, "msg": "Failed to connect to the host via ssh"},
    }


def test_report_orders_failures_first(results: dict[str, t.Any]) -> None:
    report = build_report(results, generated="2026-01-01 00:00:00 UTC")
    assert [host["host"] for host in report["hosts"]] == ["audit-down", "audit-weak", "audit-good"]
    weak = report["hosts"][1]
    assert weak["status"] == "fail" and weak["controls"][0]["status"] == "fail"
    statuses = [control["status"] for control in weak["controls"]]
    assert statuses == sorted(statuses, key=["fail", "waived", "pass", "not-applicable"].index)
    assert report["summary"]["hosts_failing"] == 1 and report["summary"]["hosts_in_error"] == 1
    assert report["summary"]["passed"] is False
    assert report["summary"]["controls"]["waived"] == 1
    assert json.loads(render_json(report)) == report


def test_junit_parses_as_junit(results: dict[str, t.Any], tmp_path: Path) -> None:
    path = tmp_path / "audit.xml"
    path.write_text(render_junit(build_report(results)))
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"audit-good", "audit-weak", "audit-down"}
    good = suites["audit-good"]
    assert good.tests == len(CONTROL_IDS) and good.failures == 0
    assert sorted(case.name.split()[0] for case in good) == list(CONTROL_IDS)
    weak_cases = {case.name.split()[0]: case for case in suites["audit-weak"]}
    assert len(weak_cases) == len(CONTROL_IDS)
    failed = sorted(name for name, case in weak_cases.items() if any(isinstance(r, Failure) for r in case.result))
    assert failed == ["HFTP-002", "HFTP-004", "HFTP-005", "HFTP-006", "HFTP-007", "HFTP-009", "HFTP-012", "HFTP-013"]
    waived = weak_cases["HFTP-010"].result
    assert isinstance(waived[0], Skipped) and "bounce needed by <legacy> & old batch job" in waived[0].message
    # HFTP-015 to HFTP-018 are not applicable: the weak host has no virtual users.
    assert suites["audit-weak"].failures == 8 and suites["audit-weak"].skipped == 6
    down = list(suites["audit-down"])
    assert len(down) == 1 and isinstance(down[0].result[0], Error)
    assert xml.tests == 2 * len(CONTROL_IDS) + 1


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text = []  # type: list[str]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_wellformed_xhtml(results: dict[str, t.Any]) -> None:
    page = render_html(build_report(results, generated="2026-01-01 00:00:00 UTC"))
    root = ET.fromstring(page.split("\n", 1)[1])  # after the doctype
    assert root.tag == XHTML + "html"
    assert root.find(f"{XHTML}head/{XHTML}style") is not None
    assert root.find(f".//{XHTML}script") is None and root.find(f".//{XHTML}link") is None
    headings = [ET.tostring(h2, encoding="unicode", method="text").strip() for h2 in root.iter(XHTML + "h2")]
    assert headings == ["ERROR audit-down", "FAIL audit-weak", "pass audit-good"]
    collector = _Collector()
    collector.feed(page)
    text = " ".join(collector.text)
    assert "1 of 3 host(s) fail the baseline, 1 could not be audited" in text
    assert "Waived: bounce needed by <legacy> & old batch job" in text
    assert "Failed to connect to the host via ssh" in text


def test_html_all_pass() -> None:
    page = render_html(build_report({"a": module_result(state(HARDENED_CONF))}))
    ET.fromstring(page.split("\n", 1)[1])
    assert "All 1 host(s) meet the baseline." in page


@pytest.mark.parametrize("bad", [[], "x", {"h": "not a dict"}])
def test_bad_input(bad: t.Any) -> None:
    with pytest.raises(ReportInputError):
        build_report(bad)
