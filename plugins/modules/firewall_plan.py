#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_plan
short_description: Check every input of the FTP firewall role against the server and the host, and plan its rules
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - The first task of P(hardened.ftp.ftp_firewall#role), and of P(hardened.ftp.hardened_ftp#role) before the daemon
    role runs, so that bad input fails before anything on the host changes.
  - Reads every C(ftp_firewall_*) variable from the task's variables, and the C(hardened_ftp_server) fact the server
    role published, and checks each on the controller before the host is contacted. Sources are addresses or
    networks in CIDR form only (the netmask form, host bits and IPv6 scopes are refused, naming the CIDR spelling);
    no value holds a control character; ports are 1-65535; extra ports are a port or a range with protocol V(tcp)
    or V(udp); the passive policy fits the server (V(related) is refused with TLS, V(range) needs a passive range);
    the SSH port is neither the control port nor in the passive range; and a server that listens on IPv6 is refused
    when C(ftp_firewall_ipv6) is false.
  - Then reads the host in one call of M(hardened.ftp.ftp_host_info) - the live SSH session, whether the kernel has
    IPv6, the installed packages and whether kernel modules can be loaded - and checks what depends on it, for
    example that C(ftp_firewall_ssh_sources) names both families the host filters, so management SSH is never cut.
  - Every problem is reported at once, each naming the variable and the fix.
  - A variable that carries the C(ftp_firewall_) prefix but is no input of the role is reported as a warning.
  - Returns the plan the role's templates and tasks follow.
options:
  server:
    description:
      - The server model to open the firewall for. By default the C(hardened_ftp_server) fact of the host.
    type: dict
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
  - "What O(ignore:ftp_firewall_ipv6) means, on every backend: V(true) - FTP is opened over IPv4 and IPv6 as the
    sources say; V(false) - FTP is opened over IPv4 only, and IPv6 is still filtered like the rest of the host
    (the same default policy; established traffic, loopback, ICMPv6, management SSH and the extra ports stay open).
    On a kernel without IPv6 the plan has IPv4 only, and says so in a warning."
seealso:
  - module: hardened.ftp.ftp_host_info
  - module: hardened.ftp.firewall_rules
  - module: hardened.ftp.server_plan
"""

EXAMPLES = r"""
- name: Check the firewall inputs of every FTP server without changing anything
  hardened.ftp.firewall_plan:
  register: firewall

- name: Show the ports management SSH keeps
  ansible.builtin.debug:
    var: firewall.plan.ssh_ports
"""

RETURN = r"""
plan:
  description: What the role does on this host.
  returned: success
  type: dict
  contains:
    backend:
      description: V(iptables), V(nftables), V(ufw) or V(firewalld).
      type: str
    firewalld:
      description:
        - With backend V(firewalld), what M(hardened.ftp.firewalld_ftp) and C(ansible.posix.firewalld) are given - the
          C(zone) asked for (empty - the management interface's), the C(helpers), C(services) and C(policies) the
          role defines, the C(zone_services) and C(rich_rules) that open them, C(prefix) and C(default_deny).
        - Empty for the other backends.
      type: dict
    families:
      description: The address families the role filters (V(ipv6) only where the kernel has it).
      type: list
      elements: str
    ftp_families:
      description: The families FTP is opened in (V(ipv6) only with C(ftp_firewall_ipv6)).
      type: list
      elements: str
    ipv6:
      description: C(ftp_firewall_ipv6) as checked.
      type: bool
    ipv6_kernel:
      description: Whether the kernel has IPv6.
      type: bool
    control_port:
      description: The FTP control port, from the server's fact.
      type: int
    policy:
      description: The passive policy in force, V(range) or V(related) (V(auto) resolved).
      type: str
    passive_range:
      description: C(min) and C(max) of the passive range opened to new connections; empty under V(related).
      type: dict
    ftp_sources:
      description: Per family of RV(plan.ftp_families), the networks that may reach FTP; V(any) means every source.
      type: dict
    ssh_ports:
      description: C(ftp_firewall_ssh_port) and the port of the live SSH session.
      type: list
      elements: int
    ssh_sources:
      description:
        - Per family of RV(plan.families), the networks that may reach SSH (V(any) means every source),
          with the live session's client address added where the family is restricted.
      type: dict
    session:
      description: C(client) address and C(port) of the SSH session Ansible runs in ({} when none).
      type: dict
    ufw_rules:
      description:
        - The ufw allow rules (backend ufw), management SSH first, each with C(port) (ufw's spelling), C(proto),
          C(from_ip) (V(any), or a network; V(0.0.0.0/0) opens IPv4 only) and C(comment).
      type: list
      elements: dict
    ufw_keep:
      description:
        - RV(plan.ufw_rules) as C(hardened.ftp.ufw_stale_rules) must keep them (a one-family rule also as C(any)).
      type: list
      elements: dict
    ufw_absent:
      description:
        - One-family halves of earlier C(from any) ufw rules to delete, where a family is restricted or FTP is not
          served (ufw keeps C(from any) as a C(0.0.0.0/0) and a C(::/0) rule).
      type: list
      elements: dict
    ufw_enabled:
      description:
        - Whether ufw is enabled already (C(ENABLED=yes) in C(/etc/ufw/ufw.conf)); the role enables it otherwise.
      type: bool
    ufw_default_deny:
      description:
        - Whether ufw drops incoming traffic by default already (C(DEFAULT_INPUT_POLICY) in C(/etc/default/ufw)).
      type: bool
    default_deny:
      description: Whether incoming traffic not opened is dropped, in every filtered family.
      type: bool
    extra_allowed:
      description: C(proto), C(min) and C(max) of each extra port or range, opened in every filtered family.
      type: list
      elements: dict
    egress:
      description:
        - C(filter) - whether port 20 is filtered outbound; C(tls_active) - whether new active-mode data connections
          may leave port 20 (TLS hides PORT from the helper).
      type: dict
    server:
      description: The server model the rules are made for.
      type: dict
    names:
      description: The chains (C(pre), C(input), C(output)) or the table (C(table)) the role owns.
      type: dict
    files:
      description: Per family (V(inet) for nftables), the rules file the role writes.
      type: dict
    state_dir:
      description: Where M(hardened.ftp.firewall_rules) keeps the digest of the rules it loaded.
      type: str
    packages:
      description: Debian packages the role installs (V(kmod) only where it will call modprobe).
      type: list
      elements: str
    missing_packages:
      description: Those of RV(plan.packages) not installed yet.
      type: list
      elements: str
    fresh_check:
      description: True in check mode on a host where packages are missing, so steps that need them only report.
      type: bool
    python_apt:
      description: Whether the host has the C(apt) Python bindings (M(ansible.builtin.apt) needs them in check mode).
      type: bool
    allowed_sources:
      description: C(ftp_firewall_allowed_sources) as checked (CIDR spelling).
      type: list
      elements: str
    modules:
      description: The helper kernel modules to load with modprobe (none where the kernel cannot load modules).
      type: list
      elements: str
    modules_note:
      description: Why the helper modules are loaded or not.
      type: str
    persist:
      description: C(ftp_firewall_persist).
      type: bool
    boot_enabled:
      description: Whether the backend's boot service (C(netfilter-persistent), C(nftables)) was enabled when the
        host was read; the role then does not enable it again.
      type: bool
    nft_include:
      description: The line of C(/etc/nftables.conf) that loads the role's table at boot.
      type: str
    nft_include_present:
      description: Whether C(/etc/nftables.conf) had that line when the host was read (nftables only).
      type: bool
    consistency_check:
      description: C(ftp_firewall_consistency_check).
      type: bool
    watch:
      description: C(paths) and C(services) the fast path of P(hardened.ftp.hardened_ftp#role) checks.
      type: dict
    rev:
      description: A fingerprint of the rules the plan makes (it changes when any rule would).
      type: str
"""

# The options, for the action plugin (plugins/action/firewall_plan.py), which does the work.
ARGUMENT_SPEC = {"server": {"type": "dict"}}
