"""附件2: the statistical form — its rows, the filled data, validation rules, and its Excel and Word forms.

May import: outline, registry, docx, core.
"""
