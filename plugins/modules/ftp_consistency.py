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
extends_documentation_fragment:
  - hardened.ftp.ftp_checks
  - hardened.ftp.ftp_checks.server
  - hardened.ftp.ftp_checks.firewall
  - hardened.ftp.ftp_checks.check
options:
  server:
    description:
      - The server model to check, for example the C(hardened_ftp_server) fact the server roles publish.
        When given, the daemon configuration is not read and the O(daemon), O(vsftpd_conf),
        O(pureftpd_conf_dir) and O(use_running) options are ignored.
    type: dict
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
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError
from ansible_collections.hardened.ftp.plugins.module_utils._findings import error_count, sorted_findings
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import (
    PASSIVE_POLICIES,
    POLICY_ALIASES,
    CheckOptionsError,
)
from ansible_collections.hardened.ftp.plugins.module_utils._module_args import (
    FIREWALL_ARGS,
    SERVER_ARGS,
    firewall_from_params,
    server_from_params,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import ServerModelError, normalize_server_model

ARGUMENT_SPEC = dict(
    SERVER_ARGS,
    **FIREWALL_ARGS,
    server={"type": "dict"},
    passive_policy={"type": "str", "default": "auto", "choices": [*PASSIVE_POLICIES, *POLICY_ALIASES]},
    max_passive_ports={"type": "int", "default": 10000},
    enforce={"type": "bool", "default": False},
)


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        if params["server"] is not None:
            server = normalize_server_model(params["server"])
        else:
            server = server_from_params(module)["server"]
        firewall = firewall_from_params(module)
        findings = sorted_findings(server, firewall, params)
    except ServerModelError as exc:
        module.fail_json(
            msg=f"server: {exc}; pass the hardened_ftp_server fact or omit server to read the daemon configuration"
        )
    except (CollectError, CheckOptionsError) as exc:
        module.fail_json(msg=str(exc))
    errors = error_count(findings)
    result = {"changed": False, "findings": findings, "errors": errors, "server": server, "firewall": firewall}
    if params["enforce"] and errors:
        summary = "; ".join(
            "{}: {}".format(item["id"], item["message"]) for item in findings if item["severity"] == "error"
        )
        module.fail_json(msg=f"FTP and firewall disagree ({errors} error(s)): {summary}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
