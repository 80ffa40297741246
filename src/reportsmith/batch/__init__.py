"""All clusters at once: parallel batch, restart stamps, summary files, province roll-up.

May import: report and everything below it.
"""
