# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Port interval sets: the algebra the rule walk computes with (private module).

A set of TCP/UDP ports is a sorted tuple of disjoint, non-adjacent ``(low, high)`` ranges,
so one walk of the chains answers for all 65536 ports at once.
"""

from __future__ import annotations

import typing as t

Interval = t.Tuple[int, int]
IntervalSet = t.Tuple[Interval, ...]

PORT_SPACE = ((0, 65535),)  # type: IntervalSet
EMPTY = ()  # type: IntervalSet


def iv_normalize(ranges: t.Iterable[Interval]) -> IntervalSet:
    """Sort and merge overlapping or adjacent ``(low, high)`` ranges."""
    merged = []  # type: t.List[t.List[int]]
    for low, high in sorted(ranges):
        if low > high:
            continue
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def iv_union(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    if not left:
        return right
    if not right:
        return left
    return iv_normalize(left + right)


def iv_intersect(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    if not left or not right:
        return EMPTY
    if right is PORT_SPACE:
        return left
    if left is PORT_SPACE:
        return right
    out = []  # type: t.List[Interval]
    i = j = 0
    while i < len(left) and j < len(right):
        low = max(left[i][0], right[j][0])
        high = min(left[i][1], right[j][1])
        if low <= high:
            out.append((low, high))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def iv_subtract(left: IntervalSet, right: IntervalSet) -> IntervalSet:
    """Ports of ``left`` not in ``right``, in one linear merge."""
    if not left or not right:
        return left
    out = []  # type: t.List[Interval]
    j = 0
    count = len(right)
    for low, high in left:
        current = low
        while j < count and right[j][1] < current:
            j += 1
        k = j
        while k < count and right[k][0] <= high:
            r_low, r_high = right[k]
            if r_low > current:
                out.append((current, r_low - 1))
            current = max(current, r_high + 1)
            if current > high:
                break
            k += 1
        if current <= high:
            out.append((current, high))
    return tuple(out)


def _first_reaching(ranges: IntervalSet, low: int) -> int:
    """Index of the first interval whose end is >= ``low`` (binary search)."""
    first, last = 0, len(ranges)
    while first < last:
        middle = (first + last) // 2
        if ranges[middle][1] < low:
            first = middle + 1
        else:
            last = middle
    return first


def iv_intersect_one(ranges: IntervalSet, low: int, high: int) -> IntervalSet:
    """``ranges`` intersected with ``low..high`` in O(log n + k)."""
    out = []
    index = _first_reaching(ranges, low)
    while index < len(ranges) and ranges[index][0] <= high:
        r_low, r_high = ranges[index]
        out.append((max(r_low, low), min(r_high, high)))
        index += 1
    return tuple(out)


def iv_carve_one(ranges: list[Interval], low: int, high: int) -> None:
    """Remove ``low..high`` from the sorted, merged list ``ranges`` in place (one slice
    assignment instead of copying the whole set)."""
    start = _first_reaching(ranges, low)
    end = start
    middle = []
    while end < len(ranges) and ranges[end][0] <= high:
        r_low, r_high = ranges[end]
        if r_low < low:
            middle.append((r_low, low - 1))
        if r_high > high:
            middle.append((high + 1, r_high))
        end += 1
    if start != end:
        ranges[start:end] = middle


def iv_complement(ranges: IntervalSet) -> IntervalSet:
    return iv_subtract(PORT_SPACE, ranges)


def iv_size(ranges: IntervalSet) -> int:
    return sum(high - low + 1 for low, high in ranges)


def iv_contains(ranges: IntervalSet, low: int, high: int) -> bool:
    """True when every port of ``low..high`` is in ``ranges``."""
    return iv_size(iv_intersect(ranges, ((low, high),))) == high - low + 1
