# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that the roles install every program they run (run by `make lint`).

A bare Debian host has only debootstrap's minbase, systemd and python3 (testbed/build-image.sh). This
check lists every program the roles and playbooks run on the host:

  * ``ansible.builtin.command`` / ``shell``: the program of ``argv`` or of the command line;
  * ``validate:`` commands of any module;
  * scripts the roles copy from ``roles/*/files/`` (and the programs those scripts call);
  * the programs and packages behind each module used (the ``modules`` table, which also covers the
    collection's own modules; every program ``plugins/`` runs must be listed there).

Each program maps to its Debian package (``programs``). A program is fine when its package is in the
bare image's base set, or in a package list of the role (or playbook) that runs it, or pulled in by
such a package (``depends``). Everything comes from ``tests/tools/programs.yml``; findings that are
known and being fixed are in ``tests/tools/known_findings.yml``. Any other finding, any stale known
finding, and any program, module or task the table cannot account for fails the check.

usage: tests/tools_check.py [--root DIR] [--table FILE] [--known FILE] [--list]
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent
TABLE = Path("tests/tools/programs.yml")
KNOWN = Path("tests/tools/known_findings.yml")

COMMAND_MODULES = {"ansible.builtin.command", "ansible.builtin.shell", "command", "shell"}
BLOCK_KEYS = ("block", "rescue", "always")
PLAY_TASK_KEYS = ("pre_tasks", "tasks", "post_tasks", "handlers")
# Task keywords: everything else on a task is its module (and its arguments).
TASK_KEYWORDS = {
    "name", "when", "loop", "loop_control", "with_items", "with_list", "with_dict", "register", "notify",
    "listen", "tags", "vars", "become", "become_user", "become_method", "check_mode", "changed_when",
    "failed_when", "until", "retries", "delay", "no_log", "ignore_errors", "ignore_unreachable",
    "delegate_to", "delegate_facts", "run_once", "environment", "args", "diff", "any_errors_fatal",
    "throttle", "timeout", "module_defaults", "collections", "debugger", "async", "poll", "local_action",
    "action", "connection", "remote_user", "port", "block", "rescue", "always",
}  # fmt: skip
# Words of a shell script that start no program: builtins of dash and bash, and keywords.
SHELL_BUILTINS = {
    "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case", "esac",
    "function", "{", "}", "!", "[", "[[", "]]", "test", "echo", "printf", "set", "unset", "export",
    "local", "readonly", "return", "exit", "trap", "cd", "pwd", "read", "shift", "eval", "exec",
    "true", "false", ":", ".", "source", "wait", "kill", "command", "type", "umask", "getopts", "break",
    "continue", "alias", "hash", "times", "ulimit", "jobs",
}  # fmt: skip
# Programs that run the program after them (and how many operands they take first).
WRAPPERS = {"timeout": 1, "nice": 0, "nohup": 0, "env": 0, "setsid": 0, "ionice": 0}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_JINJA_ONLY = re.compile(r"^\{\{\s*(?P<expr>[^{}]+?)\s*\}\}(?P<suffix>[^{}\s]*)$")
_NAME_EXPR = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>(\[[^\]]+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)$")


class TableError(Exception):
    """programs.yml (or known_findings.yml) is missing something the check needs; the message says what to add."""


@dataclass(frozen=True)
class Use:
    """One program a task (or script) runs: where, and why it was counted."""

    program: str
    file: str
    line: int
    how: str  # "command", "validate", "module hardened.ftp.x", "script roles/.../files/x"


@dataclass(frozen=True)
class Finding:
    scope: str
    program: str
    package: str
    use: Use
    reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.scope}: {self.program} ({self.package})"

    def message(self, fix: str) -> str:
        return (
            f"{self.use.file}:{self.use.line}: {self.program} ({self.use.how}) comes from the Debian package "
            f"{self.package}, which is {self.reason or 'neither in the bare image nor installed by ' + self.scope}. "
            f"Fix: {fix}"
        )


@dataclass
class Scope:
    """A role or playbook: the tasks files it runs and the packages it installs."""

    name: str
    files: list[Path] = field(default_factory=list)
    packages: set[str] = field(default_factory=set)


# --- YAML with line numbers ------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records, on every mapping, the line it starts on (``__line__``)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_with_lines(text: str) -> Any:
    return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass


def strip_lines(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: strip_lines(v) for k, v in data.items() if k != "__line__"}
    if isinstance(data, list):
        return [strip_lines(v) for v in data]
    return data


# --- Tasks ----------------------------------------------------------------------------------


def iter_tasks(items: Any) -> Iterator[dict[str, Any]]:
    """Every task of a task list, blocks opened (block, rescue, always), in file order."""
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if any(key in item for key in BLOCK_KEYS):
            for key in BLOCK_KEYS:
                yield from iter_tasks(item.get(key))
            continue
        yield item


def tasks_of_file(data: Any) -> Iterator[dict[str, Any]]:
    """Tasks of a tasks/handlers file (a list of tasks) or a playbook (a list of plays)."""
    for item in data or []:
        if isinstance(item, dict) and (
            "hosts" in item or "import_playbook" in item or "ansible.builtin.import_playbook" in item
        ):
            for key in PLAY_TASK_KEYS:
                yield from iter_tasks(item.get(key))
        else:
            yield from iter_tasks([item])


def task_module(task: dict[str, Any]) -> tuple[str, Any]:
    """The module a task calls and its arguments."""
    for key, value in task.items():
        if key != "__line__" and key not in TASK_KEYWORDS:
            return key, value
    return "", None


def first_word(command: str) -> str:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    words = [w for w in words if not _ASSIGNMENT.match(w)]
    return words[0] if words else ""


def leading_token(command: str) -> str:
    """The first word of a command line, a Jinja expression (``{{ x }}-suffix``) counting as one word."""
    match = re.match(r"\s*(\{\{.*?\}\}\S*|\S+)", command)
    return match.group(1) if match else ""


def command_program(args: Any) -> tuple[Any, Any]:
    """(program expression, argv) of a command/shell task's arguments."""
    if isinstance(args, str):
        return first_word(args), None
    if isinstance(args, dict):
        argv = args.get("argv")
        if isinstance(argv, list) and argv:
            return argv[0], argv
        if isinstance(argv, str):
            return argv, argv
        for key in ("cmd", "_raw_params"):
            if isinstance(args.get(key), str):
                return first_word(args[key]), None
    return "", None


# --- Jinja values resolved from the role's variables -------------------------------------------


def _values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k != "__line__"]
    if isinstance(value, list):
        return list(value)
    return [value]


def resolve(expr: Any, variables: dict[str, Any], loop: Any = None) -> list[str] | None:
    """The program names a task argument can stand for, or None when it cannot be worked out.

    Understands a plain word, ``{{ name }}``, ``{{ name[key] }}`` (every value of a mapping or list),
    ``{{ name.attr }}``, ``{{ item.attr }}`` / ``{{ item }}`` over a literal loop, a template whose
    value is itself a template, and a constant suffix (``{{ cmd[item] }}-save``)."""
    if isinstance(expr, list):
        return resolve(expr[0], variables, loop) if expr else None
    if not isinstance(expr, str):
        return None
    expr = expr.strip()
    if "{{" not in expr:
        return [expr] if expr else None
    match = _JINJA_ONLY.match(expr)
    if not match:
        return None
    inner, suffix = match.group("expr"), match.group("suffix")
    name_match = _NAME_EXPR.match(inner)
    if not name_match:
        return None
    name, rest = name_match.group("name"), name_match.group("rest")
    if name == "item":
        if not isinstance(loop, list):
            return None
        candidates = list(loop)
    elif name in variables:
        candidates = [variables[name]]
    else:
        return None
    for part in re.findall(r"\[[^\]]+\]|\.[A-Za-z_][A-Za-z0-9_]*", rest):
        picked: list[Any] = []
        for value in candidates:
            if part.startswith("."):
                if not isinstance(value, dict) or part[1:] not in value:
                    return None
                picked.append(value[part[1:]])
            else:
                key = part[1:-1].strip().strip("'\"")
                if isinstance(value, dict) and key in value:
                    picked.append(value[key])
                else:
                    picked.extend(_values(value))
        candidates = picked
    found: list[str] = []
    for value in candidates:
        if isinstance(value, list):
            value = value[0] if value else ""
        if not isinstance(value, str):
            return None
        if "{{" in value:
            again = resolve(value, variables)
            if again is None:
                return None
            found.extend(again)
        else:
            found.append(value)
    return [first_word(v) + suffix for v in found if v]


# --- Shell scripts --------------------------------------------------------------------------


def script_programs(text: str) -> list[tuple[str, int]]:
    """Programs a POSIX shell script calls, with their line numbers (builtins and keywords left out).

    A simple reading, enough for the short scripts the roles ship: each line is cut into commands at
    ``;``, ``|``, ``&&``, ``||``, ``$(`` and backquotes; case patterns (``pat)``) are skipped."""
    found: list[tuple[str, int]] = []
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        interpreter = lines[0][2:].split()
        if interpreter:
            program = interpreter[1] if interpreter[0].endswith("/env") and len(interpreter) > 1 else interpreter[0]
            found.append((program, 1))
    continued, start = "", 0
    for at, raw in enumerate(lines, start=1):
        number = start or at  # a command continued over lines counts at its first line
        line = continued + raw
        if line.rstrip().endswith("\\"):
            continued, start = line.rstrip()[:-1] + " ", number
            continue
        continued, start = "", 0
        code = re.sub(r"(^|\s)#.*$", "", line)
        code = re.sub(r"'[^']*'", "''", code)  # quoted text is not a command
        for part in re.split(r"\$\(|`|\|\||&&|[;|&()]", code):
            words = [w for w in part.split() if not _ASSIGNMENT.match(w)]
            while words and words[0] in ("then", "do", "else", "elif", "if", "while", "until", "!", "time"):
                words = words[1:]
            if not words:
                continue
            word = words[0].strip("\"'")
            if not word or word in SHELL_BUILTINS or word.startswith(("$", "-", "<", ">", "*", "[", "{", "}")):
                continue
            if not re.match(r"^[A-Za-z0-9_./+-]+$", word) or word.endswith(")"):
                continue
            if re.match(r"^[0-9]+$", word):
                continue
            found.append((word, number))
            # A program that runs another: timeout DURATION PROG, nice/nohup/env PROG.
            if word in WRAPPERS:
                rest = [w.strip("\"'") for w in words[1:] if not w.startswith("-")][WRAPPERS[word] :]
                if rest and re.match(r"^[A-Za-z0-9_./+-]+$", rest[0]):
                    found.append((rest[0], number))
    return found


# --- The collection's own plugins -------------------------------------------------------------


def plugin_programs(plugins: Path) -> list[tuple[str, str, int]]:
    """Programs ``plugins/`` runs or looks up: the first element of a literal argv list passed to a
    call (``run([...])``, ``run_command([...])``), the argv lists of a module-level table of commands
    (a dict of lists of lists), and the name given to ``find_bin``/``get_bin_path``."""
    found: list[tuple[str, str, int]] = []
    for path in sorted(plugins.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        rel = str(path.relative_to(plugins.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if not node.args:
                    continue
                first = node.args[0]
                if (
                    name in ("find_bin", "get_bin_path")
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                ):
                    found.append((first.value, rel, node.lineno))
                elif name in ("run", "_run", "run_command") and isinstance(first, ast.List) and first.elts:
                    head = first.elts[0]
                    if isinstance(head, ast.Constant) and isinstance(head.value, str):
                        found.append((head.value, rel, node.lineno))
            elif isinstance(node, ast.Dict):
                for value in node.values:
                    if isinstance(value, ast.List) and value.elts and all(isinstance(e, ast.List) for e in value.elts):
                        for argv in value.elts:
                            if (
                                argv.elts
                                and isinstance(argv.elts[0], ast.Constant)
                                and isinstance(argv.elts[0].value, str)
                            ):
                                found.append((argv.elts[0].value, rel, argv.lineno))
    return found


# --- The table --------------------------------------------------------------------------------


def load_table(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    for key in ("base", "programs", "depends", "modules", "scopes"):
        if key not in data:
            raise TableError(f"{path} has no '{key}' section")
    suites = data["base"].get("suites") or {}
    if not suites or not all(suites.values()):
        raise TableError(f"{path}: base.suites is empty; record the bare image's packages per suite (see its comment)")
    return data


def base_packages(table: dict[str, Any]) -> set[str]:
    """Packages a bare host of every recorded suite has."""
    lists = [set(packages) for packages in table["base"]["suites"].values()]
    return set.intersection(*lists)


def python_constant(file: Path, name: str) -> Any:
    """The literal value of ``Class.ATTRIBUTE`` (or a module-level ``NAME``) in a Python file, read statically."""
    owner, _dot, attribute = name.rpartition(".")
    tree = ast.parse(file.read_text())
    bodies = (
        [tree.body]
        if not owner
        else [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == owner]
    )
    for body in bodies:
        for node in body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(target, ast.Name) and target.id == attribute for target in targets) and node.value:
                return ast.literal_eval(node.value)
    raise KeyError(name)


def package_list(root: Path, source: dict[str, Any]) -> list[str]:
    """The packages a role's variable file lists (a list, or a mapping of lists: every list counts), or
    a planner's class attribute in plugins/ (``{file: ..._plan.py, var: Class.ATTRIBUTE}``)."""
    file = root / source["file"]
    if not file.is_file():
        raise TableError(
            f"{source['file']} (named in programs.yml scopes as a package list) does not exist; "
            "update the scope to the file that now lists the role's packages"
        )
    if file.suffix == ".py":
        try:
            return [str(p) for p in python_constant(file, source["var"])]
        except (KeyError, ValueError, SyntaxError):
            raise TableError(
                f"{source['file']} has no constant {source['var']} (named in programs.yml scopes); "
                "update the scope to the attribute that now lists the role's packages"
            ) from None
    data = yaml.safe_load(file.read_text()) or {}
    if source["var"] not in data:
        raise TableError(
            f"{source['file']} has no variable {source['var']} (named in programs.yml scopes); "
            "update the scope to the variable that now lists the role's packages"
        )
    value = data[source["var"]]
    packages = [p for v in _values(value) for p in (v if isinstance(v, list) else [v])]
    return [str(p) for p in packages]


def role_variables(root: Path, files: Iterable[Path]) -> dict[str, Any]:
    """The variables of the roles the files belong to (defaults, then vars: vars win)."""
    variables: dict[str, Any] = {}
    roles = sorted({f.relative_to(root).parts[1] for f in files if f.relative_to(root).parts[0] == "roles"})
    for role in roles:
        for kind in ("defaults", "vars"):
            for file in sorted((root / "roles" / role / kind).glob("*.yml")):
                variables.update(yaml.safe_load(file.read_text()) or {})
    return variables


def build_scopes(root: Path, table: dict[str, Any]) -> dict[str, Scope]:
    scopes: dict[str, Scope] = {}
    for name, spec in table["scopes"].items():
        scope = Scope(name)
        for pattern in spec.get("files", []):
            matched = sorted(root.glob(pattern))
            if not matched:
                raise TableError(f"programs.yml scope {name}: '{pattern}' matches no file; update the scope")
            scope.files.extend(matched)
        for source in spec.get("package_lists", []):
            scope.packages.update(package_list(root, source))
        scopes[name] = scope
    # A scope that uses another installs what the other installs too (a role that includes the tls role),
    # through any number of steps.
    for name, spec in table["scopes"].items():
        for other in spec.get("uses", []):
            if other not in scopes:
                raise TableError(f"programs.yml scope {name} uses '{other}', which is not a scope")
    grown = True
    while grown:
        grown = False
        for name, spec in table["scopes"].items():
            before = len(scopes[name].packages)
            for other in spec.get("uses", []):
                scopes[name].packages |= scopes[other].packages
            grown = grown or len(scopes[name].packages) != before
    return scopes


def pulled_in(packages: set[str], depends: dict[str, list[str]]) -> set[str]:
    """``packages`` with everything their recorded dependencies pull in."""
    result, todo = set(packages), list(packages)
    while todo:
        for dep in depends.get(todo.pop(), []) or []:
            if dep not in result:
                result.add(dep)
                todo.append(dep)
    return result


# --- The uses -----------------------------------------------------------------------------------


def file_uses(root: Path, path: Path, table: dict[str, Any], problems: list[str]) -> list[Use]:
    """Every program the tasks of one file run, directly or through modules and scripts."""
    rel = str(path.relative_to(root))
    variables = role_variables(root, [path])
    uses: list[Use] = []
    for task in tasks_of_file(load_with_lines(path.read_text())):
        line = task.get("__line__", 0)
        module, args = task_module(task)
        if not module:
            continue
        loop = strip_lines(task.get("loop"))
        if module in COMMAND_MODULES:
            expr, _argv = command_program(args)
            programs = resolve(expr, variables, loop)
            if programs is None:
                override = table.get("task_programs", {}).get(f"{rel}:{task.get('name', '')}")
                if override is None:
                    problems.append(
                        f"{rel}:{line}: cannot work out the program task '{task.get('name', '?')}' runs ({expr!r}). "
                        f"Fix: add '{rel}:{task.get('name', '')}: [program, ...]' under task_programs in {TABLE}"
                    )
                    continue
                programs = list(override)
            uses.extend(Use(p, rel, line, "command") for p in programs)
        else:
            short = module if "." in module else f"ansible.builtin.{module}"
            spec = table["modules"].get(short)
            if spec is None:
                problems.append(
                    f"{rel}:{line}: module {module} is not in the modules table of {TABLE}. "
                    "Fix: add it with the programs and packages it needs on the host (programs: [] when none)"
                )
            else:
                uses.extend(Use(p, rel, line, f"module {short}") for p in spec.get("programs", []) or [])
                uses.extend(Use(f"package:{p}", rel, line, f"module {short}") for p in spec.get("packages", []) or [])
        if isinstance(args, dict) and isinstance(args.get("validate"), str):
            programs = resolve(leading_token(args["validate"]), variables, loop)
            if programs is None:
                programs = table.get("task_programs", {}).get(f"{rel}:{task.get('name', '')}")
            if programs is None:
                problems.append(
                    f"{rel}:{line}: cannot work out the validate program of task '{task.get('name', '?')}' "
                    f"({args['validate']!r}). Fix: use a plain program or a variable of the role's vars/main.yml, or "
                    f"add '{rel}:{task.get('name', '')}: [program, ...]' under task_programs in {TABLE}"
                )
            else:
                uses.extend(Use(p, rel, line, "validate") for p in programs)
    return uses


def installed_scripts(root: Path, files: Iterable[Path]) -> dict[str, Path]:
    """Scripts the role copies from its files/ directory: destination path -> source file."""
    scripts: dict[str, Path] = {}
    for path in files:
        variables = role_variables(root, [path])
        parts = path.relative_to(root).parts
        if parts[0] != "roles":
            continue
        for task in tasks_of_file(yaml.safe_load(path.read_text())):
            module, args = task_module(task)
            if module not in ("ansible.builtin.copy", "copy") or not isinstance(args, dict):
                continue
            src, dest = args.get("src"), args.get("dest")
            source = root / "roles" / parts[1] / "files" / str(src)
            if not src or not source.is_file():
                continue
            for target in resolve(dest, variables) or []:
                scripts[target] = source
    return scripts


def role_scripts(root: Path, files: Iterable[Path]) -> set[Path]:
    """Every script (a file starting with ``#!``) in the files/ directory of the roles the files belong to."""
    roles = {f.relative_to(root).parts[1] for f in files if f.relative_to(root).parts[0] == "roles"}
    found = set()
    for role in roles:
        for path in (root / "roles" / role / "files").rglob("*"):
            if path.is_file() and path.read_bytes()[:2] == b"#!":
                found.add(path)
    return found


# --- The check ----------------------------------------------------------------------------------


def check(root: Path, table: dict[str, Any]) -> tuple[list[Finding], list[str], dict[str, list[Use]]]:
    """(findings, problems with the table, every use by scope)."""
    problems: list[str] = []
    programs: dict[str, str] = table["programs"]
    base = base_packages(table)
    depends = table["depends"]
    scopes = build_scopes(root, table)

    listed_plugin_programs = {
        p for spec in table["modules"].values() for key in ("programs", "optional") for p in (spec.get(key) or [])
    }
    for program, rel, line in plugin_programs(root / "plugins"):
        if program not in listed_plugin_programs:
            problems.append(
                f"{rel}:{line}: the collection's plugins run {program}, which no hardened.ftp.* module lists in "
                f"the modules table of {TABLE}. Fix: add it to the programs of the module(s) that reach this code"
            )

    findings: list[Finding] = []
    all_uses: dict[str, list[Use]] = {}
    for scope in scopes.values():
        have = pulled_in(scope.packages | base, depends)
        scripts = installed_scripts(root, scope.files)
        uses: list[Use] = []
        for file in scope.files:
            uses.extend(file_uses(root, file, table, problems))
        for source in sorted(set(scripts.values()) | role_scripts(root, scope.files)):
            rel = str(source.relative_to(root))
            uses.extend(Use(p, rel, n, f"script {rel}") for p, n in script_programs(source.read_text()))
        all_uses[scope.name] = uses
        for use in uses:
            if use.program.startswith("package:"):
                package = use.program.split(":", 1)[1]
            elif use.program in scripts:
                continue  # the role installs it itself; its own programs are checked above
            else:
                package = programs.get(use.program.rsplit("/", 1)[-1])
                if package is None:
                    problems.append(
                        f"{use.file}:{use.line}: {use.program} ({use.how}) is not in the programs table of {TABLE}. "
                        f"Fix: add '{use.program.rsplit('/', 1)[-1]}: <Debian package>' (dpkg -S $(command -v "
                        f"{use.program.rsplit('/', 1)[-1]}) on a host that has it)"
                    )
                    continue
            if package not in have:
                findings.append(Finding(scope.name, use.program.removeprefix("package:"), package, use))
    # One finding per scope, program and package: the first place it is used.
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.key, finding)
    return list(unique.values()), problems, all_uses


def fix_for(finding: Finding, table: dict[str, Any]) -> str:
    spec = table["scopes"][finding.scope]
    lists = [f"{s['var']} in {s['file']}" for s in spec.get("package_lists", [])]
    if not lists:  # a playbook: the roles it runs install for it
        for other in spec.get("uses", []):
            lists += [f"{s['var']} in {s['file']}" for s in table["scopes"][other].get("package_lists", [])]
    where = " or ".join(dict.fromkeys(lists)) or f"a package list named by scope {finding.scope} in {TABLE}"
    stop = (
        f"stop using {finding.use.how[7:]}"
        if finding.use.how.startswith("module ")
        else f"stop running {finding.program}"
    )
    return f"install {finding.package} first: add it to {where} (update {TABLE} if the list moved), or {stop}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--table", type=Path)
    parser.add_argument("--known", type=Path)
    parser.add_argument("--list", action="store_true", help="print every program found, by scope")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    table_path = args.table or root / TABLE
    known_path = args.known or root / KNOWN
    try:
        table = load_table(table_path)
        findings, problems, uses = check(root, table)
    except TableError as exc:
        print(f"tools_check: {exc}", file=sys.stderr)
        return 2
    known_data = yaml.safe_load(known_path.read_text()) if known_path.is_file() else None
    known = set((known_data or {}).get("findings") or [])

    if args.list:
        for scope, scope_uses in uses.items():
            print(f"{scope}:")
            for program in sorted({u.program for u in scope_uses}):
                print(f"  {program}")
    new = [f for f in findings if f.key not in known]
    stale = sorted(known - {f.key for f in findings})
    for problem in problems:
        print(f"tools_check: {problem}", file=sys.stderr)
    for finding in sorted(findings, key=lambda f: f.key):
        tag = "known" if finding.key in known else "NEW"
        stream = sys.stdout if tag == "known" else sys.stderr
        print(f"tools_check: [{tag}] {finding.message(fix_for(finding, table))}", file=stream)
    for key in stale:
        print(
            f"tools_check: '{key}' is in {known_path} but no longer found. Fix: remove that line",
            file=sys.stderr,
        )
    count = sum(len(v) for v in uses.values())
    print(
        f"tools_check: {count} program uses in {len(uses)} scopes; {len(findings)} findings "
        f"({len(findings) - len(new)} known, {len(new)} new), {len(stale)} stale known, {len(problems)} table problems"
    )
    return 1 if new or stale or problems else 0


if __name__ == "__main__":
    sys.exit(main())
