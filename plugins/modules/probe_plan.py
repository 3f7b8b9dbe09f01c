#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: probe_plan
short_description: What the probe of an FTP server expects, from the inventory the server roles read
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - The first task of the role C(hardened.ftp.hardened_ftp_probe) (the playbook C(hardened.ftp.probe)), on the
    controller, before any server is contacted.
  - "Checks the playbook's variables: C(hardened_ftp_probe_address) is a host name or an IP address,
    C(hardened_ftp_probe_from) is empty or a host of the inventory, C(hardened_ftp_probe_user) is a user name and
    comes with C(hardened_ftp_probe_password) (never shown in a message), C(hardened_ftp_probe_report_dir) is an
    absolute path; with the same rules M(hardened.ftp.ftp_probe) applies to its options."
  - Then hands the server role's variables (C(vsftpd_*) or C(pureftpd_*) as C(hardened_ftp_daemon) says, over that
    role's defaults) to the role's own planner - the one M(hardened.ftp.server_plan) runs - and takes from it what
    the wire must show - the control port, TLS, anonymous login, the drop-box, the passive range and address,
    active mode, the banner. So the probe compares the wire with the inventory, never with values of its own.
  - Every problem is reported at once, each naming the variable and the fix. A variable that starts with
    C(hardened_ftp_probe_) but is no input of the role is reported as a warning.
options: {}
attributes:
  action:
    support: full
    description: Runs as an action plugin.
    details: Runs on the controller only; contacts no host.
  check_mode:
    support: full
    description: Can run in check mode; it contacts nothing in any mode.
  diff_mode:
    support: none
    description: Reports no differences.
notes:
  - The server role's variables must be known without facts (the planner runs before any host is read); a value
    such as C("{{ ansible_default_ipv4.address }}") is refused, naming the variable.
seealso:
  - module: hardened.ftp.ftp_probe
  - module: hardened.ftp.server_plan
"""

EXAMPLES = r"""
- name: Check the probe's variables and take the expected values from the inventory
  hardened.ftp.probe_plan:
  register: probe_plan

- name: Probe the server as the plan says
  hardened.ftp.ftp_probe:
    address: "{{ probe_plan.plan.address }}"
    port: "{{ probe_plan.plan.port }}"
    expect: "{{ probe_plan.plan.expect }}"
  delegate_to: "{{ probe_plan.plan.probe_from }}"
"""

RETURN = r"""
plan:
  description: What M(hardened.ftp.ftp_probe) is given for this server (the password is not in it).
  returned: success
  type: dict
  contains:
    address:
      description: The address clients use (C(hardened_ftp_probe_address)).
      type: str
    port:
      description: The control port, from the server role's variables.
      type: int
    probe_from:
      description: Where the probe runs (C(hardened_ftp_probe_from), V(localhost) for the controller).
      type: str
    expect:
      description: The expectations, as M(hardened.ftp.ftp_probe)'s O(hardened.ftp.ftp_probe#module:expect).
      type: dict
    user:
      description: The probe's user, or empty.
      type: str
    dropbox_canary:
      description: Whether the drop-box canary is uploaded.
      type: bool
    skip_ports:
      description: Ports the outside sample leaves out (SSH, C(ansible_port)).
      type: list
      elements: int
    report_dir:
      description: Where the reports are written, on the controller.
      type: str
    enforce:
      description: Whether a host fails when a check fails.
      type: bool
  sample:
    address: ftp1.example.org
    port: 21
    probe_from: bastion.example.org
    expect: {daemon: vsftpd, tls_enable: true, tls_required: true, pasv_min_port: 30000, pasv_max_port: 30099}
    user: ""
    dropbox_canary: false
    skip_ports: [22]
    report_dir: /srv/reports/hardened-ftp-probe
    enforce: false
"""

# No options: everything comes from the task's variables (plugins/action/probe_plan.py does the work).
ARGUMENT_SPEC: dict[str, dict[str, str]] = {}


def main() -> None:
    from ansible.module_utils.basic import AnsibleModule

    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="hardened.ftp.probe_plan runs on the controller, as an action plugin; call it as a task")


if __name__ == "__main__":
    main()
