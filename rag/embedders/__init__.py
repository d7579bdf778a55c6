"""Stage 3, embedders: texts to L2-normalised vectors (bundled e5, numpy BERT, st folders)."""
