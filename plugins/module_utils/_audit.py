# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluate the hardened.ftp baseline on the state of one host (private module).

Everything here is pure: :func:`evaluate` takes the *state* that ``_audit_collect`` read
from the host (a plain dict, easy to write by hand in tests) and returns one result per
control of ``_audit_controls.CONTROLS``::

    {"id", "title", "status", "evidence": [str], "remediation", "mapping": [str],
     "waiver": str | None, "original_status": str}

State keys: ``daemon`` (``vsftpd``, ``pureftpd``, ``proftpd`` or ``None``), ``error`` (why no
daemon was read), ``config_path``, ``options`` (parsed vsftpd.conf with defaults, pure-ftpd
settings as text, or ProFTPd's settings from ``_proftpd_conf.proftpd_settings``), ``server``
(the normalised server model), ``running`` (bool), ``listening`` (``[{"family", "address",
"port"}]``), ``files`` (``{"config" | "userlist" | "tls_key" | "anon_root": stat}``, a stat
being ``{"path", "exists", "uid", "gid", "mode"}``), ``anon_tree`` (stats of the directories
under the anonymous root), ``ftp_user`` (``{"name", "uid", "gids"}`` or ``None``), ``userlist``
(names or ``None``), ``virtual`` (``None`` without virtual users, else ``{"files": [stat],
"users": [{"name", "kind", "home", "chrooted", "account"}]}``: the hash scheme only, never the
hash), ``firewall`` (the firewall model, or ``None`` with ``firewall_reason``) and
``max_passive_ports``.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._audit_controls import CONTROL_IDS, CONTROLS, STATUSES
from ansible_collections.hardened.ftp.plugins.module_utils._findings import sorted_findings
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS, UNPRIVILEGED_PORTS
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import aead_only  # one rule, with the roles
from ansible_collections.hardened.ftp.plugins.module_utils._virtual_users import ACCEPTED_SCHEMES, OTHER_STRONG

PASS, FAIL, NA, WAIVED = "pass", "fail", "not-applicable", "waived"
# Checker findings that mean "the firewall and the server disagree" (HFTP-012).
AGREEMENT_FINDINGS = (
    "control_port_closed",
    "passive_range_not_open",
    "passive_range_partially_open",
    "passive_range_wider_than_server",
    "related_not_accepted",
    "tls_helper_blind",
    "active_port20_blocked",
)
Outcome = t.Tuple[str, t.List[str]]
State = t.Mapping[str, t.Any]


class AuditInputError(ValueError):
    """Bad audit input (an unknown control id in the waivers...), naming the variable."""


# --------------------------------------------------------------------------- small helpers


def yn(value: t.Any) -> str:
    return "YES" if value else "NO"


def mode_text(mode: int | None) -> str:
    return "?" if mode is None else f"{mode & 0o7777:04o}"


def _stat_text(stat: t.Mapping[str, t.Any]) -> str:
    if not stat.get("exists"):
        return "{} does not exist".format(stat.get("path"))
    return "{path} owner {owner}:{group} mode {mode}".format(
        path=stat.get("path"),
        owner=stat.get("owner") or stat.get("uid"),
        group=stat.get("group") or stat.get("gid"),
        mode=mode_text(stat.get("mode")),
    )


def ftp_class_bits(stat: t.Mapping[str, t.Any], user: t.Mapping[str, t.Any] | None) -> int:
    """The rwx bits (0-7) that apply to the anonymous FTP user for a file or directory."""
    mode = int(stat.get("mode") or 0)
    if user is None:
        return mode & 0o7
    if stat.get("uid") == user.get("uid"):
        return (mode >> 6) & 0o7
    if stat.get("gid") in (user.get("gids") or []):
        return (mode >> 3) & 0o7
    return mode & 0o7


def _setting(options: t.Mapping[str, t.Any], name: str) -> str:
    """A pure-ftpd setting as stripped text ('' when unset)."""
    return str(options.get(name) or "").strip()


def _pure_yes(options: t.Mapping[str, t.Any], name: str) -> bool:
    return _setting(options, name).lower() in ("yes", "true", "on", "1")


def _vsftpd(state: State) -> bool:
    return state.get("daemon") == "vsftpd"


# --------------------------------------------------------------------------- the controls


def check_service(state: State) -> Outcome:
    """HFTP-001."""
    server = state["server"]
    port = server["control_port"]
    evidence = ["{} process running: {}".format(state["daemon"], "yes" if state.get("running") else "no")]
    sockets = [item for item in state.get("listening") or [] if item.get("port") == port]
    for item in sockets:
        evidence.append("listening on {}:{}/tcp ({})".format(item["address"], port, item["family"]))
    if not sockets:
        evidence.append(f"nothing listens on control port {port}/tcp")
    evidence.append("the host is in the FTP baseline: the CIS 'FTP server not in use' rule is a documented exception")
    return (PASS if state.get("running") and sockets else FAIL), evidence


def check_logging(state: State) -> Outcome:
    """HFTP-002."""
    options = state["options"]
    if _vsftpd(state):
        ok = bool(options.get("xferlog_enable"))
        evidence = [f"xferlog_enable={yn(ok)}"]
        if ok:
            evidence.append("transfers logged to {}".format(options.get("xferlog_file")))
            if options.get("dual_log_enable"):
                evidence.append("dual_log_enable=YES: also {}".format(options.get("vsftpd_log_file")))
        return (PASS if ok else FAIL), evidence
    altlog = _setting(options, "AltLog")
    return (PASS if altlog else FAIL), ["AltLog={}".format(altlog or "(unset)")]


def check_banner(state: State) -> Outcome:
    """HFTP-003."""
    options = state["options"]
    if _vsftpd(state):
        banner = options.get("ftpd_banner")
        banner_file = options.get("banner_file")
        if banner_file:
            return PASS, [f"banner_file={banner_file}"]
        if banner:
            return PASS, [f"ftpd_banner={banner}"]
        return FAIL, ["neither ftpd_banner nor banner_file is set: vsftpd greets with its name and version"]
    fortunes = _setting(options, "FortunesFile")
    if fortunes:
        return PASS, [f"FortunesFile={fortunes}"]
    return FAIL, ["FortunesFile is unset: pure-ftpd shows no warning text before login"]


def check_local_logins(state: State) -> Outcome:
    """HFTP-004."""
    options = state["options"]
    if not _vsftpd(state):
        chroot = _pure_yes(options, "ChrootEveryone")
        min_uid = _setting(options, "MinUID")
        ok = chroot and min_uid.isdecimal() and int(min_uid) > 0
        return (PASS if ok else FAIL), [f"ChrootEveryone={yn(chroot)}", "MinUID={}".format(min_uid or "(unset)")]
    if not options.get("local_enable"):
        return PASS, ["local_enable=NO: only anonymous sessions"]
    evidence = ["local_enable=YES"]
    problems = []
    allow_list = bool(options.get("userlist_enable")) and not options.get("userlist_deny")
    evidence.append(
        "userlist_enable={} userlist_deny={} userlist_file={}".format(
            yn(options.get("userlist_enable")), yn(options.get("userlist_deny")), options.get("userlist_file")
        )
    )
    if not allow_list:
        problems.append("no allow-list: every local account with a password can log in")
    users = state.get("userlist")
    if allow_list:
        if users is None:
            problems.append("the allow-list {} cannot be read".format(options.get("userlist_file")))
        else:
            evidence.append("allowed: {}".format(", ".join(users) or "(nobody)"))
            if "root" in users:
                problems.append("root is on the allow-list")
    chroot = bool(options.get("chroot_local_user"))
    evidence.append(f"chroot_local_user={yn(chroot)}")
    if not chroot:
        problems.append("local users are not chrooted")
    return (FAIL if problems else PASS), problems + evidence


def check_anonymous_read_only(state: State) -> Outcome:
    """HFTP-005."""
    server = state["server"]
    options = state["options"]
    if not server["anonymous_enable"]:
        return NA, ["anonymous logins are off"]
    problems = []
    evidence = []
    if _vsftpd(state):
        for name, wanted in (
            ("anon_mkdir_write_enable", False),
            ("anon_other_write_enable", False),
            ("anon_world_readable_only", True),
        ):
            value = bool(options.get(name))
            evidence.append(f"{name}={yn(value)}")
            if value != wanted:
                problems.append(f"{name} should be {yn(wanted)}")
    else:
        mkdir = _pure_yes(options, "AnonymousCanCreateDirs")
        evidence.append(f"AnonymousCanCreateDirs={yn(mkdir)}")
        if mkdir:
            problems.append("anonymous sessions may create directories")
    anon_root_findings(state, problems, evidence)
    return (FAIL if problems else PASS), problems + evidence


def anon_root_findings(state: State, problems: list[str], evidence: list[str]) -> None:
    """HFTP-005 on the files: the anonymous root is root's and the anonymous user cannot write to it."""
    root = (state.get("files") or {}).get("anon_root")
    if root:
        evidence.append("anonymous root " + _stat_text(root))
        if not root.get("exists"):
            problems.append("the anonymous root does not exist")
        else:
            if root.get("uid") != 0:
                problems.append("the anonymous root is not owned by root")
            if ftp_class_bits(root, state.get("ftp_user")) & 0o2 or int(root.get("mode") or 0) & 0o002:
                problems.append("the anonymous root is writable by the anonymous user")


def check_dropbox(state: State) -> Outcome:
    """HFTP-006."""
    server = state["server"]
    options = state["options"]
    if not server["anon_upload_enable"]:
        return NA, ["anonymous upload is off: there is no drop-box"]
    problems = []
    evidence = []
    if _vsftpd(state):
        chown = bool(options.get("chown_uploads"))
        upload_mode = int(options.get("chown_upload_mode") or 0)
        evidence.append(
            "chown_uploads={} chown_username={} chown_upload_mode={}".format(
                yn(chown), options.get("chown_username"), mode_text(upload_mode)
            )
        )
        if not chown:
            problems.append("uploads stay owned by the anonymous user, who can fetch them back")
        elif upload_mode & 0o077:
            problems.append("uploaded files are readable or writable by group or others")
    dropbox_tree_findings(state, problems, evidence)
    return (FAIL if problems else PASS), problems + evidence


def dropbox_tree_findings(state: State, problems: list[str], evidence: list[str]) -> None:
    """HFTP-006 on the files: a directory the anonymous user may write is not listable, sticky, not its own."""
    user = state.get("ftp_user")
    writable = [entry for entry in state.get("anon_tree") or [] if ftp_class_bits(entry, user) & 0o2]
    if not writable:
        evidence.append("no directory under the anonymous root is writable by the anonymous user")
    for entry in writable:
        evidence.append("drop-box " + _stat_text(entry))
        mode = int(entry.get("mode") or 0)
        if ftp_class_bits(entry, user) & 0o4:
            problems.append("{} can be listed by the anonymous user".format(entry["path"]))
        if not mode & 0o1000:
            problems.append("{} has no sticky bit: uploads can be deleted or renamed".format(entry["path"]))
        if user is not None and entry.get("uid") == user.get("uid"):
            problems.append("{} is owned by the anonymous user".format(entry["path"]))


def check_tls_required(state: State) -> Outcome:
    """HFTP-007."""
    server = state["server"]
    options = state["options"]
    if not server["tls_enable"]:
        return FAIL, ["TLS is off: passwords and data cross the network in clear text"]
    if not _vsftpd(state):
        ok = bool(server["tls_required"])
        return (PASS if ok else FAIL), ["TLS={}".format(_setting(options, "TLS") or "(unset)")]
    evidence = ["ssl_enable={}".format(yn(options.get("ssl_enable")))]
    if not options.get("local_enable"):
        evidence.append("local_enable=NO: anonymous sessions only, no password is ever sent")
        return PASS, evidence
    forced = bool(options.get("force_local_logins_ssl")) and bool(options.get("force_local_data_ssl"))
    evidence.append(
        "force_local_logins_ssl={} force_local_data_ssl={}".format(
            yn(options.get("force_local_logins_ssl")), yn(options.get("force_local_data_ssl"))
        )
    )
    if not forced:
        return FAIL, ["local users may log in or transfer without TLS", *evidence]
    return PASS, evidence


def check_tls_versions(state: State) -> Outcome:
    """HFTP-008."""
    server = state["server"]
    options = state["options"]
    if not server["tls_enable"]:
        return NA, ["TLS is off (see HFTP-007)"]
    if not _vsftpd(state):
        ciphers = _setting(options, "TLSCipherSuite")
        ok = aead_only(ciphers)
        return (PASS if ok else FAIL), ["TLSCipherSuite={} (AEAD only: {})".format(ciphers or "(default)", yn(ok))]
    problems = []
    evidence = []
    for name in ("ssl_sslv2", "ssl_sslv3"):
        evidence.append(f"{name}={yn(options.get(name))}")
        if options.get(name):
            problems.append(f"{name}=YES allows a broken protocol")
    ciphers = options.get("ssl_ciphers")
    old_off = not options.get("ssl_tlsv1") and not options.get("ssl_tlsv1_1")
    evidence.append("ssl_tlsv1={} ssl_tlsv1_1={}".format(yn(options.get("ssl_tlsv1")), yn(options.get("ssl_tlsv1_1"))))
    evidence.append(f"ssl_ciphers={ciphers} (AEAD only: {yn(aead_only(ciphers))})")
    if not (old_off or aead_only(ciphers)):
        problems.append("TLS 1.0/1.1 can be negotiated: ssl_tlsv1 is on and the cipher list is not AEAD-only")
    return (FAIL if problems else PASS), problems + evidence


def check_passive_range(state: State) -> Outcome:
    """HFTP-009."""
    server = state["server"]
    if not server["pasv_enable"]:
        return NA, ["passive mode is off"]
    low, high = server["pasv_min_port"], server["pasv_max_port"]
    limit = int(state.get("max_passive_ports") or MAX_PASSIVE_PORTS)
    if low is None:
        return FAIL, ["no passive range: any port {}-{} may be used".format(*UNPRIVILEGED_PORTS)]
    size = high - low + 1
    evidence = [f"passive range {low}-{high}/tcp ({size} ports, limit {limit})"]
    if size > limit:
        return FAIL, [f"the passive range spans {size} ports, more than {limit}", *evidence]
    if low < UNPRIVILEGED_PORTS[0]:
        return FAIL, ["the passive range reaches privileged ports", *evidence]
    return PASS, evidence


def check_bounce(state: State) -> Outcome:
    """HFTP-010."""
    server = state["server"]
    options = state["options"]
    problems = []
    evidence = [
        "active mode: {}".format("on" if server["active_enable"] else "off"),
        "port_promiscuous (PORT to third hosts): {}".format(yn(server["port_promiscuous"])),
    ]
    if server["port_promiscuous"]:
        problems.append("PORT/EPRT to a third host is accepted (FTP bounce)")
    if _vsftpd(state):
        evidence.append("pasv_promiscuous={}".format(yn(options.get("pasv_promiscuous"))))
        if options.get("pasv_promiscuous"):
            problems.append("pasv_promiscuous=YES: a data connection may come from another host than the client")
    return (FAIL if problems else PASS), problems + evidence


def _firewall_na(state: State) -> Outcome | None:
    if state.get("firewall") is None:
        return NA, [state.get("firewall_reason") or "the firewall is not audited"]
    return None


def check_default_deny(state: State) -> Outcome:
    """HFTP-011."""
    skipped = _firewall_na(state)
    if skipped:
        return skipped
    firewall = state["firewall"]
    families = list(firewall.get("families") or [])
    evidence = ["backend {}".format(firewall.get("backend"))]
    if not families:
        return FAIL, ["no packet filter rules: every port is reachable", *evidence]
    problems = []
    for family in families:
        policy = (firewall.get("input_policy") or {}).get(family, "accept")
        evidence.append(f"{family} input policy: {policy}")
        if policy != "drop":
            problems.append(f"{family}: what is not opened is accepted")
    if state["server"]["listen_ipv6"] and "ipv6" not in families:
        problems.append("the server listens on IPv6 but no IPv6 rules exist")
    return (FAIL if problems else PASS), problems + evidence


def _findings(state: State) -> list[dict[str, str]]:
    return sorted_findings(
        state["server"], state["firewall"], {"passive_policy": state.get("passive_policy") or "auto"}
    )


def _opening_text(opening: t.Mapping[str, t.Any]) -> str:
    low, high = opening["port_min"], opening["port_max"]
    ports = str(low) if low == high else f"{low}-{high}"
    return "{} {}/tcp open from {}{}".format(
        opening["family"],
        ports,
        ", ".join(opening.get("sources") or ["any"]),
        " on " + opening["interface"] if opening.get("interface") else "",
    )


def check_agreement(state: State) -> Outcome:
    """HFTP-012."""
    skipped = _firewall_na(state)
    if skipped:
        return skipped
    found = [item for item in _findings(state) if item["id"] in AGREEMENT_FINDINGS]
    if found:
        return FAIL, ["{}: {} (fix: {})".format(item["id"], item["message"], item["fix"]) for item in found]
    # Agreement must be shown: a check the firewall model cannot decide is not evidence of it.
    unsure = [item for item in _findings(state) if item["id"] == "verdict_uncertain"]
    if unsure:
        return FAIL, ["cannot be verified, {}: {}".format(item["id"], item["message"]) for item in unsure]
    evidence = [_opening_text(opening) for opening in state["firewall"].get("openings") or []][:8]
    return PASS, ["ftp_consistency finds no disagreement", *evidence]


def check_helper(state: State) -> Outcome:
    """HFTP-013."""
    skipped = _firewall_na(state)
    if skipped:
        return skipped
    firewall = state["firewall"]
    problems = []
    evidence = []
    if firewall.get("auto_helper"):
        problems.append("net.netfilter.nf_conntrack_helper=1: helpers are attached to any port 21 traffic")
    for item in _findings(state):
        if item["id"] == "helper_not_attached":
            problems.append("{}: {}".format(item["id"], item["message"]))
    helpers = firewall.get("helper_ports") or []
    for item in helpers:
        low, high = item["port_min"], item["port_max"]
        evidence.append(
            "{}: ftp helper attached by rule to {}/tcp".format(item["family"], low if low == high else f"{low}-{high}")
        )
    if not helpers:
        evidence.append("no rule attaches the ftp helper; passive data must then be opened directly")
    evidence.append("automatic helper assignment: {}".format("on" if firewall.get("auto_helper") else "off"))
    return (FAIL if problems else PASS), problems + evidence


def check_files(state: State) -> Outcome:
    """HFTP-014."""
    files = state.get("files") or {}
    problems = []
    evidence = []
    for key in ("config", "userlist"):
        stat = files.get(key)
        if not stat:
            continue
        evidence.append(_stat_text(stat))
        if not stat.get("exists"):
            if key == "config":
                problems.append("{} does not exist".format(stat.get("path")))
            continue
        if stat.get("uid") != 0:
            problems.append("{} is not owned by root".format(stat["path"]))
        if int(stat.get("mode") or 0) & 0o022:
            problems.append("{} is writable by group or others".format(stat["path"]))
    key_stat = files.get("tls_key")
    if key_stat and state["server"]["tls_enable"]:
        evidence.append("private key " + _stat_text(key_stat))
        if not key_stat.get("exists"):
            problems.append("the TLS private key {} does not exist".format(key_stat.get("path")))
        else:
            if key_stat.get("uid") != 0:
                problems.append("the TLS private key is not owned by root")
            if int(key_stat.get("mode") or 0) & 0o077:
                problems.append("the TLS private key is readable by group or others")
    return (FAIL if problems else PASS), problems + evidence


def _virtual(state: State) -> Outcome | None:
    """Not applicable when the daemon has no virtual users."""
    virtual = state.get("virtual")
    if not virtual:
        return NA, ["no virtual users: the daemon's PAM service, PureDB or AuthUserFile names no password file"]
    return None


def check_virtual_files(state: State) -> Outcome:
    """HFTP-015."""
    skipped = _virtual(state)
    if skipped:
        return skipped
    problems = []
    evidence = []
    for stat in state["virtual"]["files"]:
        evidence.append(_stat_text(stat))
        if not stat.get("exists"):
            problems.append("{} does not exist".format(stat.get("path")))
            continue
        if stat.get("uid") != 0:
            problems.append("{} is not owned by root".format(stat["path"]))
        if int(stat.get("mode") or 0) & 0o077:
            problems.append("{} is readable or writable by group or others".format(stat["path"]))
    return (FAIL if problems else PASS), problems + evidence


def _names(users: t.Iterable[t.Mapping[str, t.Any]]) -> str:
    return ", ".join(user["name"] for user in users)


def check_virtual_chroot(state: State) -> Outcome:
    """HFTP-016."""
    skipped = _virtual(state)
    if skipped:
        return skipped
    users = state["virtual"]["users"]
    problems = []
    free = [user for user in users if not user["chrooted"] or not user["home"]]
    if free:
        problems.append(f"not chrooted in a home of their own: {_names(free)}")
    homes: dict[str, list[str]] = {}
    for user in users:
        homes.setdefault(user["home"], []).append(user["name"])
    shared = {home: names for home, names in homes.items() if home and len(names) > 1}
    for home, names in sorted(shared.items()):
        problems.append(f"{', '.join(names)} share the home {home}")
    evidence = [f"{len(users)} virtual user(s); chrooted: {_names(u for u in users if u['chrooted']) or '(none)'}"]
    return (FAIL if problems else PASS), problems + evidence


def check_virtual_hashes(state: State) -> Outcome:
    """HFTP-017."""
    skipped = _virtual(state)
    if skipped:
        return skipped
    users = state["virtual"]["users"]
    strong = set(ACCEPTED_SCHEMES) | set(OTHER_STRONG) | {"locked"}
    bad = [user for user in users if user["kind"] not in strong]
    kinds = sorted({user["kind"] for user in users})
    evidence = [f"hash schemes in use: {', '.join(kinds) or '(no users)'}"]
    problems = [f"{user['name']}: {'plain text' if user['kind'] == 'plain' else user['kind']}" for user in bad]
    return (FAIL if bad else PASS), problems + evidence


def check_virtual_accounts(state: State) -> Outcome:
    """HFTP-018."""
    skipped = _virtual(state)
    if skipped:
        return skipped
    users = state["virtual"]["users"]
    clash = [user for user in users if user["account"]]
    if clash:
        return FAIL, [f"also accounts of the host (getent passwd): {_names(clash)}"]
    return PASS, [f"none of {len(users)} virtual user(s) is an account of the host"]


# --------------------------------------------------------------------------- ProFTPd's evidence
# ``options`` is _proftpd_conf.proftpd_settings(): the main server's directives, its login limit and its
# anonymous areas with what each of their directories allows.

OLD_TLS = ("SSLv3", "TLSv1", "TLSv1.1")
TLS_VERSIONS = (*OLD_TLS, "TLSv1.2", "TLSv1.3")


def _directive(state: State, name: str) -> str:
    return str((state["options"].get("directives") or {}).get(name) or "").strip()


def tls_protocols(words: str) -> set[str]:
    """The protocol versions a ``TLSProtocol`` value allows (``ALL -TLSv1`` as well as ``TLSv1.2 TLSv1.3``)."""
    allowed: set[str] = set()
    for word in words.split() or ["TLSv1"]:  # mod_tls documents TLSv1 as the default
        name = word.lstrip("+-")
        names = set(TLS_VERSIONS) if name.upper() == "ALL" else {name}
        allowed = allowed - names if word.startswith("-") else allowed | names
    return allowed


def proftpd_logging(state: State) -> Outcome:
    """HFTP-002."""
    log = _directive(state, "TransferLog")
    extended = _directive(state, "ExtendedLog")
    if log and log.lower() != "none":
        return PASS, [f"TransferLog={log}"]
    if extended:
        return PASS, [f"ExtendedLog={extended}"]
    return FAIL, ["neither TransferLog nor ExtendedLog is set: transfers are not logged"]


def proftpd_banner(state: State) -> Outcome:
    """HFTP-003."""
    ident = _directive(state, "ServerIdent")
    connect = _directive(state, "DisplayConnect")
    if connect:
        return PASS, [f"DisplayConnect={connect}"]
    words = ident.split(None, 1)
    if words and words[0].lower() == "on" and len(words) > 1:
        return PASS, [f"ServerIdent={ident}"]
    if words and words[0].lower() == "off":
        return FAIL, ["ServerIdent off: the greeting hides the version but shows no warning text"]
    return FAIL, ["ServerIdent sets no text: ProFTPd greets with its name and version"]


def proftpd_local_logins(state: State) -> Outcome:
    """HFTP-004."""
    limit = state["options"].get("login_limit")
    users = (limit or {}).get("allow_users") or []
    if limit and limit.get("deny_all") and not users:
        return PASS, ["<Limit LOGIN> DenyAll: only anonymous sessions"]
    problems, evidence = [], []
    if not limit or not limit.get("deny_all"):
        problems.append("no allow-list (<Limit LOGIN> with DenyAll): every account with a password can log in")
    evidence.append("allowed: {}".format(", ".join(users) or "(nobody named)"))
    if "root" in users:
        problems.append("root is on the allow-list")
    root_login = _directive(state, "RootLogin") or "off"
    evidence.append(f"RootLogin={root_login}")
    if root_login.lower() != "off":
        problems.append("RootLogin lets root log in")
    chroot = _directive(state, "DefaultRoot")
    evidence.append("DefaultRoot={}".format(chroot or "(unset)"))
    if not chroot:
        problems.append("users are not chrooted")
    return (FAIL if problems else PASS), problems + evidence


def _anonymous_areas(state: State) -> list[dict[str, t.Any]]:
    return [area for area in state["options"].get("anonymous") or [] if area.get("login")]


def proftpd_anonymous_read_only(state: State) -> Outcome:
    """HFTP-005."""
    if not state["server"]["anonymous_enable"]:
        return NA, ["anonymous logins are off"]
    problems, evidence = [], []
    for area in _anonymous_areas(state):
        evidence.append("<Anonymous {}>: writes {}".format(area["root"], "allowed" if area["write"] else "denied"))
        if area["write"]:
            problems.append("{}: anonymous sessions may write outside a drop-box".format(area["root"]))
    anon_root_findings(state, problems, evidence)
    return (FAIL if problems else PASS), problems + evidence


def proftpd_dropbox(state: State) -> Outcome:
    """HFTP-006."""
    if not state["server"]["anon_upload_enable"]:
        return NA, ["anonymous upload is off: there is no drop-box"]
    problems, evidence = [], []
    for area in _anonymous_areas(state):
        for box in [item for item in area["directories"] if item["store"]]:
            evidence.append(
                "<Directory {path}>: store yes, read {read}, list {list}, delete or rename {delete}, "
                "overwrite {overwrite}".format(
                    **{key: yn(value) for key, value in box.items() if key != "path"}, path=box["path"]
                )
            )
            for what in ("read", "list", "delete", "overwrite"):
                if box[what]:
                    problems.append("{}: anonymous sessions may {} uploads".format(box["path"], what))
    dropbox_tree_findings(state, problems, evidence)
    return (FAIL if problems else PASS), problems + evidence


def proftpd_tls_required(state: State) -> Outcome:
    """HFTP-007."""
    server = state["server"]
    if not server["tls_enable"]:
        return FAIL, ["TLS is off: passwords and data cross the network in clear text"]
    evidence = ["TLSRequired={}".format(_directive(state, "TLSRequired") or "off")]
    limit = state["options"].get("login_limit")
    if limit and limit.get("deny_all") and not limit.get("allow_users"):
        return PASS, [*evidence, "<Limit LOGIN> DenyAll: anonymous sessions only, no password is ever sent"]
    if not server["tls_required"]:
        return FAIL, ["users may log in or transfer without TLS", *evidence]
    return PASS, evidence


def proftpd_tls_versions(state: State) -> Outcome:
    """HFTP-008."""
    if not state["server"]["tls_enable"]:
        return NA, ["TLS is off (see HFTP-007)"]
    protocol = _directive(state, "TLSProtocol")
    ciphers = _directive(state, "TLSCipherSuite")
    old = sorted(tls_protocols(protocol) & set(OLD_TLS))
    evidence = [
        "TLSProtocol={} (older than TLS 1.2: {})".format(protocol or "(default)", ", ".join(old) or "none"),
        "TLSCipherSuite={} (AEAD only: {})".format(ciphers or "(default)", yn(aead_only(ciphers))),
    ]
    if old and not aead_only(ciphers):
        return FAIL, [
            f"{', '.join(old)} can be negotiated: TLSProtocol allows it and the cipher list is not AEAD-only",
            *evidence,
        ]
    return PASS, evidence


PROFTPD_CHECKS = {
    "HFTP-002": proftpd_logging,
    "HFTP-003": proftpd_banner,
    "HFTP-004": proftpd_local_logins,
    "HFTP-005": proftpd_anonymous_read_only,
    "HFTP-006": proftpd_dropbox,
    "HFTP-007": proftpd_tls_required,
    "HFTP-008": proftpd_tls_versions,
}  # type: t.Dict[str, t.Callable[[State], Outcome]]
# Every other control reads the server model, the files or the firewall alike for every daemon.
DAEMON_CHECKS = {"proftpd": PROFTPD_CHECKS}


CHECKS = {
    "HFTP-001": check_service,
    "HFTP-002": check_logging,
    "HFTP-003": check_banner,
    "HFTP-004": check_local_logins,
    "HFTP-005": check_anonymous_read_only,
    "HFTP-006": check_dropbox,
    "HFTP-007": check_tls_required,
    "HFTP-008": check_tls_versions,
    "HFTP-009": check_passive_range,
    "HFTP-010": check_bounce,
    "HFTP-011": check_default_deny,
    "HFTP-012": check_agreement,
    "HFTP-013": check_helper,
    "HFTP-014": check_files,
    "HFTP-015": check_virtual_files,
    "HFTP-016": check_virtual_chroot,
    "HFTP-017": check_virtual_hashes,
    "HFTP-018": check_virtual_accounts,
}  # type: t.Dict[str, t.Callable[[State], Outcome]]


# --------------------------------------------------------------------------- the whole baseline


def _result(control: t.Mapping[str, t.Any], status: str, evidence: list[str]) -> dict[str, t.Any]:
    return {
        "id": control["id"],
        "title": control["title"],
        "status": status,
        "original_status": status,
        "evidence": [str(item) for item in evidence],
        "remediation": control["remediation"] if status == FAIL else "",
        "mapping": list(control["mapping"]),
        "waiver": None,
    }


def evaluate(state: State) -> list[dict[str, t.Any]]:
    """One result per control, in baseline order (see the module docstring for ``state``)."""
    results = []
    for control in CONTROLS:
        if not state.get("daemon"):
            if control["id"] == "HFTP-001":
                outcome = (FAIL, [state.get("error") or "no FTP daemon found"])  # type: Outcome
            else:
                outcome = (NA, ["no FTP daemon configuration to audit (see HFTP-001)"])
        else:
            check = DAEMON_CHECKS.get(state["daemon"], {}).get(control["id"], CHECKS[control["id"]])
            outcome = check(state)
        results.append(_result(control, *outcome))
    return results


def validate_waivers(waivers: t.Any, variable: str = "waivers") -> dict[str, str]:
    """``{control id: reason}`` checked: known ids, non-empty text reasons."""
    if waivers is None:
        return {}
    if not isinstance(waivers, t.Mapping):
        raise AuditInputError(f"{variable} must be a dict such as {{HFTP-003: 'reason'}}, not {type(waivers).__name__}")
    checked = {}
    for key, reason in waivers.items():
        if key not in CONTROL_IDS:
            raise AuditInputError(
                f"{variable}: unknown control id {key!r}; known ids are {CONTROL_IDS[0]}-{CONTROL_IDS[-1]}"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise AuditInputError(f"{variable}: {key} needs a reason, a non-empty text saying why it is waived")
        checked[key] = reason.strip()
    return checked


def apply_waivers(results: t.Sequence[t.Mapping[str, t.Any]], waivers: t.Mapping[str, str]) -> list[dict[str, t.Any]]:
    """Mark waived failures ``waived`` and record every reason (a waiver on a control that does not
    fail is kept, with a note, so stale waivers show in the report)."""
    out = []
    for result in results:
        item = dict(result)
        reason = waivers.get(item["id"])
        if reason:
            item["waiver"] = reason
            if item["original_status"] == FAIL:
                item["status"] = WAIVED
            else:
                item["evidence"] = [
                    *item["evidence"],
                    f"waiver recorded but not needed: the control is {item['status']}",
                ]
        out.append(item)
    return out


def summarize(results: t.Iterable[t.Mapping[str, t.Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts
