"""Figures computed from the form: derived indicators, data sentences, figures in the writer's text.

May import: evidence, records, form, outline, registry, docx, core.
"""
