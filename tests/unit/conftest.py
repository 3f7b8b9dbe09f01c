# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pieces of the unit tests: the fixture files and the hypothesis settings."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
from hypothesis import settings

FIXTURES = Path(__file__).parent / "plugins" / "module_utils" / "fixtures"

# The test machines are shared and often loaded: a slow example is not a failure.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")


@pytest.fixture
def fixture_text() -> t.Callable[[str], str]:
    """Read a file of tests/unit/plugins/module_utils/fixtures by name."""
    return lambda name: (FIXTURES / name).read_text()


@pytest.fixture
def nft_ruleset(fixture_text: t.Callable[[str], str]) -> dict[str, t.Any]:
    """The parsed ``nft -j list ruleset`` fixture (a fresh copy per test)."""
    return json.loads(fixture_text("nft_ruleset.json"))
