# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/controllers/run.py: the versions it tests and the failure it reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.tests.controllers import run as harness


@pytest.mark.parametrize(
    ("requires", "want"),
    [
        (">=2.16.0", ["2.16", "2.17", "2.18", "2.19"]),
        (">=2.17.0", ["2.17", "2.18", "2.19"]),
        (">=2.16.0,<2.18", ["2.16", "2.17"]),
    ],
)
def test_claimed_minors_follow_requires_ansible(tmp_path: Path, requires: str, want: list[str]) -> None:
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "runtime.yml").write_text(f"---\nrequires_ansible: '{requires}'\n")
    assert harness.claimed_minors(tmp_path) == want


def test_declared_collections_come_from_galaxy_yml(tmp_path: Path) -> None:
    (tmp_path / "galaxy.yml").write_text("dependencies:\n  ansible.utils: '>=2.12.0'\n")
    assert harness.declared_collections(tmp_path) == {"ansible.utils": ">=2.12.0"}


def test_check_range() -> None:
    assert harness.check_range("2.22.3", ">=2.16.0")
    assert not harness.check_range("3.0.5", ">=2.16.0,<3.0.0")
    assert harness.check_range("1.0.0", "*")


OUT_216 = """\
TASK [hardened.ftp.vsftpd : Check vsftpd holds its port] ***
FAILED - RETRYING: [h]: Check vsftpd holds its port (10 retries left).
fatal: [h]: FAILED! => {"attempts": 10, "changed": false, "msg": "[Errno 2] No such file or directory: b'ss'", "rc": 2}

TASK [hardened.ftp.vsftpd : Stop here, naming the cause] ***
fatal: [h]: FAILED! => {"changed": false, "msg": "vsftpd did not run"}
"""
OUT_219 = """\
TASK [hardened.ftp.ftp_firewall : Check the allowed sources] ***
[ERROR]: Task failed: Could not load "ansible.utils.ipv4": not found
fatal: [h]: FAILED! => {"msg": "Could not load"}
"""


def test_first_failure_names_the_first_failed_task_and_its_message() -> None:
    assert harness.first_failure(OUT_216) == (
        "hardened.ftp.vsftpd : Check vsftpd holds its port: [Errno 2] No such file or directory: b'ss'"
    )
    assert harness.first_failure(OUT_219).startswith(
        "hardened.ftp.ftp_firewall : Check the allowed sources: [ERROR]: Task failed: Could not load"
    )
    assert harness.first_failure("ERROR! the playbook could not be found\n") == "ERROR! the playbook could not be found"
