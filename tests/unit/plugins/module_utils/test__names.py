# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every variable the plugins name in a fix is one the roles or playbooks define."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.hardened.ftp.plugins.module_utils import _audit_controls, _ftp_checker
from ansible_collections.hardened.ftp.plugins.module_utils._names import (
    FACTS,
    ROLE_VARIABLES,
    SERVER_KEY_VARIABLES,
    passive_range_variables,
    variable,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import SERVER_KEYS

ROOT = Path(__file__).parents[4]


def _role_options(role: str) -> set[str]:
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return {name for entry in specs["argument_specs"].values() for name in entry.get("options", {})}


def _playbook_words() -> set[str]:
    return {word for path in (ROOT / "playbooks").glob("*.yml") for word in re.findall(r"\w+", path.read_text())}


@pytest.mark.parametrize("role", [role for role in ROLE_VARIABLES if role != "site"])
def test_role_variables_are_in_the_roles_argument_specs(role: str) -> None:
    missing = set(ROLE_VARIABLES[role].values()) - _role_options(role)
    assert not missing, f"roles/{role}/meta/argument_specs.yml has no {sorted(missing)}: rename them in _names.py"


def test_playbook_variables_and_facts_are_used_by_the_playbooks() -> None:
    words = _playbook_words()
    assert set(ROLE_VARIABLES["site"].values()) | set(FACTS.values()) <= words


def test_server_keys_map_to_role_concepts() -> None:
    assert set(SERVER_KEY_VARIABLES) <= set(SERVER_KEYS)
    for concept in SERVER_KEY_VARIABLES.values():
        assert concept in ROLE_VARIABLES["vsftpd"], concept


def test_lookups() -> None:
    assert variable("vsftpd", "listen_port") == "vsftpd_listen_port"
    assert passive_range_variables("pureftpd") == "pureftpd_pasv_min_port / pureftpd_pasv_max_port"
    with pytest.raises(KeyError):
        variable("pureftpd", "active_enable")


def test_messages_take_their_names_from_the_table() -> None:
    """No plugin spells a role variable itself: every name in a fix or remediation is one of the table."""
    known = {name for names in ROLE_VARIABLES.values() for name in names.values()} | set(FACTS.values())
    pattern = re.compile(r"\b(?:vsftpd|pureftpd|ftp_firewall|hardened_ftp)_[a-z0-9_]+\b")
    texts = [control["remediation"] for control in _audit_controls.CONTROLS]
    texts += [_ftp_checker.POLICY, _ftp_checker.SOURCES, *_ftp_checker.ACTIVE_FIX.values()]
    named = {name for text in texts for name in pattern.findall(text)}
    assert named and named <= known, named - known
