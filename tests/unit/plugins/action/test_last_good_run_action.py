# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fingerprint last_good_run's action plugin computes on the controller."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.errors import AnsibleUndefinedVariable
from ansible_collections.hardened.ftp.plugins.action.last_good_run import (
    COLLECTION_ROOT,
    collection_digest,
    fingerprint,
)

PREFIXES = ["hardened_ftp_", "vsftpd_", "pureftpd_", "proftpd_", "ftp_firewall_"]
EXCLUDE = ["hardened_ftp_server"]
BASE = {
    "inventory_hostname": "ftp1",
    "hardened_ftp_daemon": "vsftpd",
    "vsftpd_pasv_min_port": 30000,
    "ftp_firewall_backend": "nftables",
    "ftp_test": {"unrelated": True},
    "hardened_ftp_server": {"control_port": 21},
}


def identity(value: object) -> object:
    return value


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "roles" / "vsftpd" / "defaults").mkdir(parents=True)
    (tmp_path / "roles" / "vsftpd" / "defaults" / "main.yml").write_text("vsftpd_listen_port: 21\n")
    (tmp_path / "plugins" / "__pycache__").mkdir(parents=True)
    return tmp_path


def digest(variables: dict, root: Path, template=identity) -> str | None:  # type: ignore[no-untyped-def]
    return fingerprint(variables, template, PREFIXES, EXCLUDE, str(root))[0]


def test_the_inputs_make_the_fingerprint(root: Path) -> None:
    base = digest(BASE, root)
    assert base and base == digest(dict(reversed(list(BASE.items()))), root)
    assert digest({**BASE, "vsftpd_pasv_min_port": 30001}, root) != base
    assert digest({**BASE, "inventory_hostname": "ftp2"}, root) != base
    assert digest({**BASE, "ansible_port": 2222}, root) != base
    # Not inputs: other variables, and the facts the run itself publishes.
    assert digest({**BASE, "ftp_test": {}, "hardened_ftp_server": {"control_port": 2121}, "foo": 1}, root) == base


def test_the_collection_files_make_the_fingerprint(root: Path) -> None:
    base = digest(BASE, root)
    (root / "plugins" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert digest(BASE, root) == base
    (root / "roles" / "vsftpd" / "defaults" / "main.yml").write_text("vsftpd_listen_port: 2121\n")
    assert digest(BASE, root) != base


def test_the_values_are_templated(root: Path) -> None:
    plain = digest({**BASE, "vsftpd_banner": "ftp1 ready"}, root)
    templated = {**BASE, "vsftpd_banner": "{{ inventory_hostname }} ready"}
    assert digest(templated, root, lambda v: "ftp1 ready" if v == "{{ inventory_hostname }} ready" else v) == plain


def test_a_variable_that_needs_facts_leaves_no_fingerprint(root: Path) -> None:
    def template(value: object) -> object:
        if value == "{{ ansible_default_ipv4.address }}":
            raise AnsibleUndefinedVariable("'ansible_default_ipv4' is undefined")
        return value

    found, why = fingerprint(
        {**BASE, "vsftpd_pasv_address": "{{ ansible_default_ipv4.address }}"}, template, PREFIXES, EXCLUDE, str(root)
    )
    assert found is None
    assert why and why.startswith("vsftpd_pasv_address cannot be templated") and "ansible_default_ipv4" in why


def test_the_real_collection_is_hashed() -> None:
    assert (Path(COLLECTION_ROOT) / "roles" / "vsftpd").is_dir()
    assert len(collection_digest()) == 64
