#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_directories
short_description: Create an FTP server's directories and keep their owner, group and mode, in one call
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Makes each directory of O(directories) exist with its owner, group and mode, in the order given, in one task
    (one round trip to the host) instead of one per directory. Missing parents are created owned by root, mode
    C(0755), unless they are in the list themselves.
  - Only the directories themselves are changed; their content never is. A path that exists but is not a directory
    (a file, a symbolic link) is refused, and nothing after it is changed.
  - The server roles create with it the state directory, the anonymous area and the drop-box, the local and virtual
    users' areas, and the certificate directories a bare host lacks.
options:
  directories:
    description: The directories, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the directory.
        type: path
        required: true
      owner:
        description: User name or uid that owns it.
        type: raw
        required: true
      group:
        description: Group name or gid.
        type: raw
        required: true
      mode:
        description: Mode, as an octal string such as V(0755) or V(1730).
        type: str
        required: true
attributes:
  check_mode:
    support: full
    description: Reports what would be created or changed.
  diff_mode:
    support: full
    description: Shows the owner, group and mode before and after, per directory.
notes:
  - Owners and groups must exist; create system users first (M(ansible.builtin.user), M(ansible.builtin.group)).
    In check mode an owner that does not exist yet is reported as a change, since a real run creates it first.
seealso:
  - module: ansible.builtin.file
"""

EXAMPLES = r"""
- name: The anonymous area and its write-only drop-box
  hardened.ftp.ftp_directories:
    directories:
      - {path: /srv/ftp, owner: root, group: root, mode: "0755"}
      - {path: /srv/ftp/incoming, owner: root, group: ftp, mode: "1730"}
  become: true
"""

RETURN = r"""
changed_paths:
  description: The directories created or whose owner, group or mode were changed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/srv/ftp/incoming]
"""

import grp
import os
import pwd
import stat
import typing as t

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "directories": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "path": {"type": "path", "required": True},
            "owner": {"type": "raw", "required": True},
            "group": {"type": "raw", "required": True},
            "mode": {"type": "str", "required": True},
        },
    },
}


class LayoutError(Exception):
    """A directory that cannot be made as asked."""


def _id(value: t.Any, lookup: t.Callable[[str], t.Any]) -> int | None:
    """A uid or gid from a name or a number; None when the name does not exist (yet)."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdecimal()):
        return int(value)
    try:
        return int(lookup(str(value))[2])
    except KeyError:
        return None


def _mode(text: str, path: str) -> int:
    try:
        mode = int(str(text), 8)
    except ValueError:
        raise LayoutError(f"{path}: mode {text!r} is not an octal number such as '0755'") from None
    if not 0 <= mode <= 0o7777:
        raise LayoutError(f"{path}: mode {text!r} is out of range")
    return mode


def describe(st: os.stat_result | None) -> str:
    if st is None:
        return "absent\n"
    return f"directory uid={st.st_uid} gid={st.st_gid} mode={stat.S_IMODE(st.st_mode):04o}\n"


def ensure(item: t.Mapping[str, t.Any], check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Make one directory as ``item`` says; (changed, diff)."""
    path = os.path.normpath(item["path"])
    if not os.path.isabs(path):
        raise LayoutError(f"{item['path']}: the path must be absolute")
    mode = _mode(item["mode"], path)
    uid = _id(item["owner"], pwd.getpwnam)
    gid = _id(item["group"], grp.getgrnam)
    if (uid is None or gid is None) and not check_mode:
        missing = item["owner"] if uid is None else item["group"]
        raise LayoutError(f"{path}: {missing} is not a user or group on the host; create it first")
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
        raise LayoutError(f"{path} exists and is {kind}; move it away, the role will not replace it")
    before = describe(st)
    wanted = (uid, gid, mode)
    if st is not None and (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == wanted:
        return False, {}
    after = f"directory uid={uid} gid={gid} mode={mode:04o}\n"
    if not check_mode:
        if st is None:
            parent = os.path.dirname(path)
            if not os.path.isdir(parent):
                os.makedirs(parent, mode=0o755)
            os.mkdir(path, 0o700)
        # Owner first, then mode: chown clears set-id bits on some systems.
        os.chown(path, t.cast(int, uid), t.cast(int, gid), follow_symlinks=False)
        os.chmod(path, mode)
    return True, {"before_header": path, "after_header": path, "before": before, "after": after}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    changed_paths: list[str] = []
    diffs: list[dict[str, str]] = []
    for item in module.params["directories"]:
        try:
            changed, diff = ensure(item, module.check_mode)
        except (LayoutError, OSError) as exc:
            module.fail_json(msg=f"could not make the directory: {exc}", changed_paths=changed_paths)
        if changed:
            changed_paths.append(os.path.normpath(item["path"]))
            diffs.append(diff)
    result: dict[str, t.Any] = {"changed": bool(changed_paths), "changed_paths": changed_paths}
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
