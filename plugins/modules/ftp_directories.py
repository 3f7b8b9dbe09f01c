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

import os
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_layout import LayoutError
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_layout import ensure_directory as ensure

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
