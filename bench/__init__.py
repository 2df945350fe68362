"""Benchmarks: each figure is printed as a ratio against a peer or ceiling measured in the same run."""
