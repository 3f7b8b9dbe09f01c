# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of hardened.ftp.last_good_run: the fingerprint is computed here, on the controller."""

from __future__ import annotations

import hashlib
import json
import os
import typing as t

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ansible_core_version
from ansible_collections.hardened.ftp.plugins.modules.last_good_run import ARGUMENT_SPEC

# The collection's root, and the parts of it a run executes.
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTENT_DIRS = ("roles", "playbooks", "plugins")
# Besides the prefixed variables, the roles' defaults read these.
ALSO = ("inventory_hostname", "ansible_port")


def collection_digest(root: str = COLLECTION_ROOT) -> str:
    """Digest of the names and contents of the collection's roles, playbooks and plugins."""
    digest = hashlib.sha256()
    for part in CONTENT_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, part)):
            dirnames[:] = sorted(name for name in dirnames if name != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, "rb") as handle:
                    content = hashlib.sha256(handle.read()).hexdigest()
                digest.update(f"{os.path.relpath(path, root)}\0{content}\n".encode())
    return digest.hexdigest()


def fingerprint(
    variables: t.Mapping[str, t.Any],
    template: t.Callable[[t.Any], t.Any],
    prefixes: t.Sequence[str],
    exclude: t.Collection[str],
    root: str = COLLECTION_ROOT,
) -> tuple[str | None, str | None]:
    """``(digest, None)``, or ``(None, why)`` when a variable cannot be templated yet."""
    names = sorted(
        name for name in variables if name in ALSO or (name.startswith(tuple(prefixes)) and name not in exclude)
    )
    values = {}
    for name in names:
        try:
            values[name] = template(variables[name])
        except AnsibleError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return None, (
                f"{name} cannot be templated before the run gathers facts ({first_line}), so there is no"
                " fingerprint: every run is a full one. Give it a value that needs no facts to use the fast path."
            )
    payload = {"collection": collection_digest(root), "ansible_core": ansible_core_version, "variables": values}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest(), None


class ActionModule(ActionBase):
    """Compute the fingerprint when the task asks for a check without one, then run the module."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = dict(self._task.args)
        if args.get("state", "checked") == "checked" and not args.get("fingerprint"):
            digest, problem = fingerprint(
                task_vars,
                self._templar.template,
                args.get("prefixes") or ARGUMENT_SPEC["prefixes"]["default"],
                args.get("exclude") or ARGUMENT_SPEC["exclude"]["default"],
            )
            if problem:
                result.update(changed=False, unchanged=False, reasons=[problem])
                return result
            args["fingerprint"] = digest
        result.update(
            self._execute_module(module_name="hardened.ftp.last_good_run", module_args=args, task_vars=task_vars)
        )
        return result
