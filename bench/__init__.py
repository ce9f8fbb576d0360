"""Benchmarks of the validated load path: a seeded evidence-graph generator and a load timer."""
