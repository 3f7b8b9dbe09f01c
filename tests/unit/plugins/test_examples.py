# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The EXAMPLES of every plugin work: filter examples run in a real ansible-playbook, module
examples pass the module's own argument spec."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model

PACKAGE = "ansible_collections.hardened.ftp.plugins"
PLUGINS = Path(importlib.import_module(PACKAGE).__path__[0])
FILTERS = sorted(path.stem for path in (PLUGINS / "filter").glob("*.py") if not path.stem.startswith("_"))
MODULES = sorted(path.stem for path in (PLUGINS / "modules").glob("*.py") if not path.stem.startswith("_"))
# A published server model: FTPS required, passive range 30000-30999.
SERVER = normalize_server_model(
    {"pasv_min_port": 30000, "pasv_max_port": 30999, "tls_enable": True, "tls_required": True, "active_enable": False},
    partial=True,
)


def _examples(kind: str, name: str) -> list[dict[str, t.Any]]:
    tasks = yaml.safe_load(importlib.import_module(f"{PACKAGE}.{kind}.{name}").EXAMPLES)
    assert isinstance(tasks, list) and tasks, f"{kind}/{name}: EXAMPLES must be a list of tasks"
    for task in tasks:
        assert task.get("name"), f"{kind}/{name}: every example task has a name"
    return tasks


def _resolve(value: t.Any, variables: t.Mapping[str, t.Any]) -> t.Any:
    """A bare ``{{ name }}`` of a variable the examples assume, else the value as written."""
    found = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", value) if isinstance(value, str) else None
    return variables[found.group(1)] if found else value


def _firewall_model(fixture_text: t.Callable[[str], str]) -> dict[str, t.Any]:
    return build_model(parse_iptables_save(fixture_text("iptables_docker_host.save")))


def test_filter_examples_run(tmp_path: Path, fixture_text: t.Callable[[str], str]) -> None:
    # What the examples take from their surroundings: the published server model, a registered
    # ftp_firewall_facts result and a local copy of a vsftpd.conf.
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "vsftpd.conf").write_text(fixture_text("vsftpd_debian_stock.conf"))
    play_vars = {"hardened_ftp_server": SERVER, "fw": {"firewall": _firewall_model(fixture_text)}}
    plays = [
        {
            "name": f"EXAMPLES of hardened.ftp.{name}",
            "hosts": "localhost",
            "gather_facts": False,
            "vars": play_vars,
            "tasks": _examples("filter", name),
        }
        for name in FILTERS
    ]
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    collections = str(PLUGINS.parents[3])
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    result = subprocess.run(
        [sys.executable, "-m", "ansible", "playbook", "-i", "localhost,", "-c", "local", str(playbook)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"ok={sum(len(play['tasks']) for play in plays)}" in result.stdout


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_pass_the_argument_spec(name: str) -> None:
    spec = importlib.import_module(f"{PACKAGE}.modules.{name}").ARGUMENT_SPEC
    used = 0
    for task in _examples("modules", name):
        action = f"hardened.ftp.{name}"
        if action not in task:
            continue
        used += 1
        args = {key: _resolve(value, {"hardened_ftp_server": SERVER}) for key, value in (task[action] or {}).items()}
        result = ArgumentSpecValidator(spec).validate(args)
        assert not result.error_messages, f"{task['name']}: {result.error_messages}"
    assert used, f"the EXAMPLES of {name} never call it"
