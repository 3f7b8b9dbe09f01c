# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ansible_collections.hardened.ftp.plugins.module_utils._intervals import (
    EMPTY,
    PORT_SPACE,
    iv_carve_one,
    iv_complement,
    iv_contains,
    iv_intersect,
    iv_intersect_one,
    iv_normalize,
    iv_size,
    iv_subtract,
    iv_union,
)
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.strategies import port_sets, ports
from hypothesis import given


def test_normalize_sorts_merges_adjacent_and_drops_empty_ranges() -> None:
    assert iv_normalize([(30, 40), (10, 20), (21, 25), (50, 49), (35, 45)]) == ((10, 25), (30, 45))
    assert iv_normalize([]) == EMPTY


def test_union_intersect_subtract() -> None:
    left, right = ((1, 10), (20, 30)), ((5, 25),)
    assert iv_union(left, right) == ((1, 30),)
    assert iv_intersect(left, right) == ((5, 10), (20, 25))
    assert iv_subtract(left, right) == ((1, 4), (26, 30))
    other, rest = ((5, 25),), ((1, 10), (20, 30))
    assert iv_subtract(other, rest) == ((11, 19),)
    assert iv_intersect(left, PORT_SPACE) == left and iv_intersect(EMPTY, left) == EMPTY


def test_single_range_helpers() -> None:
    ranges = ((1, 10), (20, 30), (40, 50))
    assert iv_intersect_one(ranges, 8, 22) == ((8, 10), (20, 22))
    assert iv_intersect_one(ranges, 11, 19) == ()
    carved = list(ranges)
    iv_carve_one(carved, 25, 45)
    assert carved == [(1, 10), (20, 24), (46, 50)]


def test_complement_size_contains() -> None:
    assert iv_complement(((0, 20), (22, 65535))) == ((21, 21),)
    assert iv_complement(EMPTY) == PORT_SPACE
    assert iv_size(((21, 21), (30000, 30999))) == 1001
    assert iv_contains(((1, 100),), 20, 21) and not iv_contains(((1, 20),), 20, 21)


@given(port_sets, port_sets)
def test_interval_algebra(left: tuple, right: tuple) -> None:
    def expand(ranges: tuple) -> set:
        return {port for low, high in ranges for port in range(low, high + 1)}

    assert expand(iv_union(left, right)) == expand(left) | expand(right)
    assert expand(iv_intersect(left, right)) == expand(left) & expand(right)
    assert expand(iv_subtract(left, right)) == expand(left) - expand(right)


@given(port_sets, ports, ports)
def test_carving_in_place_is_subtraction(ranges: tuple, first: int, second: int) -> None:
    low, high = min(first, second), max(first, second)
    carved = list(ranges)
    iv_carve_one(carved, low, high)
    assert tuple(carved) == iv_subtract(ranges, ((low, high),))
    assert iv_intersect_one(ranges, low, high) == iv_intersect(ranges, ((low, high),))
