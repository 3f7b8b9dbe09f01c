# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of hardened.ftp.firewall_plan: check the firewall role's inputs, read the host once, plan."""

from __future__ import annotations

import typing as t

from ansible.plugins.action import ActionBase
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_plan import FACT, PREFIX, FirewallPlanner
from ansible_collections.hardened.ftp.plugins.modules.firewall_plan import ARGUMENT_SPEC
from ansible_collections.hardened.ftp.plugins.plugin_utils._role_inputs import (
    collect,
    plan_with_host,
    role_options,
    unknown_names,
)

TITLE = "hardened.ftp.ftp_firewall"


class ActionModule(ActionBase):
    """Check, read, check again, plan: the host is read once, and only when the inputs alone pass."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        raw = collect(task_vars, PREFIX, self._templar.template)
        # ftp_firewall_plan is what this plugin publishes (through the role), not an input.
        raw.pop("ftp_firewall_plan", None)
        warnings = unknown_names(raw, role_options("ftp_firewall"), "ftp_firewall")
        server = self._task.args.get("server")
        if server is None and FACT in task_vars:
            server = self._templar.template(task_vars[FACT])
        planner = FirewallPlanner(raw, server)

        def read_host(request: dict[str, t.Any]) -> dict[str, t.Any]:
            return self._execute_module(
                module_name="hardened.ftp.ftp_host_info", module_args=request, task_vars=task_vars
            )

        result.update(plan_with_host(planner, TITLE, read_host, bool(self._play_context.check_mode), warnings))
        return result
