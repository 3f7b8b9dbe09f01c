# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter.audit_report import FilterModule

RESULTS = {
    "h1": {
        "controls": [
            {
                "id": "HFTP-001",
                "title": "t",
                "status": "pass",
                "evidence": ["ok"],
                "remediation": "",
                "mapping": [],
                "waiver": None,
            },
            {
                "id": "HFTP-002",
                "title": "t",
                "status": "fail",
                "evidence": ["bad"],
                "remediation": "fix",
                "mapping": [],
                "waiver": None,
            },
        ],
        "daemon": "vsftpd",
    }
}


def test_formats() -> None:
    audit_report = FilterModule().filters()["audit_report"]
    report = audit_report(RESULTS, generated="now")
    assert report["summary"]["hosts_failing"] == 1 and report["generated"] == "now"
    assert json.loads(audit_report(RESULTS, "json"))["hosts"][0]["host"] == "h1"
    assert audit_report(RESULTS, "junit").startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<!DOCTYPE html>" in audit_report(RESULTS, "html")


def test_errors_name_the_filter() -> None:
    audit_report = FilterModule().filters()["audit_report"]
    with pytest.raises(AnsibleFilterError, match=r"format .pdf. is not one of data, lines, json, junit, html"):
        audit_report(RESULTS, "pdf")
    with pytest.raises(AnsibleFilterError, match=r"hardened\.ftp\.audit_report: audit results must be a dict"):
        audit_report(["h1"])
