#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: last_good_run
short_description: Tell in one call whether a host is still exactly as the last good run left it
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - The fast path of the C(hardened.ftp.site) playbook. At the end of a run that configured a host without
    error, O(state=recorded) writes to O(store) what the run left there, that is the owner, mode and content digest
    of every file under O(paths), the owner and mode of O(stat_only), the state of O(services), whether
    O(ports) are listening, a digest of the live O(firewall) rules, of the installed packages and of the
    release, the SSH client address and port Ansible came through, and O(facts).
  - At the start of the next run, O(state=checked) reads the same things again in one pass and compares
    them, and O(fingerprint), with the record. RV(unchanged) is true only when everything is the same,
    the record is younger than O(max_age) and no certificate in O(certificates) has expired since; the
    run can then skip the work and use RV(facts). Otherwise RV(reasons) says what differs, and the run
    does all its work as usual (and records again at its end).
  - The action plugin of the same name computes O(fingerprint) on the controller when O(state=checked)
    and it is not given (see O(fingerprint)).
options:
  state:
    description:
      - V(checked) compares the host with the record and changes nothing; V(recorded) writes the record.
    type: str
    choices: [checked, recorded]
    default: checked
  store:
    description: Absolute path of the record (a JSON file, mode C(0600), in a directory of mode C(0700)).
    type: path
    default: /var/lib/hardened-ftp/last-good-run.json
  fingerprint:
    description:
      - A digest of everything on the controller the run depends on. Required with O(state=recorded);
        give the RV(fingerprint) the O(state=checked) task of the same run returned.
      - With O(state=checked) and no value, the action plugin computes it from the collection's own files
        (its roles, playbooks and plugins), the ansible-core version, C(inventory_hostname),
        C(ansible_port) and the templated value of every variable whose name starts with one of
        O(prefixes), except O(exclude). A variable that cannot be templated yet (one that needs facts the
        run gathers later) leaves no fingerprint, so RV(unchanged) is false and RV(reasons) names it.
    type: str
  prefixes:
    description: With O(state=checked), the names of the variables the fingerprint covers start with one of these.
    type: list
    elements: str
    default: [hardened_ftp_, vsftpd_, pureftpd_, proftpd_, ftp_firewall_]
  exclude:
    description: With O(state=checked), variables left out of the fingerprint (facts the run itself sets).
    type: list
    elements: str
    default: [hardened_ftp_server]
  max_age:
    description:
      - With O(state=checked), a record older than this many seconds is not trusted, so a full run checks
        everything at least this often. V(0) means no limit.
    type: int
    default: 604800
  paths:
    description:
      - With O(state=recorded), absolute paths of the files and directories the run manages. Directories are
        read with everything under them, so a file added there is a difference.
    type: list
    elements: path
    default: []
  stat_only:
    description:
      - With O(state=recorded), absolute paths whose type, owner and mode are recorded but not their
        content (the anonymous root and the upload drop-box, whose files come and go).
    type: list
    elements: path
    default: []
  services:
    description: With O(state=recorded), systemd units whose load, active and enabled states are recorded.
    type: list
    elements: str
    default: []
  boot_services:
    description:
      - With O(state=recorded), systemd units whose load and enabled states are recorded, but not whether they run
        now - units that load rules at boot (C(netfilter-persistent), C(nftables)), which a reboot starts.
    type: list
    elements: str
    default: []
  ports:
    description: With O(state=recorded), TCP ports whose listening state is recorded.
    type: list
    elements: int
    default: []
  firewall:
    description:
      - With O(state=recorded), the packet filter whose live rules are recorded (as a digest, without
        counters). V(none) records no rules and no SSH endpoint.
    type: str
    choices: [iptables, nftables, ufw, firewalld, none]
    default: none
  certificates:
    description:
      - With O(state=recorded), PEM certificates on the host; the record is not trusted after the first of
        them expires. Read from the PEM files with the Python standard library (no C(openssl) command needed).
    type: list
    elements: path
    default: []
  facts:
    description: With O(state=recorded), values to keep and hand back as RV(facts) when the host is unchanged.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description:
      - With O(state=checked) nothing is ever written; with O(state=recorded) the module reports whether
        the record would change, and writes nothing.
  diff_mode:
    support: none
    description: RV(reasons) lists the differences.
  action:
    support: full
    description: An action plugin computes O(fingerprint) on the controller.
notes:
  - The record holds no secrets (digests, owners, modes, unit states, and O(facts)); it is readable by root only.
  - Any difference means a full run, never a wrong one. Rules other tools change at run time (a ban list
    kept by fail2ban, Docker's chains) and package upgrades make the next run a full one.
  - With O(state=recorded) and only the record's time different, the module rewrites the time and
    reports no change (the record is bookkeeping, not configuration).
seealso:
  - module: hardened.ftp.config_snapshot
"""

EXAMPLES = r"""
- name: Ask whether anything changed since the last good run
  hardened.ftp.last_good_run:
    max_age: 86400
  register: last_good
  become: true

- name: Configure the host
  ansible.builtin.include_role:
    name: hardened.ftp.vsftpd
  when: not last_good.unchanged

- name: Record the run
  hardened.ftp.last_good_run:
    state: recorded
    fingerprint: "{{ last_good.fingerprint }}"
    paths: [/etc/vsftpd.conf, /etc/vsftpd.user_list]
    stat_only: [/srv/ftp]
    services: [vsftpd]
    ports: [21]
    firewall: nftables
    facts:
      hardened_ftp_server: "{{ hardened_ftp_server }}"
  when: not last_good.unchanged and last_good.fingerprint is defined
  become: true
"""

RETURN = r"""
unchanged:
  description: With O(state=checked), whether the host is exactly as the last good run left it.
  returned: always
  type: bool
  sample: true
reasons:
  description: With O(state=checked), why not (at most ten, then a count); empty when RV(unchanged).
  returned: always
  type: list
  elements: str
  sample: ["/etc/vsftpd.conf: was file 0644 0:0 sha256:3a1f..., now file 0644 0:0 sha256:9c2e..."]
fingerprint:
  description: The fingerprint compared (computed by the action plugin), to pass to O(state=recorded).
  returned: when it could be computed
  type: str
  sample: 5b0c0b5a9f3e4d1c2b7a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c
facts:
  description: With O(state=checked) and RV(unchanged), the O(facts) recorded.
  returned: when unchanged
  type: dict
  sample: {hardened_ftp_server: {daemon: vsftpd, control_port: 21}}
recorded_at:
  description: When the record was written, in seconds since the epoch.
  returned: when there is a record
  type: int
  sample: 1795392000
"""

import json
import os
import time
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils import _host_state
from ansible_collections.hardened.ftp.plugins.module_utils._files import replace_atomically

ARGUMENT_SPEC = {
    "state": {"type": "str", "choices": ["checked", "recorded"], "default": "checked"},
    "store": {"type": "path", "default": "/var/lib/hardened-ftp/last-good-run.json"},
    "fingerprint": {"type": "str"},
    "prefixes": {
        "type": "list",
        "elements": "str",
        "default": ["hardened_ftp_", "vsftpd_", "pureftpd_", "proftpd_", "ftp_firewall_"],
    },
    "exclude": {"type": "list", "elements": "str", "default": ["hardened_ftp_server"]},
    "max_age": {"type": "int", "default": 604800},
    "paths": {"type": "list", "elements": "path", "default": []},
    "stat_only": {"type": "list", "elements": "path", "default": []},
    "services": {"type": "list", "elements": "str", "default": []},
    "boot_services": {"type": "list", "elements": "str", "default": []},
    "ports": {"type": "list", "elements": "int", "default": []},
    "firewall": {"type": "str", "choices": ["iptables", "nftables", "ufw", "firewalld", "none"], "default": "none"},
    "certificates": {"type": "list", "elements": "path", "default": []},
    "facts": {"type": "dict", "default": {}},
}


def load(store: str) -> dict[str, t.Any] | None:
    """The record in ``store``; None when there is none, or it is unreadable or of another format."""
    try:
        with open(store, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == _host_state.FORMAT else None


def check(params: dict[str, t.Any], run: _host_state.Runner, now: float) -> dict[str, t.Any]:
    """Compare the host with the record in ``params['store']``."""
    record = load(params["store"])
    result = {"changed": False, "unchanged": False, "reasons": []}  # type: t.Dict[str, t.Any]
    if params["fingerprint"]:
        result["fingerprint"] = params["fingerprint"]
    if record is None:
        result["reasons"] = [f"no record of a good run in {params['store']}"]
        return result
    result["recorded_at"] = record.get("recorded_at", 0)
    reasons = []
    if record.get("fingerprint") != params["fingerprint"]:
        reasons.append("the variables, the collection or ansible-core changed since the last good run")
    age = now - record.get("recorded_at", 0)
    if params["max_age"] and age > params["max_age"]:
        reasons.append(f"the last good run is {int(age)} s old, more than max_age {params['max_age']} s")
    if record.get("valid_until") is not None and now >= record["valid_until"]:
        reasons.append("a certificate the server uses has expired or could not be read at the last good run")
    live = _host_state.read_state(record["spec"], run, skip=[params["store"]])
    reasons += _host_state.differences(record["state"], live)
    result["reasons"] = reasons
    result["unchanged"] = not reasons
    if not reasons:
        result["facts"] = record.get("facts", {})
    return result


def record(params: dict[str, t.Any], run: _host_state.Runner, now: float, check_mode: bool) -> dict[str, t.Any]:
    """Write what the host looks like now to ``params['store']``."""
    spec = {key: params[key] for key in ("paths", "stat_only", "services", "boot_services", "ports", "firewall")}
    store = params["store"]
    new = {
        "format": _host_state.FORMAT,
        "fingerprint": params["fingerprint"],
        "spec": spec,
        "state": _host_state.read_state(spec, run, skip=[store]),
        "facts": params["facts"],
        "valid_until": _host_state.not_after(params["certificates"]),
    }
    old = load(store) or {}
    changed = {key: value for key, value in old.items() if key != "recorded_at"} != new
    new["recorded_at"] = int(now)
    if not check_mode:
        os.makedirs(os.path.dirname(store), mode=0o700, exist_ok=True)

        def fill(tmp: str) -> None:  # mkstemp made it 0600
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(new, handle, sort_keys=True)

        replace_atomically(store, fill, prefix=".last-good-run-")
    return {"changed": changed, "recorded_at": new["recorded_at"], "fingerprint": params["fingerprint"]}


def main() -> None:
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        required_if=[("state", "recorded", ["fingerprint"])],
    )
    params = module.params
    relative = [path for path in [params["store"], *params["paths"], *params["stat_only"]] if not os.path.isabs(path)]
    if relative:
        module.fail_json(msg=f"store, paths and stat_only must be absolute paths; got {', '.join(relative)}")
    bad_ports = [port for port in params["ports"] if not 1 <= port <= 65535]
    if bad_ports:
        module.fail_json(msg=f"ports must be TCP ports, 1-65535; got {', '.join(map(str, bad_ports))}")
    if params["max_age"] < 0:
        module.fail_json(msg=f"max_age must be 0 (no limit) or a number of seconds; got {params['max_age']}")

    def run(argv: list[str]) -> tuple[int, str]:
        binary = module.get_bin_path(argv[0], opt_dirs=["/usr/sbin", "/sbin"])
        if binary is None:
            return 127, ""
        rc, out, _err = module.run_command([binary, *argv[1:]], environ_update={"LC_ALL": "C"})
        return rc, out

    try:
        if params["state"] == "checked":
            if not params["fingerprint"]:
                module.fail_json(
                    msg="fingerprint is required; use the module through its action plugin, which computes it"
                )
            result = check(params, run, time.time())
        else:
            result = record(params, run, time.time(), module.check_mode)
    except OSError as exc:
        module.fail_json(
            msg=f"could not {'read' if params['state'] == 'checked' else 'write'} {params['store']}: {exc}"
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
