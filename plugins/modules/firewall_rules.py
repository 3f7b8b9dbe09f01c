#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_rules
short_description: Load the FTP firewall role's own rules atomically, and put them back when the live ones drifted
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Writes the role's rules file(s) and loads them, touching only the objects the role owns - its chains and the
    one jump to each (iptables, ufw), or its table (nftables). Every other rule of the host stays (fail2ban,
    Docker, the administrator's own).
  - Loads when a file changed, and also when the role's live objects differ from what it loaded last time (a
    digest of them as loaded, counters stripped, is kept in O(state_dir), mode 0700) or are missing - so a rule
    deleted or altered by hand is put back by the next run.
  - A new file is tested first (C(iptables-restore --test), C(nft -c)) and replaces the previous one in one
    rename. iptables and ufw - one C(iptables-restore --noflush) per family replaces the role's chains, makes each
    jump the first rule of the chain it hooks (removing any other jump to the role's chains), and sets the INPUT
    policy to DROP with O(input_policy=drop), in one transaction. nftables - C(nft -f) replaces the role's table.
  - A load that fails puts the previous file back and loads it; the task then fails saying the previous rules are
    in force.
  - With O(state=absent) (iptables and nftables only) it takes out what the role owned in that backend, for a host
    that moves to firewalld once firewalld filters it - iptables - the role's chains and their jumps in both families,
    the INPUT policy back to ACCEPT when it is DROP and a chain of the role's was there, the rules files of O(rules),
    the digest, and the role's lines in O(saved_files) (edited, not saved again - firewalld's start flushed the live
    iptables rules, the administrator's too); nftables - the
    table, its file, the digest, and the line O(include) in O(nft_conf) when no other C(*.nft) file is left beside
    the role's. Every other rule, table and file of the host stays.
options:
  backend:
    description: The packet filter.
    type: str
    required: true
    choices: [iptables, nftables, ufw]
  rules:
    description:
      - The rules, one item per family.
    type: list
    elements: dict
    required: true
    suboptions:
      family:
        description: V(ipv4) or V(ipv6) (iptables, ufw), V(inet) (nftables).
        type: str
        required: true
        choices: [ipv4, ipv6, inet]
      path:
        description:
          - The file to write. For ufw, C(before.rules) or C(before6.rules), in which the role's marked block
            is replaced (or appended).
        type: path
        required: true
      content:
        description:
          - The file's content (iptables-restore or nft format). For ufw, the block's content; empty removes the block.
          - Required with O(state=present); not used with O(state=absent).
        type: str
      hooks:
        description:
          - The jumps to put first in a chain of this family (iptables, ufw), each with C(table), C(chain) and C(jump).
        type: list
        elements: dict
        default: []
  chains:
    description: The chains the role owns (iptables, ufw). Jumps to them from any other chain are its hooks.
    type: list
    elements: str
    default: []
  table:
    description: The nftables table the role owns (family C(inet)).
    type: str
    default: hardened_ftp
  input_policy:
    description:
      - V(drop) sets the INPUT policy of each family to DROP in the same transaction (iptables); V(keep) leaves it.
    type: str
    default: keep
    choices: [keep, drop]
  save_command:
    description:
      - A command that saves the whole ruleset for the next boot, run after a load (e.g. C(netfilter-persistent save)).
    type: list
    elements: str
    default: []
  state_dir:
    description: Where the digest of the rules as loaded is kept.
    type: path
    default: /var/lib/hardened-ftp/firewall
  state:
    description:
      - V(present) loads the rules; V(absent) takes out what the role owned in the backend.
      - V(handover) (iptables; nftables has nothing to do) runs before firewalld starts on a host the role filtered
        with iptables - firewalld flushes every iptables chain when it starts but keeps their policies, so the INPUT
        policy DROP the role set would drop everything, management SSH included; it becomes ACCEPT with a last rule
        of INPUT that drops (comment C(hardened-ftp-deny)), in one transaction per family.
    type: str
    default: present
    choices: [present, absent, handover]
  saved_files:
    description:
      - With O(state=absent) (iptables), the files netfilter-persistent restores at boot (C(/etc/iptables/rules.v4),
        C(rules.v6)), from which the role's lines are taken out.
    type: list
    elements: path
    default: []
  nft_conf:
    description: With O(state=absent) (nftables), the file that includes the role's table at boot.
    type: path
    default: /etc/nftables.conf
  include:
    description: With O(state=absent) (nftables), the include line the role added to O(nft_conf).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Reports what would be written and loaded, and why; changes nothing.
  diff_mode:
    support: full
    description: The files' changes, and the role's live rules against the rules as it loaded them.
notes:
  - Used by P(hardened.ftp.ftp_firewall#role), which renders the rules from the plan of M(hardened.ftp.firewall_plan).
seealso:
  - module: hardened.ftp.firewall_plan
  - module: hardened.ftp.ftp_consistency
"""

EXAMPLES = r"""
- name: Take the role's iptables chains out once firewalld filters the host
  hardened.ftp.firewall_rules:
    backend: iptables
    state: absent
    rules:
      - {family: ipv4, path: /etc/hardened-ftp/rules.ipv4}
      - {family: ipv6, path: /etc/hardened-ftp/rules.ipv6}
    chains: [HARDENED-FTP-PRE, HARDENED-FTP-INPUT, HARDENED-FTP-OUTPUT]
    saved_files: [/etc/iptables/rules.v4, /etc/iptables/rules.v6]

- name: Load a table of your own, put back whenever it drifts
  hardened.ftp.firewall_rules:
    backend: nftables
    table: hardened_ftp
    rules:
      - family: inet
        path: /etc/nftables.d/hardened-ftp.nft
        content: "{{ lookup('ansible.builtin.template', 'hardened-ftp.nft.j2') }}"
"""

RETURN = r"""
reasons:
  description: Why the rules were (or would be) loaded; empty when nothing differed.
  returned: always
  type: list
  elements: str
  sample: ["the live ipv4 rules of the role differ from what it loaded"]
loaded:
  description: The families loaded.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_rules import (
    Request,
    RulesError,
    apply,
    handover,
    remove_rules,
)

ARGUMENT_SPEC = {
    "backend": {"type": "str", "required": True, "choices": ["iptables", "nftables", "ufw"]},
    "rules": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "family": {"type": "str", "required": True, "choices": ["ipv4", "ipv6", "inet"]},
            "path": {"type": "path", "required": True},
            "content": {"type": "str"},
            "hooks": {"type": "list", "elements": "dict", "default": []},
        },
    },
    "chains": {"type": "list", "elements": "str", "default": []},
    "table": {"type": "str", "default": "hardened_ftp"},
    "input_policy": {"type": "str", "default": "keep", "choices": ["keep", "drop"]},
    "save_command": {"type": "list", "elements": "str", "default": []},
    "state_dir": {"type": "path", "default": "/var/lib/hardened-ftp/firewall"},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent", "handover"]},
    "saved_files": {"type": "list", "elements": "path", "default": []},
    "nft_conf": {"type": "path", "default": "/etc/nftables.conf"},
    "include": {"type": "str", "default": ""},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    state = module.params["state"]
    absent = state != "present"
    if absent and module.params["backend"] == "ufw":
        module.fail_json(msg=f"state: {state} is for the iptables and nftables backends (ufw is the administrator's)")
    for item in module.params["rules"]:
        if item["content"] is None and not absent:
            module.fail_json(msg=f"rules: {item['path']} needs content (state: present)")
        for hook in item["hooks"]:
            if not isinstance(hook, dict) or sorted(hook) != ["chain", "jump", "table"]:
                module.fail_json(msg=f"rules.hooks: {hook!r} must have exactly table, chain and jump")

    def run(argv: list[str], data: str | None) -> tuple[int, str, str]:
        # PATH first (get_bin_path adds the sbin directories after it), as a shell would.
        binary = module.get_bin_path(argv[0])
        if not binary:
            return 127, "", f"{argv[0]} is not installed"
        return module.run_command([binary, *argv[1:]], data=data, binary_data=data is not None, check_rc=False)

    params = dict(module.params, _check_mode=module.check_mode)
    try:
        if state == "absent":
            result = remove_rules(params, run, module.check_mode)
        elif state == "handover":
            result = handover(params, run, module.check_mode) if params["backend"] == "iptables" else {"diff": []}
        else:
            result = apply(Request(params), run)
    except (RulesError, OSError) as exc:
        module.fail_json(msg=str(exc))
    diff = result.pop("diff")
    if module._diff and diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
