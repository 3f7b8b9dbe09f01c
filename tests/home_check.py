# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that a run left nothing in the stand-in home and temporary directories it was given.

`make lint` runs every tool with HOME and TMPDIR pointing at empty directories under .tmp/. What a
tool writes to ``~`` (``~/.ansible``, ``~/.cache``, ``~/antsibull.log``...) lands there instead of in
the user's home, and this check fails naming it: the Makefile's LINT_ENV must then send that tool's
files into .tmp/ with its own setting, so that `make lint` with the real HOME leaves ``~/.ansible``
and the rest of the home untouched.

usage: tests/home_check.py --home DIR [--tmp DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# What writes where by default, and the setting that moves it (for the message).
FIXES = {
    ".ansible": "ansible and ansible-lint: ANSIBLE_HOME (ANSIBLE_LOCAL_TEMP follows it)",
    ".cache": "XDG_CACHE_HOME (ansible-lint, ansible-compat, pip)",
    "antsibull.log": "antsibull-docs' logging_cfg in tests/ecosystem/antsibull.cfg",
    ".antsibull.cfg": "pass antsibull-docs --config-file tests/ecosystem/antsibull.cfg",
}


def leftovers(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.rglob("*"))


def problems(home: Path, tmp: Path | None) -> list[str]:
    found: list[str] = []
    for path in leftovers(home):
        top = path.relative_to(home).parts[0]
        fix = FIXES.get(top, "find the tool that wrote it and point its home or cache setting into .tmp/")
        found.append(f"~/{path.relative_to(home)} was written (it would be in your home). Fix: {fix}, in LINT_ENV")
    if tmp is not None:
        for path in leftovers(tmp):
            found.append(
                f"$TMPDIR/{path.relative_to(tmp)} was left behind (it would stay in /tmp). Fix: the tool that "
                "made it must remove it, or LINT_ENV must give that tool a directory under .tmp/"
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--tmp", type=Path)
    args = parser.parse_args(argv)
    if not args.home.is_dir():
        print(f"home_check: {args.home} does not exist; run through `make lint`, which creates it", file=sys.stderr)
        return 1
    found = problems(args.home, args.tmp)
    for line in found:
        print(f"home_check: {line}", file=sys.stderr)
    if not found:
        print(f"home_check: nothing was written to HOME or left in TMPDIR (HOME={args.home})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
