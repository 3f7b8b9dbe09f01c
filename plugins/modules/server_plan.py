#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: server_plan
short_description: Check every input of an FTP server role against the host, and plan the role's work
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - The first task of P(hardened.ftp.vsftpd#role), P(hardened.ftp.pureftpd#role) and P(hardened.ftp.proftpd#role),
    and of P(hardened.ftp.hardened_ftp#role) before it switches daemons, so that bad input fails before anything on
    the host changes.
  - Reads every variable with the daemon's prefix (V(vsftpd_), V(pureftpd_), V(proftpd_)) from the task's
    variables and checks each on the controller, before the host is contacted. No value may hold a control
    character (a newline would add directives to a configuration file); user names have one strict shape; paths
    are normalised and stay where they belong (log files under C(/var/log), data directories outside the system
    trees, the drop-box inside the anonymous area); addresses and networks have one spelling (no netmask form,
    no IPv6 scope); the passive range is bounded and holds neither the control port, port 20 nor SSH; TLS cipher
    lists hold only forward-secret AEAD suites; and every extra option is a known option of the daemon, of the
    right type, that the role does not write itself.
  - Then reads the host in one call of M(hardened.ftp.ftp_host_info) (users and their homes, the C library, the SSH
    port, installed packages, the other FTP daemons' units, the certificate you gave) and checks what depends on
    it - for example that every allowed local user exists, has a shell PAM accepts, and can be chrooted safely, and
    that a certificate you gave matches its key (checked on the controller with the C(cryptography) library),
    has not expired, and that the key is readable by root only.
  - Every problem is reported at once, each naming the variable and the fix.
  - A variable that carries the role's prefix but is no input of the role is reported as a warning (a typo would
    otherwise do nothing).
  - Returns the plan the role's tasks follow; the plan is the only place the role's decisions are made.
options:
  daemon:
    description: The server role whose inputs to check.
    type: str
    required: true
    choices: [vsftpd, pureftpd, proftpd]
attributes:
  action:
    support: full
    description: Runs on the controller, and runs M(hardened.ftp.ftp_host_info) on the host once.
  check_mode:
    support: full
    description: Reads only; in check mode the plan notes when packages are missing (C(plan.fresh_check)).
  diff_mode:
    support: none
    description: Returns a plan; changes nothing to show a difference of.
notes:
  - Reads only; never changes the host.
seealso:
  - module: hardened.ftp.ftp_host_info
"""

EXAMPLES = r"""
- name: Check the vsftpd inputs of every FTP server without changing anything
  hardened.ftp.server_plan:
    daemon: vsftpd
  register: vsftpd_plan

- name: Show the settings vsftpd would get
  ansible.builtin.debug:
    var: vsftpd_plan.plan.settings
"""

RETURN = r"""
plan:
  description: What the role does on this host.
  returned: success
  type: dict
  contains:
    daemon:
      description: V(vsftpd), V(pureftpd) or V(proftpd).
      type: str
    packages:
      description: Debian packages the role installs.
      type: list
      elements: str
    missing_packages:
      description: Those of RV(plan.packages) not installed yet.
      type: list
      elements: str
    fresh_check:
      description: True in check mode on a host where packages are missing, so steps that need them only report.
      type: bool
    inputs:
      description: The checked inputs, by their common name (C(listen_port), C(pasv_min_port)...), typed.
      type: dict
    fact:
      description: The C(hardened_ftp_server) fact the role publishes; one shape for every daemon.
      type: dict
    directories:
      description: Directories the role creates or keeps, in order, each with C(path), C(owner), C(group), C(mode).
      type: list
      elements: dict
    users:
      description: System users the role creates, each with C(name), C(group) and C(home).
      type: list
      elements: dict
    tls:
      description:
        - C(enable), C(generate), C(cert), C(key) and, for a generated certificate, C(common_name) and
          C(subject_alt_names).
      type: dict
    service:
      description: C(unit), C(process), C(port), C(snapshot) (the configuration kept as the last good one) and C(store).
      type: dict
    other_units:
      description: Units of other FTP daemons that run or start at boot, which the role stops and disables.
      type: list
      elements: str
    settings:
      description:
        - The daemon's settings (vsftpd - sections of C([name, value]) pairs; Pure-FTPd - setting to value).
        - ProFTPd has C(config) instead, proftpd.conf as a tree of directives and contexts.
      type: raw
"""

# The options, for the action plugin (plugins/action/server_plan.py), which does the work.
ARGUMENT_SPEC = {"daemon": {"type": "str", "required": True, "choices": ["vsftpd", "pureftpd", "proftpd"]}}
