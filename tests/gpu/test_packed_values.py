"""Packed values read from Prometheus's answer and written into a GPU's steps."""

from __future__ import annotations

from reports.gpu.sources.prometheus import _buckets
from reports.gpu.states import BASE, write_packed


def test_buckets_reads_whole_numbers_and_falls_back_for_a_float_or_an_exponent() -> None:
    assert _buckets([[3600, "14"], [7200.0, "0"]]) == {3600: 14, 7200: 0}
    assert _buckets([[3600, "14"], [7200, "1e+06"], [10800, "5.0"]]) == {3600: 14, 7200: 1_000_000, 10800: 5}


def test_write_packed_leaves_buckets_without_a_point_as_no_data() -> None:
    busy_hour = sum(4 * BASE**d for d in range(12))  # every step of the hour busy
    steps = bytearray(b"0" * 36)
    write_packed(steps, {3600: busy_hour, 10800: busy_hour}, 0, 300, 3600)
    assert steps.decode() == "3" * 12 + "0" * 12 + "3" * 12
    whole = bytearray(b"0" * 36)
    write_packed(whole, {3600: busy_hour, 7200: 2 * sum(BASE**d for d in range(12)), 10800: busy_hour}, 0, 300, 3600)
    assert whole.decode() == "3" * 12 + "1" * 12 + "3" * 12
