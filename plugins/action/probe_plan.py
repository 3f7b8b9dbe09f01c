# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of hardened.ftp.probe_plan: the probe's inputs and expectations, on the controller only."""

from __future__ import annotations

import os
import typing as t

import yaml
from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.hardened.ftp.plugins.action.server_plan import PLANNERS
from ansible_collections.hardened.ftp.plugins.module_utils._probe_plan import PREFIX, ROLE, plan
from ansible_collections.hardened.ftp.plugins.modules.probe_plan import ARGUMENT_SPEC
from ansible_collections.hardened.ftp.plugins.plugin_utils._role_inputs import (
    COLLECTION_ROOT,
    role_options,
    unknown_names,
)

DAEMON_VARIABLE = "hardened_ftp_daemon"


def role_defaults(role: str, root: str = COLLECTION_ROOT) -> dict[str, t.Any]:
    """A role's ``defaults/main.yml``."""
    path = os.path.join(root, "roles", role, "defaults", "main.yml")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle) or {})


class ActionModule(ActionBase):
    """Check the probe's variables, derive the expectations from the server role's planner; contact nothing."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        problems: list[str] = []

        def template(name: str, value: t.Any) -> t.Any:
            try:
                return self._templar.template(value)
            except AnsibleError as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                problems.append(
                    f"{name}: cannot be templated before the probe ({first}); give it a value that needs no facts"
                )
                return None

        raw = {name: template(name, value) for name, value in task_vars.items() if name.startswith(PREFIX)}
        warnings = unknown_names(raw, role_options(ROLE), ROLE)
        daemon = template(
            DAEMON_VARIABLE, task_vars.get(DAEMON_VARIABLE, role_defaults("hardened_ftp").get(DAEMON_VARIABLE))
        )
        planner = None
        planner_class = PLANNERS.get(str(daemon))
        if planner_class is not None:
            values = {name: template(name, value) for name, value in role_defaults(str(daemon)).items()}
            values.update(
                {
                    name: template(name, value)
                    for name, value in task_vars.items()
                    if name.startswith(planner_class.PREFIX)
                }
            )
            try:
                ssh_port = int(self._templar.template(task_vars.get("ansible_port", 22)) or 22)
            except (TypeError, ValueError, AnsibleError):
                ssh_port = 22
            planner = planner_class(values, ssh_port=ssh_port)
        else:
            ssh_port = 22
        the_plan, errors = plan(
            raw,
            planner,
            str(daemon),
            DAEMON_VARIABLE,
            list(PLANNERS),
            list(task_vars.get("groups", {}).get("all", [])),
            ssh_port,
        )
        messages = problems + errors.messages()
        if messages:
            count = len(messages)
            head = (
                f"hardened.ftp.probe: {count} input{'s' if count != 1 else ''} of "
                f"{task_vars.get('inventory_hostname', 'this host')} cannot be used, so no server was contacted"
            )
            result.update(failed=True, msg=head + ":\n" + "\n".join(f"  - {m}" for m in messages), warnings=warnings)
            return result
        result.update(changed=False, plan=the_plan, warnings=warnings)
        return result
