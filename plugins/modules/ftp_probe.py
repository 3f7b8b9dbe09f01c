#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_probe
short_description: Prove an FTP server on the wire, from where its clients stand
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Runs real FTP and FTPS sessions against one server address and compares what the server does with what is
    expected (O(expect)), one finding per check with its evidence and its fix. It answers the question no
    configuration file answers - why do passive transfers hang - because it sees what the clients see - the address a
    server behind NAT announces, a passive range a firewall in front of it drops, TLS that hides PASV from a helper.
  - "The checks (ids are stable): V(greeting) (the banner, no version), V(feat_auth_tls), V(tls_accepted) (TLS 1.2
    and 1.3, a handshake each), V(tls_legacy_refused) (TLS 1.0 and 1.1, a handshake each, offered with every cipher),
    V(tls_certificate) (the certificate names O(address); the days until it expires are reported), V(anonymous_login),
    V(anonymous_read_only), V(passive_address), V(passive_ports), V(passive_data) (every PASV and EPSV reply over
    O(sessions) sessions, and its data connection), V(active_mode), V(dropbox_canary), V(cleartext_login_refused),
    V(login_chrooted), V(outside_ports_closed). See C(docs/playbooks.md) in the collection."
  - Each finding has the status V(pass), V(fail), V(not-applicable) (the expectation says the thing is off, or
    the check was not asked for) or V(error) (it could not be checked - the server did not answer, or the
    probe's time or connection limit was reached).
  - Runs where the task runs - on the controller, or with C(delegate_to) on a probe host such as a bastion outside
    the server's NAT. The probe host needs Python 3 and nothing else (the standard library's C(socket) and C(ssl)).
  - "Bounded: every reply must come within O(timeout) seconds and is at most 200 lines of 2048 bytes, every
    transfer stops after 1 MiB, the whole probe stops by itself after O(time_limit) seconds, and it makes at most
    O(max_connections) connections. Traffic goes only to O(address): the control port, the data ports the server
    announces when they are inside the expected passive range (the probe never connects to a port outside it, nor
    to another address unless it is O(expect.pasv_address)), and the O(outside_ports) ports next to the range.
    In active mode the server connects to the probe host, and only a connection from the server's address is
    taken."
  - "It reads only, with two exceptions that a correct server refuses or that you ask for: anonymous sessions try
    to create a file and a directory outside the drop-box (a correct server refuses before anything is created; on
    a server that takes them the probe deletes what it made where the server lets it, and says so), and
    O(dropbox_canary) uploads one small file into the drop-box, which stays there (a write-only drop-box lets nobody
    take it back; its owner removes it). Neither happens in check mode."
  - With O(user), a password is never sent without TLS when TLS is expected; V(cleartext_login_refused) sends only
    C(USER) without TLS, and fails when the server asks for the password.
options:
  address:
    description: The address clients use, a DNS name or an IP address, resolved on the host the module runs on.
    type: str
    required: true
  port:
    description: The control port.
    type: int
    default: 21
  expect:
    description:
      - What the server should do. A key left out (or V(null)) is not judged; the checks that depend on it are
        V(not-applicable) and report what they saw.
      - The playbook C(hardened.ftp.probe) fills this in from the inventory's server role variables (the same the
        server roles use), through M(hardened.ftp.probe_plan).
    type: dict
    default: {}
    suboptions:
      daemon:
        description: The daemon role (V(vsftpd), V(pureftpd)), so the fixes name its variables.
        type: str
      banner:
        description: Text the greeting must show.
        type: str
      tls_enable:
        description: FTPS is offered (C(AUTH TLS)).
        type: bool
      tls_required:
        description: Logins with a password must use TLS.
        type: bool
      anonymous_enable:
        description: Anonymous login is allowed.
        type: bool
      anon_upload_enable:
        description: The anonymous drop-box exists.
        type: bool
      anon_upload_dir:
        description: The drop-box, relative to the anonymous root.
        type: str
      pasv_enable:
        description: Passive mode is offered.
        type: bool
      pasv_min_port:
        description: The first port of the passive range.
        type: int
      pasv_max_port:
        description: The last port of the passive range.
        type: int
      pasv_address:
        description: The address the server announces in PASV replies behind NAT (empty - O(address) itself).
        type: str
      active_enable:
        description: Active mode (C(PORT), C(EPRT)) is offered.
        type: bool
  user:
    description:
      - A local or virtual user to log in as, for V(cleartext_login_refused) and V(login_chrooted), and for the data
        checks when anonymous login is refused. Empty - those checks are V(not-applicable).
    type: str
    default: ""
  password:
    description: The password of O(user). Never logged, never shown in a finding.
    type: str
    default: ""
  dropbox_canary:
    description:
      - Upload one small file (C(hardened-ftp-probe-<time>-<random>.txt)) into the drop-box and check it can be neither
        listed nor downloaded. The only write the probe makes on purpose; the file stays in the drop-box.
    type: bool
    default: false
  sessions:
    description: Sessions over which every PASV and EPSV reply and its data connection are checked (1-10).
    type: int
    default: 3
  timeout:
    description: Seconds to wait for a reply, a connection or a transfer (1-60).
    type: float
    default: 10
  time_limit:
    description: Seconds after which the whole probe stops, whatever it is doing (10-900); what is left is V(error).
    type: int
    default: 120
  max_connections:
    description: The most TCP connections the probe makes or accepts (10-500).
    type: int
    default: 60
  outside_ports:
    description: How many ports just outside the passive range V(outside_ports_closed) tries (0-20).
    type: int
    default: 4
  skip_ports:
    description: Ports the outside sample leaves out (services that are meant to answer, such as SSH).
    type: list
    elements: int
    default: []
  certificate_min_days:
    description: V(tls_certificate) fails when the certificate expires in fewer days than this.
    type: int
    default: 14
  enforce:
    description: Fail the task when a check fails or could not be made.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Can run in check mode.
    details: Makes no write attempt and uploads no canary; the other checks run as usual (they only read).
  diff_mode:
    support: none
    description: Reports no differences.
notes:
  - Active mode needs the server to reach the probe host; from behind a NAT router it fails, as it fails for the
    clients there. Probe from where the clients are, or from a host the server can reach.
  - TLS 1.0 and 1.1 are offered only if the probe host's OpenSSL can offer them; when it cannot, the check is
    V(error), never a pass.
seealso:
  - module: hardened.ftp.probe_plan
  - module: hardened.ftp.ftp_consistency
  - module: hardened.ftp.ftp_audit
"""

EXAMPLES = r"""
- name: Probe ftp1 from a bastion outside its NAT, as its clients see it
  hardened.ftp.ftp_probe:
    address: ftp1.example.org
    expect:
      daemon: vsftpd
      tls_enable: true
      tls_required: true
      anonymous_enable: true
      anon_upload_enable: true
      anon_upload_dir: incoming
      pasv_enable: true
      pasv_min_port: 30000
      pasv_max_port: 30099
      pasv_address: 203.0.113.10
      active_enable: false
  delegate_to: bastion.example.org
  register: probe

- name: Show the checks that failed
  ansible.builtin.debug:
    msg: "{{ probe.checks | selectattr('status', 'in', ['fail', 'error']) | map(attribute='id') | list }}"

- name: Probe with a user and the drop-box canary, failing on any finding
  hardened.ftp.ftp_probe:
    address: 192.0.2.21
    user: ftpcheck
    password: "{{ vault_ftp_passwords.ftpcheck }}"
    dropbox_canary: true
    enforce: true
    expect:
      tls_enable: true
      tls_required: true
      anon_upload_enable: true
      anon_upload_dir: incoming
"""

RETURN = r"""
checks:
  description: One finding per check, in the order of the checks.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The check, e.g. V(passive_address).
      type: str
    title:
      description: What the check expects.
      type: str
    status:
      description: V(pass), V(fail), V(not-applicable) or V(error).
      type: str
    evidence:
      description: What was seen on the wire, problems first.
      type: list
      elements: str
    remediation:
      description: The fix, naming the variable to change (empty when the check passes).
      type: str
    mapping:
      description: Always empty; the shape of M(hardened.ftp.ftp_audit)'s controls, for the shared report.
      type: list
      elements: str
    waiver:
      description: Always null.
      type: str
  sample:
    - id: passive_address
      title: PASV announces the address clients use, or the documented NAT address
      status: fail
      evidence: ["PASV announced 10.0.0.5 (a private address), not ftp1.example.org (203.0.113.10)"]
      remediation: "set vsftpd_pasv_address to the public address clients reach ...; then run hardened.ftp.site"
      mapping: []
      waiver: null
summary:
  description: Number of checks per status.
  returned: always
  type: dict
  sample: {pass: 12, fail: 1, error: 0, not-applicable: 2}
passed:
  description: No check failed and every check could be made.
  returned: always
  type: bool
address:
  description: The address probed, as given.
  returned: always
  type: str
port:
  description: The control port.
  returned: always
  type: int
target:
  description: The IP address the probe connected to (the first address of O(address)).
  returned: always
  type: str
resolved:
  description: Every address O(address) has on the probe host.
  returned: always
  type: list
  elements: str
passive:
  description: Every PASV and EPSV reply, with the session, the address and port announced, and the data connection.
  returned: always
  type: list
  elements: dict
tls:
  description: The outcome of each TLS version's handshake, and the certificate (names, dates, days left).
  returned: always
  type: dict
  sample:
    versions:
      TLSv1: refused (TLSV1_ALERT_PROTOCOL_VERSION)
      TLSv1_2: accepted (TLSv1.2, ECDHE-RSA-AES128-GCM-SHA256)
    certificate: {names: ["CN=ftp1.example.org", "DNS:ftp1.example.org"], days_left: 87, matches_address: true}
canary:
  description: The path of the canary uploaded into the drop-box, or null.
  returned: always
  type: str
connections:
  description: The TCP connections the probe made or accepted.
  returned: always
  type: int
elapsed:
  description: Seconds the probe took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._probe_checks import Probe, check_options

EXPECT_OPTIONS = {
    "daemon": {"type": "str"},
    "banner": {"type": "str"},
    "tls_enable": {"type": "bool"},
    "tls_required": {"type": "bool"},
    "anonymous_enable": {"type": "bool"},
    "anon_upload_enable": {"type": "bool"},
    "anon_upload_dir": {"type": "str"},
    "pasv_enable": {"type": "bool"},
    "pasv_min_port": {"type": "int"},
    "pasv_max_port": {"type": "int"},
    "pasv_address": {"type": "str"},
    "active_enable": {"type": "bool"},
}

ARGUMENT_SPEC = {
    "address": {"type": "str", "required": True},
    "port": {"type": "int", "default": 21},
    "expect": {"type": "dict", "default": {}, "options": EXPECT_OPTIONS},
    "user": {"type": "str", "default": ""},
    "password": {"type": "str", "default": "", "no_log": True},
    "dropbox_canary": {"type": "bool", "default": False},
    "sessions": {"type": "int", "default": 3},
    "timeout": {"type": "float", "default": 10},
    "time_limit": {"type": "int", "default": 120},
    "max_connections": {"type": "int", "default": 60},
    "outside_ports": {"type": "int", "default": 4},
    "skip_ports": {"type": "list", "elements": "int", "default": []},
    "certificate_min_days": {"type": "int", "default": 14},
    "enforce": {"type": "bool", "default": False},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    options, errors = check_options({name: module.params[name] for name in ARGUMENT_SPEC if name != "enforce"})
    if errors:
        module.fail_json(msg="hardened.ftp.ftp_probe: " + "; ".join(errors.messages()))
    probe = Probe(
        options.pop("address"), options.pop("port"), options.pop("expect"), check_mode=module.check_mode, **options
    )
    result = probe.run()
    changed = bool(result["canary"]) or any(
        "left behind" in line or "removed again" in line or "deleted again" in line
        for finding in result["checks"]
        for line in finding["evidence"]
    )
    if module.params["enforce"] and not result["passed"]:
        failing = [item["id"] for item in result["checks"] if item["status"] in ("fail", "error")]
        module.fail_json(
            msg=f"{len(failing)} check(s) of {result['address']} failed or could not be made: {', '.join(failing)}",
            changed=changed,
            **result,
        )
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
