"""Stage 4, the index: on-disk format, build (incremental, transactional) and load."""
