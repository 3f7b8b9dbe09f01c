# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What hardened.ftp.ftp_probe checks on the wire, and how (private module).

:class:`Probe` runs real FTP sessions against one server address with the client of
:mod:`._probe_wire` and judges what it sees against the expectations (the inventory's values, as
``hardened.ftp.probe_plan`` derives them). Every check of :data:`CHECKS` ends with one finding:
``pass``, ``fail``, ``not-applicable`` (the inventory says the thing does not exist, or the check
was not asked for) or ``error`` (it could not be checked: the server did not answer, the probe's
time or connection limit was reached). Each finding carries its evidence and, unless it passes,
the fix naming the variable to change.

The probe reads only. Two steps could write on a server that is wrong: the anonymous write
attempts outside the drop-box (a correct server refuses them before anything is created; on a
server that accepts one, the probe deletes what it made when the server lets it, and says so) and
the drop-box canary, which is opt-in. In check mode neither is made.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
import ssl
import time
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils import _probe_wire as wire
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors, InputError
from ansible_collections.hardened.ftp.plugins.module_utils._names import ROLE_VARIABLES
from ansible_collections.hardened.ftp.plugins.module_utils._probe_cert import (
    CertificateError,
    matches,
    read_certificate,
)
from ansible_collections.hardened.ftp.plugins.module_utils._probe_wire import (
    BudgetExhausted,
    Control,
    ProbeError,
    Reply,
)

STATUSES = ("fail", "error", "pass", "not-applicable")
# What the playbook calls the probe's own inputs, for the fixes.
PROBE_VARIABLES = {
    "address": "hardened_ftp_probe_address",
    "from": "hardened_ftp_probe_from",
    "canary": "hardened_ftp_probe_dropbox_canary",
    "user": "hardened_ftp_probe_user",
    "password": "hardened_ftp_probe_password",
}
ANONYMOUS_PASSWORD = "probe@hardened-ftp.invalid"
# Daemon names followed by a version, or a version keyword: what a greeting must not show.
_VERSION = re.compile(
    r"(?i)\b(?:vs-?ftpd|pure-?ftpd|proftpd|filezilla|serv-u|wu-?ftpd|microsoft ftp|glftpd|bftpd)\b[^0-9\n]{0,12}"
    r"\d+\.\d+|\bversion\s*\d|\bv\d+\.\d+\.\d+"
)
CHECKS = (
    ("greeting", "The greeting shows the banner and no version"),
    ("feat_auth_tls", "FEAT lists AUTH TLS as the inventory's TLS setting says"),
    ("tls_accepted", "TLS 1.2 and TLS 1.3 handshakes succeed"),
    ("tls_legacy_refused", "TLS 1.0 and TLS 1.1 handshakes are refused"),
    ("tls_certificate", "The certificate names the address clients use and is valid"),
    ("anonymous_login", "Anonymous login is allowed or refused as the inventory says"),
    ("anonymous_read_only", "Anonymous sessions cannot write outside the drop-box"),
    ("passive_address", "PASV announces the address clients use, or the documented NAT address"),
    ("passive_ports", "PASV and EPSV announce ports inside the passive range"),
    ("passive_data", "Passive data connections complete"),
    ("active_mode", "Active mode completes when it is enabled, and is refused when it is not"),
    ("dropbox_canary", "The drop-box takes an upload and never gives it back"),
    ("cleartext_login_refused", "A login without TLS is refused when TLS is required"),
    ("login_chrooted", "The login succeeds over FTPS and is chrooted"),
    ("outside_ports_closed", "Ports just outside the passive range do not answer"),
)
CHECK_IDS = tuple(check_id for check_id, _title in CHECKS)
TITLES = dict(CHECKS)
EXPECT_KEYS = (
    "daemon",
    "banner",
    "tls_enable",
    "tls_required",
    "anonymous_enable",
    "anon_upload_enable",
    "anon_upload_dir",
    "pasv_enable",
    "pasv_min_port",
    "pasv_max_port",
    "pasv_address",
    "active_enable",
)


def _variable(daemon: str | None, concept: str) -> str:
    """The daemon role's variable for ``concept``, or a description when the daemon is unknown."""
    names = ROLE_VARIABLES.get(daemon or "", {})
    if concept in names:
        return names[concept]
    return f"{daemon}_{concept}" if daemon else f"the daemon's {concept} setting"


def fixes(daemon: str | None) -> dict[str, str]:
    """The fix of each check, naming the daemon role's variables."""

    def v(concept: str) -> str:
        return _variable(daemon, concept)

    site = "then run hardened.ftp.site"
    return {
        "greeting": f"set {v('banner')} to the warning text (it replaces the daemon's own greeting); {site}",
        "feat_auth_tls": f"set {v('tls_enable')} as intended; {site}",
        "tls_accepted": f"keep {v('tls_enable')}: true with the default {v('tls_ciphers')} (TLS 1.2 and 1.3 "
        f"AEAD suites); {site}, and check the daemon's OpenSSL",
        "tls_legacy_refused": f"keep {v('tls_ciphers')} at its AEAD-only default, which TLS 1.0 and 1.1 cannot "
        f"negotiate, and remove any hand-made cipher or protocol option from the daemon's configuration; {site}",
        "tls_certificate": f"give the server a certificate for the address clients use ({v('tls_cert')} / "
        f"{v('tls_key')}, or {v('tls_common_name')} and {v('tls_subject_alt_names')} for the generated one) and "
        f"renew it before it expires, or set {PROBE_VARIABLES['address']} to the name clients use; {site}",
        "anonymous_login": f"set {v('anonymous_enable')} as intended; {site}",
        "anonymous_read_only": f"give anonymous sessions no write access outside the drop-box (the anonymous "
        f"root root:root 0755, {v('anon_upload_enable')} only for the drop-box); {site}",
        "passive_address": f"set {v('pasv_address')} to the public address clients reach (empty: the server's own "
        f"address), or set {PROBE_VARIABLES['address']} to the address clients use; {site}",
        "passive_ports": f"make the daemon use exactly {v('pasv_min_port')}-{v('pasv_max_port')}; {site}",
        "passive_data": "open the passive range to the clients on every firewall between them and the server "
        "(ftp_firewall_passive_policy: range with TLS, and the router or cloud security group in front), and "
        f"forward the whole range behind NAT; {site} for the host's own firewall",
        "active_mode": f"set {v('active_enable')} as intended; when it is on, let the server connect from port 20 "
        "to the clients (ftp_firewall_filter_egress and any firewall in front), and probe from a host the server can "
        f"reach ({PROBE_VARIABLES['from']}); {site}",
        "dropbox_canary": f"keep the drop-box write-only ({v('anon_upload_enable')}: the roles make it root:ftp "
        f"mode 1730 and hand uploads to another owner); {site}",
        "cleartext_login_refused": f"set {v('tls_required')}: true so no password travels in clear text; {site}",
        "login_chrooted": f"keep {v('chroot_local_user')}: true and give {PROBE_VARIABLES['user']} / "
        f"{PROBE_VARIABLES['password']} of a user the server allows ({v('local_users_allowed')} or "
        f"{v('virtual_users')}); {site}",
        "outside_ports_closed": "close every port but the control port and the passive range on the firewalls in "
        "front of the server (ftp_firewall_default_deny); if another service listens there on purpose, "
        "ignore this finding for that port",
    }


def _finding(check_id: str, status: str, evidence: list[str], fix: str) -> dict[str, t.Any]:
    return {
        "id": check_id,
        "title": TITLES[check_id],
        "status": status,
        "evidence": [str(line) for line in evidence],
        "remediation": fix if status in ("fail", "error") else "",
        "mapping": [],
        "waiver": None,
    }


class Login(t.NamedTuple):
    """How a session logs in: who, and whether over TLS."""

    user: str
    password: str
    tls: bool
    what: str  # "anonymous" or "user <name>"


class Probe:
    """One probe of one server address: the sessions, the observations, the findings."""

    def __init__(
        self,
        address: str,
        port: int,
        expect: t.Mapping[str, t.Any],
        *,
        user: str = "",
        password: str = "",
        dropbox_canary: bool = False,
        sessions: int = 3,
        timeout: float = 10.0,
        time_limit: float = 120.0,
        max_connections: int = 60,
        outside_ports: int = 4,
        skip_ports: t.Sequence[int] = (),
        certificate_min_days: int = 14,
        check_mode: bool = False,
        clock: t.Callable[[], float] = time.monotonic,
        wall_clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.address = address
        self.port = port
        self.expect = {key: expect.get(key) for key in EXPECT_KEYS}
        self.user = user or ""
        self.password = password or ""
        self.dropbox_canary = dropbox_canary
        self.sessions = sessions
        self.outside_ports = outside_ports
        self.skip_ports = set(skip_ports)
        self.certificate_min_days = certificate_min_days
        self.check_mode = check_mode
        self.wall_clock = wall_clock
        self.budget = wire.Budget(time_limit, max_connections, timeout, clock)
        self.fix = fixes(self.expect["daemon"])
        self.findings: dict[str, dict[str, t.Any]] = {}
        self.target = ""
        self.resolved: list[str] = []
        self.reachable = False
        self.tls_offered: bool | None = None
        self.anonymous: Login | None = None
        self.announcements: list[dict[str, t.Any]] = []
        self.data_failures = 0
        self.tls_versions: dict[str, str] = {}
        self.certificate: dict[str, t.Any] = {}
        self.canary_name = ""
        self.token = secrets.token_hex(4)

    # ------------------------------------------------------------------ results

    def record(self, check_id: str, status: str, evidence: list[str]) -> None:
        self.findings[check_id] = _finding(check_id, status, evidence, self.fix[check_id])

    def not_applicable(self, check_id: str, why: str) -> None:
        self.record(check_id, "not-applicable", [why])

    def run(self) -> dict[str, t.Any]:
        steps = (
            self.step_first_contact,
            self.step_tls,
            self.step_anonymous,
            self.step_passive,
            self.step_active,
            self.step_anonymous_write,
            self.step_canary,
            self.step_credentials,
            self.step_outside,
        )
        stopped = ""
        for step in steps:
            if stopped:
                break
            try:
                step()
            except BudgetExhausted as exc:
                stopped = str(exc)
            except (ProbeError, OSError, ssl.SSLError, ValueError) as exc:
                # A step the server broke in a way no check foresaw: its checks are not made, the others are.
                self.step_failed(step.__name__, exc)
        for check_id in CHECK_IDS:
            if check_id not in self.findings:
                why = stopped or "the probe did not get to this check"
                self.record(check_id, "error", [f"not checked: {why}"])
        checks = [self.findings[check_id] for check_id in CHECK_IDS]
        summary = dict.fromkeys(STATUSES, 0)
        for finding in checks:
            summary[finding["status"]] += 1
        return {
            "address": self.address,
            "port": self.port,
            "target": self.target,
            "resolved": self.resolved,
            "checks": checks,
            "summary": summary,
            "passed": not summary["fail"] and not summary["error"],
            "passive": self.announcements,
            "tls": {"versions": self.tls_versions, "certificate": self.certificate},
            "canary": self.canary_name or None,
            "connections": self.budget.connections,
            "elapsed": round(self.budget.elapsed(), 2),
        }

    STEP_CHECKS: t.ClassVar[dict[str, tuple[str, ...]]] = {
        "step_first_contact": ("greeting", "feat_auth_tls"),
        "step_tls": ("tls_accepted", "tls_legacy_refused", "tls_certificate"),
        "step_anonymous": ("anonymous_login",),
        "step_passive": ("passive_address", "passive_ports", "passive_data"),
        "step_active": ("active_mode",),
        "step_anonymous_write": ("anonymous_read_only",),
        "step_canary": ("dropbox_canary",),
        "step_credentials": ("cleartext_login_refused", "login_chrooted"),
        "step_outside": ("outside_ports_closed",),
    }

    def step_failed(self, step: str, exc: BaseException) -> None:
        for check_id in self.STEP_CHECKS.get(step, ()):
            if check_id not in self.findings:
                self.record(check_id, "error", [f"not checked: {type(exc).__name__}: {exc}"])

    def unreachable(self, check_ids: t.Iterable[str]) -> bool:
        """Record ``check_ids`` as not checked when the control port does not answer; True then."""
        if self.reachable:
            return False
        for check_id in check_ids:
            self.record(check_id, "error", ["not checked: the control port did not answer (see greeting)"])
        return True

    # ------------------------------------------------------------------ sessions

    def control(self) -> Control:
        return Control(self.budget, self.target, self.port)

    def open_session(self, login: Login) -> Control:
        """A logged-in session (greeting read, TLS and ``PROT P`` when the login uses TLS); :class:`ProbeError`."""
        session = self.control()
        try:
            greeting = session.connect()
            if greeting.code != 220:
                raise ProbeError(f"the greeting was {greeting.shown()!r}")
            if login.tls:
                reply = session.start_tls(wire.tls_context(), self.address)
                if reply.code != 234:
                    raise ProbeError(f"AUTH TLS was answered {reply.shown()!r}")
            reply = session.login(login.user, login.password)
            if reply.code != 230:
                raise ProbeError(f"the {login.what} login was answered {reply.shown()!r}")
            if login.tls:
                session.protect()
            session.command("TYPE I")
        except BaseException:
            session.close()
            raise
        return session

    def data_login(self) -> Login | None:
        """The login the data checks use: anonymous when it works, else the probe's user."""
        if self.anonymous is not None:
            return self.anonymous
        if self.user:
            return self.user_login()
        return None

    def user_login(self) -> Login:
        tls = bool(self.expect["tls_enable"]) if self.expect["tls_enable"] is not None else bool(self.tls_offered)
        return Login(self.user, self.password, tls, f"user {self.user}")

    def no_login_reason(self) -> str:
        return (
            "not checked: anonymous login is refused and no user is given "
            f"({PROBE_VARIABLES['user']} / {PROBE_VARIABLES['password']})"
        )

    # ------------------------------------------------------------------ data connections

    def in_range(self, port: int) -> bool | None:
        low, high = self.expect["pasv_min_port"], self.expect["pasv_max_port"]
        if low is None or high is None:
            return None
        return bool(low <= port <= high)

    def may_connect(self, port: int) -> bool:
        """The probe connects only to ports the inventory gives (the passive range), or any when it gives none."""
        inside = self.in_range(port)
        return inside is None or inside

    def expected_addresses(self) -> list[str]:
        nat = self.expect["pasv_address"]
        if nat:
            return wire.resolve(nat, self.port)
        return list(self.resolved)

    def passive(self, session: Control, command: str) -> tuple[dict[str, t.Any], tuple[str, int] | None]:
        """Send PASV or EPSV; the announcement, and where the data connection goes (None: nowhere)."""
        reply = session.command(command)
        entry: dict[str, t.Any] = {"command": command, "reply": reply.shown()}
        try:
            if command == "PASV":
                address, port = wire.parse_pasv(reply)
                entry["address"] = address
            else:
                port = wire.parse_epsv(reply)
        except wire.ProtocolError as exc:
            entry["problem"] = str(exc)
            return entry, None
        entry["port"] = port
        entry["in_range"] = self.in_range(port)
        if not self.may_connect(port):
            entry["data"] = f"not connected: port {port} is outside the inventory's passive range"
            return entry, None
        target = session.peer
        if command == "PASV" and any(wire.same_address(entry["address"], ok) for ok in self.expected_addresses()):
            target = entry["address"]
        entry["connect"] = target
        return entry, (target, port)

    def transfer(
        self, session: Control, endpoint: tuple[str, int], command: str, upload: bytes | None = None
    ) -> tuple[Reply, bytes]:
        """Connect the data connection, send ``command``, move the data; the final reply and what came."""
        sock = self.budget.connect(*endpoint)
        try:
            first = session.command(command)
            if first.code >= 300 or first.code < 100:
                return first, b""
            if first.code < 200:
                if session.protected:
                    sock = wire.wrap_data(session, sock)
                if upload is not None:
                    sock.settimeout(self.budget.wait())
                    sock.sendall(upload)
                    data = b""
                else:
                    data = wire.read_all(sock, self.budget)
                wire.close_quietly(sock)
                sock = None  # type: ignore[assignment]
                return session.reply(), data
            return first, b""
        finally:
            wire.close_quietly(sock)

    def passive_transfer(
        self, session: Control, command: str, upload: bytes | None = None
    ) -> tuple[Reply | None, bytes, str]:
        """A transfer over a passive data connection (EPSV, else PASV): reply, data, and why not when it did not run."""
        if self.data_failures >= 2:
            return None, b"", "not tried: passive data connections fail (see passive_data)"
        for mode in ("EPSV", "PASV"):
            if mode == "PASV" and session.family == socket.AF_INET6:
                break
            _entry, endpoint = self.passive(session, mode)
            if endpoint is None:
                continue
            try:
                reply, data = self.transfer(session, endpoint, command, upload)
            except ProbeError as exc:
                return None, b"", str(exc)
            return reply, data, ""
        return None, b"", "no passive data connection could be opened"

    # ------------------------------------------------------------------ 1: greeting, FEAT

    def step_first_contact(self) -> None:
        self.resolved = wire.resolve(self.address, self.port)
        if not self.resolved:
            self.record(
                "greeting",
                "error",
                [f"{self.address} does not resolve on the probe host"],
            )
            self.findings["greeting"]["remediation"] = (
                f"set {PROBE_VARIABLES['address']} to a name or address the probe host resolves"
            )
            self.unreachable(CHECK_IDS[1:])
            return
        self.target = self.resolved[0]
        where = (
            f"{self.address} ({self.target}) port {self.port}"
            if self.target != self.address
            else (f"{self.address} port {self.port}")
        )
        session = self.control()
        try:
            try:
                greeting = session.connect()
            except ProbeError as exc:
                self.record("greeting", "fail", [f"no greeting from {where}: {exc}"])
                self.findings["greeting"]["remediation"] = (
                    "let the clients reach the control port (the firewalls in front of the server, the daemon "
                    f"running), or set {PROBE_VARIABLES['address']} / {PROBE_VARIABLES['from']} to where clients are"
                )
                self.unreachable(CHECK_IDS[1:])
                return
            self.reachable = greeting.code == 220
            self.judge_greeting(greeting, where)
            if not self.reachable:
                self.unreachable(CHECK_IDS[1:])
                return
            try:
                feat = session.command("FEAT")
            except ProbeError as exc:
                self.record("feat_auth_tls", "error", [f"FEAT got no reply: {exc}"])
                return
            self.judge_feat(feat, session)
        finally:
            session.close()

    def judge_greeting(self, greeting: Reply, where: str) -> None:
        evidence = [f"{where}: {greeting.shown(240)}"]
        problems = []
        if greeting.code != 220:
            problems.append(f"the greeting's code is {greeting.code}, not 220 (service ready)")
        text = " ".join(line[4:] if re.match(r"^\d{3}[ -]", line) else line for line in greeting.lines)
        version = _VERSION.search(text)
        if version:
            problems.append(f"the greeting shows a version: {version.group(0)!r}")
        banner = " ".join(str(self.expect["banner"] or "").split())
        if banner and banner not in " ".join(text.split()):
            problems.append(f"the greeting does not show the banner {banner!r}")
        elif banner:
            evidence.append("shows the inventory's banner")
        if not version:
            evidence.append("no daemon version shown")
        self.record("greeting", "fail" if problems else "pass", problems + evidence)

    def judge_feat(self, feat: Reply, session: t.Any) -> None:
        lines = [line.strip().upper() for line in feat.lines[1:-1]] if feat.code == 211 else []
        offered = any(line.startswith("AUTH") and "TLS" in line for line in lines)
        evidence = [f"FEAT: {feat.shown(240)}"]
        wanted = self.expect["tls_enable"]
        if feat.code != 211:
            evidence.insert(0, f"FEAT was answered {feat.code}, not 211 (features)")
        if offered and wanted is False:
            # Pure-FTPd lists AUTH TLS whenever it was built with TLS, even with TLS off: what it
            # answers to AUTH TLS is what clients get. The session ends here either way.
            try:
                auth = session.command("AUTH TLS")
            except ProbeError as exc:
                auth = None
                evidence.insert(0, f"FEAT lists AUTH TLS; AUTH TLS got no reply ({exc})")
            if auth is not None and auth.code != 234:
                offered = False
                evidence.insert(0, f"FEAT lists AUTH TLS, but AUTH TLS is refused: {auth.shown(120)}")
            elif auth is not None:
                evidence.insert(0, f"AUTH TLS was accepted: {auth.shown(120)}")
        self.tls_offered = offered
        if wanted is None:
            self.record(
                "feat_auth_tls",
                "not-applicable",
                [
                    f"AUTH TLS {'listed' if offered else 'not listed'}; no TLS setting was given to compare with",
                    *evidence,
                ],
            )
            return
        if offered == bool(wanted):
            self.record(
                "feat_auth_tls",
                "pass",
                [
                    f"AUTH TLS {'listed' if offered else 'not listed'}, as the "
                    f"inventory has TLS {'on' if wanted else 'off'}",
                    *evidence,
                ],
            )
        else:
            self.record(
                "feat_auth_tls",
                "fail",
                [
                    f"AUTH TLS {'listed' if offered else 'not listed'}, but the "
                    f"inventory has TLS {'on' if wanted else 'off'}",
                    *evidence,
                ],
            )

    # ------------------------------------------------------------------ 2: TLS

    def step_tls(self) -> None:
        ids = ("tls_accepted", "tls_legacy_refused", "tls_certificate")
        if self.unreachable(ids):
            return
        wanted = self.expect["tls_enable"]
        if wanted is False or (wanted is None and not self.tls_offered):
            for check_id in ids:
                self.not_applicable(check_id, "the inventory has TLS off" if wanted is False else "TLS is not offered")
            return
        for version in wire.TLS_VERSIONS:
            self.tls_versions[version] = self.handshake(version)
        self.judge_tls()
        self.judge_certificate()

    def handshake(self, version: str) -> str:
        """``accepted (cipher)``, ``refused (reason)``, ``AUTH TLS answered ...``, or ``not offered: ...``."""
        local = wire.local_tls_support(version)
        if local:
            return f"not offered: {local}"
        try:
            context = wire.tls_context(version)
        except (ssl.SSLError, ValueError) as exc:
            return f"not offered: the probe host's OpenSSL cannot offer it ({exc})"
        session = self.control()
        try:
            greeting = session.connect()
            if greeting.code != 220:
                return f"no session: the greeting was {greeting.shown()!r}"
            try:
                reply = session.start_tls(context, self.address)
            except wire.TlsRefused as exc:
                if any(reason in str(exc) for reason in wire.LOCAL_TLS_REASONS):
                    return f"not offered: the probe host's OpenSSL refuses it ({exc})"
                return f"refused ({exc})"
            if reply.code != 234:
                return f"AUTH TLS answered {reply.shown()!r}"
            if session.sock is None:
                raise ProbeError("the control connection is closed")
            cipher = session.sock.cipher()  # type: ignore[attr-defined]
            if session.peer_der and "der" not in self.certificate:
                self.certificate["der"] = session.peer_der
            return f"accepted ({session.tls_version}, {cipher[0] if cipher else 'unknown cipher'})"
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            return f"no session: {exc}"
        finally:
            session.close()

    def judge_tls(self) -> None:
        names = {version: wire.version_name(version) for version in wire.TLS_VERSIONS}
        modern = ("TLSv1_2", "TLSv1_3")
        evidence = [f"{names[version]}: {self.tls_versions[version]}" for version in modern]
        missing = [names[v] for v in modern if not self.tls_versions[v].startswith("accepted")]
        unknown = [names[v] for v in modern if self.tls_versions[v].startswith("not offered")]
        if unknown:
            self.record("tls_accepted", "error", [f"cannot check {', '.join(unknown)} from this host", *evidence])
        else:
            self.record(
                "tls_accepted",
                "fail" if missing else "pass",
                ([f"{' and '.join(missing)} not accepted"] if missing else []) + evidence,
            )
        legacy = ("TLSv1", "TLSv1_1")
        evidence = [f"{names[version]}: {self.tls_versions[version]}" for version in legacy]
        accepted = [names[v] for v in legacy if self.tls_versions[v].startswith("accepted")]
        unknown = [names[v] for v in legacy if self.tls_versions[v].startswith(("not offered", "no session"))]
        if accepted:
            self.record("tls_legacy_refused", "fail", [f"{' and '.join(accepted)} accepted", *evidence])
        elif unknown:
            self.record("tls_legacy_refused", "error", [f"cannot check {', '.join(unknown)} from this host", *evidence])
        else:
            self.record("tls_legacy_refused", "pass", evidence)

    def judge_certificate(self) -> None:
        der = self.certificate.pop("der", None)
        if not der:
            self.record("tls_certificate", "error", ["not checked: no TLS handshake succeeded (see tls_accepted)"])
            return
        try:
            names = read_certificate(der)
        except CertificateError as exc:
            self.record("tls_certificate", "fail", [f"the server's certificate cannot be read: {exc}"])
            return
        now = self.wall_clock()
        days = int((names.not_after - now) // 86400)
        shown = [f"CN={name}" for name in names.common_names]
        shown.extend(f"DNS:{n}" for n in names.dns_names)
        shown.extend(f"IP:{n}" for n in names.ip_addresses)
        until = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(names.not_after))
        self.certificate.update(
            {
                "names": shown,
                "not_before": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(names.not_before)),
                "not_after": until,
                "days_left": days,
                "matches_address": matches(self.address, names),
            }
        )
        problems = []
        if not self.certificate["matches_address"]:
            problems.append(f"the certificate does not name {self.address} (it names {', '.join(shown) or 'nothing'})")
        if names.not_after <= now:
            problems.append(f"the certificate expired on {until}")
        elif days < self.certificate_min_days:
            problems.append(f"the certificate expires in {days} days, fewer than {self.certificate_min_days}")
        if names.not_before > now:
            problems.append("the certificate is not valid yet")
        evidence = [f"names: {', '.join(shown) or 'none'}", f"valid until {until}: {days} days left"]
        evidence.append(self.trust())
        self.record("tls_certificate", "fail" if problems else "pass", problems + evidence)

    def trust(self) -> str:
        """Whether the probe host's CA store trusts the chain (evidence only: private CAs are normal)."""
        session = self.control()
        try:
            if session.connect().code != 220:
                return "trust not checked"
            context = ssl.create_default_context()
            context.check_hostname = False
            try:
                session.start_tls(context, self.address)
            except wire.TlsRefused as exc:
                return f"not trusted by the probe host's CA store ({exc}): clients need the CA installed"
            return "trusted by the probe host's CA store"
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            return f"trust not checked: {exc}"
        finally:
            session.close()

    # ------------------------------------------------------------------ 3: anonymous

    def try_anonymous(self, tls: bool) -> tuple[bool, str]:
        login = Login("anonymous", ANONYMOUS_PASSWORD, tls, "anonymous")
        try:
            self.open_session(login).close()
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            return False, str(exc)
        return True, "logged in"

    def step_anonymous(self) -> None:
        if self.unreachable(("anonymous_login",)):
            return
        ok, plain = self.try_anonymous(False)
        evidence = [f"without TLS: {plain}"]
        if ok:
            self.anonymous = Login("anonymous", ANONYMOUS_PASSWORD, False, "anonymous")
        elif self.tls_offered:
            ok, secured = self.try_anonymous(True)
            evidence.append(f"with TLS: {secured}")
            if ok:
                self.anonymous = Login("anonymous", ANONYMOUS_PASSWORD, True, "anonymous")
        wanted = self.expect["anonymous_enable"]
        state = "allowed" if ok else "refused"
        if wanted is None:
            self.record(
                "anonymous_login", "not-applicable", [f"anonymous login {state}; no expectation given", *evidence]
            )
        elif ok == bool(wanted):
            self.record("anonymous_login", "pass", [f"anonymous login {state}, as the inventory says", *evidence])
        else:
            self.record(
                "anonymous_login",
                "fail",
                [f"anonymous login {state}, but the inventory has it {'on' if wanted else 'off'}", *evidence],
            )

    # ------------------------------------------------------------------ 4: passive mode

    def step_passive(self) -> None:
        ids = ("passive_address", "passive_ports", "passive_data")
        if self.unreachable(ids):
            return
        login = self.data_login()
        if login is None:
            for check_id in ids:
                self.record(check_id, "error", [self.no_login_reason()])
            return
        if self.expect["pasv_enable"] is False:
            self.passive_off(login)
            return
        failures = 0
        problems: list[str] = []
        for number in range(1, self.sessions + 1):
            try:
                session = self.open_session(login)
            except ProbeError as exc:
                if isinstance(exc, BudgetExhausted):
                    raise
                problems.append(f"session {number}: {exc}")
                continue
            try:
                for command in ("PASV", "EPSV"):
                    if command == "PASV" and session.family == socket.AF_INET6:
                        continue
                    entry, endpoint = self.passive(session, command)
                    entry["session"] = number
                    self.announcements.append(entry)
                    if endpoint is None:
                        continue
                    if failures >= 2:
                        entry.pop("connect")
                        entry["data"] = "not tried: two data connections failed already"
                        continue
                    try:
                        reply, data = self.transfer(session, endpoint, "LIST")
                    except BudgetExhausted:
                        raise
                    except ProbeError as exc:
                        entry["data"] = f"failed: {exc}"
                        failures += 1
                        if isinstance(exc, wire.ConnectFailed):
                            continue  # no command was sent: the session goes on
                        break
                    if reply.code == 226 or reply.code == 250:
                        entry["data"] = f"LIST completed: {len(data)} bytes, {reply.shown(80)}"
                    else:
                        entry["data"] = f"failed: LIST was answered {reply.shown()!r}"
                        failures += 1
            except BudgetExhausted:
                raise
            except ProbeError as exc:
                problems.append(f"session {number}: {exc}")
            finally:
                session.close()
        self.data_failures = failures
        self.judge_passive(login, problems)

    def passive_off(self, login: Login) -> None:
        for check_id in ("passive_address", "passive_ports"):
            self.not_applicable(check_id, "the inventory has passive mode off")
        try:
            with self.open_session(login) as session:
                reply = session.command("EPSV")
                second = session.command("PASV") if session.family == socket.AF_INET else None
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            self.record("passive_data", "error", [f"not checked: {exc}"])
            return
        accepted = [r for r in (reply, second) if r is not None and r.code in (227, 229)]
        evidence = [f"EPSV: {reply.shown()}"] + ([f"PASV: {second.shown()}"] if second else [])
        if accepted:
            self.record("passive_data", "fail", ["passive mode is offered, but the inventory has it off", *evidence])
        else:
            self.record("passive_data", "pass", ["passive mode is refused, as the inventory says", *evidence])

    def judge_passive(self, login: Login, problems: list[str]) -> None:
        entries = self.announcements
        how = f"{len({e['session'] for e in entries})} session(s) as {login.what}{' over TLS' if login.tls else ''}"
        expected = self.expected_addresses()
        # passive_address: every PASV's address is one clients reach
        pasv = [e for e in entries if e["command"] == "PASV" and "address" in e]
        wrong = sorted({e["address"] for e in pasv if not any(wire.same_address(e["address"], a) for a in expected)})
        source = (
            f"the documented NAT address {self.expect['pasv_address']} ({', '.join(expected) or 'does not resolve'})"
            if self.expect["pasv_address"]
            else f"{self.address} ({', '.join(expected)})"
        )
        if not pasv:
            garbled = [e for e in entries if e["command"] == "PASV"]
            if garbled:
                self.record("passive_address", "fail", [f"PASV: {e.get('problem', e['reply'])}" for e in garbled])
            else:
                self.not_applicable("passive_address", "no PASV reply to judge (EPSV carries no address)")
        elif wrong:
            notes = [f"{address}{_address_note(address)}" for address in wrong]
            self.record(
                "passive_address",
                "fail",
                [f"PASV announced {', '.join(notes)}, not {source}", f"{len(pasv)} PASV replies in {how}"],
            )
        else:
            self.record("passive_address", "pass", [f"{len(pasv)} PASV replies in {how} announced {source}"])
        # passive_ports: every port inside the range
        low, high = self.expect["pasv_min_port"], self.expect["pasv_max_port"]
        parsed = [e for e in entries if "port" in e]
        garbage = [f"{e['command']}: {e['problem']}" for e in entries if "problem" in e]
        if low is None or high is None:
            self.record("passive_ports", "not-applicable", ["no passive range given to compare with"])
        elif not parsed:
            self.record("passive_ports", "fail" if garbage else "error", (garbage or problems or ["no reply"])[:6])
        else:
            outside = sorted({e["port"] for e in parsed if not e["in_range"]})
            ports = sorted({e["port"] for e in parsed})
            status = "fail" if outside or garbage else "pass"
            evidence = [f"ports announced: {', '.join(str(p) for p in ports)} (range {low}-{high})"]
            if outside:
                evidence.insert(0, f"outside {low}-{high}: {', '.join(str(p) for p in outside)}")
            self.record("passive_ports", status, garbage + evidence)
        # passive_data: every data connection tried completed
        tried = [e for e in entries if "connect" in e]
        failed = [e for e in tried if not str(e.get("data", "")).startswith("LIST completed")]
        lines = [f"{e['command']} port {e['port']} -> {e['connect']}: {e.get('data', 'not tried')}" for e in tried]
        if not tried:
            self.record(
                "passive_data",
                "error",
                ["not checked: no announced port the probe may connect to", *(problems + garbage)[:6]],
            )
        elif failed:
            self.record("passive_data", "fail", [f"{len(failed)} of {len(tried)} data connections failed", *lines][:12])
        else:
            self.record("passive_data", "pass", [f"{len(tried)} data connections completed", *lines][:12])

    # ------------------------------------------------------------------ 5: active mode

    def step_active(self) -> None:
        if self.unreachable(("active_mode",)):
            return
        login = self.data_login()
        if login is None:
            self.record("active_mode", "error", [self.no_login_reason()])
            return
        wanted = self.expect["active_enable"]
        try:
            with self.open_session(login) as session:
                listener = wire.listen_active(session)
                try:
                    command = wire.port_command(session, listener)
                    reply = session.command(command)
                    if not reply.ok:
                        self.judge_active(wanted, False, [f"{command.split()[0]} was answered {reply.shown()!r}"])
                        return
                    if wanted is False:
                        self.judge_active(wanted, True, [f"{command.split()[0]} was accepted: {reply.shown()}"])
                        return
                    self.active_transfer(session, listener, command, wanted)
                finally:
                    listener.close()
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            self.record("active_mode", "error", [f"not checked: {exc}"])

    def active_transfer(self, session: Control, listener: socket.socket, command: str, wanted: bool | None) -> None:
        first = session.command("LIST")
        if first.code >= 300:
            self.judge_active(wanted, False, [f"{command.split()[0]} accepted, LIST answered {first.shown()!r}"])
            return
        try:
            conn, source = wire.accept_from(listener, session.peer, self.budget)
        except ProbeError as exc:
            self.judge_active(
                wanted,
                False,
                [
                    f"{command.split()[0]} accepted, but {exc} (the server must reach the probe host at "
                    f"{session.local}; behind NAT use {PROBE_VARIABLES['from']})",
                ],
            )
            return
        try:
            if session.tls:
                conn = wire.wrap_data(session, conn)
            data = wire.read_all(conn, self.budget)
        except ProbeError as exc:
            self.judge_active(wanted, False, [f"the active data connection from port {source[1]} failed: {exc}"])
            return
        finally:
            wire.close_quietly(conn)
        final = session.reply()
        ok = final.code in (226, 250)
        self.judge_active(
            wanted,
            ok,
            [f"LIST over an active connection from {source[0]} port {source[1]}: {len(data)} bytes, {final.shown(80)}"],
        )

    def judge_active(self, wanted: bool | None, works: bool, evidence: list[str]) -> None:
        state = "works" if works else "does not work"
        if wanted is None:
            self.record("active_mode", "not-applicable", [f"active mode {state}; no expectation given", *evidence])
        elif works == bool(wanted):
            self.record("active_mode", "pass", [f"active mode {state}, as the inventory says", *evidence])
        else:
            self.record(
                "active_mode",
                "fail",
                [f"active mode {state}, but the inventory has it {'on' if wanted else 'off'}", *evidence],
            )

    # ------------------------------------------------------------------ 6: anonymous writes

    def step_anonymous_write(self) -> None:
        if self.unreachable(("anonymous_read_only",)):
            return
        if self.anonymous is None:
            self.not_applicable("anonymous_read_only", "anonymous login is refused")
            return
        if self.check_mode:
            self.not_applicable("anonymous_read_only", "check mode: no write is attempted")
            return
        dropbox = str(self.expect["anon_upload_dir"] or "").strip("/") if self.expect["anon_upload_enable"] else ""
        name = f"hardened-ftp-probe-{self.token}"
        accepted: list[str] = []
        evidence: list[str] = []
        try:
            with self.open_session(self.anonymous) as session:
                places = ["/", *self.subdirectories(session, dropbox)]
                reply = session.command(f"MKD /{name}.d")
                if reply.code == 257:
                    removed = session.command(f"RMD /{name}.d")
                    accepted.append(f"MKD /{name}.d accepted ({'removed again' if removed.ok else 'left behind'})")
                else:
                    evidence.append(f"MKD /{name}.d: {reply.shown(80)}")
                for place in places:
                    path = f"{place.rstrip('/')}/{name}.txt"
                    outcome, detail = self.try_store(session, path)
                    if outcome == "accepted" and sock_missing(detail):
                        # The server waits for the data connection: the session cannot go on.
                        accepted.append(f"STOR {path} accepted: {detail} (an empty file may be left behind)")
                        break
                    if outcome == "accepted":
                        removed = session.command(f"DELE {path}")
                        left = "deleted again" if removed.ok else "left behind, empty"
                        accepted.append(f"STOR {path} accepted: {detail} ({left})")
                    elif outcome == "refused":
                        evidence.append(f"STOR {path}: {detail}")
                    else:
                        evidence.append(f"STOR {path}: not determined ({detail})")
                        break
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            self.record("anonymous_read_only", "error", [f"not checked: {exc}", *evidence])
            return
        if accepted:
            self.record(
                "anonymous_read_only",
                "fail",
                ["anonymous sessions can write outside the drop-box", *accepted, *evidence],
            )
        elif any("not determined" in line for line in evidence):
            self.record("anonymous_read_only", "error", ["not every write attempt could be judged", *evidence])
        else:
            self.record("anonymous_read_only", "pass", ["every write attempt was refused", *evidence])

    def try_store(self, session: Control, path: str) -> tuple[str, str]:
        """Try an empty upload: ``accepted``, ``refused`` or ``unknown``, and what the server said.

        A correct server refuses ``STOR`` before it uses the data connection, so the answer does not depend on the
        passive range being reachable: the data connection is opened first when it can be, and the command is sent
        either way. Only a preliminary reply (``150``) counts as accepted; ``425``/``426`` (no data connection) and
        no reply at all say nothing about the rights."""
        endpoint = None
        for mode in ("EPSV", "PASV"):
            if mode == "PASV" and session.family == socket.AF_INET6:
                break
            _entry, endpoint = self.passive(session, mode)
            if endpoint is not None:
                break
        if endpoint is None:
            return "unknown", "the server announced no passive port the probe may use"
        sock = None
        note = ""
        try:
            if self.data_failures >= 2:
                note = "; its data connection was not tried: passive data connections fail (see passive_data)"
            else:
                try:
                    sock = self.budget.connect(*endpoint)
                except wire.ConnectFailed as exc:
                    note = f"; its data connection failed: {exc}"
            first = session.command(f"STOR {path}")
            if first.code in (425, 426):
                return "unknown", f"{first.shown(80)}{note}"
            if first.code >= 400:
                return "refused", first.shown(80)
            if first.code < 200 and sock is not None:
                if session.protected:
                    sock = wire.wrap_data(session, sock)
                wire.close_quietly(sock)
                sock = None
                final = session.reply()
                return "accepted", f"{first.shown(60)} / {final.shown(60)}"
            return "accepted", f"{first.shown(80)}{note}"
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            return "unknown", f"{exc}{note}"
        finally:
            wire.close_quietly(sock)

    def subdirectories(self, session: Control, dropbox: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` directories of the anonymous root, the drop-box left out."""
        reply, data, _why = self.passive_transfer(session, "NLST /")
        if reply is None or reply.code not in (226, 250):
            return []
        found = []
        for raw in data.decode("utf-8", "replace").splitlines()[:50]:
            name = raw.strip().rstrip("/").split("/")[-1]
            if not name or name in (".", "..", dropbox) or any(c in name for c in "\r\n*?") or len(name) > 200:
                continue
            if session.command(f"CWD /{name}").code == 250:
                found.append(f"/{name}")
                session.command("CWD /")
            if len(found) >= limit:
                break
        return found

    # ------------------------------------------------------------------ 7: the drop-box canary

    def step_canary(self) -> None:
        if self.unreachable(("dropbox_canary",)):
            return
        if not self.expect["anon_upload_enable"]:
            self.not_applicable("dropbox_canary", "the inventory has no drop-box")
            return
        if not self.dropbox_canary:
            self.not_applicable("dropbox_canary", f"opt-in: set {PROBE_VARIABLES['canary']} to upload a canary")
            return
        if self.check_mode:
            self.not_applicable("dropbox_canary", "check mode: the canary is not uploaded")
            return
        if self.anonymous is None:
            self.record("dropbox_canary", "fail", ["anonymous login is refused, so the drop-box takes no upload"])
            return
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.wall_clock()))
        directory = "/" + str(self.expect["anon_upload_dir"] or "").strip("/")
        self.canary_name = f"{directory.rstrip('/')}/hardened-ftp-probe-{stamp}-{self.token}.txt"
        content = f"hardened.ftp probe canary {stamp}\n".encode()
        problems: list[str] = []
        evidence: list[str] = []
        try:
            with self.open_session(self.anonymous) as session:
                reply, _data, why = self.passive_transfer(session, f"STOR {self.canary_name}", upload=content)
                if reply is None or reply.code not in (226, 250):
                    problems.append(f"the upload of {self.canary_name} failed: {why or reply.shown()}")  # type: ignore[union-attr]
                else:
                    evidence.append(f"uploaded {self.canary_name}: {reply.shown(80)}")
                base = self.canary_name.rsplit("/", 1)[1]
                reply, data, why = self.passive_transfer(session, f"NLST {directory}")
                if reply is not None and reply.code in (226, 250) and base.encode() in data:
                    problems.append(f"NLST {directory} lists the canary")
                else:
                    evidence.append(f"NLST {directory}: {why or (reply.shown(80) if reply else 'refused')}")
                reply, data, why = self.passive_transfer(session, f"RETR {self.canary_name}")
                if reply is not None and reply.code in (226, 250):
                    problems.append(f"RETR gave the canary back ({len(data)} bytes)")
                else:
                    evidence.append(f"RETR: {why or (reply.shown(80) if reply else 'refused')}")
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            self.record("dropbox_canary", "error", [f"not checked: {exc}", *evidence])
            return
        self.record("dropbox_canary", "fail" if problems else "pass", problems + evidence)

    # ------------------------------------------------------------------ 8: the probe's own user

    def step_credentials(self) -> None:
        ids = ("cleartext_login_refused", "login_chrooted")
        if self.unreachable(ids):
            return
        if not self.user:
            for check_id in ids:
                self.not_applicable(check_id, f"no user given ({PROBE_VARIABLES['user']})")
            return
        self.cleartext()
        self.chroot()

    def cleartext(self) -> None:
        if not self.expect["tls_required"]:
            self.not_applicable("cleartext_login_refused", "the inventory does not require TLS")
            return
        with self.control() as session:
            try:
                session.connect()
            except BudgetExhausted:
                raise
            except ProbeError as exc:
                self.record("cleartext_login_refused", "error", [f"not checked: {exc}"])
                return
            try:
                reply = session.command(f"USER {self.user}")
            except BudgetExhausted:
                raise
            except ProbeError as exc:
                # A server that ends the session at USER refuses the login too.
                self.record(
                    "cleartext_login_refused", "pass", [f"USER without TLS: the server ended the session ({exc})"]
                )
                return
        if reply.code in (230, 331, 332):
            self.record(
                "cleartext_login_refused",
                "fail",
                [
                    f"USER {self.user} without TLS was answered {reply.shown()!r}: the server would take the password "
                    "in clear text (the probe did not send it)"
                ],
            )
        else:
            self.record("cleartext_login_refused", "pass", [f"USER {self.user} without TLS: {reply.shown()}"])

    def chroot(self) -> None:
        login = self.user_login()
        if self.expect["tls_enable"] and not login.tls:
            login = login._replace(tls=True)
        try:
            with self.open_session(login) as session:
                pwd = session.command("PWD")
                cwd = session.command("CWD /etc")
                escaped = ""
                if cwd.code == 250:
                    reply, data, _why = self.passive_transfer(session, "NLST /etc")
                    names = {line.strip().split("/")[-1] for line in data.decode("utf-8", "replace").splitlines()}
                    if reply is not None and {"passwd", "shadow"} & names:
                        escaped = "/etc holds the host's passwd: the session sees the host's files"
        except BudgetExhausted:
            raise
        except ProbeError as exc:
            self.record("login_chrooted", "fail", [f"the login of {self.user} failed: {exc}"])
            return
        found = re.search(r'"((?:[^"]|"")*)"', pwd.text)
        path = found.group(1).replace('""', '"') if found else ""
        evidence = [
            f"logged in as {self.user}{' over TLS (' + session.tls_version + ')' if login.tls else ' without TLS'}",
            f"PWD: {pwd.shown(80)}",
            f"CWD /etc: {cwd.shown(80)}",
        ]
        problems = []
        if path != "/":
            problems.append(f"the session starts in {path or '(no path)'}, not in the root of a chroot")
        if escaped:
            problems.append(escaped)
        self.record("login_chrooted", "fail" if problems else "pass", problems + evidence)

    # ------------------------------------------------------------------ 9: ports around the range

    def outside_sample(self) -> list[int]:
        low, high = self.expect["pasv_min_port"], self.expect["pasv_max_port"]
        ports: list[int] = []
        step = 1
        while len(ports) < self.outside_ports and step <= self.outside_ports + 10:
            for port in (low - step, high + step):
                usable = 1024 <= port <= 65535 and port not in self.skip_ports and port != self.port
                if usable and len(ports) < self.outside_ports and port not in ports:
                    ports.append(port)
            step += 1
        return sorted(ports)

    def step_outside(self) -> None:
        if self.unreachable(("outside_ports_closed",)):
            return
        low, high = self.expect["pasv_min_port"], self.expect["pasv_max_port"]
        if not self.expect["pasv_enable"] or low is None or high is None:
            self.not_applicable("outside_ports_closed", "no passive range in the inventory")
            return
        ports = self.outside_sample()
        if not ports:
            self.not_applicable("outside_ports_closed", "no port to sample")
            return
        results = wire.knock(self.budget, self.target, ports, min(self.budget.timeout, 5.0))
        answered = [port for port, state in results.items() if state == "answered"]
        evidence = [f"{port}: {results[port]}" for port in ports]
        if answered:
            self.record(
                "outside_ports_closed",
                "fail",
                [f"{', '.join(str(p) for p in answered)} outside {low}-{high} accept connections", *evidence],
            )
        else:
            self.record(
                "outside_ports_closed", "pass", [f"none of {len(ports)} ports outside {low}-{high} answers", *evidence]
            )


def sock_missing(detail: str) -> bool:
    """Whether an accepted upload's evidence says the data connection was never made."""
    return "data connection failed" in detail or "data connection was not tried" in detail


# Networks whose addresses clients on the Internet cannot reach (RFC 1918, shared address space, ULA).
_PRIVATE = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


def _address_note(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.is_loopback:
        return " (a loopback address: no client can reach it)"
    if ip.is_unspecified:
        return " (the unspecified address)"
    if ip.is_link_local:
        return " (a link-local address)"
    if any(ip in net for net in _PRIVATE if net.version == ip.version):
        return " (a private address: clients outside its network cannot reach it)"
    return ""


# ------------------------------------------------------------------ the options, checked once

# option -> (lowest, highest) for the whole numbers that bound the probe
LIMITS = {
    "sessions": (1, 10),
    "time_limit": (10, 900),
    "max_connections": (10, 500),
    "outside_ports": (0, 20),
    "certificate_min_days": (0, 3650),
}
TIMEOUT_LIMITS = (1.0, 60.0)


def check_options(
    values: t.Mapping[str, t.Any], names: t.Mapping[str, str] | None = None
) -> tuple[dict[str, t.Any], Errors]:
    """The probe's options checked and typed; errors name ``names[option]`` (the option itself by default).

    The module checks its parameters with this, and ``hardened.ftp.probe_plan`` the playbook's variables,
    so a rule is written once."""
    names = dict(names or {})
    errors = Errors()

    def name(option: str) -> str:
        return names.get(option, option)

    checked: dict[str, t.Any] = {}
    address = values.get("address")
    try:
        checked["address"] = inp.ip_address(address, name("address"))
    except InputError:
        checked["address"] = errors.check(inp.host_name, address, name("address"))
    if "port" in values:
        checked["port"] = errors.check(inp.port, values.get("port"), name("port"))
    user = values.get("user") or ""
    password = values.get("password") or ""
    checked["user"] = errors.check(inp.user_name, user, name("user")) if user else ""
    checked["password"] = (
        errors.check(inp.text, password, name("password"), secret=True, max_length=256, what="password")
        if password
        else ""
    )
    if user and not password:
        errors.add(name("password"), f"is empty while {name('user')} is set", f"give {name('user')}'s password")
    if password and not user:
        errors.add(name("user"), f"is empty while {name('password')} is set", f"name the user of {name('password')}")
    if "dropbox_canary" in values:
        checked["dropbox_canary"] = errors.check(inp.flag, values.get("dropbox_canary"), name("dropbox_canary"))
    for option, (low, high) in LIMITS.items():
        if option in values:
            checked[option] = errors.check(inp.count, values[option], name(option), low=low, high=high)
    if "timeout" in values:
        checked["timeout"] = _seconds(values.get("timeout"), name("timeout"), errors)
    if "skip_ports" in values:
        ports = values.get("skip_ports") or []
        if not isinstance(ports, (list, tuple)):
            errors.add(name("skip_ports"), "must be a list of port numbers", "e.g. [22, 2222]")
            ports = []
        checked["skip_ports"] = [errors.check(inp.port, port, name("skip_ports")) for port in ports]
    if "expect" in values:
        checked["expect"] = check_expect(values.get("expect") or {}, name("expect"), errors)
    return checked, errors


def _seconds(value: t.Any, variable: str, errors: Errors) -> float | None:
    low, high = TIMEOUT_LIMITS
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.add(variable, f"{inp.shown(value)} is not a number of seconds", f"give {low:g}-{high:g}")
        return None
    if isinstance(value, bool) or not low <= number <= high:
        errors.add(variable, f"{inp.shown(value)} is out of range", f"give a number of seconds {low:g}-{high:g}")
        return None
    return number


def check_expect(expect: t.Any, variable: str, errors: Errors) -> dict[str, t.Any]:
    """The expectations: every key of :data:`EXPECT_KEYS`, None where not given."""
    if not isinstance(expect, t.Mapping):
        errors.add(variable, "must be a dict of expected values", "e.g. {tls_enable: true, pasv_min_port: 30000}")
        return dict.fromkeys(EXPECT_KEYS)
    unknown = sorted(set(expect) - set(EXPECT_KEYS))
    if unknown:
        errors.add(variable, f"has unknown keys {', '.join(map(str, unknown))}", f"use only {', '.join(EXPECT_KEYS)}")
    checked: dict[str, t.Any] = dict.fromkeys(EXPECT_KEYS)
    for key in EXPECT_KEYS:
        value = expect.get(key)
        if value is None:
            continue
        where = f"{variable}.{key}"
        if key in ("daemon", "banner"):
            checked[key] = errors.check(inp.text, value, where, max_length=512)
        elif key == "anon_upload_dir":
            checked[key] = errors.check(inp.relative_path, value, where) if value else ""
        elif key == "pasv_address":
            checked[key] = errors.check(inp.host_name, value, where) if value else ""
        elif key in ("pasv_min_port", "pasv_max_port"):
            checked[key] = errors.check(inp.port, value, where, low=1024)
        else:
            checked[key] = errors.check(inp.flag, value, where)
    low, high = checked["pasv_min_port"], checked["pasv_max_port"]
    if (low is None) != (high is None):
        errors.add(f"{variable}.pasv_min_port", "and pasv_max_port must both be given, or neither", "give the range")
    elif low is not None and high is not None and low > high:
        errors.add(f"{variable}.pasv_min_port", f"{low} is above pasv_max_port {high}", "give the range low-high")
    return checked
