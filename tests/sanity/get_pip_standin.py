# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for ansible-test's pip bootstrap script.

ansible-test bootstraps pip in each sanity virtual environment with a script it downloads from
its own file host, which is not reachable from every machine (ours reach only the package
registries). tests/sanity/run.sh puts this file where ansible-test caches that script. It installs
the pip that ships with CPython (ensurepip), then runs ``pip install`` with the arguments
ansible-test passes (the pinned pip version and friends), which come from the package index.
"""

import ensurepip
import importlib
import os
import sys

ensurepip.bootstrap()
importlib.invalidate_caches()
from pip._internal.cli.main import main  # noqa: E402  (pip exists only after ensurepip)

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
cafile = "/etc/ssl/certs/ca-certificates.crt"
extra = ["--cert", cafile] if os.path.isfile(cafile) else []
sys.exit(main(["install", *extra, *args]))
