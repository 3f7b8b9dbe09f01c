#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_firewall_facts
short_description: Read the active packet filter into the FTP firewall model
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads the live ruleset with C(iptables-save)/C(ip6tables-save), C(nft -j list ruleset) or C(ufw status verbose)
    and evaluates it the way the kernel does (chains, jumps, first match, policies) to tell which TCP ports are
    reachable for new connections and from where, whether the ftp conntrack helper is attached, whether RELATED
    connections are accepted, and whether outgoing connections are filtered.
  - Never changes anything on the host.
attributes:
  facts:
    support: full
    description: Sets C(ansible_facts.hardened_ftp_firewall_facts).
extends_documentation_fragment:
  - hardened.ftp.ftp_checks
  - hardened.ftp.ftp_checks.firewall
seealso:
  - module: hardened.ftp.ftp_server_facts
  - module: hardened.ftp.ftp_consistency
"""

EXAMPLES = r"""
- name: Read the firewall
  hardened.ftp.ftp_firewall_facts:
  become: true
  register: fw

- name: Is the control port open to everyone?
  ansible.builtin.debug:
    msg: "{{ fw.firewall.openings | selectattr('port_min', '<=', 21) | selectattr('port_max', '>=', 21) | list }}"

- name: Read nftables only, for clients of one network
  hardened.ftp.ftp_firewall_facts:
    backend: nftables
    client_sources:
      - 192.0.2.0/24
  become: true
"""

RETURN = r"""
firewall:
  description: The firewall model.
  returned: success
  type: dict
  contains:
    backend:
      description: What was read (V(iptables), V(nftables), V(iptables+nftables), V(ufw), V(none)).
      type: str
    families:
      description: Address families with a ruleset.
      type: list
      elements: str
    input_policy:
      description:
        - What the input hook does with what the rules do not open, per family (V(drop) or V(accept)).
        - V(drop) when a base input chain drops by default, or when the chains accept by policy but end in a rule
          that drops or rejects what is left (firewalld), so that a new TCP connection to a port, from a source and
          on an interface no rule names is surely not accepted.
      type: dict
    output_policy:
      description: Default policy of the output hook per family.
      type: dict
    openings:
      description:
        - TCP port ranges new connections surely reach, with C(protocol), C(port_min), C(port_max),
          C(sources) (list of networks, or V([any])), C(family) and C(interface) (empty for an interface no rule
          names).
        - Entries with V([any]) are what a source in no network the rules name reaches; an entry with a network is
          what that network reaches besides.
      type: list
      elements: dict
    blocked:
      description:
        - Port ranges a source in no listed network reaches but the network in C(sources) does not surely reach
          (a rule drops or rejects it, or its verdict is uncertain); same keys as RV(firewall.openings).
      type: list
      elements: dict
    uncertain_openings:
      description:
        - Port ranges whose reachability for new connections depends on rules the model cannot evaluate, per
          source (V([any]) or a network) and interface, with C(rules) naming each rule, where it is and what is
          not evaluated (in brackets). Never counted as open.
      type: list
      elements: dict
    helper_ports:
      description:
        - Destination ports whose connections surely get the ftp conntrack helper (C(family), C(port_min),
          C(port_max)).
      type: list
      elements: dict
    uncertain_helper_ports:
      description: Ports that may or may not get the ftp helper, with C(rules).
      type: list
      elements: dict
    auto_helper:
      description: Whether the kernel assigns helpers automatically.
      type: bool
    related_ports:
      description:
        - Ports where RELATED connections are surely accepted; C(helper) is V(any) when accepted whatever the
          helper, V(ftp) when only connections related through the ftp helper are.
      type: list
      elements: dict
    uncertain_related_ports:
      description: Ports where acceptance of RELATED connections is not known, with C(helper) and C(rules).
      type: list
      elements: dict
    established_accepted:
      description: Per family, whether ESTABLISHED packets are surely accepted on input.
      type: dict
    egress:
      description: >-
        Per family: C(filtered) (new connections from port 20 are not all surely accepted), C(established_related),
        C(port20_new), C(port20_related) (each true only when sure) and C(uncertain_rules) (the rules that make one
        of them uncertain).
      type: dict
    evaluated:
      description:
        - Per family, the contexts evaluated besides any source on an unnamed interface (C(interfaces), C(sources)).
          A query for a source or an interface uses the narrowest evaluated one it falls in.
      type: dict
    warnings:
      description: Rules that decide on what the model does not evaluate exactly, and what it assumed.
      type: list
      elements: str
    details:
      description: Back-end details (C(ufw) holds the parsed ufw status).
      type: dict
  sample:
    backend: iptables
    families: [ipv4, ipv6]
    input_policy: {ipv4: drop, ipv6: drop}
    output_policy: {ipv4: accept, ipv6: accept}
    openings:
      - {protocol: tcp, port_min: 21, port_max: 21, sources: [any], family: ipv4, interface: ""}
      - {protocol: tcp, port_min: 30000, port_max: 30999, sources: [any], family: ipv4, interface: ""}
    blocked: []
    uncertain_openings:
      - protocol: tcp
        port_min: 22
        port_max: 22
        sources: [any]
        family: ipv4
        interface: ""
        rules:
          - "ipv4 filter INPUT: -A INPUT -p tcp -m tcp --dport 22 -m hashlimit --hashlimit-above 5/min ... -j DROP
            [-m hashlimit: depends on the packet rate]"
    helper_ports: []
    uncertain_helper_ports: []
    auto_helper: false
    related_ports: [{family: ipv4, port_min: 1, port_max: 65535, helper: any}]
    uncertain_related_ports: []
    established_accepted: {ipv4: true, ipv6: true}
    egress:
      ipv4: {filtered: false, established_related: true, port20_new: true, port20_related: true, uncertain_rules: []}
    evaluated:
      ipv4: {interfaces: [""], sources: []}
      ipv6: {interfaces: [""], sources: []}
    warnings: []
    details: {}
ansible_facts:
  description: Facts set by the module.
  returned: success
  type: dict
  contains:
    hardened_ftp_firewall_facts:
      description: The same as RV(firewall).
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._module_args import (
    FIREWALL_ARGS,
    firewall_from_params,
    read_or_fail,
)

ARGUMENT_SPEC = FIREWALL_ARGS


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    model = read_or_fail(module, firewall_from_params)
    module.exit_json(changed=False, firewall=model, ansible_facts={"hardened_ftp_firewall_facts": model})


if __name__ == "__main__":
    main()
