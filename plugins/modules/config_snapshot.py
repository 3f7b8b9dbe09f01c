#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: config_snapshot
short_description: Keep a copy of the configuration a daemon last ran with, and put it back
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - With O(state=saved), makes O(store) hold an exact copy of each of O(paths) (files, or directories of
    files), copying only what differs and removing what the configuration no longer has. One task,
    whatever the number of files.
  - With O(state=restored), puts the copies in O(store) back over O(paths), so the daemon can be
    restarted on the configuration it last ran with. Paths with no copy in O(store) are left alone;
    RV(found) says whether there was a copy at all.
  - The server roles save their configuration after the daemon was seen holding its port, and restore it
    when a new configuration keeps the daemon from starting.
  - Copies keep the mode and owner of the original. O(store) is created with mode C(0700).
options:
  paths:
    description:
      - Absolute paths of the configuration files or directories. Their base names must differ (each is
        kept in O(store) under its base name). Directories are copied with their files and subdirectories;
        symbolic links are copied as links.
    type: list
    elements: path
    required: true
  store:
    description: Absolute path of the directory that holds the copies.
    type: path
    required: true
  state:
    description:
      - V(saved) copies O(paths) into O(store); V(restored) copies O(store) back over O(paths).
    type: str
    choices: [saved, restored]
    default: saved
attributes:
  check_mode:
    support: full
    description: Reports what would be copied or removed, and changes nothing.
  diff_mode:
    support: none
    description: Lists the files in RV(copied) and RV(removed) instead of a diff.
notes:
  - A path that does not exist is not saved; a copy kept from an earlier run under its name is removed,
    so that a later restore does not bring back a file the configuration had dropped.
"""

EXAMPLES = r"""
- name: Keep the configuration vsftpd runs with
  hardened.ftp.config_snapshot:
    paths: [/etc/vsftpd.conf, /etc/vsftpd.user_list]
    store: /var/lib/hardened-ftp/vsftpd
  become: true

- name: Put Pure-FTPd's last good settings back
  hardened.ftp.config_snapshot:
    paths: [/etc/pure-ftpd/conf]
    store: /var/lib/hardened-ftp/pureftpd
    state: restored
  become: true
  register: restored
"""

RETURN = r"""
found:
  description: Whether O(store) held a copy of at least one of O(paths) (with O(state=restored)), or whether
    at least one of O(paths) exists (with O(state=saved)).
  returned: always
  type: bool
  sample: true
copied:
  description: Files written (or that would be written in check mode), as destination paths.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/hardened-ftp/vsftpd/vsftpd.conf]
removed:
  description: Files and directories removed from the destination because the source does not have them.
  returned: always
  type: list
  elements: str
  sample: [/etc/pure-ftpd/conf/TLS]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._snapshot import snapshot

ARGUMENT_SPEC = {
    "paths": {"type": "list", "elements": "path", "required": True},
    "store": {"type": "path", "required": True},
    "state": {"type": "str", "choices": ["saved", "restored"], "default": "saved"},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    paths = [os.path.normpath(path) for path in module.params["paths"]]
    store = os.path.normpath(module.params["store"])
    relative = [name for name in [*paths, store] if not os.path.isabs(name)]
    if relative:
        module.fail_json(msg=f"paths and store must be absolute paths; got {', '.join(relative)}")
    names = [os.path.basename(path) for path in paths]
    if len(set(names)) != len(names):
        module.fail_json(
            msg=f"paths: the base names must differ (each is kept in store under it); got {', '.join(paths)}"
        )
    inside = [path for path in paths if store == path or store.startswith(path + os.sep)]
    if inside:
        module.fail_json(msg=f"store {store} must not be inside one of paths ({', '.join(inside)})")
    try:
        result = snapshot(paths, store, module.params["state"], module.check_mode)
    except OSError as exc:
        verb = "save" if module.params["state"] == "saved" else "restore"
        module.fail_json(msg=f"could not {verb} the configuration: {exc}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
