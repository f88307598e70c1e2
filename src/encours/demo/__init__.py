"""A realistic demo company, reproducible by seed: the data generator for demos, tests and benchmarks."""
