# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep each role's defaults, argument_specs and README in step.

For every roles/<role>:
  * every variable in defaults/main.yml is declared in meta/argument_specs.yml and vice versa,
    with the same default value;
  * the variables table in roles/<role>/README.md (between the BEGIN/END markers) is the one
    generated from meta/argument_specs.yml.

usage: tests/argspec_check.py          check, exit 1 with the differences
       tests/argspec_check.py --fix    rewrite the README tables
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml by tests/argspec_check.py --fix -->"
END = "<!-- END generated -->"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _fmt_default(value: Any) -> str:
    if value is None:
        return ""
    if value == "" or value == [] or value == {}:
        return f"`{value!r}`" if value == "" else f"`{yaml.safe_dump(value, default_flow_style=True).strip()}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{_cell(value)}`"


def _markup(text: str) -> str:
    """Turn ansible-doc markup (C(), O(), V(), I()) into Markdown."""
    import re

    text = re.sub(r"[COV]\(([^()]*)\)", r"`\1`", text)
    return re.sub(r"I\(([^()]*)\)", r"*\1*", text)


def render_table(options: dict[str, Any]) -> str:
    lines = ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
    for name in sorted(options):
        spec = options[name]
        kind = spec.get("type", "str")
        if kind == "list" and spec.get("elements"):
            kind = f"list of {spec['elements']}"
        if spec.get("choices"):
            kind += " (" + ", ".join(f"`{c}`" for c in spec["choices"]) + ")"
        desc = spec.get("description", "")
        if isinstance(desc, list):
            desc = " ".join(desc)
        lines.append(f"| `{name}` | {kind} | {_fmt_default(spec.get('default'))} | {_cell(_markup(desc))} |")
    return "\n".join(lines)


def check_role(role: Path, fix: bool) -> list[str]:
    problems: list[str] = []
    specs_file = role / "meta" / "argument_specs.yml"
    if not specs_file.is_file():
        return [f"{role.name}: meta/argument_specs.yml is missing"]
    specs = yaml.safe_load(specs_file.read_text())["argument_specs"]
    # Every entry point's options (an internal role's steps each take their own), main's first.
    options: dict[str, Any] = {}
    for entry in ["main", *sorted(set(specs) - {"main"})]:
        for name, spec in ((specs.get(entry) or {}).get("options") or {}).items():
            options.setdefault(name, spec)
    defaults_file = role / "defaults" / "main.yml"
    defaults = (yaml.safe_load(defaults_file.read_text()) if defaults_file.is_file() else None) or {}
    for name in sorted(set(defaults) - set(options)):
        problems.append(f"{role.name}: {name} is in defaults/main.yml but not in argument_specs.yml")
    for name in sorted(set(options) - set(defaults)):
        if "default" in options[name]:
            problems.append(f"{role.name}: {name} has a default in argument_specs.yml but not in defaults/main.yml")
    for name in sorted(set(options) & set(defaults)):
        spec_default = options[name].get("default")
        value = defaults[name]
        if isinstance(value, str) and isinstance(spec_default, str):
            value, spec_default = value.strip(), spec_default.strip()
        if value != spec_default:
            problems.append(
                f"{role.name}: {name} defaults differ: "
                f"defaults/main.yml {value!r} vs argument_specs.yml {spec_default!r}"
            )
    for name, spec in options.items():
        if not spec.get("description"):
            problems.append(f"{role.name}: {name} has no description in argument_specs.yml")
        if "type" not in spec:
            problems.append(f"{role.name}: {name} has no type in argument_specs.yml")
    readme = role / "README.md"
    table = render_table(options)
    text = readme.read_text() if readme.is_file() else ""
    if BEGIN not in text or END not in text:
        problems.append(f"{role.name}: README.md lacks the generated variables table markers")
    else:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = f"{head}{BEGIN}\n{table}\n{END}{tail}"
        if new != text:
            if fix:
                readme.write_text(new)
            else:
                problems.append(f"{role.name}: README.md variables table is stale (run tests/argspec_check.py --fix)")
    return problems


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    problems: list[str] = []
    roles = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
    for role in roles:
        problems.extend(check_role(role, fix))
    for p in problems:
        print(p, file=sys.stderr)
    print(f"argspec_check: {len(roles)} roles, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
