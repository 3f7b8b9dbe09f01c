# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vsftpd.conf parser and server model (private module).

The option tables list every setting vsftpd 3.0.x accepts, with the compiled-in default of
upstream 3.0.3 (``tunables.c``).  Those defaults are not always what the manual page says:
``listen`` is compiled in as YES and ``pasv_min_port`` as 5001 although vsftpd.conf(5)
documents NO and 0.  Distributions override many of them in the shipped vsftpd.conf, so
parse the real file rather than trusting either.

vsftpd itself is strict: a line is a comment only when its *first* character is ``#``;
leading white space before a setting is skipped; the setting name ends at the first ``=``
(no spaces allowed around it); an unknown name, a missing value for a boolean or number,
or a bad boolean make vsftpd refuse to start.  :func:`vsftpd_conf_problems` reports each
of those; :func:`parse_vsftpd_conf` is lenient and returns the values vsftpd would use.
"""

from __future__ import annotations

import re
import typing as t

# name -> compiled-in default
BOOL_OPTIONS = {
    "allow_anon_ssl": False,
    "allow_writeable_chroot": False,
    "anon_mkdir_write_enable": False,
    "anon_other_write_enable": False,
    "anon_upload_enable": False,
    "anon_world_readable_only": True,
    "anonymous_enable": True,
    "ascii_download_enable": False,
    "ascii_upload_enable": False,
    "async_abor_enable": False,
    "background": False,
    "check_shell": True,
    "chmod_enable": True,
    "chown_uploads": False,
    "chroot_list_enable": False,
    "chroot_local_user": False,
    "connect_from_port_20": False,
    "debug_ssl": False,
    "delete_failed_uploads": False,
    "deny_email_enable": False,
    "dirlist_enable": True,
    "dirmessage_enable": False,
    "download_enable": True,
    "dual_log_enable": False,
    "force_anon_data_ssl": False,
    "force_anon_logins_ssl": False,
    "force_dot_files": False,
    "force_local_data_ssl": True,
    "force_local_logins_ssl": True,
    "ftp_enable": True,
    "guest_enable": False,
    "hide_ids": False,
    "http_enable": False,
    "implicit_ssl": False,
    "isolate": True,
    "isolate_network": True,
    "listen": True,
    "listen_ipv6": False,
    "local_enable": False,
    "lock_upload_files": True,
    "log_ftp_protocol": False,
    "ls_recurse_enable": False,
    "mdtm_write": True,
    "no_anon_password": False,
    "no_log_lock": False,
    "one_process_model": False,
    "passwd_chroot_enable": False,
    "pasv_addr_resolve": False,
    "pasv_enable": True,
    "pasv_promiscuous": False,
    "port_enable": True,
    "port_promiscuous": False,
    "ptrace_sandbox": False,
    "require_cert": False,
    "require_ssl_reuse": True,
    "run_as_launching_user": False,
    "seccomp_sandbox": True,
    "secure_email_list_enable": False,
    "session_support": False,
    "setproctitle_enable": False,
    "ssl_enable": False,
    "ssl_request_cert": True,
    "ssl_sslv2": False,
    "ssl_sslv3": False,
    "ssl_tlsv1": True,
    "ssl_tlsv1_1": False,
    "ssl_tlsv1_2": True,
    "strict_ssl_read_eof": True,
    "strict_ssl_write_shutdown": False,
    "syslog_enable": False,
    "tcp_wrappers": False,
    "text_userdb_names": False,
    "tilde_user_enable": False,
    "use_localtime": False,
    "use_sendfile": True,
    "utf8_filesystem": False,  # Debian/Ubuntu patch
    "userlist_deny": True,
    "userlist_enable": False,
    "validate_cert": False,
    "virtual_use_local_privs": False,
    "write_enable": False,
    "xferlog_enable": False,
    "xferlog_std_format": False,
}  # type: t.Dict[str, bool]

NUMERIC_OPTIONS = {
    "accept_timeout": 60,
    "anon_max_rate": 0,
    "anon_umask": 0o077,
    "chown_upload_mode": 0o600,
    "connect_timeout": 60,
    "data_connection_timeout": 300,
    "delay_failed_login": 1,
    "delay_successful_login": 0,
    "file_open_mode": 0o666,
    "ftp_data_port": 20,
    "idle_session_timeout": 300,
    "listen_port": 21,
    "local_max_rate": 0,
    "local_umask": 0o077,
    "max_clients": 2000,
    "max_login_fails": 3,
    "max_per_ip": 50,
    "pasv_max_port": 0,
    "pasv_min_port": 5001,
    "trans_chunk_size": 0,
}  # type: t.Dict[str, int]

STRING_OPTIONS = {
    "anon_root": None,
    "banned_email_file": "/etc/vsftpd.banned_emails",
    "banner_file": None,
    "ca_certs_file": None,
    "chdir_after_login": None,
    "chown_username": "root",
    "chroot_list_file": "/etc/vsftpd.chroot_list",
    "cmds_allowed": None,
    "cmds_denied": None,
    "deny_file": None,
    "dsa_cert_file": None,
    "dsa_private_key_file": None,
    "email_password_file": "/etc/vsftpd.email_passwords",
    "ftp_username": "ftp",
    "ftpd_banner": None,
    "guest_username": "ftp",
    "hide_file": None,
    "listen_address": None,
    "listen_address6": None,
    "local_root": None,
    "message_file": ".message",
    "nopriv_user": "nobody",
    "pam_service_name": "ftp",
    "pasv_address": None,
    "rsa_cert_file": "/usr/share/ssl/certs/vsftpd.pem",
    "rsa_private_key_file": None,
    "secure_chroot_dir": "/usr/share/empty",
    "ssl_ciphers": "ECDHE-RSA-AES256-GCM-SHA384",
    "user_config_dir": None,
    "user_sub_token": None,
    "userlist_file": "/etc/vsftpd.user_list",
    "vsftpd_log_file": "/var/log/vsftpd.log",
    "xferlog_file": "/var/log/xferlog",
}  # type: t.Dict[str, t.Optional[str]]

_TRUE = frozenset(("YES", "TRUE", "1"))
_FALSE = frozenset(("NO", "FALSE", "0"))
_LEADING_INT = re.compile(r"^[+-]?\d+")
_LEADING_OCTAL = re.compile(r"^[0-7]+")

# vsftpd clamps the passive range to unprivileged ports (IPPORT_RESERVED).
_PASV_FLOOR = 1024
_PASV_CEILING = 65535

Value = t.Union[bool, int, str, None]


def known_vsftpd_options() -> dict[str, str]:
    """Return ``{option: "bool" | "numeric" | "string"}`` for every option vsftpd 3.0.x knows."""
    kinds = {}  # type: t.Dict[str, str]
    kinds.update((name, "bool") for name in BOOL_OPTIONS)
    kinds.update((name, "numeric") for name in NUMERIC_OPTIONS)
    kinds.update((name, "string") for name in STRING_OPTIONS)
    return kinds


def vsftpd_defaults() -> dict[str, Value]:
    """Return the compiled-in defaults of every option."""
    values = {}  # type: t.Dict[str, Value]
    values.update(BOOL_OPTIONS)
    values.update(NUMERIC_OPTIONS)
    values.update(STRING_OPTIONS)
    return values


def _directives(text: str) -> t.Iterator[tuple[int, str, str, str]]:
    """Yield ``(line_number, raw_line, name, value)`` for each directive line, leniently."""
    if not isinstance(text, str):
        raise TypeError(f"vsftpd.conf content must be a string, not {type(text).__name__}")
    # vsftpd splits its file on "\n" only: a "\r" or any other line separator stays inside the value.
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        name, _sep, value = stripped.partition("=")
        yield number, raw, name.strip(" \t"), value.strip(" \t")


def parse_bool(value: str) -> bool | None:
    """vsftpd's boolean spelling: YES/NO, TRUE/FALSE, 1/0, any case; None when invalid."""
    upper = value.upper()
    if upper in _TRUE:
        return True
    if upper in _FALSE:
        return False
    return None


def parse_numeric(value: str) -> int:
    """vsftpd's unsigned integer: a leading 0 means octal; otherwise the leading digits (atoi)."""
    if value.startswith("0"):
        match = _LEADING_OCTAL.match(value)
        return int(match.group(0), 8) if match else 0
    match = _LEADING_INT.match(value)
    if not match:
        return 0
    return int(match.group(0)) % (1 << 32)


def parse_vsftpd_conf(text: str) -> dict[str, Value]:
    """Return every known option with the value vsftpd would use (defaults applied, last wins).

    Booleans are ``bool``, numbers ``int`` (octal where vsftpd reads octal), strings ``str``
    or ``None`` when unset.  Unknown options and invalid values are ignored here; list them
    with :func:`vsftpd_unknown_options` and :func:`vsftpd_conf_problems`.
    """
    values = vsftpd_defaults()
    for _number, _raw, name, value in _directives(text):
        if name in STRING_OPTIONS:
            values[name] = value or None
        elif name in BOOL_OPTIONS:
            parsed = parse_bool(value)
            if parsed is not None:
                values[name] = parsed
        elif name in NUMERIC_OPTIONS and value:
            values[name] = parse_numeric(value)
    return values


def vsftpd_unknown_options(text: str) -> list[str]:
    """Return the option names vsftpd does not know, in order of first appearance."""
    known = known_vsftpd_options()
    unknown = []  # type: t.List[str]
    for _number, _raw, name, _value in _directives(text):
        if name not in known and name not in unknown:
            unknown.append(name)
    return unknown


def vsftpd_conf_problems(text: str) -> list[dict[str, t.Any]]:
    """List what would make vsftpd refuse the file or read it differently than intended.

    Each item is ``{"line": int, "option": str, "problem": str}``.  ``problem`` is one of
    ``unknown_option``, ``bad_boolean``, ``missing_value``, ``space_around_equals``,
    ``indented_comment`` and ``duplicate`` (the earlier line is overridden, last wins).
    """
    known = known_vsftpd_options()
    problems = []  # type: t.List[t.Dict[str, t.Any]]
    seen = {}  # type: t.Dict[str, int]
    for number, raw, name, value in _directives(text):
        stripped = raw.lstrip()
        head = stripped.partition("=")[0]
        if name not in known:
            problems.append({"line": number, "option": name, "problem": "unknown_option"})
            continue
        if head != name or (stripped.count("=") and stripped.partition("=")[2][:1].isspace()):
            problems.append({"line": number, "option": name, "problem": "space_around_equals"})
        if not value and known[name] != "string":
            problems.append({"line": number, "option": name, "problem": "missing_value"})
        elif known[name] == "bool" and parse_bool(value) is None:
            problems.append({"line": number, "option": name, "problem": "bad_boolean"})
        if name in seen:
            problems.append({"line": seen[name], "option": name, "problem": "duplicate"})
        seen[name] = number
    for number, raw in enumerate(text.split("\n"), 1):
        if raw[:1].isspace() and raw.strip().startswith("#"):
            problems.append({"line": number, "option": "", "problem": "indented_comment"})
    problems.sort(key=lambda item: item["line"])
    return problems


def effective_pasv_range(pasv_min_port: int, pasv_max_port: int) -> tuple[int, int]:
    """The ports vsftpd really picks from, after its own clamping of the two settings.

    vsftpd starts from 1024-65535, raises the floor to ``pasv_min_port`` when that is above
    1024, and lowers the ceiling to ``pasv_max_port`` when that is between the floor and 65535.
    """
    low, high = _PASV_FLOOR, _PASV_CEILING
    if low < pasv_min_port <= high:
        low = pasv_min_port
    if low <= pasv_max_port < high:
        high = pasv_max_port
    return low, high


def vsftpd_server_model(parsed: t.Mapping[str, Value]) -> dict[str, t.Any]:
    """Build the normalised server model from :func:`parse_vsftpd_conf` output.

    The passive range is the effective one (see :func:`effective_pasv_range`); when passive
    mode is disabled both bounds are ``None``.
    """
    values = vsftpd_defaults()
    values.update(parsed)
    ipv6 = bool(values["listen_ipv6"])
    address = values["listen_address6"] or "" if ipv6 else values["listen_address"] or ""
    pasv = bool(values["pasv_enable"])
    if pasv:
        low, high = effective_pasv_range(int(values["pasv_min_port"] or 0), int(values["pasv_max_port"] or 0))
    else:
        low = high = None
    tls = bool(values["ssl_enable"]) or bool(values["implicit_ssl"])
    anonymous = bool(values["anonymous_enable"])
    local_forced = bool(values["force_local_logins_ssl"]) and bool(values["force_local_data_ssl"])
    anon_forced = (
        bool(values["allow_anon_ssl"]) and bool(values["force_anon_logins_ssl"]) and bool(values["force_anon_data_ssl"])
    )
    tls_required = bool(values["implicit_ssl"]) or (
        bool(values["ssl_enable"]) and local_forced and (anon_forced or not anonymous)
    )
    return {
        "daemon": "vsftpd",
        "listen_address": str(address),
        "control_port": int(values["listen_port"] or 0),
        "listen_ipv6": ipv6,
        "pasv_enable": pasv,
        "pasv_min_port": low,
        "pasv_max_port": high,
        "pasv_address": str(values["pasv_address"] or ""),
        "active_enable": bool(values["port_enable"]),
        "tls_enable": tls,
        "tls_required": tls_required,
        "anonymous_enable": anonymous,
        "anon_upload_enable": anonymous and bool(values["write_enable"]) and bool(values["anon_upload_enable"]),
        "port_promiscuous": bool(values["port_enable"]) and bool(values["port_promiscuous"]),
    }
