#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_files
short_description: Write an FTP server's small files, and remove those it no longer has, in one call
version_added: 1.1.0
author: hardened.ftp contributors (@hardened)
description:
  - Makes the directories of O(directories) exist, writes each file of O(files) with its content, owner, group and
    mode, makes the symbolic links of O(links), removes the paths of O(absent), and removes from each directory of
    O(prune) the files and links it does not keep, in this order and in one task (one round trip to the host) instead
    of one task per file.
  - The server roles write with it the small files a daemon reads besides its main configuration (allow-lists,
    per-user settings, banners, PAM services, the configuration checker), rendered on the controller.
  - A file is written to a temporary file beside it, then renamed over it, so the daemon reads the old file or the
    new one, never a part. A symbolic link at a file's path is replaced, not followed; a directory is refused.
  - Only regular files and symbolic links are removed; a directory in O(absent) or O(prune) is refused or kept.
options:
  directories:
    description: Directories to make exist first, as M(hardened.ftp.ftp_directories) makes them.
    type: list
    elements: dict
    default: []
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
        description: Mode, as an octal string such as V(0700).
        type: str
        required: true
  files:
    description: Files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the file.
        type: path
        required: true
      content:
        description: The whole content of the file (render templates on the controller, for example with the
          P(ansible.builtin.template#lookup) lookup).
        type: str
        required: true
      owner:
        description: User name or uid that owns it.
        type: raw
        default: root
      group:
        description: Group name or gid.
        type: raw
        default: root
      mode:
        description: Mode, as an octal string such as V(0600).
        type: str
        required: true
  links:
    description: Symbolic links to make; a file or another link at the path is replaced, a directory is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the link.
        type: path
        required: true
      target:
        description: What the link points to, as written into it.
        type: str
        required: true
  absent:
    description: Files or symbolic links to remove where they exist.
    type: list
    elements: path
    default: []
  prune:
    description: Directories whose files (and symbolic links) not named in C(keep) are removed; subdirectories are
      kept. A directory that does not exist is nothing to prune.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the directory.
        type: path
        required: true
      keep:
        description: Names of the entries to keep.
        type: list
        elements: str
        default: []
attributes:
  check_mode:
    support: full
    description: Reports what would be written or removed; nothing changes.
  diff_mode:
    support: full
    description: Shows each file's content, owner, group and mode before and after (content up to 64 KiB).
notes:
  - Owners and groups must exist. In check mode an owner that does not exist yet is reported as a change, since a
    real run creates it first.
  - Nothing is undone when an item fails; the items before it are done, and RV(changed_paths) names them.
seealso:
  - module: hardened.ftp.ftp_directories
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: The allow-list and the per-user settings of vsftpd, the settings of removed users gone
  hardened.ftp.ftp_files:
    directories:
      - {path: /etc/vsftpd/user_conf, owner: root, group: root, mode: "0700"}
    files:
      - {path: /etc/vsftpd.user_list, content: "anonymous\nftp\nalice\n", mode: "0600"}
      - {path: /etc/vsftpd/user_conf/alice, content: "write_enable=YES\n", mode: "0600"}
    prune:
      - {path: /etc/vsftpd/user_conf, keep: [alice]}
  become: true
"""

RETURN = r"""
changed_paths:
  description: The directories, files and links made or changed, then the paths removed (or that would be, in check
    mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/vsftpd.user_list]
removed:
  description: The paths removed (or that would be), from O(absent) and O(prune).
  returned: always
  type: list
  elements: str
  sample: [/etc/vsftpd/user_conf/bob]
"""

import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils import _ftp_layout as layout

OWNED = {
    "path": {"type": "path", "required": True},
    "owner": {"type": "raw", "required": True},
    "group": {"type": "raw", "required": True},
    "mode": {"type": "str", "required": True},
}
ARGUMENT_SPEC = {
    "directories": {"type": "list", "elements": "dict", "default": [], "options": OWNED},
    "files": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            **OWNED,
            "content": {"type": "str", "required": True},
            "owner": {"type": "raw", "default": "root"},
            "group": {"type": "raw", "default": "root"},
        },
    },
    "links": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {"path": {"type": "path", "required": True}, "target": {"type": "str", "required": True}},
    },
    "absent": {"type": "list", "elements": "path", "default": []},
    "prune": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "path": {"type": "path", "required": True},
            "keep": {"type": "list", "elements": "str", "default": []},
        },
    },
}


def apply(params: t.Mapping[str, t.Any], check_mode: bool) -> dict[str, t.Any]:
    """Every item of ``params`` in order; raises layout.LayoutError or OSError at the first that fails."""
    done: dict[str, t.Any] = {"changed_paths": [], "removed": [], "diff": []}

    def note(path: str, changed: bool, diff: dict[str, str], removed: bool = False) -> None:
        if changed:
            done["changed_paths"].append(path)
            done["diff"].append(diff)
            if removed:
                done["removed"].append(path)

    for item in params["directories"]:
        note(layout.absolute(item["path"]), *layout.ensure_directory(item, check_mode))
    for item in params["files"]:
        note(layout.absolute(item["path"]), *layout.ensure_file(item, check_mode))
    for item in params["links"]:
        note(layout.absolute(item["path"]), *layout.ensure_link(item, check_mode))
    doomed = [layout.absolute(path) for path in params["absent"]]
    for item in params["prune"]:
        doomed += layout.stale(item)
    for path in dict.fromkeys(doomed):
        note(path, *layout.remove(path, check_mode), removed=True)
    return done


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        done = apply(module.params, module.check_mode)
    except (layout.LayoutError, OSError) as exc:
        module.fail_json(msg=f"could not write the server's files: {exc}")
    diff = done.pop("diff")
    result: dict[str, t.Any] = {"changed": bool(done["changed_paths"]), **done}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
