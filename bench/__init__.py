"""kopdes benchmarks: figures and ratios, never pass/fail (see bench/README.md)."""
