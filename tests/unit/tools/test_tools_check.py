# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/tools_check.py: the extractor finds the programs tasks, scripts and plugins run, and the check
fails on exactly what a bare host lacks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from ansible_collections.hardened.ftp.tests import tools_check as tc

VARS = {
    "cmd": {"ipv4": "iptables", "ipv6": "ip6tables"},
    "wrapper": "/usr/sbin/pure-ftpd-wrapper",
    "script": "/usr/local/sbin/check",
    "nested": "{{ wrapper }}",
    "argvs": [["nft", "-c"]],
}


@pytest.mark.parametrize(
    ("expr", "loop", "want"),
    [
        ("ss", None, ["ss"]),
        ("{{ wrapper }}", None, ["/usr/sbin/pure-ftpd-wrapper"]),
        ("{{ cmd[item] }}-save", None, ["iptables-save", "ip6tables-save"]),
        ("{{ cmd['ipv6'] }}-restore", None, ["ip6tables-restore"]),
        ("{{ cmd.ipv4 }}", None, ["iptables"]),
        ("{{ nested }}", None, ["/usr/sbin/pure-ftpd-wrapper"]),
        ("{{ item.argv }}", [{"argv": ["openssl", "x509"]}, {"argv": ["openssl", "pkey"]}], ["openssl", "openssl"]),
        ("{{ argvs[0] }}", None, ["nft"]),
        (["getent", "ahostsv4", "{{ x }}"], None, ["getent"]),
    ],
)
def test_resolve_reads_the_program_from_role_variables(expr, loop, want) -> None:  # type: ignore[no-untyped-def]
    assert tc.resolve(expr, VARS, loop) == want


@pytest.mark.parametrize("expr", ["{{ unknown }}", "{{ item }}", "{{ cmd | first }}", "pre{{ wrapper }}", 3, ""])
def test_resolve_gives_up_rather_than_guess(expr) -> None:  # type: ignore[no-untyped-def]
    assert tc.resolve(expr, VARS) is None


def test_leading_token_keeps_a_jinja_expression_whole() -> None:
    assert tc.leading_token("{{ script }} %s") == "{{ script }}"
    assert tc.leading_token("{{ cmd[x] }}-restore --test %s") == "{{ cmd[x] }}-restore"
    assert tc.leading_token("nft -c -f %s") == "nft"


def test_command_program_of_every_argument_style() -> None:
    assert tc.command_program("LC_ALL=C ss -Hltn") == ("ss", None)
    assert tc.command_program({"argv": ["nft", "list"]})[0] == "nft"
    assert tc.command_program({"cmd": "ufw status"})[0] == "ufw"
    assert tc.command_program({"chdir": "/tmp"}) == ("", None)


SCRIPT = textwrap.dedent(
    """\
    #!/bin/sh
    # comment: rm -rf / is not run
    set -u
    out="$(mktemp)"
    trap 'rm -f "$out"' EXIT
    timeout 1 /usr/sbin/vsftpd "$conf" -olisten=YES \\
      -obackground=NO 0<>"$out" >>"$out" 2>&1
    if [ "$rc" -eq 124 ]; then
      exit 0
    fi
    echo "rejects: $(tr -d '\\r' < "$out" | head -n 3)" >&2
    case "$x" in -c|--check) logger hi;; esac
    """
)


def test_script_programs_lists_what_a_shell_script_calls() -> None:
    found = tc.script_programs(SCRIPT)
    names = [name for name, _line in found]
    assert names[0] == "/bin/sh"
    assert {"mktemp", "timeout", "/usr/sbin/vsftpd", "tr", "head", "logger"} <= set(names)
    # Builtins, quoted text and comments start nothing.
    assert not {"set", "trap", "exit", "echo", "rm", "[", "fi", "-c", "--check"} & set(names)
    assert ("timeout", 6) in found and ("/usr/sbin/vsftpd", 6) in found


def test_env_shebang_names_the_interpreter() -> None:
    assert tc.script_programs("#!/usr/bin/env bash\n")[0] == ("bash", 1)


def test_tasks_of_file_opens_blocks_and_plays() -> None:
    data = tc.load_with_lines(
        textwrap.dedent(
            """\
            - hosts: all
              tasks:
                - name: a
                  ansible.builtin.command: ss
                - block:
                    - name: b
                      ansible.builtin.command: ip
                  rescue:
                    - name: c
                      ansible.builtin.command: ps
              handlers:
                - name: d
                  ansible.builtin.command: nft
            """
        )
    )
    tasks = list(tc.tasks_of_file(data))
    assert [t["name"] for t in tasks] == ["a", "b", "c", "d"]
    assert [t["__line__"] for t in tasks] == [3, 6, 9, 12]


def test_plugin_programs_finds_argv_lists_and_lookups(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins" / "module_utils"
    plugins.mkdir(parents=True)
    (plugins / "_x.py").write_text(
        textwrap.dedent(
            """\
            TABLE = {"a": [["iptables-save"], ["nft", "list"]]}
            def f(run, find_bin, module):
                run(["openssl", "x509"])
                find_bin("ufw")
                module.get_bin_path("systemctl")
                module.run_command([path, "x"])
                print(["not", "a", "call"])
            """
        )
    )
    found = {name for name, _rel, _line in tc.plugin_programs(tmp_path / "plugins")}
    assert found == {"iptables-save", "nft", "openssl", "ufw", "systemctl"}


# --- The whole check on a small tree ----------------------------------------------------------


def make_tree(
    root: Path,
    packages: list[str],
    tasks: str,
    known: list[str] | None = None,
    overrides: dict | None = None,  # type: ignore[type-arg]
) -> Path:
    (root / "roles/r/tasks").mkdir(parents=True)
    (root / "roles/r/vars").mkdir(parents=True)
    (root / "roles/r/files").mkdir(parents=True)
    (root / "plugins").mkdir()
    (root / "roles/r/vars/main.yml").write_text(
        yaml.safe_dump({"__r_packages": packages, "__r_script": "/usr/local/sbin/chk"})
    )
    (root / "roles/r/files/chk").write_text("#!/bin/sh\nss -Hltn\n")
    (root / "roles/r/tasks/main.yml").write_text(tasks)
    table = {
        "base": {"suites": {"a": ["coreutils", "dash", "systemd"], "b": ["coreutils", "dash", "systemd", "extra"]}},
        "programs": {"ss": "iproute2", "systemctl": "systemd", "sh": "dash", "extra": "extra", "nft": "nftables"},
        "depends": {"bigpkg": ["iproute2"]},
        "modules": {"ansible.builtin.service": {"programs": ["systemctl"]}, "ansible.builtin.copy": {}},
        "scopes": {
            "roles/r": {
                "files": ["roles/r/tasks/*.yml"],
                "package_lists": [{"file": "roles/r/vars/main.yml", "var": "__r_packages"}],
            }
        },
    }
    table["task_programs"] = overrides or {}
    (root / "tests/tools").mkdir(parents=True)
    (root / "tests/tools/programs.yml").write_text(yaml.safe_dump(table))
    (root / "tests/tools/known_findings.yml").write_text(yaml.safe_dump({"findings": known or []}))
    return root


TASKS = """\
- name: Check the port
  ansible.builtin.command:
    argv: [ss, -Hltn]
  changed_when: false
- name: Start it
  ansible.builtin.service:
    name: x
    state: started
"""


def run_main(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = tc.main(["--root", str(root)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_a_program_whose_package_nothing_installs_fails_naming_file_line_and_fix(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rc, _out, err = run_main(make_tree(tmp_path, ["vsftpd"], TASKS), capsys)
    assert rc == 1
    assert "[NEW] roles/r/tasks/main.yml:1: ss (command) comes from the Debian package iproute2" in err
    assert "add it to __r_packages in roles/r/vars/main.yml" in err


def test_the_package_in_the_role_list_or_pulled_in_by_one_passes(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run_main(make_tree(tmp_path / "a", ["iproute2"], TASKS), capsys)[0] == 0
    assert run_main(make_tree(tmp_path / "b", ["bigpkg"], TASKS), capsys)[0] == 0


def test_a_package_only_some_suites_have_is_not_base(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    tasks = "- name: x\n  ansible.builtin.command: extra --flag\n"
    rc, _out, err = run_main(make_tree(tmp_path, [], tasks), capsys)
    assert rc == 1 and "extra (command) comes from the Debian package extra" in err


def test_a_known_finding_passes_and_a_stale_one_fails(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    known = make_tree(tmp_path / "k", [], TASKS, known=["roles/r: ss (iproute2)"])
    rc, out, _err = run_main(known, capsys)
    assert rc == 0 and "[known]" in out
    stale = make_tree(tmp_path / "s", ["iproute2"], TASKS, known=["roles/r: ss (iproute2)"])
    rc, _out, err = run_main(stale, capsys)
    assert rc == 1 and "'roles/r: ss (iproute2)' is in" in err and "remove that line" in err


def test_scripts_the_role_installs_are_read(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    tasks = (
        "- name: Install the checker\n  ansible.builtin.copy:\n    src: chk\n"
        "    dest: \"{{ __r_script }}\"\n    mode: '0755'\n"
        "- name: Use it\n  ansible.builtin.command: /usr/local/sbin/chk\n"
    )
    rc, _out, err = run_main(make_tree(tmp_path, [], tasks), capsys)
    assert rc == 1
    assert "roles/r/files/chk:2: ss (script roles/r/files/chk)" in err


def test_scripts_in_files_are_read_even_when_no_task_names_them(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(tmp_path, ["iproute2"], TASKS)
    (root / "roles/r/files/other.sh").write_text("#!/bin/sh\nnft list ruleset\n")
    (root / "roles/r/files/data.txt").write_text("nft is only text here\n")
    rc, _out, err = run_main(root, capsys)
    assert rc == 1
    assert "roles/r/files/other.sh:2: nft (script roles/r/files/other.sh)" in err
    assert "data.txt" not in err


@pytest.mark.parametrize(
    ("tasks", "needle"),
    [
        ("- name: x\n  ansible.builtin.command: lsof -i\n", "lsof (command) is not in the programs table"),
        (
            "- name: x\n  community.general.unknown_mod: {}\n",
            "module community.general.unknown_mod is not in the modules table",
        ),
        (
            "- name: x\n  ansible.builtin.command:\n    argv: ['{{ who_knows }}']\n",
            "cannot work out the program task 'x' runs",
        ),
        (
            "- name: x\n  ansible.builtin.copy:\n    dest: /a\n    validate: '{{ nope }} %s'\n",
            "cannot work out the validate program",
        ),
    ],
)
def test_what_the_table_cannot_account_for_fails(tmp_path, capsys, tasks, needle) -> None:  # type: ignore[no-untyped-def]
    rc, _out, err = run_main(make_tree(tmp_path, [], tasks), capsys)
    assert rc == 1 and needle in err and "Fix:" in err


def test_a_program_the_plugins_run_must_be_listed_under_a_module(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(tmp_path, ["iproute2"], TASKS)
    (root / "plugins" / "x.py").write_text('def f(run):\n    return run(["openssl", "version"])\n')
    rc, _out, err = run_main(root, capsys)
    assert rc == 1 and "plugins/x.py:2: the collection's plugins run openssl" in err


def test_a_moved_package_list_is_named(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(tmp_path, [], TASKS)
    (root / "roles/r/vars/main.yml").write_text("__r_pkgs: [iproute2]\n")
    rc, _out, err = run_main(root, capsys)
    assert rc == 2 and "roles/r/vars/main.yml has no variable __r_packages" in err


def test_a_task_the_check_cannot_read_is_named_in_task_programs(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    tasks = "- name: x\n  ansible.builtin.command:\n    argv: ['{{ who_knows }}', '-l']\n"
    root = make_tree(tmp_path, [], tasks, overrides={"roles/r/tasks/main.yml:x": ["ss"]})
    rc, _out, err = run_main(root, capsys)
    assert rc == 1 and "roles/r/tasks/main.yml:1: ss (command) comes from the Debian package iproute2" in err
