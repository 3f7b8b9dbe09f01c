#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: pureftpd_settings
short_description: Write Pure-FTPd's settings directory, one file per setting, in one call
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Debian's C(pure-ftpd-wrapper) builds Pure-FTPd's command line from a directory of small files
    (C(/etc/pure-ftpd/conf)), one per setting, named after the setting and holding its value. This
    module makes that directory hold exactly O(settings) in one task, instead of one template task
    (one round trip to the host) per setting.
  - Each file is written only when its content, owner or mode differs; a file whose content is right
    but whose owner or mode is not only has its owner or mode fixed.
  - Settings named in O(owned) but not in O(settings) are removed; no other file in O(path) is touched.
  - Files are written to a temporary name in the parent directory and renamed into place, so the
    wrapper never reads a half-written file or an unknown name.
options:
  path:
    description: The settings directory. It must exist (the C(pure-ftpd-common) package creates it).
    type: path
    default: /etc/pure-ftpd/conf
  settings:
    description:
      - Setting name to value. Booleans are written as C(yes) and C(no), other values as text.
      - Names must be plain file names (no C(/), not starting with C(.)).
    type: dict
    required: true
  owned:
    description:
      - Setting names this module manages. Those present in O(path) but not in O(settings) are removed.
    type: list
    elements: str
    default: []
  header:
    description:
      - Comment lines written at the top of every file (for example the C(DEFAULT_MANAGED_STR) configuration
        setting, through the C(comment) filter, as the EXAMPLES show). Each
        line must start with C(#), since the wrapper reads the first line that is not a comment.
    type: str
    default: ''
  owner:
    description: Owner of the files.
    type: str
    default: root
  group:
    description: Group of the files.
    type: str
    default: root
  mode:
    description: Mode of the files, in octal.
    type: str
    default: '0644'
  wrapper:
    description:
      - Path of Debian's C(pure-ftpd-wrapper). When set, after writing the module runs it with C(--show-options) and
        checks that the command line it builds holds every word of O(command_line)'s C(present) list and none of
        its C(absent) list. When it does not (the wrapper read a file it should not, or refused one), the module
        puts the files it wrote or removed back as they were, and fails with the wrapper's output.
    type: path
  command_line:
    description:
      - The command line O(wrapper) must build from O(settings), as C(present) and C(absent) lists of words such as
        V(-S ,21), V(-p 30000:30099) or V(-A). M(hardened.ftp.server_plan) computes it from the settings.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description: Reports what would be written or removed, and changes nothing.
  diff_mode:
    support: full
    description: One diff per file written or removed.
notes:
  - Restart Pure-FTPd (through a handler) when the task reports a change; the wrapper reads the directory at start.
seealso:
  - module: hardened.ftp.config_snapshot
"""

EXAMPLES = r"""
- name: Write Pure-FTPd's settings
  hardened.ftp.pureftpd_settings:
    settings:
      Bind: ",21"
      ChrootEveryone: true
      PassivePortRange: "30000 30009"
      MaxClientsNumber: 50
    owned: [Bind, ChrootEveryone, PassivePortRange, MaxClientsNumber, TLS]
    header: "{{ lookup('ansible.builtin.config', 'DEFAULT_MANAGED_STR') | comment }}"
  become: true
  notify: Restart pure-ftpd
"""

RETURN = r"""
written:
  description: Settings whose file was written, or whose owner or mode was fixed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [Bind, PassivePortRange]
removed:
  description: Settings whose file was removed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [TLS]
"""

import grp
import os
import pwd
import stat
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._files import replace_atomically
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_plan import command_line_problems

ARGUMENT_SPEC = {
    "path": {"type": "path", "default": "/etc/pure-ftpd/conf"},
    "settings": {"type": "dict", "required": True},
    "owned": {"type": "list", "elements": "str", "default": []},
    "header": {"type": "str", "default": ""},
    "owner": {"type": "str", "default": "root"},
    "group": {"type": "str", "default": "root"},
    "mode": {"type": "str", "default": "0644"},
    "wrapper": {"type": "path"},
    "command_line": {"type": "dict", "default": {}},
}


def render(name: str, value: t.Any, header: str) -> str:
    """The file for one setting: the header, a line naming it, then the value the wrapper reads."""
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    lines = [line for line in header.splitlines() if line.strip()]
    lines += [f"# {name}: read by Debian's pure-ftpd-wrapper (first line that is not a comment).", text]
    return "\n".join(lines) + "\n"


def bad_names(names: t.Iterable[str]) -> list[str]:
    return sorted(name for name in names if not name or "/" in name or name.startswith(".") or "\0" in name)


class Settings:
    """Compares the directory with the wanted files and, outside check mode, makes it so."""

    def __init__(self, path: str, uid: int, gid: int, mode: int, check_mode: bool) -> None:
        self.path, self.uid, self.gid, self.mode, self.check_mode = path, uid, gid, mode, check_mode
        self.written: list[str] = []
        self.removed: list[str] = []
        self.diff: list[dict[str, str]] = []
        # What each changed file held before (None: it did not exist), to put it back.
        self.before: dict[str, str | None] = {}

    def _read(self, dest: str) -> tuple[str | None, os.stat_result | None]:
        try:
            st = os.lstat(dest)
        except FileNotFoundError:
            return None, None
        if not stat.S_ISREG(st.st_mode):
            return None, st
        with open(dest, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read(), st

    def write(self, name: str, content: str) -> None:
        dest = os.path.join(self.path, name)
        before, st = self._read(dest)
        same_meta = st is not None and (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (
            self.mode,
            self.uid,
            self.gid,
        )
        if before == content and same_meta:
            return
        self.written.append(name)
        self.before[name] = before
        if before != content:
            self.diff.append({"before_header": dest, "after_header": dest, "before": before or "", "after": content})
        if self.check_mode:
            return
        if before == content:
            os.chown(dest, self.uid, self.gid)
            os.chmod(dest, self.mode)
            return
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OSError(f"{dest} is a directory, not a setting file")
        # Written next to the directory (the same file system), so it never holds a name the wrapper
        # does not know, even for a moment.

        def fill(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(content)
            os.chown(tmp, self.uid, self.gid)
            os.chmod(tmp, self.mode)

        replace_atomically(dest, fill, directory=os.path.dirname(self.path), prefix=".hardened-ftp-setting-")

    def remove(self, name: str) -> None:
        dest = os.path.join(self.path, name)
        if not os.path.lexists(dest):
            return
        before = self._read(dest)[0]
        self.removed.append(name)
        self.before[name] = before
        self.diff.append(
            {"before_header": dest, "after_header": f"{dest} (removed)", "before": before or "", "after": ""}
        )
        if not self.check_mode:
            os.unlink(dest)

    def undo(self) -> None:
        """Put every file this run wrote or removed back as it was."""
        for name, content in self.before.items():
            dest = os.path.join(self.path, name)
            if content is None:
                if os.path.lexists(dest):
                    os.unlink(dest)
                continue

            def fill(tmp: str, content: str = content) -> None:
                with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as handle:
                    handle.write(content)
                os.chown(tmp, self.uid, self.gid)
                os.chmod(tmp, self.mode)

            replace_atomically(dest, fill, directory=os.path.dirname(self.path), prefix=".hardened-ftp-setting-")


def check_command_line(module: AnsibleModule, work: Settings) -> None:
    """Run the wrapper and fail, after putting the old files back, when its command line is not the expected one."""
    params = module.params
    rc, out, err = module.run_command([params["wrapper"], "--show-options"], check_rc=False)
    problems = command_line_problems(out, params["command_line"]) if rc == 0 else [f"it exited with {rc}"]
    if not problems:
        return
    work.undo()
    module.fail_json(
        msg=f"pure-ftpd-wrapper does not build the expected command line from {params['path']}: "
        f"{'; '.join(problems)} [{out.strip()}{(' ' + err.strip()) if err.strip() else ''}]. The previous settings "
        "are back in place and Pure-FTPd was not restarted. Remove or rename files there the wrapper does not "
        "know, or fix pureftpd_extra_options.",
        written=work.written,
        removed=work.removed,
    )


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    path = params["path"]
    settings = params["settings"]
    bad = bad_names([*settings, *params["owned"]])
    if bad:
        module.fail_json(
            msg=f"settings and owned: names must be plain file names (no '/', not starting with '.'); got {bad}"
        )
    comments = [line for line in params["header"].splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if comments:
        module.fail_json(
            msg=f"header: every line must be a comment starting with '#', which the wrapper skips; got {comments[0]!r}"
        )
    try:
        mode = int(params["mode"], 8)
    except ValueError:
        module.fail_json(msg=f"mode must be an octal number such as '0644'; got {params['mode']!r}")
    try:
        uid = pwd.getpwnam(params["owner"]).pw_uid
        gid = grp.getgrnam(params["group"]).gr_gid
    except KeyError as exc:
        module.fail_json(msg=f"owner and group must exist on the host: {exc}")
    if not os.path.isdir(path):
        module.fail_json(msg=f"path {path} is not a directory; install Pure-FTPd (pure-ftpd-common creates it) first")
    work = Settings(path, uid, gid, mode, module.check_mode)
    try:
        for name in sorted(settings):
            work.write(name, render(name, settings[name], params["header"]))
        for name in sorted(set(params["owned"]) - set(settings)):
            work.remove(name)
    except OSError as exc:
        module.fail_json(
            msg=f"could not write the settings in {path}: {exc}", written=work.written, removed=work.removed
        )
    if params["wrapper"] and not module.check_mode:
        check_command_line(module, work)
    result = {"changed": bool(work.written or work.removed), "written": work.written, "removed": work.removed}
    if module._diff:
        result["diff"] = work.diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
