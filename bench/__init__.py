"""The benchmark suite behind ``scripts/bench``: builds its own data, measures, prints targets and baselines."""
