# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inputs and hosts for the planner tests: the roles' defaults, and hosts as ftp_host_info reads them."""

from __future__ import annotations

import typing as t
from pathlib import Path

import yaml
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_plan import ProftpdPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_plan import PureFtpdPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import ServerPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_plan import VsftpdPlanner

ROOT = Path(__file__).resolve().parents[4]
PLANNERS = {"vsftpd": VsftpdPlanner, "pureftpd": PureFtpdPlanner, "proftpd": ProftpdPlanner}


def defaults(role: str) -> dict[str, t.Any]:
    raw = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    raw[f"{role}_tls_common_name"] = "ftp1.example.org"
    return raw


def host(**kw: t.Any) -> dict[str, t.Any]:
    """What ftp_host_info returns for a bare Debian 12 host, with overrides."""
    base: dict[str, t.Any] = {
        "os": {"id": "debian", "version_id": "12", "codename": "bookworm"},
        "glibc": "glibc 2.36",
        "python_apt": False,
        "shells": ["/bin/sh", "/bin/bash", "/usr/bin/bash"],
        "ftpusers": None,
        "users": {},
        "groups": {},
        "paths": {},
        "resolved": {},
        "packages": {},
        "units": {},
        "ssh": {},
        "files": {},
    }
    base.update(kw)
    return base


def alice(**kw: t.Any) -> dict[str, t.Any]:
    """alice as `useradd -m -s /bin/bash alice` makes her: her home is hers."""
    user = {
        "exists": True,
        "uid": 1000,
        "gid": 1000,
        "groups": [1000],
        "home": "/home/alice",
        "shell": "/bin/bash",
        "home_stat": {"exists": True, "isdir": True, "uid": 1000, "gid": 1000, "mode": 0o755},
    }
    user.update(kw)
    return user


def planner(role: str, host_info: dict[str, t.Any] | None = None, **overrides: t.Any) -> ServerPlanner:
    raw = defaults(role)
    raw.update({f"{role}_{key}": value for key, value in overrides.items()})
    made = PLANNERS[role](raw)
    made.check()
    if not made.errors and host_info is not None:
        made.check_host(host_info)
    return made


def messages(made: ServerPlanner) -> str:
    return "\n".join(made.errors.messages())


def with_virtual_users(role: str, entries: list[dict[str, t.Any]], host_info: dict[str, t.Any]) -> ServerPlanner:
    """A planner over the role's defaults and ``entries`` as ``<role>_virtual_users``, checked on ``host_info``.

    Refused entries must be refused naming the virtual users' variable (a property test's first half);
    the caller renders the plan only when ``made.errors`` is empty.
    """
    raw = defaults(role)
    raw[f"{role}_virtual_users"] = entries
    made = PLANNERS[role](raw)
    if made.check():
        assert all(item.variable.startswith(f"{role}_virtual_users") for item in made.errors.items), messages(made)
        return made
    made.check_host(host_info)
    return made
