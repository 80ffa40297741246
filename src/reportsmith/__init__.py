"""reportsmith: assemble, check and render the yearly summary reports (总结报告) of
Hubei's innovative industrial clusters.

The pipeline is load → validate → compute → check → render; each step is a module
with small public functions, and the ``reportsmith`` command is a thin layer over them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
