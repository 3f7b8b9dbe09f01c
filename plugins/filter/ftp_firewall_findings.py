# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ftp_firewall_findings
short_description: Check an FTP server model against a firewall model
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Cross-checks the FTP server model (the C(hardened_ftp_server) fact the server roles publish, or the C(server)
    returned by M(hardened.ftp.ftp_server_facts)) against the firewall model returned by
    M(hardened.ftp.ftp_firewall_facts), and returns the findings.
  - "Finding ids: V(control_port_closed), V(passive_range_not_open), V(passive_range_partially_open),
    V(passive_range_wider_than_server), V(passive_range_unbounded), V(helper_not_attached), V(related_not_accepted),
    V(tls_helper_blind), V(active_port20_blocked), V(bounce_allowed), V(verdict_uncertain) (a check that depends on
    firewall rules the model cannot evaluate, which the message names)."
  - Each address family the server listens on is judged against the client sources of that family; a family none
    of O(client_sources) belongs to is meant to be closed and is not judged.
positional: _input, firewall
options:
  _input:
    description: The server model.
    type: dict
    required: true
  firewall:
    description: The firewall model.
    type: dict
    required: true
  client_sources:
    description: Networks the clients come from; by default the server must be reachable from any source.
    type: list
    elements: str
    default: []
  interface:
    description: Only count firewall openings on this input interface (or on any interface).
    type: str
extends_documentation_fragment:
  - hardened.ftp.ftp_checks.check
"""

EXAMPLES = r"""
# hardened_ftp_server: published by the server roles; fw: registered from hardened.ftp.ftp_firewall_facts.
- name: Report what keeps FTP from working through the firewall
  ansible.builtin.debug:
    msg: "{{ hardened_ftp_server | hardened.ftp.ftp_firewall_findings(fw.firewall) }}"

- name: A passive range the firewall does not open is an error
  ansible.builtin.assert:
    that:
      - "'passive_range_not_open' in found | map(attribute='id')"
  vars:
    found: "{{ server | hardened.ftp.ftp_firewall_findings(fw, passive_policy='range') }}"
    server:
      daemon: vsftpd
      listen_address: ""
      control_port: 21
      listen_ipv6: false
      pasv_enable: true
      pasv_min_port: 30000
      pasv_max_port: 30999
      pasv_address: ""
      active_enable: false
      tls_enable: false
      tls_required: false
      anonymous_enable: false
      anon_upload_enable: false
      port_promiscuous: false
    fw:
      backend: iptables
      families: [ipv4]
      input_policy: {ipv4: drop}
      output_policy: {ipv4: accept}
      openings:
        - {protocol: tcp, port_min: 21, port_max: 21, sources: [any], family: ipv4, interface: ""}
      helper_ports: []
      auto_helper: false
      related_ports: []
      established_accepted: {ipv4: true}
      egress: {}
      warnings: []
"""

RETURN = r"""
_value:
  description:
    - The findings, errors first; empty when server and firewall agree.
    - Each has C(id), C(severity), C(message) and C(fix), as in the RV(hardened.ftp.ftp_consistency#module:findings)
      the M(hardened.ftp.ftp_consistency) module returns.
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._findings import sorted_findings
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import CheckOptionsError
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import ServerModelError


def ftp_firewall_findings(
    server: t.Any,
    firewall: t.Any,
    passive_policy: str = "auto",
    client_sources: list[str] | None = None,
    interface: str | None = None,
    max_passive_ports: int = MAX_PASSIVE_PORTS,
) -> list[dict[str, str]]:
    """Filter entry point: see DOCUMENTATION."""
    options = {
        "passive_policy": passive_policy,
        "client_sources": list(client_sources or []),
        "interface": interface,
        "max_passive_ports": max_passive_ports,
    }
    try:
        return sorted_findings(server, firewall, options)
    except (ServerModelError, CheckOptionsError, ValueError) as exc:
        raise AnsibleFilterError(f"hardened.ftp.ftp_firewall_findings: {exc}") from None


class FilterModule:
    """hardened.ftp.ftp_firewall_findings"""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"ftp_firewall_findings": ftp_firewall_findings}
