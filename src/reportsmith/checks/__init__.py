"""Judgements on a report: 字数, topic coverage, section lengths, figures in prose, submitted .docx files.

May import: compute and everything below it.
"""
