"""Where the C library was installed, as `pip install` found it (setup.py rewrites this
file in the built package from `pkg-config --variable=libdir calsync`). None: not known
when the package was built; the system loader is asked instead."""
from typing import Optional

LIBDIR: Optional[str] = None
