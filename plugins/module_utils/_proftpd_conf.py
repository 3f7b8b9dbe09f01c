# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""proftpd.conf reader, writer and server model (private module).

ProFTPd's configuration is a tree: directives (``Port 21``) and contexts (``<Anonymous /srv/ftp>``,
``<Directory ...>``, ``<Limit LOGIN>``, ``<Global>``, ``<VirtualHost ...>``) nested in each other, with
``Include`` (a file, a directory or a glob) and the conditionals ``<IfModule>`` / ``<IfDefine>``, which
ProFTPd evaluates while it reads, in file order (a ``LoadModule`` above an ``<IfModule>`` counts).

What ProFTPd's own parser does, and this one too: a line whose first non-blank character is ``#`` is a
comment (there are no trailing comments); a line ending in ``\\`` goes on on the next; words are split on
white space, a double-quoted string is one word (a ``\\"`` inside it does not end it, and the backslash
stays); directive and context names are case-insensitive.

:func:`parse_text` reads one text into a tree (nothing evaluated); :func:`load_config` reads a file with
its includes and evaluates the conditionals; :func:`proftpd_server_model` gives the normalised server
model of the main server (the top level and ``<Global>``; ``<VirtualHost>`` sections are other servers).
:func:`render_lines` writes a tree back, quoting as ProFTPd reads it (the role's template prints them).
Facts the model relies on: ``UseIPv6`` is on unless turned off; ``DefaultAddress`` binds one address only
with ``SocketBindTight on``; ``AllowForeignAddress`` is off unless set; without ``PassivePorts`` the kernel
picks any port; ``PASV``/``EPSV`` and ``PORT``/``EPRT`` are refused only by a ``<Limit>``.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import typing as t

# The directives of the modules the role loads (the compiled-in ones of Debian's proftpd-core, and mod_tls),
# on Debian 11, 12 and 13: the names of each release's proftpd-doc pages and of its binaries' strings that
# its proftpd accepts in a configuration (FactsDefault and ListStyle are new in 1.3.8).
DIRECTIVES = {
    module: tuple(names.split())
    for module, names in {
        "mod_core": (
            "Allow AllowAll AllowClass AllowFilter AllowForeignAddress AllowGroup AllowOverride AllowUser "
            "AuthOrder CDPath CommandBufferSize DebugLevel DefaultAddress DefaultServer DeferWelcome Define Deny "
            "DenyAll DenyClass "
            "DenyFilter DenyGroup DenyUser DisplayChdir DisplayConnect DisplayQuit FSCachePolicy FSOptions Group "
            "GroupOwner HideFiles HideGroup HideNoAccess HideUser IgnoreHidden Include IncludeOptions "
            "MasqueradeAddress MaxCommandRate MaxConnectionRate MaxInstances MultilineRFC2228 Order PassivePorts "
            "PathAllowFilter PathDenyFilter PidFile Port ProcessTitles Protocols RegexOptions ScoreboardFile "
            "Satisfy ScoreboardMutex ScoreboardScrub ServerAdmin ServerAlias ServerIdent ServerName ServerType SetEnv "
            "SocketBindTight SocketOptions SyslogFacility SyslogLevel TCPBacklog TCPNoDelay TimeoutIdle "
            "TimeoutLinger TimesGMT Trace TraceLog TraceOptions TransferLog Umask UnsetEnv UseIPv6 UseReverseDNS "
            "User UserOwner"
        ),
        "mod_auth": (
            "AccessDenyMsg AccessGrantMsg AllowChrootSymlinks AllowEmptyPasswords AnonAllowRobots "
            "AnonRejectPasswords AnonRequirePassword AuthAliasOnly AuthUsingAlias CreateHome DefaultChdir "
            "DefaultRoot DisplayLogin MaxClients MaxClientsPerClass MaxClientsPerHost MaxClientsPerUser "
            "MaxConnectionsPerHost MaxHostsPerUser MaxLoginAttempts MaxPasswordSize RequireValidShell RewriteHome "
            "RootLogin RootRevoke TimeoutLogin TimeoutSession UseFtpUsers UseLastlog UserAlias UserDirRoot "
            "UserPassword WtmpLog"
        ),
        "mod_auth_unix": "AuthUnixOptions PersistentPasswd",
        "mod_auth_file": "AuthFileOptions AuthGroupFile AuthUserFile",
        "mod_auth_pam": "AuthPAM AuthPAMConfig AuthPAMOptions",
        "mod_xfer": (
            "AllowOverwrite AllowRetrieveRestart AllowStoreRestart DefaultTransferMode DeleteAbortedStores "
            "DisplayFileTransfer HiddenStores MaxRetrieveFileSize MaxStoreFileSize MaxTransfersPerHost "
            "MaxTransfersPerUser StoreUniquePrefix TimeoutNoTransfer TimeoutStalled TransferOptions TransferRate "
            "UseSendfile"
        ),
        "mod_ls": "DirFakeGroup DirFakeMode DirFakeUser ListOptions ListStyle ShowSymlinks UseGlobbing",
        "mod_log": "AllowLogSymlinks ExtendedLog LogFormat LogOptions ServerLog SystemLog",
        "mod_delay": "DelayControlsACLs DelayEngine DelayOnEvent DelayTable",
        "mod_facts": "FactsAdvertise FactsDefault FactsOptions",
        "mod_dso": "LoadFile LoadModule ModuleControlsACLs ModuleOrder ModulePath",
        "mod_cap": "CapabilitiesEngine CapabilitiesRootRevoke CapabilitiesSet",
        "mod_ctrls": (
            "ControlsACLs ControlsAuthFreshness ControlsEngine ControlsInterval ControlsLog ControlsMaxClients "
            "ControlsSocket ControlsSocketACL ControlsSocketOwner"
        ),
        "mod_lang": "LangDefault LangEngine LangOptions LangPath UseEncoding",
        "mod_rlimit": "RLimitCPU RLimitChroot RLimitMemory RLimitOpenFiles",
        "mod_tls": (
            "TLSCACertificateFile TLSCACertificatePath TLSCARevocationFile TLSCARevocationPath "
            "TLSCertificateChainFile TLSCipherSuite TLSControlsACLs TLSCryptoDevice TLSDHParamFile "
            "TLSDSACertificateFile TLSDSACertificateKeyFile TLSECCertificateFile TLSECCertificateKeyFile "
            "TLSECDHCurve TLSEngine TLSLog TLSMasqueradeAddress TLSNextProtocol TLSOptions TLSPKCS12File "
            "TLSPassPhraseProvider TLSPreSharedKey TLSProtocol TLSRSACertificateFile TLSRSACertificateKeyFile "
            "TLSRandomSeed TLSRenegotiate TLSRequired TLSServerCipherPreference TLSServerInfoFile TLSSessionCache "
            "TLSSessionTicketKeys TLSSessionTickets TLSStapling TLSStaplingCache TLSStaplingOptions "
            "TLSStaplingResponder TLSStaplingTimeout TLSTimeoutHandshake TLSUserName TLSVerifyClient "
            "TLSVerifyDepth TLSVerifyOrder TLSVerifyServer"
        ),
    }.items()
}
# Directive name (any case) -> (its spelling, its module).
KNOWN = {name.lower(): (name, module) for module, names in DIRECTIVES.items() for name in names}
# Modules compiled into Debian's proftpd (1.3.7a and 1.3.8; on Debian 13 mod_xfer, mod_ls and mod_delay are
# loadable modules, which the role loads with <IfModule !mod_xfer.c>).
BUILTIN_MODULES = (frozenset(DIRECTIVES) - {"mod_tls"}) | {"mod_site"}
# Commands of the <Limit> groups (ALL is every command but LOGIN).
COMMAND_GROUPS = {
    "READ": frozenset(("RETR", "SIZE")),
    "WRITE": frozenset(("APPE", "DELE", "MKD", "RMD", "RNTO", "STOR", "STOU", "XMKD", "XRMD")),
    "DIRS": frozenset(
        ("CDUP", "CWD", "LIST", "MDTM", "MLSD", "MLST", "NLST", "PWD", "RNFR", "STAT", "XCUP", "XCWD", "XPWD")
    ),
}
DEFAULT_PATH = "/etc/proftpd/proftpd.conf"
DEFAULT_PORT = 21
MAX_DEPTH = 8  # nested Includes
MAX_FILES = 200
MAX_BYTES = 4 << 20


class ProftpdConfigError(ValueError):
    """A proftpd.conf value the model cannot use (a port that is not a number...), naming the directive."""


class Node:
    """A directive (``items is None``) or a context with its items, where it was read."""

    __slots__ = ("args", "items", "line", "name", "source")

    def __init__(
        self, name: str, args: t.Sequence[str], items: list[Node] | None = None, source: str = "", line: int = 0
    ) -> None:
        self.name = name
        self.args = list(args)
        self.items = items
        self.source = source
        self.line = line

    @property
    def key(self) -> str:
        return self.name.lower()

    def is_context(self) -> bool:
        return self.items is not None

    def plain(self) -> dict[str, t.Any]:
        """The node as plain data: ``{"directive", "args"}`` or ``{"section", "args", "items"}``."""
        if self.items is None:
            return {"directive": self.name, "args": list(self.args)}
        return {"section": self.name, "args": list(self.args), "items": [item.plain() for item in self.items]}


# --------------------------------------------------------------------------- reading one text


def logical_lines(text: str) -> t.Iterator[tuple[int, str]]:
    """``(number, line)`` of each line that is not blank or a comment, continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = number
            if not line or line.startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield start, (pending + line).strip()
        pending = ""
    if pending.strip():
        yield start, pending.strip()


def split_words(line: str) -> tuple[list[str], str]:
    """The words of a line as ProFTPd splits them, and a problem ('' when none)."""
    words: list[str] = []
    index, size = 0, len(line)
    while index < size:
        if line[index].isspace():
            index += 1
            continue
        if line[index] == '"':
            end = index + 1
            while end < size and not (line[end] == '"' and line[end - 1] != "\\"):
                end += 1
            words.append(line[slice(index + 1, end)])
            if end >= size:
                return words, "unterminated quote"
            index = end + 1
            continue
        end = index
        while end < size and not line[end].isspace():
            end += 1
        words.append(line[index:end])
        index = end
    return words, ""


def _context_words(words: list[str]) -> tuple[str, list[str], bool] | None:
    """``(name, args, closing)`` when the line opens or closes a context."""
    first = words[0]
    if not first.startswith("<"):
        return None
    closing = first.startswith("</")
    rest = [first[slice(2 if closing else 1, None)], *words[1:]]
    if rest[-1].endswith(">"):
        rest[-1] = rest[-1][:-1]
        if not rest[-1] and len(rest) > 1:
            rest.pop()  # the ">" stood alone
    if not rest[0]:
        return None
    return rest[0], rest[1:], closing


def parse_text(text: str, source: str = "proftpd.conf") -> tuple[list[Node], list[str]]:
    """The items of one text, contexts nested, nothing evaluated; and the problems found."""
    root: list[Node] = []
    stack: list[Node] = []
    problems: list[str] = []
    for number, line in logical_lines(text):
        words, problem = split_words(line)
        if problem:
            problems.append(f"{source} line {number}: {problem}")
        if not words:
            continue
        context = _context_words(words)
        here = stack[-1].items if stack else root
        if context is None:
            here.append(Node(words[0], words[1:], None, source, number))  # type: ignore[union-attr]
            continue
        name, args, closing = context
        if not closing:
            node = Node(name, args, [], source, number)
            here.append(node)  # type: ignore[union-attr]
            stack.append(node)
        elif stack and stack[-1].key == name.lower():
            stack.pop()
        else:
            problems.append(f"{source} line {number}: </{name}> closes no open <{name}>")
    for node in stack:
        problems.append(f"{source} line {node.line}: <{node.name}> is never closed")
    return root, problems


# --------------------------------------------------------------------------- reading a file with its includes

Reader = t.Callable[[str], str]
Lister = t.Callable[[str], t.List[str]]


def _list_files(pattern: str) -> list[str]:
    """The files an ``Include`` argument names: one file, every file of a directory, or a glob."""
    if os.path.isdir(pattern):
        names = sorted(os.listdir(pattern))
        return [os.path.join(pattern, name) for name in names if os.path.isfile(os.path.join(pattern, name))]
    if glob.has_magic(pattern):
        return sorted(path for path in glob.glob(pattern) if os.path.isfile(path))
    return [pattern]


def _read_file(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"larger than {MAX_BYTES} bytes")
    return data.decode("utf-8", errors="replace")


class Config:
    """A configuration as ProFTPd reads it: includes expanded, conditionals evaluated."""

    def __init__(self, items: list[Node], files: list[str], problems: list[str], modules: set[str]) -> None:
        self.items = items
        self.files = files
        self.problems = problems
        self.modules = modules

    def main(self) -> list[Node]:
        """The items that apply to the main server: the top level, with <Global> contents in place."""
        found: list[Node] = []
        for item in self.items:
            if item.key == "global" and item.items is not None:
                found.extend(item.items)
            elif item.key != "virtualhost":
                found.append(item)
        return found


class _Loader:
    def __init__(self, read: Reader, listing: Lister, defines: t.Collection[str]) -> None:
        self.read = read
        self.listing = listing
        self.defines = set(defines)
        self.modules = set(BUILTIN_MODULES)
        self.files: list[str] = []
        self.problems: list[str] = []

    def load(self, path: str, depth: int) -> list[Node]:
        if depth > MAX_DEPTH:
            self.problems.append(f"{path}: Include nested more than {MAX_DEPTH} deep (a loop?), not read")
            return []
        if len(self.files) >= MAX_FILES:
            self.problems.append(f"{path}: more than {MAX_FILES} files included, not read")
            return []
        try:
            text = self.read(path)
        except (OSError, ValueError) as exc:
            self.problems.append(f"{path}: cannot be read ({exc})")
            return []
        self.files.append(path)
        items, problems = parse_text(text, path)
        self.problems.extend(problems)
        return self.evaluate(items, depth)

    def evaluate(self, items: list[Node], depth: int) -> list[Node]:
        found: list[Node] = []
        for item in items:
            if item.key in ("ifmodule", "ifdefine") and item.items is not None:
                if self.holds(item):
                    found.extend(self.evaluate(item.items, depth))
                continue
            if item.items is not None:
                found.append(Node(item.name, item.args, self.evaluate(item.items, depth), item.source, item.line))
                continue
            if item.key == "include" and item.args:
                found.extend(self.include(item, depth))
                continue
            if item.key == "loadmodule" and item.args:
                self.modules.add(module_name(item.args[0]))
            elif item.key == "define" and item.args:
                self.defines.add(item.args[0])
            found.append(item)
        return found

    def holds(self, item: Node) -> bool:
        word = item.args[0] if item.args else ""
        negated = word.startswith("!")
        word = word.lstrip("!")
        present = module_name(word) in self.modules if item.key == "ifmodule" else word in self.defines
        return present != negated

    def include(self, item: Node, depth: int) -> list[Node]:
        pattern = item.args[0]
        if not pattern.startswith("/"):
            self.problems.append(f"{item.source} line {item.line}: Include {pattern} is not an absolute path")
            return []
        try:
            paths = self.listing(pattern)
        except OSError as exc:
            self.problems.append(f"{item.source} line {item.line}: Include {pattern}: {exc}")
            return []
        found: list[Node] = []
        for path in paths:
            name = os.path.basename(path)
            if name.startswith(".") or name.endswith("~") or fnmatch.fnmatch(name, "*.dpkg-*"):
                continue
            found.extend(self.load(path, depth + 1))
        return found


def module_name(word: str) -> str:
    """``mod_tls`` from ``mod_tls.c``, ``mod_tls.so`` or ``mod_tls``."""
    base = os.path.basename(word.strip())
    for suffix in (".c", ".so"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def load_config(
    path: str = DEFAULT_PATH,
    read: Reader = _read_file,
    listing: Lister = _list_files,
    defines: t.Collection[str] = (),
) -> Config:
    """The configuration in ``path`` as ProFTPd reads it (``read`` and ``listing`` reach the files)."""
    loader = _Loader(read, listing, defines)
    items = loader.load(path, 0)
    return Config(items, loader.files, loader.problems, loader.modules)


def config_from_text(text: str, source: str = "proftpd.conf") -> Config:
    """A configuration of one text (its Includes are reported, not read)."""

    def refuse(pattern: str) -> list[str]:
        raise OSError("not read: only the given text is")

    return load_config(source, read=lambda _path: text, listing=refuse)


# --------------------------------------------------------------------------- what the main server does


def last(items: t.Iterable[Node], name: str) -> Node | None:
    """The last directive ``name`` among ``items`` (the one ProFTPd uses)."""
    found = None
    for item in items:
        if item.items is None and item.key == name.lower():
            found = item
    return found


def value(items: t.Iterable[Node], name: str, default: str = "") -> str:
    item = last(items, name)
    return " ".join(item.args) if item is not None and item.args else default


def is_on(word: str) -> bool:
    return word.strip().lower() in ("on", "yes", "true", "1")


def _limit_commands(node: Node) -> set[str]:
    return {word.upper() for arg in node.args for word in arg.split(",") if word}


def limit_for(items: t.Iterable[Node], command: str) -> Node | None:
    """The <Limit> among ``items`` that decides ``command``: naming it, else its group, else ALL."""
    command = command.upper()
    best, rank = None, 9
    for item in items:
        if item.key != "limit" or item.items is None:
            continue
        names = _limit_commands(item)
        if command in names:
            here = 0
        elif any(command in COMMAND_GROUPS.get(name, ()) for name in names):
            here = 1
        elif "ALL" in names and command != "LOGIN":
            here = 2
        else:
            continue
        if here <= rank:
            best, rank = item, here
    return best


def limit_allows(limit: Node | None, user: str = "") -> bool | None:
    """Whether a <Limit> lets ``user`` (any user when empty) through: True, False, or None (no such limit)."""
    if limit is None or limit.items is None:
        return None
    keys = [item.key for item in limit.items if item.items is None]
    if "allowall" in keys:
        return True
    users = _allowed_users(limit)
    if user and user in users:
        return True
    denied = "denyall" in keys or any(
        item.key == "deny" and "all" in (arg.lower() for arg in item.args) for item in limit.items
    )
    return not denied


def allowed(levels: t.Sequence[t.Iterable[Node]], command: str, user: str = "") -> bool:
    """Whether ``command`` passes at the innermost of ``levels`` (outermost first) that limits it."""
    for items in reversed([list(level) for level in levels]):
        verdict = limit_allows(limit_for(items, command), user)
        if verdict is not None:
            return verdict
    return True


def anonymous_sections(main: t.Sequence[Node]) -> list[Node]:
    return [item for item in main if item.key == "anonymous" and item.items is not None]


def _port(text: str, name: str, default: int) -> int:
    if not text:
        return default
    word = text.split()[0]
    if not word.isdecimal() or not 0 <= int(word) <= 65535:
        raise ProftpdConfigError(f"proftpd {name} {text!r}: expected a port number 0-65535")
    return int(word)


def passive_range(main: t.Sequence[Node]) -> tuple[int | None, int | None]:
    item = last(main, "PassivePorts")
    if item is None:
        return None, None
    words = item.args
    if len(words) != 2 or not all(word.isdecimal() for word in words):
        raise ProftpdConfigError(
            f"proftpd PassivePorts {' '.join(words)!r} ({item.source} line {item.line}): expected 'min max'"
        )
    low, high = int(words[0]), int(words[1])
    if not 1024 <= low <= high <= 65535:
        raise ProftpdConfigError(
            f"proftpd PassivePorts {low} {high} ({item.source} line {item.line}): expected 1024 <= min <= max <= 65535"
        )
    return low, high


def tls_required(word: str) -> bool:
    """Whether a ``TLSRequired`` value requires TLS before a password is sent (the control channel or logins)."""
    parts = {part for part in word.lower().split("+") if part}
    return word.lower() == "on" or bool(parts & {"ctrl", "auth"})


def anonymous_login(section: Node, main: t.Sequence[Node]) -> bool:
    """Whether an <Anonymous> section admits its logins."""
    user = value(section.items or [], "User", "ftp")
    own = limit_for(section.items or [], "LOGIN")
    verdict = limit_allows(own if own is not None else limit_for(main, "LOGIN"), user)
    return verdict is not False


def _directories(section: Node) -> list[Node]:
    return [item for item in section.items or [] if item.key == "directory" and item.items is not None]


def _everywhere(directory: Node, root: str) -> bool:
    """Whether a <Directory> of an <Anonymous> section covers the whole area (``*``, ``/*``, its root)."""
    path = directory.args[0] if directory.args else ""
    return path in ("*", "/*", "/", "~", "~/*", root, f"{root.rstrip('/')}/*")


def anonymous_levels(section: Node, main: t.Sequence[Node]) -> list[list[Node]]:
    """What decides a command in the whole anonymous area, outermost first."""
    root = section.args[0] if section.args else ""
    everywhere = [directory.items or [] for directory in _directories(section) if _everywhere(directory, root)]
    return [list(main), section.items or [], *everywhere]


def anonymous_upload(section: Node, main: t.Sequence[Node]) -> bool:
    """Whether an anonymous session may store a file anywhere in the section (its own level or a <Directory>)."""
    levels = anonymous_levels(section, main)
    if allowed(levels, "STOR"):
        return True
    return any(allowed([*levels, directory.items or []], "STOR") for directory in _directories(section))


def proftpd_server_model(config: Config) -> dict[str, t.Any]:
    """The normalised server model of the main server."""
    main = config.main()
    bind_tight = is_on(value(main, "SocketBindTight", "off"))
    low, high = passive_range(main)
    anonymous = [section for section in anonymous_sections(main) if anonymous_login(section, main)]
    pasv = allowed([main], "PASV") or allowed([main], "EPSV")
    tls = "mod_tls" in config.modules and is_on(value(main, "TLSEngine", "off"))
    return {
        "daemon": "proftpd",
        "listen_address": value(main, "DefaultAddress").split(" ", maxsplit=1)[0] if bind_tight else "",
        "control_port": _port(value(main, "Port"), "Port", DEFAULT_PORT),
        "listen_ipv6": is_on(value(main, "UseIPv6", "on")),
        "pasv_enable": pasv,
        "pasv_min_port": low if pasv else None,
        "pasv_max_port": high if pasv else None,
        "pasv_address": value(main, "MasqueradeAddress").split(" ", maxsplit=1)[0] if pasv else "",
        "active_enable": allowed([main], "PORT") or allowed([main], "EPRT"),
        "tls_enable": tls,
        "tls_required": tls and tls_required(value(main, "TLSRequired", "off")),
        "anonymous_enable": bool(anonymous),
        "anon_upload_enable": any(anonymous_upload(section, main) for section in anonymous),
        "port_promiscuous": value(main, "AllowForeignAddress", "off").lower() not in ("off", "no", "false", "0"),
    }


def _rights(levels: t.Sequence[t.Iterable[Node]], overwrite: str) -> dict[str, bool]:
    """What an anonymous session may do where ``levels`` (outermost first) decide."""

    def may(*commands: str) -> bool:
        return any(allowed(levels, command) for command in commands)

    return {
        "store": may("STOR"),
        "read": may("RETR"),
        "list": may("LIST", "NLST", "MLSD"),
        "delete": may("DELE", "RNFR"),
        "overwrite": is_on(overwrite),
    }


def anonymous_area(section: Node, main: t.Sequence[Node]) -> dict[str, t.Any]:
    """An <Anonymous> section: its root, user, whether it admits logins, may write, and its directories' rights."""
    levels = anonymous_levels(section, main)
    root = section.args[0] if section.args else ""
    overwrite = value(section.items or [], "AllowOverwrite", value(main, "AllowOverwrite", "off"))
    return {
        "root": root,
        "user": value(section.items or [], "User", "ftp"),
        "login": anonymous_login(section, main),
        "write": any(allowed(levels, command) for command in ("STOR", "MKD", "DELE")),
        "directories": [
            {
                "path": directory.args[0] if directory.args else "",
                **_rights([*levels, directory.items or []], value(directory.items or [], "AllowOverwrite", overwrite)),
            }
            for directory in _directories(section)
            if not _everywhere(directory, root)
        ],
    }


def _allowed_users(limit: Node) -> list[str]:
    return sorted(
        {name for item in limit.items or [] if item.key == "allowuser" for arg in item.args for name in arg.split(",")}
    )


def proftpd_settings(config: Config) -> dict[str, t.Any]:
    """What the audit and ftp_server_facts report: the main server's directives and its anonymous areas."""
    main = config.main()
    directives = {KNOWN.get(item.key, (item.name, ""))[0]: " ".join(item.args) for item in main if item.items is None}
    login = limit_for(main, "LOGIN")
    return {
        "directives": directives,
        "modules": sorted(config.modules),
        "login_limit": None
        if login is None
        else {"allow_users": _allowed_users(login), "deny_all": limit_allows(login) is False},
        "anonymous": [anonymous_area(section, main) for section in anonymous_sections(main)],
        "virtual_hosts": sum(1 for item in config.items if item.key == "virtualhost"),
        "files": list(config.files),
    }


def unknown_directives(config: Config) -> list[str]:
    """Directive names no loaded module knows (ProFTPd refuses to start with them).

    Known only when every module the configuration loads is one this reader has the directives of (as in
    the role's configuration); otherwise ``[]``, since another module (mod_quotatab...) may know the name."""
    if config.modules - set(DIRECTIVES) - {"mod_site"}:
        return []
    found = set()

    def walk(items: t.Iterable[Node]) -> None:
        for item in items:
            if item.items is not None:
                walk(item.items)
            elif item.key not in KNOWN:
                found.add(item.name)

    walk(config.items)
    return sorted(found)


# --------------------------------------------------------------------------- writing


def needs_quotes(word: str) -> bool:
    return word == "" or any(char.isspace() for char in word) or word.startswith(("#", "<"))


def unquotable(word: str) -> str:
    """Why ProFTPd cannot read ``word`` back as one word ('' when it can).

    It has no escape for ``"``; a backslash in a quoted string keeps a quote from ending it (``\\"``), and
    last on a line joins the next line to it; a line break ends the line."""
    if '"' in word:
        return "holds '\"', which ProFTPd cannot quote"
    if word.endswith("\\") or (needs_quotes(word) and "\\" in word):
        return "holds a '\\' that ProFTPd would read as an escape or a line continuation"
    if any(char in word for char in "\n\r"):
        return "holds a line break"
    return ""


def quote(word: str) -> str:
    """One word as ProFTPd reads it back: bare when it has no blank, else in double quotes."""
    problem = unquotable(word)
    if problem:
        raise ValueError(f"{word!r} {problem}: proftpd.conf cannot quote it")
    return f'"{word}"' if needs_quotes(word) else word


def render_lines(items: t.Sequence[t.Mapping[str, t.Any]], indent: int = 0) -> list[str]:
    """The lines of proftpd.conf for items as :meth:`Node.plain` gives them (``comment`` items become comments)."""
    lines: list[str] = []
    pad = "  " * indent
    for item in items:
        if "comment" in item:
            lines.append(f"{pad}# {item['comment']}")
        elif "section" in item:
            head = " ".join([item["section"], *(quote(str(arg)) for arg in item["args"])])
            lines.append(f"{pad}<{head}>")
            lines.extend(render_lines(item["items"], indent + 1))
            lines.append(f"{pad}</{item['section']}>")
        else:
            lines.append(pad + " ".join([item["directive"], *(quote(str(arg)) for arg in item["args"])]))
    return lines


def without_comments(items: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """Items as :func:`parse_text` gives them back: comments gone."""
    found = []
    for item in items:
        if "comment" in item:
            continue
        if "section" in item:
            found.append(
                {"section": item["section"], "args": list(item["args"]), "items": without_comments(item["items"])}
            )
        else:
            found.append({"directive": item["directive"], "args": list(item["args"])})
    return found
