"""Stage 1, text analysis: terms (fold, stem, stopwords), language, sentences, the query object."""
