"""Low-level Word XML: the safe reader of untrusted .docx files, the deterministic writer, and the template builder.

The only code that knows WordprocessingML. May import: core.
"""
