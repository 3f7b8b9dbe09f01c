# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ufw_stale_rules
short_description: The ufw allow rules a role added earlier and no longer wants
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads the output of C(ufw show added) and returns the allow rules whose comment starts with O(marker)
    but that O(wanted) does not describe, for example the old passive range after the range moved, or an
    any-source opening after O(wanted) was limited to a few networks.
  - Rules without the marker (the administrator's own) are never returned.
  - Pass each result to C(community.general.ufw) with C(delete=true).
positional: _input, wanted
options:
  _input:
    description: The standard output of C(ufw show added).
    type: str
    required: true
  wanted:
    description:
      - The rules that must stay. Each has C(port) (a port, a range such as V(30000-30099) or V(30000:30099),
        or a list of them), C(proto) (default V(tcp)) and C(from_ip) (an address or network, or a list of
        them; empty or V(any) means any source). Lists expand to every combination.
    type: list
    elements: dict
    required: true
  marker:
    description: Start of the comment that marks the rules this filter may return.
    type: str
    default: hardened-ftp
"""

EXAMPLES = r"""
- name: Find rules left from an earlier run
  vars:
    show_added: |
      ufw allow 21/tcp comment 'hardened-ftp control port'
      ufw allow 30000:30009/tcp comment 'hardened-ftp passive range'
      ufw allow 8080/tcp
  ansible.builtin.set_fact:
    stale: "{{ show_added | hardened.ftp.ufw_stale_rules([{'port': 21, 'from_ip': ''}, {'port': '31000-31009'}]) }}"
  # => [{"port": "30000:30009", "proto": "tcp", "from_ip": "any", "comment": "hardened-ftp passive range"}]

- name: An any-source rule is stale once the sources are limited
  ansible.builtin.assert:
    that:
      - >-
        ("ufw allow 21/tcp comment 'hardened-ftp control port'"
         | hardened.ftp.ufw_stale_rules([{'port': 21, 'from_ip': ['192.0.2.0/24']}]) | length) == 1
"""

RETURN = r"""
_value:
  description: The rules to delete, in the order C(ufw show added) lists them.
  type: list
  elements: dict
  contains:
    port:
      description: Port or range in ufw's spelling (V(30000:30009)).
      type: str
    proto:
      description: Protocol (V(tcp), V(udp) or V(any)).
      type: str
    from_ip:
      description: Source address or network, or V(any).
      type: str
    comment:
      description: The rule's comment.
      type: str
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._port_range import PortRangeError
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import stale_rules


def ufw_stale_rules(show_added: t.Any, wanted: t.Any, marker: str = "hardened-ftp") -> list[dict[str, str]]:
    """Filter entry point: see DOCUMENTATION."""
    if not isinstance(show_added, str):
        raise AnsibleFilterError(
            f"hardened.ftp.ufw_stale_rules: the input must be ufw's text, not {type(show_added).__name__}"
        )
    if not isinstance(wanted, (list, tuple)):
        raise AnsibleFilterError(
            f"hardened.ftp.ufw_stale_rules: wanted must be a list of rules, not {type(wanted).__name__}"
        )
    try:
        return stale_rules(show_added, wanted, str(marker))
    except (ParseError, PortRangeError) as exc:
        raise AnsibleFilterError(f"hardened.ftp.ufw_stale_rules: {exc}") from None


class FilterModule:
    """hardened.ftp.ufw_stale_rules"""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"ufw_stale_rules": ufw_stale_rules}
