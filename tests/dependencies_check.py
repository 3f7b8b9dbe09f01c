# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that requirements.yml and execution-environment.yml declare exactly galaxy.yml's dependencies.

galaxy.yml ``dependencies`` is the single source of the collections hardened.ftp uses at run time.
``requirements.yml`` (for users of ansible-core alone) and the ``galaxy`` collections of
``execution-environment.yml`` (the collection's own tarball aside) must list the same names with
the same version ranges. Collections only the tests use belong in ``tests/requirements.yml``, and
must not appear in galaxy.yml. Run by `make lint`.

usage: tests/dependencies_check.py [--root DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _collections(items: Any, source: str, problems: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items or []:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            problems.append(f"{source}: {item!r} is not a collection entry (name: ns.name, version: range)")
            continue
        if item.get("type") == "file" or "/" in str(item["name"]):
            continue  # the collection's own tarball
        name = str(item["name"])
        if name in found:
            problems.append(f"{source}: {name} is listed twice; keep one entry")
        found[name] = str(item.get("version", "*"))
    return found


def compare(declared: dict[str, str], other: dict[str, str], source: str) -> list[str]:
    problems = []
    for name in sorted(set(declared) - set(other)):
        problems.append(
            f"{source} lacks {name} (galaxy.yml: {declared[name]!r}). "
            f"Fix: add name: {name}, version: {declared[name]!r}"
        )
    for name in sorted(set(other) - set(declared)):
        problems.append(
            f"{source} has {name}, which galaxy.yml does not declare. Fix: add it to galaxy.yml dependencies if "
            "the roles, playbooks or plugins use it, else move it to tests/requirements.yml (test-only)"
        )
    for name in sorted(set(declared) & set(other)):
        if declared[name] != other[name]:
            problems.append(
                f"{source} wants {name} {other[name]!r}, galaxy.yml {declared[name]!r}. Fix: use {declared[name]!r}"
                " (galaxy.yml is the single source)"
            )
    return problems


def check(root: Path) -> list[str]:
    problems: list[str] = []
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text()) or {}
    declared = {str(k): str(v) for k, v in (galaxy.get("dependencies") or {}).items()}
    requirements = yaml.safe_load((root / "requirements.yml").read_text()) or {}
    problems += compare(
        declared, _collections(requirements.get("collections"), "requirements.yml", problems), "requirements.yml"
    )
    ee = yaml.safe_load((root / "execution-environment.yml").read_text()) or {}
    galaxy_deps = (ee.get("dependencies") or {}).get("galaxy")
    if isinstance(galaxy_deps, str):
        problems.append(
            f"execution-environment.yml: dependencies.galaxy is a file ({galaxy_deps}); list the collections inline "
            "so this check can compare them"
        )
    else:
        listed = _collections((galaxy_deps or {}).get("collections"), "execution-environment.yml", problems)
        problems += compare(declared, listed, "execution-environment.yml")
    tests_file = root / "tests" / "requirements.yml"
    if tests_file.is_file():
        test_only = _collections(
            (yaml.safe_load(tests_file.read_text()) or {}).get("collections"), "tests/requirements.yml", problems
        )
        for name in sorted(set(test_only) & set(declared)):
            problems.append(
                f"tests/requirements.yml lists {name}, which galaxy.yml declares for run time. Fix: remove it from "
                "tests/requirements.yml (a run-time dependency is never test-only)"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    problems = check(args.root)
    for problem in problems:
        print(f"dependencies_check: {problem}", file=sys.stderr)
    if not problems:
        print("dependencies_check: requirements.yml and execution-environment.yml match galaxy.yml")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
