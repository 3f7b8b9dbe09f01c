# SPDX-License-Identifier: GPL-3.0-or-later
"""Run hardened.ftp as users install it, on every ansible-core version the collection claims.

For each version (``meta/runtime.yml`` ``requires_ansible``; by default 2.16, 2.17, 2.18 and 2.19,
the newest patch of each that pip offers):

  * a venv ``.tmp/controllers/<ver>/venv`` with ansible-core alone (cached);
  * a collections directory holding only the collections ``galaxy.yml`` declares, plus the
    test-only ones of ``tests/requirements.yml`` the harness itself needs (containers.podman, for
    the podman connection), copied out of the ``ansible`` community package built for that core
    (ansible 9 for 2.16 ... ansible 12 for 2.19), downloaded once into ``.tmp/controllers/cache``;
  * a fresh bare container (``testbed/build-image.sh``), provisioned by ``hardened.ftp.site`` with
    the demo's inventory (``testbed/demo-inventory.sh``), with ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    and nothing else on ANSIBLE_COLLECTIONS_PATH;
  * first a ``--check`` run on the bare host, which must succeed; then the converge, a second run as
    users make it (fast path on) and a third with ``hardened_ftp_fast_path=false``, both changed=0;
  * a real anonymous FTP download (``testbed/ftp-smoke.py``);
  * the same four runs and the download once more under Mitogen (``--mitogen``, on by default): the
    newest claimed core plus the ``mitogen`` that ``requirements-dev.txt`` pins, its ``mitogen_linear``
    strategy, and the podman connection by its short name, which Mitogen replaces by its own
    ``mitogen_podman`` (a connection Mitogen does not know would silently run without it).

One line per version, the first failure of each, the logs under ``.tmp/controllers/<ver>/``.
Exit status 1 when any version fails.

usage: python3 tests/controllers/run.py [--versions 2.16,2.19] [--keep] [--refresh] [--daemon pureftpd]
       [--preinstall PKG,...] [--no-mitogen]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".tmp" / "controllers"
CACHE = WORK / "cache"
TESTBED = ROOT / "testbed"
COLLECTION_LINK_DIR = ROOT / ".tmp" / "collections"
# The community package built for each ansible-core (its "ansible-core ~= X.Y" requirement).
COMMUNITY_MAJOR = {"2.16": 9, "2.17": 10, "2.18": 11, "2.19": 12}
# A new ansible-core minor is tested once it is added here, with its community package's major.
RESOLVE_MAX_AGE = 24 * 3600
PLAYBOOK_TIMEOUT = 1800
# The runs, in order, on one fresh container: check mode on the bare host (must succeed and change
# nothing), the converge, a second run as users make it (the fast path) and a full one: both changed=0.
RUNS = [
    ("check", ["--check"]),
    ("converge", []),
    ("second", []),
    ("full-second", ["-e", "hardened_ftp_fast_path=false"]),
]
# Mitogen is tested on the newest claimed core: the label of that run, and where its pin lives.
MITOGEN_SUFFIX = "+mitogen"
MITOGEN_PIN_FILE = ROOT / "requirements-dev.txt"
SUITE = os.environ.get("CONTROLLERS_SUITE", "bookworm")
IMAGE = f"{os.environ.get('TESTBED_IMAGE_REPO', 'localhost/hardened-ftp-testbed')}:{SUITE}"


def say(text: str) -> None:
    print(f"[controllers] {text}", flush=True)


class HarnessError(Exception):
    """The harness could not set a version up (not a failure of the collection)."""


@dataclass
class Result:
    minor: str
    core: str = "?"
    community: str = "?"
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# --- What the collection claims and declares ----------------------------------------------------


def claimed_minors(root: Path = ROOT) -> list[str]:
    """ansible-core minors ``requires_ansible`` admits, from 2.16 up to the newest released."""
    spec = SpecifierSet(yaml.safe_load((root / "meta" / "runtime.yml").read_text())["requires_ansible"])
    return [m for m in COMMUNITY_MAJOR if spec.contains(f"{m}.0") or spec.contains(f"{m}.999")]


def declared_collections(root: Path = ROOT) -> dict[str, str]:
    """name -> version range of every collection galaxy.yml declares."""
    return {
        str(k): str(v) for k, v in (yaml.safe_load((root / "galaxy.yml").read_text()).get("dependencies") or {}).items()
    }


def harness_collections(root: Path = ROOT) -> dict[str, str]:
    """The test-only collections the harness needs besides the declared ones (the podman connection)."""
    data = yaml.safe_load((root / "tests" / "requirements.yml").read_text()) or {}
    wanted = {"containers.podman"}
    return {c["name"]: str(c.get("version", "*")) for c in data.get("collections", []) if c["name"] in wanted}


# --- Downloads, venvs and collection trees (cached) --------------------------------------------


def run(argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kw)


def pip() -> list[str]:
    return [sys.executable, "-m", "pip"]


def newest(package: str, spec: str) -> str:
    """The newest version of ``package`` within ``spec`` that pip offers."""
    done = run([*pip(), "index", "versions", package, "--disable-pip-version-check"])
    if done.returncode != 0:
        raise HarnessError(f"pip index versions {package} failed: {done.stderr.strip()[-300:]}")
    match = re.search(r"Available versions: (.*)", done.stdout)
    if not match:
        raise HarnessError(f"pip index versions {package} printed no versions: {done.stdout[-300:]}")
    allowed = SpecifierSet(spec)
    versions = sorted((Version(v.strip()) for v in match.group(1).split(",")), reverse=True)
    for version in versions:
        if version in allowed and not version.is_prerelease:
            return str(version)
    raise HarnessError(f"pip offers no {package} {spec}")


def resolve(minor: str, refresh: bool) -> tuple[str, str]:
    """(ansible-core version, ansible version) for ``minor``, looked up at most once a day."""
    record = WORK / minor / "resolved.json"
    if record.is_file() and not refresh:
        data = json.loads(record.read_text())
        if time.time() - data["at"] < RESOLVE_MAX_AGE:
            return data["core"], data["community"]
    major = COMMUNITY_MAJOR[minor]
    core = newest("ansible-core", f"~={minor}.0")
    community = newest("ansible", f">={major},<{major + 1}")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"core": core, "community": community, "at": time.time()}))
    return core, community


def community_wheel(version: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    wheel = CACHE / f"ansible-{version}-py3-none-any.whl"
    if not wheel.is_file():
        say(f"  downloading ansible {version} (the community package, once)")
        done = run(
            [*pip(), "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(CACHE), f"ansible=={version}"]
        )
        if done.returncode != 0 or not wheel.is_file():
            raise HarnessError(f"pip download ansible=={version} failed: {done.stderr.strip()[-500:]}")
    return wheel


def wheel_core_requirement(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        for line in archive.read(meta).decode().splitlines():
            if line.startswith("Requires-Dist: ansible-core"):
                return line.split(":", 1)[1].strip()
    raise HarnessError(f"{wheel.name} names no ansible-core requirement")


def collection_version(tree: Path) -> str:
    manifest = tree / "MANIFEST.json"
    if manifest.is_file():
        return json.loads(manifest.read_text())["collection_info"]["version"]
    galaxy = tree / "galaxy.yml"
    return str(yaml.safe_load(galaxy.read_text()).get("version", "?")) if galaxy.is_file() else "?"


def check_range(version: str, wanted: str) -> bool:
    if wanted in ("*", ""):
        return True
    return Version(version) in SpecifierSet(",".join(part.strip() for part in wanted.split(",")))


def unpack_collections(wheel: Path, names: dict[str, str], dest: Path) -> dict[str, str]:
    """Copy ``ansible_collections/<ns>/<name>/`` of each name out of the wheel; name -> version."""
    stamp = dest / ".unpacked.json"
    wanted = {"wheel": wheel.name, "names": sorted(names)}
    if stamp.is_file() and json.loads(stamp.read_text()).get("key") == wanted:
        return json.loads(stamp.read_text())["versions"]
    if dest.exists():
        shutil.rmtree(dest)
    versions = {}
    with zipfile.ZipFile(wheel) as archive:
        members = archive.namelist()
        for name in names:
            namespace, short = name.split(".", 1)
            prefix = f"ansible_collections/{namespace}/{short}/"
            mine = [m for m in members if m.startswith(prefix)]
            if not mine:
                raise HarnessError(f"{wheel.name} has no collection {name}: it cannot be used with this ansible-core")
            for member in mine:
                archive.extract(member, dest)
            versions[name] = collection_version(dest / "ansible_collections" / namespace / short)
    stamp.write_text(json.dumps({"key": wanted, "versions": versions}))
    return versions


def mitogen_requirement(path: Path = MITOGEN_PIN_FILE) -> str:
    """The ``mitogen==X`` line of requirements-dev.txt: one pin for the bench and this harness."""
    for raw in path.read_text().splitlines():
        text = raw.split("#", 1)[0].strip()
        if text and Requirement(text).name == "mitogen":
            return text
    raise HarnessError(f"{path.name} pins no mitogen; add mitogen==VERSION there, or run with --no-mitogen")


def mitogen_plugins(home: Path) -> Path:
    """The strategy plugins directory of the mitogen installed in the venv at ``home``."""
    found = sorted(home.glob("lib/python3*/site-packages/ansible_mitogen/plugins/strategy"))
    if not found:
        raise HarnessError(f"no ansible_mitogen/plugins/strategy in {home.relative_to(ROOT)}")
    return found[0]


def venv(label: str, core: str, extra: tuple[str, ...] = ()) -> Path:
    home = WORK / label / "venv"
    stamp = home / ".hardened-ftp-core"
    wanted = " ".join((core, *extra))
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        return home
    alone = "alone" if not extra else f"and {', '.join(extra)}"
    say(f"  creating {home.relative_to(ROOT)} with ansible-core=={core} {alone}")
    if home.exists():
        shutil.rmtree(home)
    done = run([sys.executable, "-m", "venv", str(home)])
    if done.returncode != 0:
        raise HarnessError(f"python3 -m venv failed: {done.stderr.strip()[-300:]}")
    done = run(
        [
            str(home / "bin" / "pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"ansible-core=={core}",
            *extra,
        ]
    )
    if done.returncode != 0:
        raise HarnessError(f"pip install ansible-core=={core} {' '.join(extra)} failed: {done.stderr.strip()[-500:]}")
    stamp.write_text(wanted)
    return home


# --- The container and the runs ----------------------------------------------------------------


def podman(*argv: str, check: bool = True) -> str:
    done = run(["podman", *argv])
    if check and done.returncode != 0:
        raise HarnessError(f"podman {' '.join(argv)} failed: {done.stderr.strip()[-300:]}")
    return done.stdout.strip()


def start_container(name: str) -> str:
    podman("rm", "-f", name, check=False)
    podman("run", "-d", "--name", name, "--hostname", name, "--systemd=always", "--cap-add", "NET_ADMIN", IMAGE)
    state = ""
    for _attempt in range(60):
        state = run(["podman", "exec", name, "systemctl", "is-system-running"]).stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(1)
    else:
        raise HarnessError(f"{name} did not finish booting (systemd: {state or 'no answer'})")
    return podman("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name)


_RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.M,
)


def first_failure(output: str) -> str:
    """The first failed task and its message, in one line."""
    task = ""
    for line in output.splitlines():
        if line.startswith("TASK [") or line.startswith("PLAY ["):
            task = line.split("[", 1)[1].rsplit("]", 1)[0]
        if re.match(r"^(fatal|failed): \[", line) or line.startswith("ERROR!") or line.startswith("[ERROR]"):
            text = line
            match = re.search(r"=> (\{.*\})\s*$", line)
            if match:
                try:
                    data = json.loads(match.group(1))
                    text = str(data.get("msg") or data.get("stderr") or data.get("module_stderr") or data)
                except ValueError:
                    pass
            return f"{task}: {text}".strip()[:600] if task else text[:600]
    errors = [line for line in output.splitlines() if "ERROR" in line or "Error" in line]
    return (errors[0] if errors else output.strip().splitlines()[-1] if output.strip() else "no output")[:600]


def playbook(home: Path, label: str, inventory: Path, log: Path, extra: list[str]) -> dict[str, Any]:
    minor = label.removesuffix(MITOGEN_SUFFIX)
    env = {
        "PATH": f"{home / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "CONTAINERS_CONF": str(TESTBED / "containers.conf"),
        "ANSIBLE_HOME": str(WORK / label / "ansible-home"),
        "ANSIBLE_COLLECTIONS_PATH": f"{WORK / minor / 'collections'}:{COLLECTION_LINK_DIR}",
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_FORCE_COLOR": "false",
    }
    if label.endswith(MITOGEN_SUFFIX):
        env["ANSIBLE_STRATEGY_PLUGINS"] = str(mitogen_plugins(home))
        env["ANSIBLE_STRATEGY"] = "mitogen_linear"
    start = time.monotonic()
    try:
        done = subprocess.run(
            [str(home / "bin" / "ansible-playbook"), "-i", str(inventory), "hardened.ftp.site", *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=PLAYBOOK_TIMEOUT,
            check=False,
            cwd=str(WORK / label),
        )
        rc, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, output = 124, f"{exc.stdout or ''}{exc.stderr or ''}\nERROR! timed out after {PLAYBOOK_TIMEOUT} s"
    seconds = round(time.monotonic() - start, 1)
    log.write_text(output)
    recap = {
        m["host"]: {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")} for m in _RECAP.finditer(output)
    }
    host = next(iter(recap.values()), {})
    return {
        "rc": rc,
        "seconds": seconds,
        "changed": host.get("changed"),
        "failed": host.get("failed"),
        "log": str(log.relative_to(ROOT)),
        "failure": "" if rc == 0 else first_failure(output),
    }


def ftp_download(name: str, address: str) -> dict[str, Any]:
    start = time.monotonic()
    setup = run(
        [
            "podman",
            "exec",
            name,
            "sh",
            "-c",
            "echo 'Hello from hardened.ftp' > /srv/ftp/welcome.txt && chmod 0644 /srv/ftp/welcome.txt",
        ]
    )
    if setup.returncode != 0:
        return {
            "rc": setup.returncode,
            "seconds": 0.0,
            "failure": f"could not publish the test file: {setup.stderr.strip()}",
        }
    # The demo inventory turns the drop-box on: an anonymous upload into incoming/ must work too.
    done = run([sys.executable, str(TESTBED / "ftp-smoke.py"), address, "welcome.txt", "incoming"], timeout=120)
    return {
        "rc": done.returncode,
        "seconds": round(time.monotonic() - start, 1),
        "failure": "" if done.returncode == 0 else (done.stderr.strip() or done.stdout.strip())[-400:],
    }


def preinstall(name: str, packages: list[str]) -> None:
    """Install packages a fix would bring, then empty the apt lists again (the host stays bare otherwise)."""
    script = (
        "export DEBIAN_FRONTEND=noninteractive; apt-get -qq update && apt-get -qq install -y --no-install-recommends "
        + " ".join(packages)
        + " >/dev/null && rm -rf /var/lib/apt/lists/*"
    )
    done = run(["podman", "exec", name, "sh", "-c", script])
    if done.returncode != 0:
        raise HarnessError(f"--preinstall {' '.join(packages)} failed: {done.stderr.strip()[-300:]}")


def one_version(
    minor: str, refresh: bool, keep: bool, packages: list[str], daemon: str, mitogen: bool = False
) -> Result:
    label = minor + (MITOGEN_SUFFIX if mitogen else "")
    result = Result(label)
    start = time.monotonic()
    result.core, result.community = resolve(minor, refresh)
    say(f"{minor}: ansible-core {result.core}, collections from ansible {result.community}")
    wheel = community_wheel(result.community)
    requirement = wheel_core_requirement(wheel)
    if Version(result.core) not in Requirement(requirement).specifier:
        raise HarnessError(f"ansible {result.community} requires {requirement}, not ansible-core {result.core}")
    declared = declared_collections()
    wanted = {**declared, **harness_collections()}
    versions = unpack_collections(wheel, wanted, WORK / minor / "collections")
    wrong = [
        f"{n} {versions[n]} (galaxy.yml wants {declared[n]})"
        for n in declared
        if not check_range(versions[n], declared[n])
    ]
    result.steps["setup"] = {"seconds": round(time.monotonic() - start, 1), "collections": versions}
    if wrong:
        fix = "widen the range in galaxy.yml or raise requires_ansible"
        result.failures.append(f"ansible {result.community} ships {', '.join(wrong)}: {fix}")
        return result
    home = venv(label, result.core, (mitogen_requirement(),) if mitogen else ())
    result.steps["setup"]["seconds"] = round(time.monotonic() - start, 1)

    name = f"tb-ctl-{minor.replace('.', '')}{'m' if mitogen else ''}"
    try:
        address = start_container(name)
        if packages:
            say(f"{label}: preinstalling {' '.join(packages)} (an experiment: what fails once they are there)")
            preinstall(name, packages)
        inventory = WORK / label / "inventory.yml"
        inventory.write_text(_inventory(name, address, daemon, mitogen))
        for step, extra in RUNS:
            say(f"{label}: {step} run")
            outcome = playbook(home, label, inventory, WORK / label / f"{step}.log", extra)
            result.steps[step] = outcome
            failed = ""
            if outcome["rc"] != 0:
                failed = f"{step}: rc {outcome['rc']}: {outcome['failure']}"
            elif step in ("second", "full-second") and outcome["changed"] != 0:
                failed = f"{step}: changed={outcome['changed']}, expected 0 (see {outcome['log']})"
            if failed:
                result.failures.append(failed)
                # A failed check run changed nothing, so the converge still tells something; later runs do not.
                if step != "check":
                    return result
        say(f"{label}: FTP download")
        result.steps["ftp"] = ftp_download(name, address)
        if result.steps["ftp"]["rc"] != 0:
            result.failures.append(f"ftp: {result.steps['ftp']['failure']}")
        return result
    finally:
        if not keep:
            podman("rm", "-f", name, check=False)


def _inventory(name: str, address: str, daemon: str, mitogen: bool = False) -> str:
    done = run(["bash", str(TESTBED / "demo-inventory.sh"), name, address, daemon])
    if done.returncode != 0:
        raise HarnessError(f"testbed/demo-inventory.sh failed: {done.stderr.strip()}")
    if not mitogen:
        return done.stdout
    # Mitogen replaces the connections it knows by their short names only (podman -> mitogen_podman).
    fqcn = "ansible_connection: containers.podman.podman"
    if fqcn not in done.stdout:
        raise HarnessError(f"testbed/demo-inventory.sh no longer writes {fqcn!r}; update the Mitogen run")
    return done.stdout.replace(fqcn, "ansible_connection: podman")


def line(result: Result) -> str:
    parts = [f"{result.minor}: ansible-core {result.core:<8} ansible {result.community:<7}"]
    for step, _extra in RUNS:
        s = result.steps.get(step)
        parts.append(f"{step} " + (f"rc={s['rc']} {s['seconds']}s changed={s['changed']}" if s else "-"))
    ftp = result.steps.get("ftp")
    parts.append("ftp " + (f"rc={ftp['rc']}" if ftp else "-"))
    parts.append("OK" if result.ok else "FAIL")
    return " | ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument(
        "--versions", help="comma-separated ansible-core minors (default: every one requires_ansible claims)"
    )
    parser.add_argument("--keep", action="store_true", help="keep each version's container for a look (tb-ctl-<ver>)")
    parser.add_argument(
        "--daemon", choices=["vsftpd", "pureftpd"], default="vsftpd", help="the demo's daemon (default vsftpd)"
    )
    parser.add_argument("--refresh", action="store_true", help="look up the newest patch releases again now")
    parser.add_argument(
        "--preinstall",
        default="",
        help="comma-separated Debian packages to install before the converge (then the lists are emptied): "
        "shows what fails next once a known finding is fixed; such a run is not a pass of the bare host",
    )
    parser.add_argument(
        "--no-mitogen",
        dest="mitogen",
        action="store_false",
        help="skip the run under Mitogen's mitogen_linear strategy on the newest version",
    )
    args = parser.parse_args(argv)
    # Podman reads the test bed's settings (runc, rlimits under the host's limits), as testbed/lib.sh sets them.
    os.environ["CONTAINERS_CONF"] = str(TESTBED / "containers.conf")
    minors = args.versions.split(",") if args.versions else claimed_minors()
    unknown = [m for m in minors if m not in COMMUNITY_MAJOR]
    if unknown:
        print(
            f"[controllers] ERROR: no community package known for ansible-core {', '.join(unknown)}; "
            f"add it to COMMUNITY_MAJOR in {Path(__file__).relative_to(ROOT)}",
            file=sys.stderr,
        )
        return 2
    if not (COLLECTION_LINK_DIR / "ansible_collections" / "hardened" / "ftp").exists():
        print(
            "[controllers] ERROR: .tmp/collections/ansible_collections/hardened/ftp is missing; run `make link`",
            file=sys.stderr,
        )
        return 2
    if run(["podman", "image", "exists", IMAGE]).returncode != 0:
        print(
            f"[controllers] ERROR: image {IMAGE} is missing; run `bash testbed/build-image.sh {SUITE}`", file=sys.stderr
        )
        return 2
    total = time.monotonic()
    results = []
    for minor in minors:
        try:
            packages = [p for p in args.preinstall.split(",") if p]
            results.append(one_version(minor, args.refresh, args.keep, packages, args.daemon))
        except HarnessError as exc:
            results.append(Result(minor, failures=[f"harness: {exc}"]))
    if args.mitogen:
        newest_minor = max(minors, key=Version)
        try:
            packages = [p for p in args.preinstall.split(",") if p]
            results.append(one_version(newest_minor, args.refresh, args.keep, packages, args.daemon, mitogen=True))
        except HarnessError as exc:
            results.append(Result(newest_minor + MITOGEN_SUFFIX, failures=[f"harness: {exc}"]))
    elapsed = round(time.monotonic() - total, 1)
    (WORK / "results.json").write_text(json.dumps([r.__dict__ for r in results], indent=2))
    print()
    for result in results:
        say(line(result))
    for result in results:
        for failure in result.failures:
            say(f"{result.minor}: {failure}")
    extra = f", {args.daemon}" + (f", preinstalled {args.preinstall}: NOT a bare host" if args.preinstall else "")
    passed, failed = sum(r.ok for r in results), sum(not r.ok for r in results)
    say(f"{passed} passed, {failed} failed in {elapsed} s (image {IMAGE}{extra})")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
