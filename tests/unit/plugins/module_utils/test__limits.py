# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared limits are the ones every user of them applies and documents."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml
from ansible_collections.hardened.ftp.plugins.doc_fragments.ftp_checks import ModuleDocFragment
from ansible_collections.hardened.ftp.plugins.filter import ftp_firewall_findings
from ansible_collections.hardened.ftp.plugins.module_utils._audit import check_passive_range
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import DEFAULT_OPTIONS, check
from ansible_collections.hardened.ftp.plugins.module_utils._limits import (
    MAX_PASSIVE_PORTS,
    UNBOUNDED_PASSIVE_RANGE,
    UNPRIVILEGED_PORTS,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model

ROOT = Path(__file__).parents[4]


def test_values() -> None:
    assert MAX_PASSIVE_PORTS == 1000
    assert UNPRIVILEGED_PORTS == (1024, 65535) == UNBOUNDED_PASSIVE_RANGE


@pytest.mark.parametrize("role", ["vsftpd", "pureftpd"])
def test_role_defaults_repeat_the_limit(role: str) -> None:
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    assert defaults[f"{role}_pasv_max_range_size"] == MAX_PASSIVE_PORTS


@pytest.mark.parametrize("name", ["ftp_consistency", "ftp_audit"])
def test_modules_default_to_the_limit(name: str) -> None:
    module = importlib.import_module(f"ansible_collections.hardened.ftp.plugins.modules.{name}")
    assert module.ARGUMENT_SPEC["max_passive_ports"]["default"] == MAX_PASSIVE_PORTS
    documented = yaml.safe_load(module.DOCUMENTATION)["options"].get("max_passive_ports")
    fragment = yaml.safe_load(ModuleDocFragment.CHECK)["options"]["max_passive_ports"]
    assert (documented or fragment)["default"] == MAX_PASSIVE_PORTS


def test_checker_filter_and_audit_apply_the_same_limit() -> None:
    assert DEFAULT_OPTIONS["max_passive_ports"] == MAX_PASSIVE_PORTS
    fits = {"pasv_min_port": 30000, "pasv_max_port": 30000 + MAX_PASSIVE_PORTS - 1}
    too_big = {"pasv_min_port": 30000, "pasv_max_port": 30000 + MAX_PASSIVE_PORTS}
    firewall = {"families": [], "openings": []}
    for ports, unbounded in ((fits, False), (too_big, True)):
        server = normalize_server_model(ports, partial=True)
        found = [f["id"] for f in check(server, firewall)]
        assert ("passive_range_unbounded" in found) is unbounded
        filtered = [f["id"] for f in ftp_firewall_findings.ftp_firewall_findings(server, firewall)]
        assert ("passive_range_unbounded" in filtered) is unbounded
        status, _evidence = check_passive_range({"server": server})
        assert (status == "fail") is unbounded
