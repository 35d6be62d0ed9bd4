"""kg's version: one place, read by the package (``kg.__version__``), the CLI and the manifest
without importing the package's ``__init__`` (no module imports back up into it)."""
from __future__ import annotations

__version__ = "0.1.0"
