"""Stage 7, evaluation: gold sets, metrics, the 2,033-pair benchmark and reports."""
