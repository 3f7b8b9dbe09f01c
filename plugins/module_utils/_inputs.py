# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a value may hold before it reaches a configuration file, a rules file or a path (private module).

Every role and plugin of the collection checks its string inputs here, so a rule is written once:
no control characters anywhere (a newline would add directives to a configuration file), user
names of one strict shape, paths normalised and kept where they belong, addresses and networks
in one unambiguous spelling (no netmask form, no IPv6 scope), host names, cipher lists, octal
modes. Each check returns the value it accepts, or raises :class:`InputError` naming the variable,
what is wrong and the fix. The message never quotes a value marked secret.
"""

from __future__ import annotations

import contextlib
import ipaddress
import posixpath
import re
import typing as t
import unicodedata

# Unicode categories refused in every string: control (C0, DEL, C1 incl. NEL), format (bidi
# overrides, zero-width), surrogates, line and paragraph separators. Any of them can split a line
# for one reader and not for another, or hide text from the person reviewing the configuration.
_REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
# Characters a path may hold: ASCII letters, digits and a few punctuation marks that every daemon
# and rules tool takes literally (no space, quote, glob, '$', ';', '#' or backslash).
_PATH_CHARS = re.compile(r"^[A-Za-z0-9._+@%,=~/-]*$")
_USER_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_CIPHER_LIST = re.compile(r"^[A-Za-z0-9_:+!@=.-]+$")
_OCTAL_UMASK = re.compile(r"^0?[0-7]{3}$")
# Trees that must never become an FTP area (served, chowned or written by the roles).
SYSTEM_TREES = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
    "/var/tmp",
)
LOG_TREE = "/var/log"


class InputError(ValueError):
    """A value that may not be used: names the variable, the problem and the fix."""

    def __init__(self, variable: str, problem: str, fix: str = "") -> None:
        self.variable = variable
        self.problem = problem
        self.fix = fix
        super().__init__(f"{variable}: {problem}" + (f"; {fix}" if fix else ""))


def shown(value: t.Any, secret: bool = False) -> str:
    """How a value appears in a message: quoted, control characters escaped, secrets hidden."""
    if secret:
        return "(value hidden)"
    text = value if isinstance(value, str) else repr(value)
    escaped = "".join(c if unicodedata.category(c) not in _REFUSED_CATEGORIES else repr(c)[1:-1] for c in text)
    if len(escaped) > 80:
        escaped = escaped[:77] + "..."
    return f"'{escaped}'"


def _refused_character(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"U+{ord(char):04X}" + (f" ({repr(char)[1:-1]})" if char in "\n\r\t\x0b\x0c" else "")
    return None


def text(
    value: t.Any,
    variable: str,
    *,
    allow_empty: bool = True,
    max_length: int = 1024,
    secret: bool = False,
    what: str = "text",
) -> str:
    """One line of text: a string without control, format or separator characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(variable, f"must be a string (got {type(value).__name__})", f"give it as one line of {what}")
    result = str(value)
    bad = _refused_character(result)
    if bad:
        raise InputError(
            variable,
            f"holds the control character {bad} in {shown(result, secret)}",
            "a value is one line of text: remove line breaks and other control characters",
        )
    if not allow_empty and not result.strip():
        raise InputError(variable, "must not be empty", f"set it to the {what} wanted")
    if len(result) > max_length:
        raise InputError(variable, f"is {len(result)} characters long, more than {max_length}", "shorten it")
    return result


def lines(value: t.Any, variable: str, *, max_lines: int = 50, max_length: int = 1024) -> list[str]:
    """Several lines of text (a banner): each line checked as :func:`text`, line ends removed."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(variable, f"must be a string (got {type(value).__name__})", "give it as text")
    parts = value.rstrip("\n").split("\n") if value else []
    if len(parts) > max_lines:
        raise InputError(variable, f"has {len(parts)} lines, more than {max_lines}", "shorten it")
    return [text(part, f"{variable} (line {number})", max_length=max_length) for number, part in enumerate(parts, 1)]


def _path_characters(path: str, variable: str, extra: str = "") -> None:
    text(path, variable, what="path")
    stripped = path
    for allowed in extra:
        stripped = stripped.replace(allowed, "")
    if not _PATH_CHARS.match(stripped):
        bad = sorted({c for c in stripped if not _PATH_CHARS.match(c)})
        raise InputError(
            variable,
            f"{shown(path)} holds {', '.join(repr(c) for c in bad)}",
            "paths may use letters, digits and . _ - + @ % , = ~ / only",
        )


def absolute_path(
    value: t.Any,
    variable: str,
    *,
    not_under: t.Sequence[str] = (),
    under: t.Sequence[str] = (),
    allow_root: bool = False,
    extra_chars: str = "",
) -> str:
    """An absolute path in its normal form (no ``..``, ``.``, ``//`` or trailing ``/``).

    ``under``: the path must be inside one of these trees; ``not_under``: it must not be one of
    these trees nor inside them.
    """
    if isinstance(value, bool) or not isinstance(value, str) or not value:
        raise InputError(variable, f"must be an absolute path (got {shown(value)})", "e.g. /srv/ftp")
    _path_characters(value, variable, extra_chars)
    if not value.startswith("/"):
        raise InputError(variable, f"{shown(value)} is not an absolute path", f"write it from the root: /{value}")
    normal = posixpath.normpath(value)
    if normal.startswith("//"):
        normal = normal[1:]
    if normal != value or "/../" in value + "/" or "/./" in value + "/":
        raise InputError(
            variable,
            f"{shown(value)} is not in normal form (no '..', '.', '//' or trailing '/')",
            f"write it as {normal}" if ".." not in value.split("/") else "write the real path without '..'",
        )
    if value == "/" and not allow_root:
        raise InputError(variable, "must not be /", "give a directory of its own, e.g. /srv/ftp")
    for tree in not_under:
        if value == tree or value.startswith(tree.rstrip("/") + "/") or tree == "/":
            raise InputError(
                variable,
                f"{value} is {'a system directory' if value == tree else 'inside ' + tree}",
                "use a directory of its own outside the system trees, e.g. under /srv",
            )
    if under and not any(value.startswith(tree.rstrip("/") + "/") for tree in under):
        raise InputError(variable, f"{value} is not inside {' or '.join(under)}", f"put it under {under[0]}/")
    return value


def data_directory(value: t.Any, variable: str) -> str:
    """A directory the roles create, own and serve: absolute, outside the system trees."""
    return absolute_path(value, variable, not_under=SYSTEM_TREES)


def log_file(value: t.Any, variable: str) -> str:
    """A file a daemon appends its log to: under /var/log, so no other file can be written over."""
    return absolute_path(value, variable, under=(LOG_TREE,))


def relative_path(value: t.Any, variable: str) -> str:
    """A path relative to a directory and staying inside it: no leading '/', no '..', normal form."""
    if isinstance(value, bool) or not isinstance(value, str) or not value:
        raise InputError(variable, f"must be a relative path (got {shown(value)})", "e.g. incoming")
    _path_characters(value, variable)
    parts = value.split("/")
    if value.startswith("/"):
        raise InputError(
            variable, f"{shown(value)} is absolute", f"write it relative to its parent: {value.lstrip('/')}"
        )
    if ".." in parts:
        raise InputError(variable, f"{shown(value)} climbs out of its parent with '..'", "name a directory inside it")
    if posixpath.normpath(value) != value:
        raise InputError(variable, f"{shown(value)} is not in normal form", f"write it as {posixpath.normpath(value)}")
    return value


def user_name(value: t.Any, variable: str, *, allow_root: bool = False) -> str:
    """A login name: lower-case letters, digits, '_', '-' and '.', starting with a letter or '_'."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(variable, f"{shown(value)} is not a user name", "give the login name as a string")
    text(value, variable, what="user name")
    if not _USER_NAME.match(value) or ".." in value:
        raise InputError(
            variable,
            f"{shown(value)} is not a valid user name",
            "use 1-32 lower-case letters, digits, '_', '-' or '.', starting with a letter or '_'",
        )
    if value == "root" and not allow_root:
        raise InputError(variable, "root may never log in over FTP", "remove root and allow a personal account")
    return value


def user_names(values: t.Any, variable: str) -> list[str]:
    """A list of distinct login names (:func:`user_name` each), root refused."""
    if not isinstance(values, (list, tuple)):
        raise InputError(variable, f"must be a list of user names (got {type(values).__name__})", "e.g. [alice, bob]")
    names = [user_name(value, variable) for value in values]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(variable, f"names {', '.join(duplicates)} more than once", "list each user once")
    return names


def _address_problem(value: str) -> tuple[str, str] | None:
    if "%" in value:
        return (
            f"{shown(value)} has an IPv6 scope id",
            "scopes are interface-local: use a global address, or leave it empty for every address",
        )
    return None


def ip_address(value: t.Any, variable: str, family: str | None = None) -> str:
    """One IPv4 or IPv6 address in its usual spelling (IPv4 dotted quad, IPv6 without a scope)."""
    raw = text(value, variable, what="IP address").strip()
    problem = _address_problem(raw)
    if problem:
        raise InputError(variable, *problem)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        raise InputError(variable, f"{shown(raw)} is not an IP address", "e.g. 192.0.2.10 or 2001:db8::10") from None
    wanted = {"ipv4": 4, "ipv6": 6}.get(family or "", address.version)
    if address.version != wanted:
        raise InputError(
            variable,
            f"{raw} is an IPv{address.version} address where an IPv{wanted} one is needed",
            f"give an IPv{wanted} address" + (", or switch the IPv6 setting to match" if family else ""),
        )
    return str(address)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _mask_hint(address: str, mask: str) -> str:
    """How to write ``address/mask`` as CIDR, when the mask is a contiguous netmask."""
    try:
        bits = int(ipaddress.ip_address(mask))
        width = ipaddress.ip_address(mask).max_prefixlen
    except ValueError:
        return "write the prefix length, e.g. 10.0.0.0/8"
    ones = bin(bits).count("1")
    if bits != ((1 << ones) - 1) << (width - ones):
        return (
            f"{mask} is not a contiguous netmask (iptables would load it as one and match other addresses); "
            "write the network with a prefix length, e.g. 10.0.0.0/8"
        )
    return f"write it as {address}/{ones}"


def ip_network(value: t.Any, variable: str) -> str:
    """An address or a network in CIDR form (``192.0.2.0/24``, ``2001:db8::/32``), host bits zero.

    The netmask form (``10.0.0.0/255.0.0.0``, and the non-contiguous ``0.255.255.255`` that
    iptables would load as something else) and IPv6 scopes are refused, naming the CIDR spelling.
    """
    raw = text(value, variable, what="network").strip()
    problem = _address_problem(raw)
    if problem:
        raise InputError(variable, *problem)
    address, slash, prefix = raw.partition("/")
    if slash and not prefix.isdecimal() and _is_address(prefix):
        raise InputError(variable, f"{shown(raw)} gives a mask, not a prefix length", _mask_hint(address, prefix))
    try:
        network = ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            loose = ipaddress.ip_network(raw, strict=False)
            raise InputError(
                variable,
                f"{raw} has host bits set",
                f"write the network {loose.with_prefixlen}, or the single address {address}/{loose.max_prefixlen}",
            ) from None
        raise InputError(
            variable, f"{shown(raw)} is not an address or CIDR network", "e.g. 192.0.2.0/24 or 2001:db8::/32"
        ) from None
    if not slash:
        return str(network.network_address)
    return network.with_prefixlen


def ip_networks(values: t.Any, variable: str) -> list[str]:
    """A list of networks (:func:`ip_network` each), in the order given, without repeats."""
    if not isinstance(values, (list, tuple)):
        raise InputError(variable, f"must be a list of networks (got {type(values).__name__})", "e.g. [192.0.2.0/24]")
    result: list[str] = []
    for value in values:
        network = ip_network(value, variable)
        if network not in result:
            result.append(network)
    return result


def network_family(network: str) -> str:
    """``ipv4`` or ``ipv6`` for a network :func:`ip_network` accepted."""
    return "ipv6" if ":" in network else "ipv4"


def host_name(value: t.Any, variable: str) -> str:
    """A DNS host name (RFC 1123 labels), or an IPv4 address."""
    raw = text(value, variable, allow_empty=False, what="host name").strip()
    with contextlib.suppress(InputError):
        return ip_address(raw, variable, "ipv4")
    name = raw[:-1] if raw.endswith(".") else raw
    if len(name) > 253 or not all(_HOST_LABEL.match(label) for label in name.split(".")) or name.isdecimal():
        raise InputError(variable, f"{shown(raw)} is neither an IPv4 address nor a host name", "e.g. ftp.example.org")
    return raw


def port(value: t.Any, variable: str, *, low: int = 1) -> int:
    """A TCP port number ``low``-65535."""
    if isinstance(value, bool):
        raise InputError(variable, f"{value!r} is not a port number", f"give a number {low}-65535")
    if isinstance(value, str):
        text(value, variable, what="port number")  # int() would take "22\n"
        if not value.strip().isascii():
            raise InputError(variable, f"{shown(value)} is not a port number", f"give a number {low}-65535")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(variable, f"{shown(value)} is not a port number", f"give a number {low}-65535") from None
    if not low <= number <= 65535:
        raise InputError(variable, f"{number} is outside {low}-65535", f"give a number {low}-65535")
    return number


_PORT_SPAN = re.compile(r"^([0-9]{1,5})(?:[-:]([0-9]{1,5}))?$")


def port_span(value: t.Any, variable: str) -> tuple[int, int]:
    """A port or a range of ports (``8000``, ``'8000-8010'`` or ``'8000:8010'``) as ``(low, high)``.

    ASCII digits only (``int()`` would read other scripts' digits too), one line, low <= high."""
    if isinstance(value, bool):
        raise InputError(variable, f"{value!r} is not a port", "give a port (443) or a range (8000-8010)")
    if isinstance(value, int):
        number = port(value, variable)
        return number, number
    raw = text(value, variable, what="port or port range").strip()
    found = _PORT_SPAN.match(raw)
    if not found:
        raise InputError(variable, f"{shown(raw)} is not a port or a port range", "e.g. 443 or 8000-8010")
    low = port(found.group(1), variable)
    high = port(found.group(2), variable) if found.group(2) else low
    if low > high:
        raise InputError(variable, f"{raw}: {low} is above {high}", f"write it as {high}-{low}")
    return low, high


def count(value: t.Any, variable: str, *, low: int = 0, high: int | None = None, what: str = "number") -> int:
    """A whole number in ``low``..``high``."""
    if isinstance(value, bool):
        raise InputError(variable, f"{value!r} is not a {what}", f"give a whole number of at least {low}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(variable, f"{shown(value)} is not a whole number", f"give a {what}") from None
    if number < low or (high is not None and number > high):
        span = f"{low}-{high}" if high is not None else f"at least {low}"
        raise InputError(variable, f"{number} is out of range", f"give a {what} of {span}")
    return number


def cipher_list(value: t.Any, variable: str) -> str:
    """An OpenSSL cipher list: names joined by ':' (and '+', '!', '-', '@SECLEVEL=n')."""
    raw = text(value, variable, allow_empty=False, what="OpenSSL cipher list").strip()
    if not _CIPHER_LIST.match(raw):
        raise InputError(
            variable,
            f"{shown(raw)} is not an OpenSSL cipher list",
            "join cipher names with ':', e.g. ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
        )
    return raw


def umask(value: t.Any, variable: str) -> str:
    """An octal umask written as three digits, optionally with a leading zero (``'077'``)."""
    raw = text(value, variable, what="umask").strip()
    if not _OCTAL_UMASK.match(raw):
        raise InputError(variable, f"{shown(raw)} is not an octal umask", "write three octal digits, e.g. '077'")
    return raw[-3:]


def choice(value: t.Any, variable: str, choices: t.Sequence[str]) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise InputError(
            variable, f"{shown(value)} is not one of {', '.join(choices)}", f"pick one of {', '.join(choices)}"
        )
    return t.cast(str, value)


def flag(value: t.Any, variable: str) -> bool:
    """A boolean, also as YES/NO, true/false, on/off, 1/0 in any case (as Ansible's bool filter)."""
    if isinstance(value, bool):
        return value
    words = {"yes": True, "true": True, "on": True, "1": True, "no": False, "false": False, "off": False, "0": False}
    key = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if key in words:
        return words[key]
    raise InputError(variable, f"{shown(value)} is not true or false", "give true or false")


class Errors:
    """Collects :class:`InputError` so every bad input is reported at once, not one per run."""

    def __init__(self) -> None:
        self.items: list[InputError] = []

    def check(self, function: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        """``function(*args, **kwargs)``, or ``None`` after recording the error it raised."""
        try:
            return function(*args, **kwargs)
        except InputError as exc:
            self.items.append(exc)
            return None

    def add(self, variable: str, problem: str, fix: str = "") -> None:
        self.items.append(InputError(variable, problem, fix))

    def __bool__(self) -> bool:
        return bool(self.items)

    def messages(self) -> list[str]:
        return [str(item) for item in self.items]
