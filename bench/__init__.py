"""Benchmarks: PhanAnh against plain baselines, measured side by side on loopback (`make bench`)."""
