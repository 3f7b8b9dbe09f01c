# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of hardened.ftp.server_plan: check a server role's inputs, read the host once, plan."""

from __future__ import annotations

import typing as t

from ansible.plugins.action import ActionBase
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_plan import ProftpdPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_plan import PureFtpdPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import ServerPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_plan import VsftpdPlanner
from ansible_collections.hardened.ftp.plugins.modules.server_plan import ARGUMENT_SPEC
from ansible_collections.hardened.ftp.plugins.plugin_utils._role_inputs import (
    collect,
    failure,
    role_options,
    unknown_names,
)
from ansible_collections.hardened.ftp.plugins.plugin_utils._tls_pair import pair_problems


def host_problem(host: t.Mapping[str, t.Any], title: str) -> str:
    """Why the host read cannot be used: it failed, or the role does not run as root ('' when fine)."""
    if host.get("failed") or "info" not in host:
        stderr = str(host.get("module_stderr", "")).strip()
        if "sudo: not found" in stderr or "sudo: command not found" in stderr:
            return (
                f"{title}: the host has no sudo, which ansible_become needs: log in as root (ansible_user: root) "
                "without become, or install sudo on the host"
            )
        return f"{title}: could not read the host: {host.get('msg', '')} {stderr}".strip()
    if host["info"].get("euid") != 0:
        return (
            f"{title}: the role runs as uid {host['info'].get('euid')} on the host and needs root: set "
            "ansible_become: true (with sudo on the host) or log in as root"
        )
    return ""


PLANNERS: dict[str, type[ServerPlanner]] = {
    "vsftpd": VsftpdPlanner,
    "pureftpd": PureFtpdPlanner,
    "proftpd": ProftpdPlanner,
}


class ActionModule(ActionBase):
    """Check, read, check again, plan: the host is read once, and only when the inputs alone pass."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        daemon = self._task.args.get("daemon")
        if daemon not in PLANNERS:
            result.update(failed=True, msg=f"daemon must be one of {', '.join(PLANNERS)} (got {daemon!r})")
            return result
        planner_class = PLANNERS[daemon]
        title = f"hardened.ftp.{daemon}"
        raw = collect(task_vars, planner_class.PREFIX, self._templar.template)
        warnings = unknown_names(raw, role_options(daemon), daemon)
        try:
            ssh_port = int(self._templar.template(task_vars.get("ansible_port", 22)) or 22)
        except (TypeError, ValueError):
            ssh_port = 22
        planner = planner_class(raw, ssh_port=ssh_port)
        if planner.check():
            result.update(failed=True, msg=failure(title, planner.errors.messages()), warnings=warnings)
            return result
        host = self._execute_module(
            module_name="hardened.ftp.ftp_host_info", module_args=planner.host_request(), task_vars=task_vars
        )
        problem = host_problem(host, title)
        if problem:
            result.update(failed=True, msg=problem)
            return result
        if planner.check_host(host["info"], tls_checker=pair_problems):
            result.update(failed=True, msg=failure(title, planner.errors.messages()), warnings=warnings)
            return result
        result.update(
            changed=False,
            plan=planner.plan(check_mode=bool(self._play_context.check_mode)),
            warnings=warnings + planner.warnings,
        )
        return result
