"""Benchmarks a person runs (never part of the test suite): `python -m bench all`."""
