"""One module per CLI command; each has `add(subparsers)` and `run(args) -> int`."""
