"""Benchmark harness of graph-service (`make bench`): synthetic data, load client, report."""
