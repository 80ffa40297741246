"""佐证材料: the evidence.yaml model, file checks, reconciliation with the form, the checklist and bundle.

May import: records, form, outline, registry, docx, core.
"""
