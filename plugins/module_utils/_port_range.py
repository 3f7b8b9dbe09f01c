# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse and validate TCP port ranges (private module)."""

from __future__ import annotations

import re
import typing as t

PORT_MIN = 1
PORT_MAX = 65535

ACCEPTED_FORMS = (
    'an integer (21), a string "min-max" or "min:max" ("30000-30999"), '
    "or a two-item list [min, max]; ports are 1-65535 and min <= max"
)

_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:[-:]\s*(\d+)\s*)?$")


class PortRangeError(ValueError):
    """A value that is not a valid port or port range."""


def _port(value: t.Any, original: t.Any) -> int:
    if isinstance(value, bool):
        raise PortRangeError(f"{original!r} is not a port range: booleans are not ports; accepted: {ACCEPTED_FORMS}")
    if isinstance(value, int):
        port = value
    elif isinstance(value, str) and value.strip().isdecimal():
        port = int(value.strip())
    else:
        raise PortRangeError(
            f"{original!r} is not a port range: {value!r} is not a port number; accepted: {ACCEPTED_FORMS}"
        )
    if not PORT_MIN <= port <= PORT_MAX:
        raise PortRangeError(
            f"{original!r} is not a port range: port {port} is outside 1-65535; accepted: {ACCEPTED_FORMS}"
        )
    return port


def parse_port_range(value: t.Any) -> tuple[int, int]:
    """Return ``(min, max)`` for ``value``; raise :class:`PortRangeError` naming the bad value."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            low = high = _port(value[0], value)
        elif len(value) == 2:
            low, high = _port(value[0], value), _port(value[1], value)
        else:
            raise PortRangeError(
                f"{value!r} is not a port range: a list needs one or two ports; accepted: {ACCEPTED_FORMS}"
            )
    elif isinstance(value, dict) and "min" in value and "max" in value:
        low, high = _port(value["min"], value), _port(value["max"], value)
    elif isinstance(value, str):
        match = _RANGE_RE.match(value)
        if not match:
            raise PortRangeError(f"{value!r} is not a port range; accepted: {ACCEPTED_FORMS}")
        low = _port(int(match.group(1)), value)
        high = _port(int(match.group(2)), value) if match.group(2) is not None else low
    else:
        low = high = _port(value, value)
    if low > high:
        raise PortRangeError(
            f"{value!r} is not a port range: min {low} is greater than max {high}; accepted: {ACCEPTED_FORMS}"
        )
    return low, high


def port_range_dict(value: t.Any) -> dict[str, int]:
    """Return ``{"min": int, "max": int, "size": int}`` for ``value``."""
    low, high = parse_port_range(value)
    return {"min": low, "max": high, "size": high - low + 1}
