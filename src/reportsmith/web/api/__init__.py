"""JSON API mirroring the CLI: check, sections (with versions), the built report."""
