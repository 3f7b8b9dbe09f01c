# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the build context's definition for an execution environment built without a Galaxy server.

execution-environment.yml names the collection's dependencies as Galaxy would serve them
(``community.general >=8.0.0``...). Where no Galaxy server is reachable (this repository's CI), each
one is taken from the ``ansible`` community package pinned in tests/ecosystem/requirements.txt,
packed as a collection tarball (its FILES.json rewritten to the files that package ships: it leaves
out some development files the original artifact lists), and checked against galaxy.yml's range.
The Python packages the build installs (ansible-builder's own, and what the collections ask for)
are fetched beforehand by the host's pip into a wheelhouse in the build context, which the build's
pip reads instead of an index (/etc/pip.conf for the build only; removed from the image at the end).
The definition written is execution-environment.yml with each name entry replaced by its tarball,
``ansible-galaxy --offline``, the wheelhouse, and the base image given; everything else is the same.

The image is labelled with the build context's digest (``context_digest``): the collection's
MANIFEST.json (which holds the checksum of every file in it), the definition, the EE's build scripts
and pins, and the base image's id. ``--digest`` prints it alone, so `make ee` skips a build whose
image already carries it; any change to what goes into the image changes it.

usage: tests/ee/offline_definition.py --out DIR --tarball TARBALL --base-image IMAGE
       tests/ee/offline_definition.py --digest --tarball TARBALL --base-image IMAGE
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def _site_collections() -> Path:
    """ansible_collections of the tools venv's `ansible` package (this Python's)."""
    import ansible_collections  # the `ansible` package installs this namespace

    for entry in ansible_collections.__path__:
        if (Path(entry) / "community").is_dir():
            return Path(entry)
    raise SystemExit(
        "offline_definition: the `ansible` package is not installed in this Python; run it with "
        ".tmp/eco-venv/bin/python (make ee installs tests/ecosystem/requirements.txt)"
    )


def _meets(version: str, wanted: str) -> bool:
    from ansible.galaxy.dependency_resolution.versioning import meets_requirements

    return bool(meets_requirements(version, wanted))


def pack(source: Path, out_dir: Path) -> tuple[str, str, Path]:
    """A collection tarball of an installed collection; FILES.json lists exactly what is there."""
    manifest = json.loads((source / "MANIFEST.json").read_text())
    info = manifest["collection_info"]
    files: list[dict[str, Any]] = [
        {"name": ".", "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1}
    ]
    members = sorted(
        p for p in source.rglob("*") if "__pycache__" not in p.parts and p.name not in ("MANIFEST.json", "FILES.json")
    )
    for path in members:
        rel = path.relative_to(source).as_posix()
        if path.is_dir():
            files.append({"name": rel, "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1})
        elif path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files.append({"name": rel, "ftype": "file", "chksum_type": "sha256", "chksum_sha256": digest, "format": 1})
    files_json = json.dumps({"files": files, "format": 1}, indent=4).encode()
    manifest["file_manifest_file"] = {
        "name": "FILES.json",
        "ftype": "file",
        "chksum_type": "sha256",
        "chksum_sha256": hashlib.sha256(files_json).hexdigest(),
        "format": 1,
    }
    fqcn = f"{info['namespace']}.{info['name']}"
    target = out_dir / f"{info['namespace']}-{info['name']}-{info['version']}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for name, data in (("MANIFEST.json", json.dumps(manifest, indent=4).encode()), ("FILES.json", files_json)):
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            tar.addfile(entry, io.BytesIO(data))
        for item in files[1:]:
            tar.add(source / item["name"], arcname=item["name"], recursive=False)
    return fqcn, str(info["version"]), target


# What ansible-builder itself pip-installs during a build (its Containerfile: builder and final stages).
BUILDER_PACKAGES = ["bindep", "pyyaml", "packaging", "dumb-init==1.2.5"]


def wheelhouse(tarballs: list[Path], target: Path) -> int:
    """Wheels for everything pip installs during the build, fetched by the host's pip."""
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(bindir / "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", tmp]
            + [str(t) for t in tarballs],
            check=True,
            capture_output=True,
        )
        wanted = Path(tmp) / "requirements.txt"
        subprocess.run(
            [str(bindir / "ansible-builder"), "introspect", "--sanitize", "--write-pip", str(wanted), tmp],
            check=True,
            capture_output=True,
        )
        # introspect writes no file when no collection asks for a Python package.
        text = wanted.read_text() if wanted.is_file() else ""
        requirements = [line for line in text.splitlines() if line and not line.startswith("#")]
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "-w", str(target), *BUILDER_PACKAGES]
            + (["-r", str(wanted)] if requirements else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if fetched.returncode:
            raise SystemExit(f"offline_definition: pip wheel failed:\n{fetched.stdout}{fetched.stderr}")
    return len(list(target.glob("*.whl")))


DIGEST_LABEL = "org.hardened-ftp.ee.context"
# What shapes the image besides the collection and the base image.
DIGEST_SOURCES = [
    "execution-environment.yml",
    "galaxy.yml",
    "tests/ecosystem/requirements.txt",
    "tests/ee/offline_definition.py",
    "tests/ee/build-base.sh",
]


def context_digest(tarball: Path, base_image: str) -> str:
    """sha256 of everything the image is built from (the wheels' versions follow the pins)."""
    digest = hashlib.sha256()
    with tarfile.open(tarball) as tar:
        member = tar.extractfile("MANIFEST.json")
        if member is None:
            raise SystemExit(f"offline_definition: {tarball} has no MANIFEST.json")
        digest.update(member.read())
    for name in DIGEST_SOURCES:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    image_id = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Id}}", base_image], capture_output=True, text=True, check=True
    ).stdout.strip()
    digest.update(image_id.encode())
    return digest.hexdigest()


def write(out: Path, tarball: Path, base_image: str) -> list[str]:
    definition = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    ranges = {str(k): str(v) for k, v in (galaxy.get("dependencies") or {}).items()}
    deps_dir = out / "deps"
    shutil.rmtree(deps_dir, ignore_errors=True)
    deps_dir.mkdir(parents=True)
    site = _site_collections()
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    for item in definition["dependencies"]["galaxy"]["collections"]:
        if item.get("type") == "file":
            entries.append(item)
            continue
        name, wanted = str(item["name"]), str(item.get("version", "*"))
        namespace, collection = name.split(".")
        source = site / namespace / collection
        if not (source / "MANIFEST.json").is_file():
            raise SystemExit(
                f"offline_definition: {name} is not in the `ansible` package at {site}; pin one that has it"
            )
        fqcn, version, packed = pack(source, deps_dir)
        if not _meets(version, wanted) or not _meets(version, ranges.get(name, "*")):
            raise SystemExit(
                f"offline_definition: the `ansible` package has {fqcn} {version}, outside {wanted!r} "
                f"(execution-environment.yml) or {ranges.get(name)!r} (galaxy.yml): pin an `ansible` that fits"
            )
        entries.append({"name": f"/build/deps/{packed.name}", "type": "file"})
        notes.append(f"{fqcn} {version} (wanted {wanted}) from the `ansible` package")
    wheels = wheelhouse([tarball, *sorted(deps_dir.glob("*.tar.gz"))], out / "wheels")
    notes.append(f"{wheels} wheels for the build's pip, fetched by the host's pip")
    definition["dependencies"]["galaxy"]["collections"] = entries
    definition["images"]["base_image"]["name"] = base_image
    build_args = definition.setdefault("build_arg_defaults", {})
    build_args["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] = "--offline"
    files = definition.setdefault("additional_build_files", [])
    for entry in files:
        if str(entry.get("src", "")).endswith(".tar.gz"):
            entry["src"] = str(tarball)
    files.append({"src": str(deps_dir), "dest": "deps"})
    files.append({"src": str(out / "wheels"), "dest": "pip"})
    steps = definition.setdefault("additional_build_steps", {})
    steps.setdefault("prepend_galaxy", []).append("COPY _build/deps/ /build/deps/")
    steps.setdefault("prepend_base", []).extend(
        [
            "COPY _build/pip/ /wheels/",
            "RUN printf '[global]\\nno-index = true\\nfind-links = /wheels\\n' > /etc/pip.conf",
        ]
    )
    # The final stage is still root here; ansible-builder switches to uid 1000 after these steps.
    steps.setdefault("append_final", []).extend(
        ["RUN rm -rf /wheels /etc/pip.conf", f"LABEL {DIGEST_LABEL}={context_digest(tarball, base_image)}"]
    )
    (out / "execution-environment.yml").write_text(yaml.safe_dump(definition, sort_keys=False))
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--digest", action="store_true", help="print the build context's digest, write nothing")
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--base-image", required=True)
    args = parser.parse_args(argv)
    if not args.tarball.is_file():
        print(f"offline_definition: no tarball at {args.tarball}; run make build", file=sys.stderr)
        return 1
    if args.digest:
        print(context_digest(args.tarball, args.base_image))
        return 0
    if args.out is None:
        parser.error("--out is required unless --digest")
    args.out.mkdir(parents=True, exist_ok=True)
    for note in write(args.out, args.tarball.resolve(), args.base_image):
        print(f"[ee] {note}")
    print(
        f"[ee] wrote {args.out / 'execution-environment.yml'} (base image {args.base_image}, ansible-galaxy --offline)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
