# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation shared by the read-only FTP modules (facts and consistency check)."""

from __future__ import annotations


class ModuleDocFragment:
    # The modules only read: check mode is a normal run and there is never a diff. They share their
    # options, so meta/runtime.yml puts them in one action group for module_defaults.
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/hardened.ftp.checks) in C(module_defaults) to set the options they share once.
    support: full
    membership:
      - hardened.ftp.checks
  check_mode:
    support: full
    description: The module only reads, so check mode behaves exactly like a normal run.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
"""

    # Where the FTP daemon configuration is read from (hardened.ftp.ftp_server_facts and the check).
    SERVER = r"""
options:
  daemon:
    description:
      - Which daemon to read. V(auto) picks the running one, else the installed one, else the one with a configuration.
    type: str
    choices: [auto, vsftpd, pureftpd, proftpd]
    default: auto
  vsftpd_conf:
    description:
      - Path of vsftpd.conf. By default C(/etc/vsftpd.conf), then C(/etc/vsftpd/vsftpd.conf).
    type: path
  pureftpd_conf_dir:
    description:
      - Debian's pure-ftpd wrapper directory (one file per setting).
      - When absent, C(/etc/pure-ftpd/pure-ftpd.conf) is read.
    type: path
    default: /etc/pure-ftpd/conf
  proftpd_conf:
    description:
      - ProFTPd's configuration file, read with every file it includes (files, directories, globs); C(<IfModule>)
        and C(<IfDefine>) are evaluated as ProFTPd does, and the main server (the top level and C(<Global>)) is
        modelled.
    type: path
    default: /etc/proftpd/proftpd.conf
  use_running:
    description:
      - For pure-ftpd, prefer the command line of the running daemon (from C(/proc)) over the configuration files,
        since it is what really applies.
    type: bool
    default: true
notes:
  - "Reading the FTP daemon configuration usually needs root: use C(become: true)."
"""

    # How the packet filter is read and evaluated (hardened.ftp.ftp_firewall_facts and the check).
    FIREWALL = r"""
options:
  backend:
    description:
      - Which packet filter to read. V(auto) uses ufw when it is active, else iptables-save and nft together
        (tables managed by iptables-nft are read once), V(none) reports an open host.
      - V(firewalld) reads the ruleset firewalld's nftables backend loads with C(nft -j list ruleset) (the table
        C(inet firewalld), whose zones are chains and whose helpers are C(ct helper) objects), so what is judged
        is what the kernel enforces, not firewalld's configuration; it fails when that table is not loaded.
        V(auto) reports V(firewalld) when the table is there.
    type: str
    choices: [auto, iptables, nftables, firewalld, ufw, none]
    default: auto
  client_sources:
    description:
      - Networks the FTP clients come from. By default the server must be reachable from any source.
      - Openings restricted to sources are reported for every network named in the rules; networks listed here
        are evaluated too.
    type: list
    elements: str
    default: []
  interface:
    description:
      - Evaluate packets arriving on this interface only (the one the FTP clients use).
      - By default the interfaces named in the rules are evaluated, and any other interface; a port open on some
        of them only is then uncertain.
    type: str
  auto_helper:
    description:
      - Whether the kernel assigns conntrack helpers automatically (C(net.netfilter.nf_conntrack_helper=1), legacy).
        By default read from C(/proc/sys/net/netfilter/nf_conntrack_helper).
    type: bool
  ipv6:
    description: Also read the IPv6 ruleset (C(ip6tables-save)).
    type: bool
    default: true
notes:
  - "Listing the firewall rules needs root: use C(become: true)."
  - The firewall is evaluated along the whole path of a packet (netdev ingress, every prerouting chain from raw to
    nat, every input chain by priority). A rule whose match the model cannot evaluate (rate limits, marks, packet
    contents, unknown matches and options) or whose target it cannot follow (NFQUEUE, DNAT, unknown extensions)
    may or may not apply; the ports whose verdict depends on it are reported as uncertain with the rule named
    (C(uncertain_openings), C(uncertain_helper_ports), C(uncertain_related_ports)), never as open, and the rule is
    listed in the model's C(warnings).
  - "What the model assumes of a client: its first packet is an ordinary TCP SYN (not a fragment, no IPv6
    extension or IPsec header) that arrives on the reverse
    path of its source, is addressed to one of the host's own addresses (a rule naming another destination makes
    the verdict uncertain), and comes from a source in no list the firewall keeps at run time (ipsets, C(recent)
    lists, sets filled from the packet path). For the networks in O(client_sources) and those the rules name,
    membership of such lists is not known: verdicts depending on it are uncertain."
"""

    # What the check expects (hardened.ftp.ftp_consistency and the ftp_firewall_findings filter).
    CHECK = r"""
options:
  passive_policy:
    description:
      - How passive data connections are meant to pass the firewall (the C(ftp_firewall_passive_policy) of
        the C(hardened.ftp.ftp_firewall) role). V(range) needs the passive range open to new connections,
        V(related) needs the ftp conntrack helper and RELATED acceptance, V(auto) accepts either.
      - V(helper) is an older name for V(related), still accepted.
    type: str
    choices: [auto, range, related, helper]
    default: auto
  max_passive_ports:
    description:
      - A passive range larger than this is reported as V(passive_range_unbounded).
      - The default, 1000, is the largest range the server roles accept (C(vsftpd_pasv_max_range_size),
        C(pureftpd_pasv_max_range_size)) and the one the audit (C(HFTP-009)) accepts.
    type: int
    default: 1000
"""
