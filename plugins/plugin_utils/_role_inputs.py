# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A role's inputs as the controller sees them: collected by prefix, templated, checked by name (private).

The planning action plugins (``server_plan``, ``firewall_plan``) read every variable of a role
from the task's variables, so no list of names is kept beside ``meta/argument_specs.yml``, and a
variable that carries the role's prefix but is no input of the role (a typo) is reported.
:func:`plan_with_host` is their common flow: check, read the host once, check again, plan.
"""

from __future__ import annotations

import difflib
import os
import typing as t

import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def role_options(role: str, entry_point: str = "main", root: str = COLLECTION_ROOT) -> dict[str, t.Any]:
    """The options of a role's argument spec entry point."""
    with open(os.path.join(root, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    return dict(specs[entry_point].get("options") or {})


def collect(task_vars: t.Mapping[str, t.Any], prefix: str, template: t.Callable[[t.Any], t.Any]) -> dict[str, t.Any]:
    """Every variable whose name starts with ``prefix``, templated."""
    return {name: template(value) for name, value in task_vars.items() if name.startswith(prefix)}


def unknown_names(found: t.Iterable[str], known: t.Collection[str], role: str) -> list[str]:
    """A warning for each variable with the role's prefix that is not one of its inputs."""
    warnings = []
    for name in sorted(set(found) - set(known)):
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"{name} is set, but hardened.ftp.{role} has no such input, so it does nothing{hint}")
    return warnings


def failure(title: str, messages: t.Sequence[str]) -> str:
    """One message listing every problem, saying nothing changed."""
    count = len(messages)
    head = f"{title}: {count} input{'s' if count != 1 else ''} cannot be used, so nothing on the host was changed"
    return head + ":\n" + "\n".join(f"  - {message}" for message in messages)


def plan_with_host(
    planner: t.Any,
    title: str,
    read_host: t.Callable[[dict[str, t.Any]], dict[str, t.Any]],
    check_mode: bool,
    warnings: list[str],
    **host_checks: t.Any,
) -> dict[str, t.Any]:
    """Check the inputs, read the host once (only when they pass), check again, plan: an action's result.

    ``planner`` has ``check()``, ``host_request()``, ``check_host(info, **host_checks)``, ``plan(check_mode)``
    and ``warnings`` (``_server_plan.ServerPlanner``, ``_firewall_plan.FirewallPlanner``);
    ``read_host(request)`` runs ``hardened.ftp.ftp_host_info`` with the planner's request."""
    errors = planner.check()
    if errors:
        return {"failed": True, "msg": failure(title, errors.messages()), "warnings": warnings}
    host = read_host(planner.host_request())
    if host.get("failed") or "info" not in host:
        return {"failed": True, "msg": f"{title}: could not read the host: {host.get('msg', host)}"}
    errors = planner.check_host(host["info"], **host_checks)
    if errors:
        return {"failed": True, "msg": failure(title, errors.messages()), "warnings": warnings}
    return {"changed": False, "plan": planner.plan(check_mode=check_mode), "warnings": warnings + planner.warnings}
