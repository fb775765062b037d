"""Benchmarks: separate programs run against their own database (`make bench`), never
timed tests in the test suite. See docs/performance.md."""
