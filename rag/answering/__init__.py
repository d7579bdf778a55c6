"""Stage 6, answering: evidence gate, quotes, prompts, the local model, sentence verification."""
