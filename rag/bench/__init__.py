"""Stage 8, benchmarks: cold and warm latency, build throughput, the scale run."""
