"""附件3: the report outline (headings, topics, length rule) and the report.yaml model written against it.

May import: registry, core.
"""
