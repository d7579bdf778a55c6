"""rag: answers about Dutch government policy from parliamentary documents, with citations."""

__version__ = "0.1.0"
