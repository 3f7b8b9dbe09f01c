#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_host_info
short_description: Read in one call what the FTP roles' checks need from a host
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads users (as NSS resolves them, with their groups, shell and home), groups, files and
    directories (kind, owner, group, mode), host names (IPv4), installed Debian packages, the state of
    systemd units, the C library version, whether the C(apt) Python bindings are present, C(/etc/shells),
    C(/etc/ftpusers), C(/etc/os-release), the SSH session Ansible runs in and whether the kernel has IPv6.
  - Uses the Python standard library and C(/proc) only (and C(systemctl) for unit states), so it works
    on a bare host with nothing but systemd and python3 installed.
  - The server roles call it through M(hardened.ftp.server_plan), and the firewall role through
    M(hardened.ftp.firewall_plan), once per run each, before anything changes.
options:
  users:
    description: Login names to look up.
    type: list
    elements: str
    default: []
  groups:
    description: Group names to look up.
    type: list
    elements: str
    default: []
  paths:
    description: Paths to describe (a link is described itself, not its target).
    type: list
    elements: str
    default: []
  resolve:
    description: Host names to resolve to IPv4 addresses, as the host resolves them.
    type: list
    elements: str
    default: []
  packages:
    description: Debian packages whose installed version to report.
    type: list
    elements: str
    default: []
  units:
    description: systemd units whose load, active and unit-file states to report.
    type: list
    elements: str
    default: []
  read:
    description:
      - Small files (at most 1 MiB) whose content to return, for example a certificate to check.
      - The content is returned as it is, like M(ansible.builtin.slurp) does; use C(no_log) on the task when
        a file is secret. M(hardened.ftp.server_plan) reads a private key this way to check it matches its
        certificate, and never returns or prints it.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Reads only; the same in check mode.
  diff_mode:
    support: none
    description: Reads only.
notes:
  - Reads only; never changes the host.
seealso:
  - module: hardened.ftp.server_plan
  - module: hardened.ftp.firewall_plan
"""

EXAMPLES = r"""
- name: Is alice a user, and does her home exist?
  hardened.ftp.ftp_host_info:
    users: [alice]
  register: host

- name: Show it
  ansible.builtin.debug:
    msg: "{{ host.info.users.alice.home }} exists: {{ host.info.users.alice.home_stat.exists }}"
"""

RETURN = r"""
info:
  description: What was read.
  returned: always
  type: dict
  contains:
    euid:
      description: The effective user id the module ran as (0 for root).
      type: int
    os:
      description: C(id), C(version_id) and C(codename) from C(/etc/os-release).
      type: dict
      sample: {id: debian, version_id: "12", codename: bookworm}
    glibc:
      description: The C library, as C(confstr(CS_GNU_LIBC_VERSION)) gives it.
      type: str
      sample: glibc 2.36
    python_apt:
      description: Whether the interpreter can import C(apt_pkg), which M(ansible.builtin.apt) needs in check mode.
      type: bool
    shells:
      description: The lines of C(/etc/shells), or null when it does not exist.
      type: list
      elements: str
    ftpusers:
      description: The users C(/etc/ftpusers) lists (PAM refuses them FTP), or null.
      type: list
      elements: str
    users:
      description: Per name, C(exists), and when it exists C(uid), C(gid), C(groups), C(home), C(shell), C(home_stat).
      type: dict
    groups:
      description: Per name, C(exists) and C(gid).
      type: dict
    paths:
      description:
        - Per path, C(exists), and when it exists C(isdir), C(isreg), C(islnk), C(uid), C(gid), C(group) and C(mode).
      type: dict
    resolved:
      description: Per host name, its IPv4 addresses ([] when it does not resolve).
      type: dict
    packages:
      description: Per package, its installed version, or an empty string.
      type: dict
    units:
      description: Per unit, C(load), C(active) and C(file_state).
      type: dict
    ssh:
      description: C(client) address and server C(port) of the SSH session Ansible runs in ({} when none).
      type: dict
    files:
      description: Per path of O(read), its content, or null when it cannot be read.
      type: dict
    ipv6:
      description:
        - Whether the kernel has IPv6 (C(/proc/net/if_inet6) exists). False on a host booted with C(ipv6.disable=1),
          where no IPv6 rule can be loaded.
      type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._host_info import host_info

ARGUMENT_SPEC = {
    name: {"type": "list", "elements": "str", "default": []}
    for name in ("users", "groups", "paths", "resolve", "packages", "units", "read")
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)

    def run(argv: list[str]) -> tuple[int, str]:
        systemctl = module.get_bin_path(argv[0])
        if not systemctl:
            return 1, ""
        rc, out, _err = module.run_command([systemctl, *argv[1:]], check_rc=False)
        return rc, out

    info = host_info(module.params, run)
    module.exit_json(changed=False, info=info)


if __name__ == "__main__":
    main()
