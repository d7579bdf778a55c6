"""Stage 5, retrieval: BM25 and dense rankings of units, fused; similar earlier questions."""
