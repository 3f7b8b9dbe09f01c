#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewalld_ftp
short_description: The FTP firewall role's firewalld definitions - an explicit ftp helper, services, an egress policy
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Writes what C(ansible.posix.firewalld) cannot - a conntrack helper of its own on the FTP control port
    (C(nf_conntrack_ftp)), the services that carry it and the other opened ports, and a policy object for what
    leaves port 20 - as files C(/etc/firewalld/{helpers,services,policies}/<prefix>*.xml). No other file of
    firewalld is touched.
  - Changed files are judged by C(firewall-offline-cmd --check-config) (a warning counts as a failure) before a
    running firewalld reloads them, so the runtime and the permanent configuration agree. A failed check or reload
    puts the previous files back and reloads them; the task then fails saying so.
  - With O(stage=define) it also finds the zone to use - O(zone), else the zone of the interface of the IPv4
    default route, else firewalld's default zone - and lists the zone's services and rich rules that are the
    role's (named O(prefix) or O(prefix)-something) but no longer wanted, for C(ansible.posix.firewalld) to remove.
  - With O(stage=prune), run after the zone stopped using them, it removes the role's definitions the plan no
    longer has and, with O(default_deny), turns a zone target of C(ACCEPT) into C(default); when firewalld runs
    and the C(ct helper set) rule of one of the role's helpers is missing from its live table (deleted with
    C(nft), which firewalld does not notice), it reloads firewalld so the helper is attached again.
  - Works on a stopped firewalld too (C(firewall-offline-cmd)); the change is then in force when it starts.
options:
  stage:
    description: V(define) writes the definitions; V(prune) removes stale ones and fixes the zone's target.
    type: str
    default: define
    choices: [define, prune]
  definitions:
    description:
      - C(helpers) (name -> C(module), C(port)), C(services) (name -> C(ports), a list of C(port) and C(protocol),
        and optionally C(helper)) and C(policies) (name -> C(drop_source_port)), as P(hardened.ftp.ftp_firewall#role)'s
        plan has them.
    type: dict
    required: true
  prefix:
    description: The names the role owns.
    type: str
    default: hardened-ftp
  zone:
    description: The zone to use; empty finds it (O(stage=define)). O(stage=prune) needs it.
    type: str
    default: ""
  session_address:
    description:
      - The host's own address of the management SSH session (the third field of C(SSH_CONNECTION)); with O(zone)
        empty, the zone of the interface that holds it is used. Empty over a connection without SSH.
    type: str
    default: ""
  zone_services:
    description: The role's services the zone must have; the role's other services in the zone are reported stale.
    type: list
    elements: str
    default: []
  rich_rules:
    description: The role's rich rules the zone must have, as C(firewall-cmd --list-rich-rules) prints them.
    type: list
    elements: str
    default: []
  default_deny:
    description: With O(stage=prune), a zone target of C(ACCEPT) becomes C(default) (reject what no rule accepts).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports which files would be written or removed, and the zone; changes nothing.
  diff_mode:
    support: full
    description: The definitions' files before and after, and the zone's target.
requirements:
  - firewalld (C(firewall-cmd), C(firewall-offline-cmd))
notes:
  - Used by P(hardened.ftp.ftp_firewall#role) with its backend V(firewalld).
seealso:
  - module: hardened.ftp.firewall_plan
"""

EXAMPLES = r"""
- name: An explicit ftp helper on port 2121, and the service that carries it
  hardened.ftp.firewalld_ftp:
    definitions:
      helpers:
        hardened-ftp: {module: nf_conntrack_ftp, port: "2121"}
      services:
        hardened-ftp: {ports: [{port: "2121", protocol: tcp}], helper: hardened-ftp}
    zone_services: [hardened-ftp]
  register: ftp_firewalld

- name: Put the service in the zone found
  ansible.posix.firewalld:
    zone: "{{ ftp_firewalld.zone }}"
    service: hardened-ftp
    permanent: true
    immediate: true
    state: enabled
"""

RETURN = r"""
zone:
  description: The zone (O(stage=define)).
  returned: with O(stage=define)
  type: str
  sample: public
zone_reason:
  description: Why that zone (O(stage=define)).
  returned: with O(stage=define)
  type: str
running:
  description: Whether firewalld runs (O(stage=define)).
  returned: with O(stage=define)
  type: bool
written:
  description: The files written (or that would be, in check mode).
  returned: always
  type: list
  elements: str
stale_services:
  description: The role's services in the zone the plan no longer has (O(stage=define)).
  returned: with O(stage=define)
  type: list
  elements: str
stale_rich_rules:
  description: The role's rich rules in the zone the plan no longer has (O(stage=define)).
  returned: with O(stage=define)
  type: list
  elements: str
removed:
  description: The files removed (O(stage=prune)).
  returned: with O(stage=prune)
  type: list
  elements: str
helpers_missing:
  description:
    - The role's helpers whose C(ct helper set) rule was missing from firewalld's live table (deleted behind
      firewalld's back, with C(nft)); firewalld is reloaded to load them again (O(stage=prune)).
  returned: with O(stage=prune)
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._firewalld_config import FirewalldError, define, prune

ARGUMENT_SPEC = {
    "stage": {"type": "str", "default": "define", "choices": ["define", "prune"]},
    "definitions": {"type": "dict", "required": True},
    "prefix": {"type": "str", "default": "hardened-ftp"},
    "zone": {"type": "str", "default": ""},
    "session_address": {"type": "str", "default": ""},
    "zone_services": {"type": "list", "elements": "str", "default": []},
    "rich_rules": {"type": "list", "elements": "str", "default": []},
    "default_deny": {"type": "bool", "default": False},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if not params["prefix"] or not all(c.isalnum() or c in "-_" for c in params["prefix"]):
        module.fail_json(msg=f"prefix: {params['prefix']!r} must be letters, digits, - and _")

    def run(argv: list[str]) -> tuple[int, str, str]:
        binary = module.get_bin_path(argv[0])
        if not binary:
            return 127, "", f"{argv[0]} is not installed (install firewalld)"
        return module.run_command([binary, *argv[1:]], check_rc=False)

    step = define if params["stage"] == "define" else prune
    try:
        result = step(params, run, module.check_mode)
    except (FirewalldError, OSError) as exc:
        module.fail_json(msg=str(exc))
    diff = result.pop("diff")
    if module._diff and diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
