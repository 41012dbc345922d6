"""Benchmarks of the core's speed and footprint (issue 7); not run by the test suite."""
