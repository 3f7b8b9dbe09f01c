#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_audit
short_description: Audit an FTP host against the hardened.ftp baseline
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Evaluates every control of the hardened.ftp baseline (C(HFTP-001) to C(HFTP-018), see C(docs/baseline.md)
    in the collection) on the host from its live state, and returns one result per control with its status,
    the evidence read and the remediation.
  - "Live state: the FTP daemon configuration and the firewall model (read like M(hardened.ftp.ftp_server_facts)
    and M(hardened.ftp.ftp_firewall_facts) do), the running processes, the listening sockets (C(/proc/net/tcp),
    C(/proc/net/tcp6)), owners and modes of the configuration, the TLS key and the anonymous area."
  - "C(HFTP-012) (the firewall and the server agree) needs evidence: when a check depends on firewall rules the
    model cannot evaluate (finding V(verdict_uncertain) of M(hardened.ftp.ftp_consistency)), the control fails with
    the rules named as cannot be verified; review them and record a waiver if they are intended."
  - Never changes anything on the host. Failed controls do not fail the task unless O(enforce=true).
  - The playbook C(hardened.ftp.audit) runs this module over the inventory and writes JSON, JUnit and HTML reports.
extends_documentation_fragment:
  - hardened.ftp.ftp_checks
  - hardened.ftp.ftp_checks.server
  - hardened.ftp.ftp_checks.firewall
options:
  firewall_audit:
    description:
      - Evaluate the firewall controls (C(HFTP-011) to C(HFTP-013)).
      - When V(false) they are V(not-applicable), with O(firewall_reason) as their evidence, for hosts whose
        packet filter is managed outside hardened.ftp (C(hardened_ftp_firewall_enabled=false)).
    type: bool
    default: true
  firewall_reason:
    description: The evidence recorded for the firewall controls when O(firewall_audit=false).
    type: str
    default: the firewall is managed outside hardened.ftp (hardened_ftp_firewall_enabled is false)
  passive_policy:
    description:
      - How passive data connections are meant to pass the firewall (C(ftp_firewall_passive_policy)); V(auto)
        accepts an open passive range or the ftp conntrack helper.
      - V(helper) is an older name for V(related), still accepted.
    type: str
    choices: [auto, range, related, helper]
    default: auto
  max_passive_ports:
    description:
      - The largest passive range C(HFTP-009) accepts, 1000 by default like the roles'
        C(vsftpd_pasv_max_range_size) and C(pureftpd_pasv_max_range_size).
    type: int
    default: 1000
  waivers:
    description:
      - "Controls waived on this host, as C({control id: reason}). A failed waived control has status V(waived)
        and the reason is kept in the result; a waiver on a control that does not fail is kept and noted."
    type: dict
    default: {}
  enforce:
    description: Fail the task when a control fails (waived controls do not count).
    type: bool
    default: false
seealso:
  - module: hardened.ftp.ftp_consistency
  - module: hardened.ftp.ftp_server_facts
  - module: hardened.ftp.ftp_firewall_facts
"""

EXAMPLES = r"""
- name: Audit the host against the hardened.ftp baseline
  hardened.ftp.ftp_audit:
  become: true
  register: audit

- name: Show the failed controls
  ansible.builtin.debug:
    msg: "{{ audit.controls | selectattr('status', 'eq', 'fail') | map(attribute='id') | list }}"

- name: Fail on any failed control, with a recorded waiver and the firewall managed by another team
  hardened.ftp.ftp_audit:
    enforce: true
    firewall_audit: false
    firewall_reason: the perimeter firewall is managed by the network team (ticket NET-42)
    waivers:
      HFTP-003: legacy clients break on a multi-line banner; accepted by the ISSO until 2027-01
  become: true
"""

RETURN = r"""
controls:
  description: One result per control, in baseline order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Control id, e.g. V(HFTP-006).
      type: str
    title:
      description: What the control requires.
      type: str
    status:
      description: V(pass), V(fail), V(not-applicable) or V(waived).
      type: str
    original_status:
      description: The status before waivers were applied.
      type: str
    evidence:
      description: What was read on the host, problems first.
      type: list
      elements: str
    remediation:
      description: How our roles fix a failed control (empty when it does not fail).
      type: str
    mapping:
      description: Public controls it maps to (ComplianceAsCode rule ids, DISA STIG, CIS).
      type: list
      elements: str
    waiver:
      description: The waiver reason, or null.
      type: str
  sample:
    - id: HFTP-010
      title: "No FTP bounce: data connections only to and from the client"
      status: fail
      original_status: fail
      evidence: ["PORT/EPRT to a third host is accepted (FTP bounce)", "active mode: on"]
      remediation: "Run hardened.ftp.site: the vsftpd role always writes port_promiscuous=NO ..."
      mapping: []
      waiver: null
summary:
  description: Number of controls per status.
  returned: always
  type: dict
  sample: {pass: 12, fail: 1, not-applicable: 1, waived: 0}
daemon:
  description: The FTP daemon audited (V(vsftpd), V(pureftpd) or V(proftpd)), null when none was found.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._audit import (
    AuditInputError,
    apply_waivers,
    evaluate,
    summarize,
    validate_waivers,
)
from ansible_collections.hardened.ftp.plugins.module_utils._audit_collect import audit_state
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import PASSIVE_POLICIES, POLICY_ALIASES
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS
from ansible_collections.hardened.ftp.plugins.module_utils._module_args import (
    FIREWALL_ARGS,
    SERVER_ARGS,
    firewall_from_params,
    server_from_params,
)

ARGUMENT_SPEC = dict(
    SERVER_ARGS,
    **FIREWALL_ARGS,
    firewall_audit={"type": "bool", "default": True},
    firewall_reason={
        "type": "str",
        "default": "the firewall is managed outside hardened.ftp (hardened_ftp_firewall_enabled is false)",
    },
    passive_policy={"type": "str", "default": "auto", "choices": [*PASSIVE_POLICIES, *POLICY_ALIASES]},
    max_passive_ports={"type": "int", "default": MAX_PASSIVE_PORTS},
    waivers={"type": "dict", "default": {}},
    enforce={"type": "bool", "default": False},
)


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        waivers = validate_waivers(params["waivers"])
    except AuditInputError as exc:
        module.fail_json(msg=f"{exc} (hardened_ftp_audit_waivers in the audit playbook)")
    server_info, error = None, ""
    try:
        server_info = server_from_params(module)
    except CollectError as exc:
        error = str(exc)
    firewall = None
    if params["firewall_audit"]:
        try:
            firewall = firewall_from_params(module)
        except CollectError as exc:
            module.fail_json(msg=str(exc))
    state = audit_state(server_info, error, firewall, params["firewall_reason"], params)
    controls = apply_waivers(evaluate(state), waivers)
    summary = summarize(controls)
    result = {"changed": False, "controls": controls, "summary": summary, "daemon": state["daemon"]}
    if params["enforce"] and summary["fail"]:
        failed = ", ".join(item["id"] for item in controls if item["status"] == "fail")
        module.fail_json(msg=f"{summary['fail']} control(s) of the hardened.ftp baseline fail: {failed}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
