#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_consistency
short_description: Check that the FTP daemon and the firewall agree
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads the FTP server model (or takes it from O(server)) and the firewall model, and reports what keeps FTP
    from working or leaves it exposed, for example a passive range the firewall does not open, a conntrack
    helper that is not attached, FTPS that the helper cannot see into, or an FTP bounce.
  - With O(enforce=true) the task fails when any finding has severity V(error).
  - Never changes anything on the host.
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode behaves exactly like a normal run.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
options:
  server:
    description:
      - The server model to check, for example the C(hardened_ftp_server) fact the server roles publish.
        When given, the daemon configuration is not read.
    type: dict
  daemon:
    description: Which daemon to read when O(server) is not given (see M(hardened.ftp.ftp_server_facts)).
    type: str
    choices: [auto, vsftpd, pureftpd]
    default: auto
  vsftpd_conf:
    description: Path of vsftpd.conf (see M(hardened.ftp.ftp_server_facts)).
    type: path
  pureftpd_conf_dir:
    description: Debian's pure-ftpd configuration directory.
    type: path
    default: /etc/pure-ftpd/conf
  use_running:
    description: For pure-ftpd, prefer the running daemon's command line.
    type: bool
    default: true
  backend:
    description: Which packet filter to read (see M(hardened.ftp.ftp_firewall_facts)).
    type: str
    choices: [auto, iptables, nftables, ufw, none]
    default: auto
  client_sources:
    description: Networks the clients come from; by default the server must be reachable from any source.
    type: list
    elements: str
    default: []
  interface:
    description: Only count firewall openings on this input interface.
    type: str
  auto_helper:
    description: Whether the kernel assigns conntrack helpers automatically; read from C(/proc) by default.
    type: bool
  ipv6:
    description: Also read and check IPv6.
    type: bool
    default: true
  passive_policy:
    description:
      - How passive data connections are meant to pass the firewall. V(range) needs the passive range open,
        V(helper) needs the ftp helper and RELATED acceptance, V(auto) accepts either.
    type: str
    choices: [auto, range, helper]
    default: auto
  max_passive_ports:
    description: A passive range larger than this is reported as V(passive_range_unbounded).
    type: int
    default: 10000
  enforce:
    description: Fail when a finding has severity V(error).
    type: bool
    default: false
seealso:
  - module: hardened.ftp.ftp_server_facts
  - module: hardened.ftp.ftp_firewall_facts
"""

EXAMPLES = r"""
- name: Fail the play when FTP and the firewall disagree
  hardened.ftp.ftp_consistency:
    enforce: true
  become: true

- name: Check the model the role published, passive range must be open
  hardened.ftp.ftp_consistency:
    server: "{{ hardened_ftp_server }}"
    passive_policy: range
  become: true
  register: ftp_check

- name: Show the findings
  ansible.builtin.debug:
    msg: "{{ ftp_check.findings | map(attribute='message') | list }}"
"""

RETURN = r"""
findings:
  description: What is wrong, errors first; empty when the daemon and the firewall agree.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Stable identifier, e.g. V(passive_range_not_open).
      type: str
    severity:
      description: V(error), V(warning) or V(info).
      type: str
    message:
      description: What is wrong, naming the ports.
      type: str
    fix:
      description: What to change, naming the role variables.
      type: str
  sample:
    - id: passive_range_not_open
      severity: error
      message: no port of the passive range 30000-30999/tcp is open for new connections (ipv4 from any source) ...
      fix: open 30000-30999/tcp (ftp_firewall_passive_policy=range) ...
errors:
  description: Number of findings with severity V(error).
  returned: always
  type: int
server:
  description: The server model checked.
  returned: success
  type: dict
firewall:
  description: The firewall model checked (see M(hardened.ftp.ftp_firewall_facts)).
  returned: success
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError, firewall_model, read_server
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import CheckOptionsError, check
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import ServerModelError, normalize_server_model

ARGUMENT_SPEC = {
    "server": {"type": "dict"},
    "daemon": {"type": "str", "default": "auto", "choices": ["auto", "vsftpd", "pureftpd"]},
    "vsftpd_conf": {"type": "path"},
    "pureftpd_conf_dir": {"type": "path", "default": "/etc/pure-ftpd/conf"},
    "use_running": {"type": "bool", "default": True},
    "backend": {"type": "str", "default": "auto", "choices": ["auto", "iptables", "nftables", "ufw", "none"]},
    "client_sources": {"type": "list", "elements": "str", "default": []},
    "interface": {"type": "str"},
    "auto_helper": {"type": "bool"},
    "ipv6": {"type": "bool", "default": True},
    "passive_policy": {"type": "str", "default": "auto", "choices": ["auto", "range", "helper"]},
    "max_passive_ports": {"type": "int", "default": 10000},
    "enforce": {"type": "bool", "default": False},
}
_ORDER = {"error": 0, "warning": 1, "info": 2}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params

    def find_bin(name: str) -> str:
        return module.get_bin_path(name, opt_dirs=["/usr/sbin", "/sbin"])

    try:
        if params["server"] is not None:
            server = normalize_server_model(params["server"])
        else:
            server = read_server(
                params["daemon"], params["vsftpd_conf"], params["pureftpd_conf_dir"], params["use_running"], find_bin
            )["server"]
        firewall = firewall_model(
            params["backend"],
            lambda argv: module.run_command(argv, check_rc=False),
            find_bin,
            params["client_sources"],
            params["interface"],
            params["auto_helper"],
            params["ipv6"],
        )
        options = {
            "passive_policy": params["passive_policy"],
            "client_sources": params["client_sources"],
            "interface": params["interface"],
            "max_passive_ports": params["max_passive_ports"],
        }
        findings = sorted(check(server, firewall, options), key=lambda item: _ORDER.get(item["severity"], 3))
    except ServerModelError as exc:
        module.fail_json(
            msg=f"server: {exc}; pass the hardened_ftp_server fact or omit server to read the daemon configuration"
        )
    except (CollectError, CheckOptionsError) as exc:
        module.fail_json(msg=str(exc))
    errors = len([item for item in findings if item["severity"] == "error"])
    result = {"changed": False, "findings": findings, "errors": errors, "server": server, "firewall": firewall}
    if params["enforce"] and errors:
        summary = "; ".join(
            "{}: {}".format(item["id"], item["message"]) for item in findings if item["severity"] == "error"
        )
        module.fail_json(msg=f"FTP and firewall disagree ({errors} error(s)): {summary}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
