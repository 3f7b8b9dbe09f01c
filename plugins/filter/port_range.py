# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: port_range
short_description: Parse and validate a TCP port range
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Turns a port or port range written in any of the usual forms into a dictionary with C(min), C(max) and C(size).
  - Use it to validate passive port ranges before they reach a daemon configuration or a firewall rule.
positional: _input
options:
  _input:
    description:
      - The port or range. An integer V(21), a string V(30000-30999) or V(30000:30999), or a list V([30000, 30999]).
      - Ports must be 1-65535 and the lower bound must not exceed the upper one.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Validate the passive range given by the user
  ansible.builtin.set_fact:
    passive: "{{ '30000-30999' | hardened.ftp.port_range }}"
  # => {"min": 30000, "max": 30999, "size": 1000}

- name: Same with the iptables spelling and a list
  ansible.builtin.assert:
    that:
      - ('30000:30999' | hardened.ftp.port_range).size == 1000
      - ([30000, 30999] | hardened.ftp.port_range).min == 30000
      - (21 | hardened.ftp.port_range).max == 21
"""

RETURN = r"""
_value:
  description: The validated range.
  type: dict
  contains:
    min:
      description: First port of the range.
      type: int
    max:
      description: Last port of the range.
      type: int
    size:
      description: Number of ports in the range.
      type: int
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._port_range import PortRangeError, port_range_dict


def port_range(value: t.Any) -> dict[str, int]:
    """Filter entry point: see DOCUMENTATION."""
    try:
        return port_range_dict(value)
    except PortRangeError as exc:
        raise AnsibleFilterError(f"hardened.ftp.port_range: {exc}") from None


class FilterModule:
    """hardened.ftp.port_range"""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"port_range": port_range}
