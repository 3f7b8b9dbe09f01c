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
  - Reads the configuration of vsftpd (C(vsftpd.conf)) or pure-ftpd (Debian's C(/etc/pure-ftpd/conf/) directory,
    or C(pure-ftpd.conf), or the command line of the running daemon) and returns the server model the
    C(hardened.ftp) roles and checks share, plus the parsed options.
  - Never changes anything on the host.
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode behaves exactly like a normal run.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  facts:
    support: full
    description: Sets C(ansible_facts.hardened_ftp_server_facts).
options:
  daemon:
    description:
      - Which daemon to read. V(auto) picks the running one, else the installed one, else the one with a configuration.
    type: str
    choices: [auto, vsftpd, pureftpd]
    default: auto
  vsftpd_conf:
    description:
      - Path of vsftpd.conf. By default C(/etc/vsftpd.conf), then C(/etc/vsftpd/vsftpd.conf).
    type: path
  pureftpd_conf_dir:
    description:
      - Debian's pure-ftpd wrapper directory (one file per setting).
      - When absent, C(/etc/pure-ftpd/pure-ftpd.conf) is read.
    type: path
    default: /etc/pure-ftpd/conf
  use_running:
    description:
      - For pure-ftpd, prefer the command line of the running daemon (from C(/proc)) over the configuration files,
        since it is what really applies.
    type: bool
    default: true
notes:
  - "Reading the configuration usually needs root: use C(become: true)."
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
      found (file name to content).
  returned: success
  type: dict
unknown_options:
  description: Option names the daemon does not know (vsftpd refuses to start with them).
  returned: success
  type: list
  elements: str
problems:
  description: Lines vsftpd would reject or read differently than intended (C(line), C(option), C(problem)).
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
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError, read_server

ARGUMENT_SPEC = {
    "daemon": {"type": "str", "default": "auto", "choices": ["auto", "vsftpd", "pureftpd"]},
    "vsftpd_conf": {"type": "path"},
    "pureftpd_conf_dir": {"type": "path", "default": "/etc/pure-ftpd/conf"},
    "use_running": {"type": "bool", "default": True},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        result = read_server(
            params["daemon"],
            params["vsftpd_conf"],
            params["pureftpd_conf_dir"],
            params["use_running"],
            lambda name: module.get_bin_path(name, opt_dirs=["/usr/sbin", "/sbin"]),
        )
    except CollectError as exc:
        module.fail_json(msg=str(exc))
    fact = dict(result["server"])
    fact["daemon_config"] = {key: value for key, value in result.items() if key != "server"}
    module.exit_json(
        changed=False,
        ansible_facts={"hardened_ftp_server_facts": fact},
        **{k: v for k, v in result.items() if k != "daemon"},
    )


if __name__ == "__main__":
    main()
