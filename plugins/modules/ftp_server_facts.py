#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_server_facts
short_description: Read the FTP daemon configuration into the normalised server model
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads the configuration of vsftpd (C(vsftpd.conf)), pure-ftpd (Debian's C(/etc/pure-ftpd/conf/) directory,
    or C(pure-ftpd.conf), or the command line of the running daemon) or ProFTPd (C(proftpd.conf) with what it
    includes) and returns the server model the C(hardened.ftp) roles and checks share, plus the parsed options.
  - Never changes anything on the host.
attributes:
  facts:
    support: full
    description: Sets C(ansible_facts.hardened_ftp_server_facts).
extends_documentation_fragment:
  - hardened.ftp.ftp_checks
  - hardened.ftp.ftp_checks.server
seealso:
  - module: hardened.ftp.ftp_firewall_facts
  - module: hardened.ftp.ftp_consistency
"""

EXAMPLES = r"""
- name: Read whichever FTP daemon is installed
  hardened.ftp.ftp_server_facts:
  become: true

- name: Read a vsftpd configuration at a custom path
  hardened.ftp.ftp_server_facts:
    daemon: vsftpd
    vsftpd_conf: /etc/vsftpd/ftps.conf
  become: true
  register: ftp

- name: Show the passive range
  ansible.builtin.debug:
    msg: "{{ ftp.server.pasv_min_port }}-{{ ftp.server.pasv_max_port }}"
"""

RETURN = r"""
server:
  description: The normalised server model.
  returned: success
  type: dict
  sample:
    daemon: vsftpd
    listen_address: ""
    control_port: 21
    listen_ipv6: true
    pasv_enable: true
    pasv_min_port: 30000
    pasv_max_port: 30999
    pasv_address: ""
    active_enable: true
    tls_enable: true
    tls_required: true
    anonymous_enable: false
    anon_upload_enable: false
    port_promiscuous: false
config_path:
  description: The file or directory read (empty when only the running command line was used).
  returned: success
  type: str
  sample: /etc/vsftpd.conf
options:
  description:
    - The parsed options. For vsftpd every known option with its effective value; for pure-ftpd the settings
      found (file name to content); for ProFTPd the main server's C(directives), the loaded C(modules), the
      C(login_limit) (its C(allow_users), and whether it denies everyone else), each C(anonymous) area with what
      its directories allow, and the C(files) read.
  returned: success
  type: dict
unknown_options:
  description:
    - Option names the daemon does not know (vsftpd and ProFTPd refuse to start with them).
    - For ProFTPd, known only when every module the configuration loads is one of those the proftpd role loads.
  returned: success
  type: list
  elements: str
problems:
  description:
    - Lines vsftpd would reject or read differently than intended (C(line), C(option), C(problem)).
    - For ProFTPd, what the reader could not follow (a context never closed, an Include it cannot read...).
  returned: success
  type: list
  elements: dict
argv:
  description: The running pure-ftpd command line, when it was used.
  returned: success
  type: list
  elements: str
ansible_facts:
  description: Facts set by the module.
  returned: success
  type: dict
  contains:
    hardened_ftp_server_facts:
      description: The server model keys, plus C(daemon_config) (the other return values).
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._module_args import (
    SERVER_ARGS,
    read_or_fail,
    server_from_params,
)

ARGUMENT_SPEC = SERVER_ARGS


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result = read_or_fail(module, server_from_params)
    fact = dict(result["server"])
    fact["daemon_config"] = {key: value for key, value in result.items() if key != "server"}
    module.exit_json(
        changed=False,
        ansible_facts={"hardened_ftp_server_facts": fact},
        **{k: v for k, v in result.items() if k != "daemon"},
    )


if __name__ == "__main__":
    main()
