# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A role's inputs from the task's variables: by prefix, and typos named."""

from __future__ import annotations

from ansible_collections.hardened.ftp.plugins.plugin_utils._role_inputs import (
    collect,
    failure,
    role_options,
    unknown_names,
)


def test_collect_takes_the_prefixed_variables_templated() -> None:
    found = collect(
        {"vsftpd_listen_port": "{{ 21 }}", "__vsftpd_x": 1, "pureftpd_listen_port": 2}, "vsftpd_", str.upper
    )
    assert found == {"vsftpd_listen_port": "{{ 21 }}".upper()}


def test_typos_are_named_with_a_suggestion() -> None:
    known = role_options("vsftpd")
    assert "vsftpd_pasv_min_port" in known
    warnings = unknown_names(["vsftpd_pasv_min_prot", "vsftpd_listen_port"], known, "vsftpd")
    assert warnings == [
        "vsftpd_pasv_min_prot is set, but hardened.ftp.vsftpd has no such input, so it does nothing; "
        "did you mean vsftpd_pasv_min_port?"
    ]


def test_the_validate_entry_point_has_the_same_inputs() -> None:
    for role in ("vsftpd", "pureftpd"):
        assert role_options(role, "validate") == role_options(role)


def test_failure_lists_every_problem() -> None:
    text = failure("hardened.ftp.vsftpd", ["a: x", "b: y"])
    assert text.startswith("hardened.ftp.vsftpd: 2 inputs cannot be used, so nothing on the host was changed:")
    assert text.endswith("  - a: x\n  - b: y")
