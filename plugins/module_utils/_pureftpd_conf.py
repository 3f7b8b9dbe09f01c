# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pure-ftpd configuration reader and server model (private module).

pure-ftpd takes all its settings on the command line.  Debian's ``pure-ftpd-wrapper`` builds
that command line from one file per setting in ``/etc/pure-ftpd/conf/`` (the file name is
the setting, the content its value); other distributions use ``pure-ftpd.conf`` with
``Setting value`` lines and the same setting names.  This module maps both to flags, parses
a running daemon's argv (``/proc/<pid>/cmdline``) and builds the normalised server model.

Facts the model relies on: without ``-p`` pure-ftpd lets the kernel pick a passive port
(the whole ephemeral range, so the range is reported as unbounded: ``None``); ``-N``
(NATmode) forces active mode and refuses PASV; there is no switch that refuses PORT; PORT to
a third host (FXP, the "bounce") is refused unless ``-w``/``-W`` allow it; ``-Y 2`` and
``-Y 3`` refuse cleartext sessions.
"""

from __future__ import annotations

import typing as t

# setting name -> (flag, kind); kind: "flag" (enabled by "yes"), "value", "pair" (two numbers)
SETTINGS = {
    "AllowAnonymousFXP": ("-W", "flag"),
    "AllowDotFiles": ("-z", "flag"),
    "AllowUserFXP": ("-w", "flag"),
    "AltLog": ("-O", "value"),
    "AnonymousBandwidth": ("-t", "value"),
    "AnonymousCanCreateDirs": ("-M", "flag"),
    "AnonymousCantUpload": ("-i", "flag"),
    "AnonymousOnly": ("-e", "flag"),
    "AnonymousRatio": ("-q", "pair"),
    "AntiWarez": ("-s", "flag"),
    "AutoRename": ("-r", "flag"),
    "Bind": ("-S", "value"),
    "BrokenClientsCompatibility": ("-b", "flag"),
    "CallUploadScript": ("-o", "flag"),
    "ChrootEveryone": ("-A", "flag"),
    "ClientCharset": ("-9", "value"),
    "CreateHomeDir": ("-j", "flag"),
    "CustomerProof": ("-Z", "flag"),
    "Daemonize": ("-B", "flag"),
    "DisplayDotFiles": ("-D", "flag"),
    "DontResolve": ("-H", "flag"),
    "ForcePassiveIP": ("-P", "value"),
    "FortunesFile": ("-F", "value"),
    "FSCharset": ("-8", "value"),
    "IPV4Only": ("-4", "flag"),
    "IPV6Only": ("-6", "flag"),
    "KeepAllFiles": ("-K", "flag"),
    "LimitRecursion": ("-L", "pair"),
    "LogPID": ("-1", "flag"),
    "MaxClientsNumber": ("-c", "value"),
    "MaxClientsPerIP": ("-C", "value"),
    "MaxDiskUsage": ("-k", "value"),
    "MaxIdleTime": ("-I", "value"),
    "MaxLoad": ("-m", "value"),
    "MinUID": ("-u", "value"),
    "NATmode": ("-N", "flag"),
    "NoAnonymous": ("-E", "flag"),
    "NoChmod": ("-R", "flag"),
    "NoRename": ("-G", "flag"),
    "NoTruncate": ("-0", "flag"),
    "PassivePortRange": ("-p", "pair"),
    "PerUserLimits": ("-y", "pair"),
    "ProhibitDotFilesRead": ("-X", "flag"),
    "ProhibitDotFilesWrite": ("-x", "flag"),
    "Quota": ("-n", "pair"),
    "SyslogFacility": ("-f", "value"),
    "TLS": ("-Y", "value"),
    "TLSCipherSuite": ("-J", "value"),
    "TrustedGID": ("-a", "value"),
    "TrustedIP": ("-V", "value"),
    "Umask": ("-U", "value"),
    "UserBandwidth": ("-T", "value"),
    "UserRatio": ("-Q", "pair"),
    "VerboseLog": ("-d", "flag"),
}  # type: t.Dict[str, t.Tuple[str, str]]

# Authentication back-ends: the wrapper turns each into "-l method[:file]".
AUTH_SETTINGS = {
    "ExtAuth": "extauth",
    "LDAPConfigFile": "ldap",
    "MySQLConfigFile": "mysql",
    "PAMAuthentication": "pam",
    "PGSQLConfigFile": "pgsql",
    "PureDB": "puredb",
    "UnixAuthentication": "unix",
}

# Short options that take an argument.
_ARG_FLAGS = frozenset(flag[1] for flag, kind in SETTINGS.values() if kind != "flag") | frozenset("lg")

_LONG_OPTIONS = {
    "allowanonymousfxp": "-W",
    "allowuserfxp": "-w",
    "anonymouscantupload": "-i",
    "bind": "-S",
    "forcepassiveip": "-P",
    "ipv4only": "-4",
    "ipv6only": "-6",
    "natmode": "-N",
    "noanonymous": "-E",
    "passiveportrange": "-p",
    "tls": "-Y",
    "login": "-l",
}

_YES = frozenset(("yes", "true", "on", "1"))
_NO = frozenset(("no", "false", "off", "0", ""))

DEFAULT_PORT = 21


class PureFtpdConfigError(ValueError):
    """A pure-ftpd setting whose value cannot be understood."""


def _flag_value(name: str, content: str) -> bool:
    word = content.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise PureFtpdConfigError(f"pure-ftpd setting {name}: {content.strip()!r} is not yes or no")


def _pair_value(name: str, content: str) -> str:
    parts = content.replace(":", " ").split()
    if len(parts) != 2 or not all(part.isdecimal() for part in parts):
        raise PureFtpdConfigError(
            f"pure-ftpd setting {name}: {content.strip()!r} is not two numbers like '30000 30999'"
        )
    return f"{parts[0]}:{parts[1]}"


def wrapper_value(content: str) -> str:
    """The value Debian's pure-ftpd-wrapper takes from a setting file: its first line that is
    neither blank nor a comment (so a file may start with a ``# Ansible managed`` header)."""
    for line in content.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return ""


def conf_to_args(settings: t.Mapping[str, str]) -> list[str]:
    """Turn ``{setting: content}`` into the pure-ftpd argv the Debian wrapper would build.

    Unknown settings are skipped (see :func:`unknown_settings`); invalid values raise
    :class:`PureFtpdConfigError` naming the setting.
    """
    args = []  # type: t.List[str]
    for name in sorted(settings):
        content = settings[name] if isinstance(settings[name], str) else str(settings[name])
        first_line = wrapper_value(content)
        if name in SETTINGS:
            flag, kind = SETTINGS[name]
            if kind == "flag":
                if _flag_value(name, first_line):
                    args.append(flag)
            elif kind == "pair":
                if first_line:
                    args.extend((flag, _pair_value(name, first_line)))
            elif first_line:
                args.extend((flag, first_line))
        elif name in AUTH_SETTINGS:
            method = AUTH_SETTINGS[name]
            if method in ("pam", "unix"):
                if _flag_value(name, first_line):
                    args.extend(("-l", method))
            elif first_line:
                args.extend(("-l", f"{method}:{first_line}"))
    return args


def unknown_settings(settings: t.Mapping[str, str]) -> list[str]:
    """Setting names the wrapper does not know (it ignores them; often a typo)."""
    return sorted(name for name in settings if name not in SETTINGS and name not in AUTH_SETTINGS)


def parse_pureftpd_conf_file(text: str) -> dict[str, str]:
    """Parse ``pure-ftpd.conf`` (``Setting value`` lines, ``#`` comments) into ``{setting: value}``."""
    settings = {}  # type: t.Dict[str, str]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _sep, value = line.partition(" ")
        settings[name.strip()] = value.strip()
    return settings


def parse_args(argv: t.Sequence[str]) -> dict[str, list[str]]:
    """Parse a pure-ftpd argv into ``{"-X": [values...]}`` (flags map to ``[""]``).

    Accepts ``-p 1:2``, ``-p1:2``, grouped flags (``-AE``) and the long forms of the options
    the model uses (``--passiveportrange=1:2``).  argv[0] (the program) is skipped when it does
    not start with ``-``.
    """
    options = {}  # type: t.Dict[str, t.List[str]]
    items = list(argv)
    if items and not items[0].startswith("-"):
        items = items[1:]
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if item.startswith("--") and len(item) > 2:
            name, sep, value = item[2:].partition("=")
            flag = _LONG_OPTIONS.get(name.lower())
            if flag is None:
                continue
            if flag[1] in _ARG_FLAGS and not sep and index < len(items):
                value = items[index]
                index += 1
            options.setdefault(flag, []).append(value if flag[1] in _ARG_FLAGS else "")
            continue
        if not item.startswith("-") or len(item) < 2:
            continue
        position = 1
        while position < len(item):
            letter = item[position]
            flag = "-" + letter
            if letter in _ARG_FLAGS:
                value = item[slice(position + 1, None)]
                if not value and index < len(items):
                    value = items[index]
                    index += 1
                options.setdefault(flag, []).append(value)
                break
            options.setdefault(flag, []).append("")
            position += 1
    return options


def _last(options: t.Mapping[str, list[str]], flag: str) -> str | None:
    values = options.get(flag)
    return values[-1] if values else None


def _parse_bind(value: str | None) -> tuple[str, int]:
    if not value:
        return "", DEFAULT_PORT
    address, sep, port = value.rpartition(",")
    if not sep:
        address, port = ("", value) if value.isdecimal() else (value, "")
    if port and not port.isdecimal():
        raise PureFtpdConfigError(f"pure-ftpd Bind (-S) {value!r}: the port must be a number, e.g. '0.0.0.0,21'")
    return address.strip(), int(port) if port else DEFAULT_PORT


def _parse_range(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    low, sep, high = value.partition(":")
    if not sep or not low.isdecimal() or not high.isdecimal():
        raise PureFtpdConfigError(f"pure-ftpd PassivePortRange (-p) {value!r}: expected 'min:max'")
    return int(low), int(high)


def _tls_level(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.strip().isdecimal() or int(value) > 3:
        raise PureFtpdConfigError(f"pure-ftpd TLS (-Y) {value!r}: expected 0, 1, 2 or 3")
    return int(value)


def pureftpd_server_model(
    settings: t.Mapping[str, str] | None = None,
    argv: t.Sequence[str] | None = None,
    ftp_account_exists: bool = True,
) -> dict[str, t.Any]:
    """Build the normalised server model.

    ``argv`` (the running command line) wins over ``settings`` (the conf directory as
    ``{file name: content}``) because it is what the daemon really runs with.
    ``ftp_account_exists`` reflects pure-ftpd's rule that anonymous FTP needs an ``ftp``
    system account.
    """
    args = list(argv) if argv else conf_to_args(settings or {})
    options = parse_args(args)
    address, port = _parse_bind(_last(options, "-S"))
    low, high = _parse_range(_last(options, "-p"))
    tls = _tls_level(_last(options, "-Y"))
    anonymous = ftp_account_exists and "-E" not in options
    if "-e" in options:
        anonymous = True
    return {
        "daemon": "pureftpd",
        "listen_address": address,
        "control_port": port,
        "listen_ipv6": "-4" not in options,
        "pasv_enable": "-N" not in options,
        "pasv_min_port": low if "-N" not in options else None,
        "pasv_max_port": high if "-N" not in options else None,
        "pasv_address": _last(options, "-P") or "",
        "active_enable": True,
        "tls_enable": tls >= 1,
        "tls_required": tls >= 2,
        "anonymous_enable": anonymous,
        "anon_upload_enable": anonymous and "-i" not in options,
        "port_promiscuous": "-w" in options or "-W" in options,
    }
