# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter import ftp_firewall_findings as plugin


def _example_vars() -> dict:
    examples = yaml.safe_load(plugin.EXAMPLES)
    return examples[1]["vars"]


def test_documented_example_holds() -> None:
    example = _example_vars()
    findings = plugin.ftp_firewall_findings(example["server"], example["fw"], passive_policy="range")
    assert "passive_range_not_open" in [finding["id"] for finding in findings]
    assert findings[0]["severity"] == "error"


def test_errors_are_filter_errors() -> None:
    example = _example_vars()
    with pytest.raises(AnsibleFilterError, match="passive_policy"):
        plugin.ftp_firewall_findings(example["server"], example["fw"], passive_policy="maybe")
    with pytest.raises(AnsibleFilterError, match="missing"):
        plugin.ftp_firewall_findings({"daemon": "vsftpd"}, example["fw"])
    assert "ftp_firewall_findings" in plugin.FilterModule().filters()
