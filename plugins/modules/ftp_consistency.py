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
  - Reads the live FTP daemon configuration (or takes the server model from O(server)) and the live firewall, and
    reports what keeps FTP from working or leaves it exposed, for example a passive range the firewall does not
    open, a conntrack helper that is not attached, FTPS that the helper cannot see into, or an FTP bounce.
  - Each address family the server listens on is judged against the client sources of that family
    (O(client_sources)); a family none of them belongs to is meant to be closed and is not judged.
  - Where the outcome depends on firewall rules the model cannot evaluate (rate limits, marks, unknown matches,
    queues), the finding V(verdict_uncertain) names those rules instead of a verdict that could be wrong.
  - With O(expected), every setting where the live configuration differs from the model a role published is an
    error finding V(server_drift), for example a C(port_promiscuous=YES) added to C(vsftpd.conf) by hand.
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
      - The server model to check instead of the live configuration, for example the C(hardened_ftp_server) fact
        of another host. When given, the daemon configuration is not read and the O(daemon), O(vsftpd_conf),
        O(pureftpd_conf_dir), O(proftpd_conf) and O(use_running) options are ignored.
      - When omitted (the default), the module reads the live daemon configuration the way
        M(hardened.ftp.ftp_server_facts) does.
      - Mutually exclusive with O(expected).
    type: dict
  expected:
    description:
      - The server model a role published (the C(hardened_ftp_server) fact). The live configuration is read and
        compared with it key by key; each difference is an error finding V(server_drift) naming the key, the
        live value and the published value.
      - Mutually exclusive with O(server), which would replace the live configuration.
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
- name: Fail the play when the live FTP server and the live firewall disagree
  hardened.ftp.ftp_consistency:
    enforce: true
  become: true

- name: End of a provisioning run, the live server must still be what the role published
  hardened.ftp.ftp_consistency:
    expected: "{{ hardened_ftp_server }}"
    client_sources:
      - 192.0.2.0/24
    passive_policy: related
    enforce: true
  become: true

- name: Check a published model without reading the daemon configuration, passive range must be open
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
      description:
        - Stable identifier, e.g. V(passive_range_not_open); V(verdict_uncertain) when a check depends on rules
          the firewall model cannot evaluate, V(server_drift) when the live configuration differs from O(expected).
      type: str
    severity:
      description: V(error), V(warning) or V(info).
      type: str
    message:
      description: What is wrong, naming the ports (and the rules, or the setting and both values).
      type: str
    fix:
      description: What to change, naming the role variables.
      type: str
  sample:
    - id: server_drift
      severity: error
      message: vsftpd runs with port_promiscuous=true but the role published port_promiscuous=false ...
      fix: "re-run hardened.ftp.vsftpd: it always writes this setting the hardened way"
    - id: passive_range_not_open
      severity: error
      message: no port of the passive range 30000-30999/tcp is open for new connections (ipv4 from any source) ...
      fix: "open 30000-30999/tcp (ftp_firewall_passive_policy: range) ..."
errors:
  description: Number of findings with severity V(error).
  returned: always
  type: int
server:
  description: The server model checked (the live one unless O(server) was given).
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
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS
from ansible_collections.hardened.ftp.plugins.module_utils._module_args import (
    FIREWALL_ARGS,
    SERVER_ARGS,
    firewall_from_params,
    server_from_params,
)
from ansible_collections.hardened.ftp.plugins.module_utils._names import FACTS
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import ServerModelError, normalize_server_model

ARGUMENT_SPEC = dict(
    SERVER_ARGS,
    **FIREWALL_ARGS,
    server={"type": "dict"},
    expected={"type": "dict"},
    passive_policy={"type": "str", "default": "auto", "choices": [*PASSIVE_POLICIES, *POLICY_ALIASES]},
    max_passive_ports={"type": "int", "default": MAX_PASSIVE_PORTS},
    enforce={"type": "bool", "default": False},
)


def _model(module: AnsibleModule, name: str) -> dict | None:
    """The server model given as option ``name``, validated (the module fails naming it)."""
    value = module.params[name]
    if value is None:
        return None
    try:
        return normalize_server_model(value)
    except ServerModelError as exc:
        alternative = " or omit server to read the daemon configuration" if name == "server" else ""
        module.fail_json(msg=f"{name}: {exc}; pass the {FACTS['server']} fact a server role published{alternative}")
        raise  # not reached: fail_json exits


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if params["server"] is not None and params["expected"] is not None:
        module.fail_json(
            msg="server and expected exclude each other: give expected (the published model) to check the live "
            "server against it, or server to check a model without reading the daemon configuration"
        )
    given, expected = _model(module, "server"), _model(module, "expected")
    try:
        server = given if given is not None else server_from_params(module)["server"]
        firewall = firewall_from_params(module)
        findings = sorted_findings(server, firewall, params, expected)
    except (CollectError, CheckOptionsError, ServerModelError) as exc:
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
