# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: vsftpd_conf
short_description: Parse vsftpd.conf text into typed values
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Reads vsftpd.conf the way vsftpd 3.0.x does (comments, V(YES)/V(NO)/V(TRUE)/V(FALSE)/V(1)/V(0) in any case,
    octal numbers with a leading zero, last setting wins) and returns every option vsftpd knows, with the
    compiled-in default for the ones the file does not set.
  - vsftpd refuses to start when the file names an option it does not know; so does this filter by default.
positional: _input, unknown
options:
  _input:
    description: The content of a vsftpd.conf file.
    type: string
    required: true
  unknown:
    description:
      - What to do with option names vsftpd does not know.
      - V(error) fails, naming them. V(ignore) drops them.
      - V(list) returns a dictionary with C(options) (the parsed values) and C(unknown) (the unknown names).
    type: string
    choices: [error, ignore, list]
    default: error
"""

EXAMPLES = r"""
- name: Read the passive range of the deployed configuration
  ansible.builtin.set_fact:
    vsftpd_settings: "{{ lookup('ansible.builtin.file', 'files/vsftpd.conf') | hardened.ftp.vsftpd_conf }}"

- name: Booleans and numbers come back typed, defaults filled in
  ansible.builtin.assert:
    that:
      - conf.pasv_min_port == 30000
      - conf.ssl_enable is true
      - conf.local_umask == 18          # 022 is octal, as vsftpd reads it
      - conf.listen_port == 21          # not in the text: compiled-in default
  vars:
    conf: "{{ 'listen=YES\npasv_min_port=30000\nssl_enable=yes\nlocal_umask=022\n' | hardened.ftp.vsftpd_conf }}"

- name: List typos instead of failing
  ansible.builtin.debug:
    msg: "{{ ('listen=YES\npasv_min_prot=30000\n' | hardened.ftp.vsftpd_conf('list')).unknown }}"
  # => ["pasv_min_prot"]
"""

RETURN = r"""
_value:
  description:
    - Every vsftpd option with its effective value (boolean, integer, string, or null when unset).
    - With O(unknown=list), a dictionary with keys C(options) (that dictionary) and C(unknown) (list of names).
  type: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import parse_vsftpd_conf, vsftpd_unknown_options

UNKNOWN_CHOICES = ("error", "ignore", "list")


def vsftpd_conf(text: t.Any, unknown: str = "error") -> dict[str, t.Any]:
    """Filter entry point: see DOCUMENTATION."""
    if not isinstance(text, str):
        raise AnsibleFilterError(
            f"hardened.ftp.vsftpd_conf: the input must be the text of vsftpd.conf, not {type(text).__name__}"
        )
    if unknown not in UNKNOWN_CHOICES:
        raise AnsibleFilterError(
            "hardened.ftp.vsftpd_conf: unknown={!r} is not one of {}".format(unknown, ", ".join(UNKNOWN_CHOICES))
        )
    options = parse_vsftpd_conf(text)
    names = vsftpd_unknown_options(text)
    if unknown == "list":
        return {"options": options, "unknown": names}
    if names and unknown == "error":
        raise AnsibleFilterError(
            "hardened.ftp.vsftpd_conf: vsftpd does not know {} and would refuse to start; "
            "fix the spelling or remove them "
            "(or pass unknown='ignore' / 'list')".format(", ".join(names))
        )
    return options


class FilterModule:
    """hardened.ftp.vsftpd_conf"""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"vsftpd_conf": vsftpd_conf}
