# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the firewall role's own rules, and put them back whatever happened to the live ones (private module).

The role owns a few objects and nothing else: chains (iptables, and ufw's helper and output chains)
with one jump to each from a built-in or ufw chain (a "hook", always the chain's first rule), and
the INPUT policy under default deny; or one nftables table. :func:`apply` compares three things:

- the rules file(s) the role wants against the ones on the host;
- the role's objects as they are live (counters stripped) against the digest of what was loaded last
  time, kept in ``state_dir`` - so a rule deleted or altered by hand, a flushed chain or a missing
  table is noticed and put back;
- the hooks and the policy.

When anything differs, the new file is tested (``iptables-restore --test`` / ``nft -c``) before it
replaces the old one, then loaded in one call per family (``iptables-restore --noflush``, which
replaces the role's chains and fixes its hooks and the policy in the same transaction, or
``nft -f``, which replaces the role's table). Every other rule of the host is left alone. A load
that fails puts the previous file back and loads it.

Commands run through ``run(argv, data) -> (rc, stdout, stderr)`` so the unit tests can fake them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._iptables import tokenize

Runner = t.Callable[[t.List[str], t.Optional[str]], t.Tuple[int, str, str]]
FORMAT = 1
HOOK_COMMENT = "hardened-ftp"
UFW_BEGIN = "# BEGIN hardened.ftp.ftp_firewall (managed block)"
UFW_END = "# END hardened.ftp.ftp_firewall (managed block)"
TOOLS = {
    "ipv4": ("iptables-save", "iptables-restore"),
    "ipv6": ("ip6tables-save", "ip6tables-restore"),
}
_COUNTERS = re.compile(r"\s*\[\d+:\d+\]\s*$")
_NFT_COUNTER = re.compile(r"counter packets \d+ bytes \d+")


class RulesError(Exception):
    """A step that failed; the message says what is in force now."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- iptables text


def sections(text: str) -> list[tuple[str, list[str]]]:
    """``(table, lines)`` of each ``*table ... COMMIT`` block of an iptables-restore text (comments dropped)."""
    found: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            current = []
            found.append((line[1:].strip(), current))
        elif line == "COMMIT":
            current = None
        elif current is not None:
            current.append(line)
    return found


def _target(words: t.Sequence[str]) -> str:
    for index, word in enumerate(words[:-1]):
        if word in ("-j", "--jump", "-g", "--goto"):
            return words[index + 1]
    return ""


def jumps_to(line: str, chains: t.Collection[str]) -> bool:
    """Whether an iptables-save rule jumps (or goes) to one of ``chains``."""
    if not any(name in line for name in chains):
        return False
    try:
        return _target(tokenize(line)) in chains
    except ValueError:  # ParseError: a rule iptables-save would not print
        return False


def hook_rule(chain: str, jump: str) -> str:
    """The hook as iptables-save prints it."""
    return f"-A {chain} -m comment --comment {HOOK_COMMENT} -j {jump}"


def own_view(save: str, chains: t.Collection[str], policy: bool) -> str:
    """The role's objects in one family's ``iptables-save`` text, counters stripped, in a stable form.

    Own chains with their rules; every rule of another chain that jumps to an own chain, with its
    position; and, with ``policy``, the INPUT policy of the filter table."""
    lines: list[str] = []
    for table, body in sections(save):
        positions: dict[str, int] = {}
        mine: list[str] = []
        for line in body:
            if line.startswith(":"):
                name, _sep, rest = line[1:].partition(" ")
                if name in chains:
                    mine.append(f":{name} -")
                elif policy and table == "filter" and name == "INPUT":
                    mine.append(f"policy INPUT {_COUNTERS.sub('', rest).strip()}")
                continue
            words = line.split(None, 2)
            if len(words) < 2 or words[0] not in ("-A", "--append"):
                continue
            chain = words[1]
            positions[chain] = positions.get(chain, 0) + 1
            if chain in chains:
                mine.append(line)
            elif jumps_to(line, chains):
                mine.append(f"hook {chain} {positions[chain]} {line}")
        if mine:
            lines.append(f"*{table}")
            lines.extend(mine)
    return "\n".join(lines) + "\n"


def hooks_ok(view: str, hooks: t.Sequence[t.Mapping[str, str]]) -> bool:
    """Each hook is the one rule that jumps to its chain, first in the chain it hooks."""
    found = sorted(line for line in view.splitlines() if line.startswith("hook "))
    wanted = sorted(f"hook {hook['chain']} 1 {hook_rule(hook['chain'], hook['jump'])}" for hook in hooks)
    return found == wanted


def restore_input(
    content: str,
    save: str,
    chains: t.Collection[str],
    hooks: t.Sequence[t.Mapping[str, str]],
    policy: bool,
) -> str:
    """What ``iptables-restore --noflush`` reads to load the role's chains, hooks and policy in one call.

    The own chains of ``content`` (their declarations flush them), every existing jump to them deleted
    and each hook inserted first, and the INPUT policy set to DROP with ``policy``. Lines of
    ``content`` that add to another chain (ufw's before.rules hooks) are left to the hooks."""
    tables: dict[str, list[str]] = {}
    for table, body in sections(content):
        kept = tables.setdefault(table, [])
        for line in body:
            if line.startswith(":"):
                if line[1:].split(" ", 1)[0] in chains:
                    kept.append(line)
                continue
            words = line.split(None, 2)
            if len(words) >= 2 and words[0] in ("-A", "--append") and words[1] in chains:
                kept.append(line)
    for table, body in sections(save):
        # Every jump to an own chain (and a rule left by a handover to firewalld), deleted by position, last
        # first (so the earlier positions hold): iptables-nft deletes only one of several identical rules
        # named by their text in one batch.
        deletes = _own_lines(body, chains)[1]
        if deletes:
            lines = [f"-D {chain} {number}" for chain, number in sorted(deletes, key=lambda d: -d[1])]
            tables[table] = lines + tables.get(table, [])
    for hook in hooks:
        # hook_rule's text after its "-A CHAIN ", as an insertion at the top of the chain.
        rest = hook_rule(hook["chain"], hook["jump"])[slice(len("-A " + hook["chain"]) + 1, None)]
        tables.setdefault(hook["table"], []).append("-I " + hook["chain"] + " 1 " + rest)
    if policy:
        tables.setdefault("filter", []).insert(0, ":INPUT DROP [0:0]")
    out: list[str] = []
    for table, body in tables.items():
        # Declarations first: a -D or -I before them would name a chain not declared yet.
        declarations = [line for line in body if line.startswith(":")]
        out += [f"*{table}", *declarations, *[line for line in body if not line.startswith(":")], "COMMIT"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- ufw's before.rules


def with_block(text: str, block: str) -> str:
    """``text`` (ufw's before.rules) with the role's managed block replaced, appended, or removed (empty ``block``)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == UFW_BEGIN), None)
    end = next((n for n, line in enumerate(lines) if line.strip() == UFW_END), None)
    if start is not None and end is not None and end > start:
        del lines[slice(start, end + 1)]
    elif start is not None or end is not None:
        raise RulesError(f"the role's managed block is broken (one of '{UFW_BEGIN}' / '{UFW_END}' is missing)")
    if block.strip():
        lines += [UFW_BEGIN, *block.rstrip("\n").splitlines(), UFW_END]
    return "\n".join(lines) + "\n"


def block_of(text: str) -> str:
    lines = text.splitlines()
    try:
        start = lines.index(UFW_BEGIN)
        end = lines.index(UFW_END)
    except ValueError:
        return ""
    return "\n".join(lines[slice(start + 1, end)]) + "\n" if end > start + 1 else ""


# --------------------------------------------------------------------------- files and state


def read_file(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def make_dirs(path: str, mode: int) -> None:
    if not os.path.isdir(path):
        make_dirs(os.path.dirname(path), mode)
        os.mkdir(path, mode)


def temp_copy(path: str, text: str, mode: int = 0o600) -> str:
    """``text`` in a new file beside ``path`` (so a rename replaces ``path`` in one step)."""
    make_dirs(os.path.dirname(path), 0o755)
    handle, name = tempfile.mkstemp(prefix=".hardened-ftp-", dir=os.path.dirname(path))
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(name, mode)
    return name


def replace_file(path: str, text: str, mode: int = 0o600) -> None:
    os.replace(temp_copy(path, text, mode), path)


def remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class Request:
    """What :func:`apply` is asked to do (the module's options)."""

    def __init__(self, params: t.Mapping[str, t.Any]) -> None:
        self.backend: str = params["backend"]
        self.rules: list[dict[str, t.Any]] = [dict(item) for item in params.get("rules") or []]
        self.chains: list[str] = list(params.get("chains") or [])
        self.table: str = params.get("table") or "hardened_ftp"
        self.policy: bool = params.get("input_policy") == "drop"
        self.save: list[str] = list(params.get("save_command") or [])
        self.state_dir: str = params["state_dir"]
        self.check_mode: bool = bool(params.get("_check_mode"))

    @property
    def state_file(self) -> str:
        return os.path.join(self.state_dir, f"{self.backend}.json")


def read_state(path: str) -> dict[str, t.Any]:
    text = read_file(path)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def write_state(request: Request, files: t.Mapping[str, str], live: t.Mapping[str, str]) -> None:
    make_dirs(request.state_dir, 0o700)
    os.chmod(request.state_dir, 0o700)
    data = {
        "format": FORMAT,
        "backend": request.backend,
        "files": {path: sha256(text) for path, text in files.items()},
        "live": {family: {"digest": sha256(view), "view": view} for family, view in live.items()},
    }
    replace_file(request.state_file, json.dumps(data, indent=1, sort_keys=True) + "\n", 0o600)


# --------------------------------------------------------------------------- the backends


class Backend:
    """One packet filter: how to read the role's objects, test a file and load it."""

    def __init__(self, request: Request, run: Runner) -> None:
        self.request = request
        self.run = run

    def command(self, argv: list[str], data: str | None = None) -> str:
        rc, out, err = self.run(argv, data)
        if rc != 0:
            raise RulesError(f"{' '.join(argv)} failed (rc={rc}): {(err or out).strip()[:400]}")
        return out

    # Subclasses
    def full_text(self, item: t.Mapping[str, t.Any], current: str | None) -> str:
        return t.cast(str, item["content"])

    def live(self, family: str) -> tuple[str, str]:
        """(the raw listing, the role's objects in it)."""
        raise NotImplementedError

    def fixed(self, item: t.Mapping[str, t.Any], raw: str) -> bool:
        """Whether the hooks and the policy are as they should be."""
        return True

    def test(self, family: str, path: str) -> None:
        raise NotImplementedError

    def load(self, item: t.Mapping[str, t.Any], text: str, raw: str) -> None:
        raise NotImplementedError


class Iptables(Backend):
    def live(self, family: str) -> tuple[str, str]:
        rc, out, err = self.run([TOOLS[family][0]], None)
        if rc != 0:
            if self.request.check_mode:
                return "", "missing\n"
            raise RulesError(f"{TOOLS[family][0]} failed (rc={rc}): {(err or out).strip()[:400]}")
        return out, own_view(out, self.request.chains, self.request.policy)

    def fixed(self, item: t.Mapping[str, t.Any], raw: str) -> bool:
        view = own_view(raw, self.request.chains, self.request.policy)
        policy_ok = not self.request.policy or "policy INPUT DROP" in view.splitlines()
        return hooks_ok(view, item.get("hooks") or []) and policy_ok

    def test(self, family: str, path: str) -> None:
        self.command([TOOLS[family][1], "--test", "--noflush", path])

    def load(self, item: t.Mapping[str, t.Any], text: str, raw: str) -> None:
        r = self.request
        data = restore_input(self.loadable(text), raw, r.chains, item.get("hooks") or [], r.policy)
        self.command([TOOLS[item["family"]][1], "--wait", "--noflush"], data)

    def loadable(self, text: str) -> str:
        return text


class Ufw(Iptables):
    """ufw: the role's block in before.rules / before6.rules, its chains loaded live like iptables'."""

    def full_text(self, item: t.Mapping[str, t.Any], current: str | None) -> str:
        if current is None and self.request.check_mode:
            current = ""
        if current is None:
            raise RulesError(f"{item['path']} is missing: install ufw first (it ships the file)")
        return with_block(current, t.cast(str, item["content"]))

    def loadable(self, text: str) -> str:
        return block_of(text)


class Nftables(Backend):
    def live(self, family: str) -> tuple[str, str]:
        rc, out, _err = self.run(["nft", "list", "table", "inet", self.request.table], None)
        if rc != 0:
            return "", "missing\n"
        return out, _NFT_COUNTER.sub("counter", out)

    def test(self, family: str, path: str) -> None:
        self.command(["nft", "-c", "-f", path])

    def load(self, item: t.Mapping[str, t.Any], text: str, raw: str) -> None:
        self.command(["nft", "-f", item["path"]])


BACKENDS = {"iptables": Iptables, "ufw": Ufw, "nftables": Nftables}


# --------------------------------------------------------------------------- the whole step


def apply(request: Request, run: Runner) -> dict[str, t.Any]:
    """Bring the role's live objects and files to what ``request`` says; returns the module's result."""
    backend = BACKENDS[request.backend](request, run)
    state = read_state(request.state_file)
    recorded_files = state.get("files") or {}
    recorded_live = state.get("live") or {}
    work = []
    reasons: list[str] = []
    diffs: list[dict[str, str]] = []
    for item in request.rules:
        family, path = item["family"], item["path"]
        current = read_file(path)
        wanted = backend.full_text(item, current)
        raw, view = backend.live(family)
        why = []
        if current != wanted:
            why.append(f"{path} changed")
            diffs.append({"before_header": path, "after_header": path, "before": current or "", "after": wanted})
        elif recorded_files.get(path) != sha256(wanted):
            why.append(f"{path} was not loaded by the role yet")
        recorded = (recorded_live.get(family) or {}).get("view")
        if recorded is not None and view != recorded:
            why.append(f"the live {family} rules of the role differ from what it loaded")
            diffs.append(
                {
                    "before_header": f"live {family} rules of the role",
                    "after_header": f"{family} rules as the role loaded them",
                    "before": view,
                    "after": recorded,
                }
            )
        elif recorded is None and not why:
            why.append(f"no record of the {family} rules the role loaded")
        if not backend.fixed(item, raw):
            why.append(f"the {family} hooks or the INPUT policy are not as the role sets them")
        reasons += why
        work.append(dict(item, current=current, wanted=wanted, raw=raw, why=why))
    changed = any(item["why"] for item in work)
    result: dict[str, t.Any] = {"changed": changed, "reasons": reasons, "loaded": [], "diff": diffs}
    if not changed or request.check_mode:
        return result
    tested = []
    try:
        for item in work:
            if item["current"] != item["wanted"]:
                make_dirs(os.path.dirname(item["path"]), 0o700 if request.backend == "iptables" else 0o755)
                temp = temp_copy(item["path"], item["wanted"], 0o640 if request.backend == "ufw" else 0o600)
                tested.append((item, temp))
                backend.test(item["family"], temp)
    except RulesError as exc:
        for _item, temp in tested:
            remove(temp)
        raise RulesError(
            f"the new rules failed their test, so nothing was changed and the previous rules are in force: {exc}. "
            "The rules come from the ftp_firewall_* inputs: undo the one you changed, or report the message above "
            "(the packet filter refused rules the role wrote)"
        ) from None
    for item, temp in tested:
        os.replace(temp, item["path"])
    done = []
    try:
        for item in work:
            if item["why"]:
                backend.load(item, item["wanted"], item["raw"])
                done.append(item)
    except RulesError as exc:
        raise RulesError(rollback(backend, work, exc)) from None
    live = {}
    for item in work:
        live[item["family"]] = backend.live(item["family"])[1]
    write_state(request, {item["path"]: item["wanted"] for item in work}, live)
    result["loaded"] = [item["family"] for item in done]
    if request.save:
        rc, out, err = run(request.save, None)
        if rc != 0:
            result["warnings"] = [
                f"the rules are loaded, but {' '.join(request.save)} failed (rc={rc}): {(err or out).strip()[:300]}; "
                "they may not survive a reboot"
            ]
    return result


def rollback(backend: Backend, work: t.Sequence[t.Mapping[str, t.Any]], error: Exception) -> str:
    """Put every previous file back and load it; the message for the failure."""
    problems = []
    for item in work:
        if item["current"] is None:
            remove(item["path"])
            continue
        try:
            replace_file(item["path"], item["current"], 0o640 if backend.request.backend == "ufw" else 0o600)
            raw, _view = backend.live(item["family"])
            backend.load(item, item["current"], raw)
        except (RulesError, OSError) as exc:
            problems.append(str(exc))
    if problems:
        return (
            f"the new rules could not be loaded ({error}), and putting the previous ones back failed too "
            f"({'; '.join(problems)}): check the live rules by hand"
        )
    return (
        f"the new rules could not be loaded ({error}); the previous rules are in force again. The rules come from "
        "the ftp_firewall_* inputs: undo the one you changed, or report the message above"
    )


# --------------------------------------------------------------------------- leaving a backend (switch to firewalld)


# The rule that stands for the INPUT policy DROP while the host moves to firewalld (see handover_input).
DENY_COMMENT = "hardened-ftp-deny"
DENY_RULE = f"-A INPUT -m comment --comment {DENY_COMMENT} -j DROP"


def _is_deny(line: str) -> bool:
    return line.split() == DENY_RULE.split()


def handover_input(save: str, chains: t.Collection[str]) -> str:
    """What ``iptables-restore --noflush`` reads before firewalld starts on a host the role filtered with
    iptables ('' when nothing is to do).

    firewalld (nftables backend) flushes every iptables chain when it starts but keeps their policies:
    the role's INPUT policy DROP would then drop everything, management SSH included. So, where an own
    chain is there and the policy is DROP, the policy becomes ACCEPT and a last rule of INPUT drops
    instead, in one transaction: the same filter until firewalld starts, and nothing left by its flush."""
    for table, body in sections(save):
        if table != "filter":
            continue
        own = any(line.startswith(":") and line[1:].split(" ", 1)[0] in chains for line in body)
        if own and any(line.startswith(":INPUT DROP") for line in body):
            return f"*filter\n:INPUT ACCEPT [0:0]\n{DENY_RULE}\nCOMMIT\n"
    return ""


def _own_lines(body: t.Sequence[str], chains: t.Collection[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """The own chains declared in one table, and (chain, position) of each other rule that is the role's:
    a jump to an own chain, or the rule of :func:`handover_input`."""
    own = [line[1:].split(" ", 1)[0] for line in body if line.startswith(":")]
    positions: dict[str, int] = {}
    found: list[tuple[str, int]] = []
    for line in body:
        words = line.split(None, 2)
        if len(words) < 2 or words[0] != "-A":
            continue
        positions[words[1]] = positions.get(words[1], 0) + 1
        if words[1] not in chains and (jumps_to(line, chains) or _is_deny(line)):
            found.append((words[1], positions[words[1]]))
    return [name for name in own if name in chains], found


def removal_input(save: str, chains: t.Collection[str]) -> str:
    """What ``iptables-restore --noflush`` reads to take the role's chains out of one family ('' when none is there).

    Every jump to an own chain (and the rule of :func:`handover_input`) deleted by position (last first),
    the own chains flushed then deleted, and - when an own chain was there and the filter table's INPUT
    policy is DROP, which the role sets under default deny - the policy back to ACCEPT, so that what
    filters the host afterwards (firewalld) is not cut off by a policy nothing of the role's accepts past
    any more. Every other rule stays."""
    out: list[str] = []
    for table, body in sections(save):
        own, deletes = _own_lines(body, chains)
        if not own and not deletes:
            continue
        lines = [f"-D {chain} {number}" for chain, number in sorted(deletes, key=lambda d: -d[1])]
        lines += [f"-F {name}" for name in own] + [f"-X {name}" for name in own]
        policy = any(line.startswith(":INPUT DROP") for line in body)
        declarations = [":INPUT ACCEPT [0:0]"] if table == "filter" and own and policy else []
        out += [f"*{table}", *declarations, *lines, "COMMIT"]
    return "\n".join(out) + "\n" if out else ""


def without_own(saved: str, chains: t.Collection[str]) -> str:
    """A saved ruleset (``/etc/iptables/rules.v4``) without the role's chains, their rules, the jumps to
    them and the rule of :func:`handover_input`, and with INPUT ACCEPT where the role had set DROP; every
    other line (comments, the administrator's rules) as it was."""
    out: list[str] = []
    table = ""
    own_tables = {name for name, body in sections(saved) if _own_lines(body, chains)[0]}
    for raw in saved.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            table = line[1:].strip()
        words = line.split(None, 2)
        if line.startswith(":") and line[1:].split(" ", 1)[0] in chains:
            continue
        if len(words) >= 2 and words[0] == "-A" and (words[1] in chains or jumps_to(line, chains) or _is_deny(line)):
            continue
        if table == "filter" and table in own_tables and line.startswith(":INPUT DROP"):
            raw = raw.replace(":INPUT DROP", ":INPUT ACCEPT", 1)
        out.append(raw)
    return "\n".join(out) + "\n"


def without_include(conf: str, line: str) -> str:
    """``conf`` (/etc/nftables.conf) without the role's include line (every copy of it)."""
    kept = [text for text in conf.splitlines() if text.strip() != line]
    return "\n".join(kept) + "\n" if kept else ""


def _live_removals(params: t.Mapping[str, t.Any], run: Runner) -> list[tuple[str, list[str], str | None, str]]:
    """(reason, command, its input, what goes) for each live part of the role's rules in the backend."""
    found: list[tuple[str, list[str], str | None, str]] = []
    if params["backend"] == "iptables":
        chains = list(params.get("chains") or [])
        for family, (save_tool, restore_tool) in TOOLS.items():
            rc, out, _err = run([save_tool], None)
            data = removal_input(out, chains) if rc == 0 else ""
            if data:
                reason = f"the role's {family} chains, their jumps and its INPUT policy"
                found.append((reason, [restore_tool, "--wait", "--noflush"], data, own_view(out, chains, True)))
        return found
    table = params.get("table") or "hardened_ftp"
    rc, out, _err = run(["nft", "list", "table", "inet", table], None)
    if rc == 0:
        found.append((f"the role's nftables table inet {table}", ["nft", "delete", "table", "inet", table], None, out))
    return found


def _conf_without_include(params: t.Mapping[str, t.Any], paths: t.Sequence[str]) -> tuple[str | None, str | None]:
    """(nft_conf now, nft_conf without the role's include), or (None, None) when the line stays or is not there.

    The include names the whole directory: it stays while another ``*.nft`` file beside the role's uses it."""
    conf_path, include = params.get("nft_conf") or "", params.get("include") or ""
    if params["backend"] != "nftables" or not conf_path or not include:
        return None, None
    conf = read_file(conf_path)
    if conf is None or not any(text.strip() == include for text in conf.splitlines()):
        return None, None
    folder = os.path.dirname(paths[0]) if paths else ""
    names = os.listdir(folder) if folder and os.path.isdir(folder) else []
    if any(name.endswith(".nft") and os.path.join(folder, name) not in paths for name in names):
        return None, None
    return conf, without_include(conf, include)


def remove_rules(params: t.Mapping[str, t.Any], run: Runner, check_mode: bool) -> dict[str, t.Any]:
    """Take out what the role owned in one backend (``state: absent``); nothing else of the host.

    iptables: the own chains and their jumps in both families, the INPUT policy as :func:`removal_input`
    says, the rules files, the state, and the role's lines in ``saved_files`` (netfilter-persistent's files,
    edited rather than saved again: firewalld's start flushed the live iptables rules, the
    administrator's too, and saving now would lose theirs). nftables: the own table, its file, the
    state, and the include line the role added to ``nft_conf`` when no other ``*.nft`` file is left
    beside the role's."""
    backend = params["backend"]
    paths = [item["path"] for item in params.get("rules") or []]
    live = _live_removals(params, run)
    reasons = [reason for reason, _argv, _data, _what in live]
    diffs = [
        {"before_header": reason, "after_header": "removed", "before": what, "after": ""}
        for reason, _a, _d, what in live
    ]
    # The state last: a run cut short is taken up again by the next one.
    files = [path for path in [*paths, os.path.join(params["state_dir"], f"{backend}.json")] if os.path.lexists(path)]
    reasons += [f"{path} (the role's)" for path in files]
    conf, new_conf = _conf_without_include(params, paths)
    if new_conf is not None:
        reasons.append(f"the role's include line in {params['nft_conf']}")
        diffs.append(
            {
                "before_header": params["nft_conf"],
                "after_header": params["nft_conf"],
                "before": conf or "",
                "after": new_conf,
            }
        )
    chains = list(params.get("chains") or [])
    saved: dict[str, tuple[str, str]] = {}
    for path in params.get("saved_files") or [] if backend == "iptables" else []:
        text = read_file(path)
        if text is not None and without_own(text, chains) != text:
            saved[path] = (text, without_own(text, chains))
            reasons.append(f"the role's chains in {path} (saved before)")
            diffs.append({"before_header": path, "after_header": path, "before": text, "after": saved[path][1]})
    result: dict[str, t.Any] = {"changed": bool(reasons), "reasons": reasons, "loaded": [], "diff": diffs}
    if check_mode or not reasons:
        return result
    for _reason, argv, data, _what in live:
        _run_checked(run, argv, data)
    if new_conf is not None:
        replace_file(params["nft_conf"], new_conf, os.stat(params["nft_conf"]).st_mode & 0o7777)
    for path in files:
        remove(path)
    if backend == "iptables":
        for folder in sorted({os.path.dirname(path) for path in paths}):
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # the role's own directory (/etc/hardened-ftp), when nothing else is in it
    for path, (_text, cleaned) in saved.items():
        replace_file(path, cleaned, os.stat(path).st_mode & 0o7777)
    return result


def handover(params: t.Mapping[str, t.Any], run: Runner, check_mode: bool) -> dict[str, t.Any]:
    """``state: handover`` (iptables): :func:`handover_input` in each family, before firewalld starts."""
    reasons: list[str] = []
    for family, (save_tool, restore_tool) in TOOLS.items():
        rc, out, _err = run([save_tool], None)
        data = handover_input(out, list(params.get("chains") or [])) if rc == 0 else ""
        if data:
            reasons.append(f"the {family} INPUT policy DROP becomes a last rule of INPUT before firewalld starts")
            if not check_mode:
                _run_checked(run, [restore_tool, "--wait", "--noflush"], data)
    return {"changed": bool(reasons), "reasons": reasons, "loaded": [], "diff": []}


def _run_checked(run: Runner, argv: list[str], data: str | None) -> None:
    rc, out, err = run(argv, data)
    if rc != 0:
        raise RulesError(
            f"{' '.join(argv)} failed (rc={rc}): {(err or out).strip()[:400]}; firewalld filters the host, the rest of "
            "the role's earlier rules is still there and the next run takes it out"
        )
