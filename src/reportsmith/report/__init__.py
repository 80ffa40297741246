"""One cluster's report end to end: assemble the inputs, render through the Word template, build files; scaffolds, schemas, Word-draft import.

May import: checks and everything below it.
"""
