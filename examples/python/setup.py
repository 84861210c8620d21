"""Records where libcalsync is installed, so `import calsync` finds it without
CALSYNC_LIBRARY or LD_LIBRARY_PATH: at build time, `pkg-config --variable=libdir calsync`
(the calsync.pc of `cmake --install`, found through PKG_CONFIG_PATH) is written into the
built package's calsync/_install_paths.py. Without pkg-config or calsync.pc nothing is
recorded and the package asks the system loader at import. Everything else is in
pyproject.toml."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py


def installed_libdir():
    pkg_config = shutil.which("pkg-config")
    if pkg_config is None:
        return None
    found = subprocess.run([pkg_config, "--variable=libdir", "calsync"],
                           capture_output=True, text=True, check=False)
    libdir = found.stdout.strip()
    return os.path.realpath(libdir) if found.returncode == 0 and libdir else None


class BuildPyRecordingLibdir(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "calsync", "_install_paths.py")
        with open(target, "w", encoding="utf-8") as f:
            f.write('"""Written by setup.py at build time: where libcalsync was installed."""\n'
                    "from typing import Optional\n\n"
                    f"LIBDIR: Optional[str] = {installed_libdir()!r}\n")


setup(cmdclass={"build_py": BuildPyRecordingLibdir})
