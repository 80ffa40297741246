"""Value objects passed between pipeline steps: the assembled report and the check result.

May import: form, outline, registry, core.
"""
