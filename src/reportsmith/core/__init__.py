"""Shared foundation: errors and findings, shipped data, YAML reading, atomic writes, text helpers, number formatting.

Imports nothing else of reportsmith.
"""
