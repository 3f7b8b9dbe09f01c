# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: vsftpd_unknown_options
short_description: List the option names vsftpd does not know
version_added: 1.0.0
author: hardened.ftp maintainers
description:
  - Returns the names in the input that are not vsftpd 3.0.x configuration options, in input order.
  - vsftpd refuses to start on an unknown option, so the C(hardened.ftp.vsftpd) role uses this to reject
    a misspelt key in O(hardened.ftp.vsftpd#role:main:vsftpd_extra_options) before anything on the host changes.
positional: _input
options:
  _input:
    description: Option names, for example the keys of a mapping.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Reject misspelt options
  ansible.builtin.assert:
    that: (extra.keys() | list | hardened.ftp.vsftpd_unknown_options) == ['max_client']
  vars:
    extra:
      max_client: 10
      idle_session_timeout: 120
"""

RETURN = r"""
_value:
  description: The names vsftpd does not know, in input order, without duplicates.
  type: list
  elements: str
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import known_vsftpd_options


def vsftpd_unknown_options(names: t.Iterable[t.Any]) -> list[str]:
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        raise AnsibleFilterError(f"vsftpd_unknown_options expects a list of option names, got {names!r}")
    known = known_vsftpd_options()
    unknown = []  # type: t.List[str]
    for name in names:
        text = str(name)
        if text not in known and text not in unknown:
            unknown.append(text)
    return unknown


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"vsftpd_unknown_options": vsftpd_unknown_options}
