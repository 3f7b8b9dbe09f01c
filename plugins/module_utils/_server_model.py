# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The normalised FTP server model shared by the parsers, the roles and the checker (private module)."""

from __future__ import annotations

import typing as t

# key -> (accepted types, default)
SERVER_KEYS = {
    "daemon": ((str,), "vsftpd"),
    "listen_address": ((str,), ""),
    "control_port": ((int,), 21),
    "listen_ipv6": ((bool,), False),
    "pasv_enable": ((bool,), True),
    "pasv_min_port": ((int, type(None)), None),
    "pasv_max_port": ((int, type(None)), None),
    "pasv_address": ((str,), ""),
    "active_enable": ((bool,), True),
    "tls_enable": ((bool,), False),
    "tls_required": ((bool,), False),
    "anonymous_enable": ((bool,), False),
    "anon_upload_enable": ((bool,), False),
    "port_promiscuous": ((bool,), False),
}  # type: t.Dict[str, t.Tuple[t.Tuple[type, ...], t.Any]]

DAEMONS = ("vsftpd", "pureftpd", "proftpd")
_BOOL_WORDS = {"yes": True, "true": True, "1": True, "on": True, "no": False, "false": False, "0": False, "off": False}


class ServerModelError(ValueError):
    """A server model with a missing or mistyped key."""


def _coerce(key: str, value: t.Any, kinds: tuple[type, ...]) -> t.Any:
    if bool in kinds:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.lower()]
        raise ServerModelError(f"server model key {key}: {value!r} is not a boolean")
    if int in kinds:
        if value is None and type(None) in kinds:
            return None
        if isinstance(value, bool):
            raise ServerModelError(f"server model key {key}: {value!r} is not a port number")
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdecimal()):
            number = int(value)
            if 0 <= number <= 65535:
                return number
        raise ServerModelError(f"server model key {key}: {value!r} is not a port number 1-65535")
    if value is None:
        return ""
    return str(value)


def normalize_server_model(model: t.Mapping[str, t.Any], partial: bool = False) -> dict[str, t.Any]:
    """Validate and type a server model; unknown keys are dropped.

    With ``partial`` missing keys take their defaults, otherwise a missing key is an error.
    """
    if not isinstance(model, t.Mapping):
        raise ServerModelError("the server model must be a dict with keys {}".format(", ".join(SERVER_KEYS)))
    missing = [key for key in SERVER_KEYS if key not in model]
    if missing and not partial:
        raise ServerModelError("server model is missing {}".format(", ".join(missing)))
    result = {}
    for key, (kinds, default) in SERVER_KEYS.items():
        result[key] = _coerce(key, model[key], kinds) if key in model else default
    if result["daemon"] not in DAEMONS:
        raise ServerModelError(
            "server model key daemon: {!r} is not one of {}".format(result["daemon"], ", ".join(DAEMONS))
        )
    low, high = result["pasv_min_port"], result["pasv_max_port"]
    if (low is None) != (high is None):
        raise ServerModelError("server model: pasv_min_port and pasv_max_port must both be set or both be null")
    if low is not None and low > high:
        raise ServerModelError(f"server model: pasv_min_port {low} is greater than pasv_max_port {high}")
    return result
