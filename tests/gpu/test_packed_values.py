"""Packed values read from Prometheus's answer and written into a GPU's steps."""

from __future__ import annotations

from reports.gpu.states import BASE, unpack, write_points

BUSY_HOUR = sum(4 * BASE**d for d in range(12))  # every step of the hour busy
IDLE_HOUR = 2 * sum(BASE**d for d in range(12))


def test_points_are_read_as_whole_numbers_and_with_a_float_or_an_exponent() -> None:
    steps = bytearray(b"0" * 36)
    write_points(steps, [[3600, str(IDLE_HOUR)], [7200.0, "1e+06"], [10800, f"{IDLE_HOUR}.0"]], 0, 300, 3600)
    assert steps.decode() == "1" * 12 + unpack(1_000_000, 12) + "1" * 12
    held = bytearray(b"0" * 12)
    write_points(held, [[3600, str(IDLE_HOUR + sum(BASE**d for d in range(12)))]], 0, 300, 3600)
    assert held.decode() == "2" * 12  # utilisation low plus memory in use: held


def test_buckets_without_a_point_are_no_data() -> None:
    steps = bytearray(b"0" * 36)
    write_points(steps, [[3600, str(BUSY_HOUR)], [10800, str(BUSY_HOUR)]], 0, 300, 3600)
    assert steps.decode() == "3" * 12 + "0" * 12 + "3" * 12
    whole = bytearray(b"0" * 36)
    write_points(whole, [[3600, str(BUSY_HOUR)], [7200, str(IDLE_HOUR)], [10800, str(BUSY_HOUR)]], 0, 300, 3600)
    assert whole.decode() == "3" * 12 + "1" * 12 + "3" * 12


def test_steps_already_read_keep_the_busier_state() -> None:
    steps = bytearray(b"3" * 12 + b"0" * 12)
    write_points(steps, [[3600, str(IDLE_HOUR)], [7200, str(IDLE_HOUR)]], 0, 300, 3600)
    assert steps.decode() == "3" * 12 + "1" * 12
