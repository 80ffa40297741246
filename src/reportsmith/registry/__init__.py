"""附件1: the 48 clusters, their supporting units and accounts.

May import: core.
"""
