"""How `import calsync` finds libcalsync.so.1, and what it says when it cannot; the
installed package's PEP 561 marker. Each import runs in a fresh interpreter, since the
library is loaded once, at import."""
import importlib.resources
import os
import subprocess
import sys
import unittest

import calsync


def import_calsync(**env):
    """`import calsync` in a child with `env` over an environment that has neither
    CALSYNC_LIBRARY nor LD_LIBRARY_PATH (a value of None leaves the variable out)."""
    child = {k: v for k, v in os.environ.items()
             if k not in ("CALSYNC_LIBRARY", "LD_LIBRARY_PATH")}
    child.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run([sys.executable, "-c", "import calsync"], env=child,
                          capture_output=True, text=True, timeout=60)


class LoadingTest(unittest.TestCase):
    def test_a_missing_CALSYNC_LIBRARY_is_an_ImportError_naming_it(self):
        missing = "/nonexistent/calsync/libcalsync.so.1"
        run = import_calsync(CALSYNC_LIBRARY=missing)
        self.assertNotEqual(run.returncode, 0)
        last = run.stderr.strip().splitlines()
        self.assertIn("ImportError: calsync cannot load libcalsync.so.1", run.stderr)
        self.assertIn(f"CALSYNC_LIBRARY: {missing}: ", run.stderr)
        self.assertIn("set CALSYNC_LIBRARY to an existing libcalsync.so.1", last[-1])
        self.assertNotIn("OSError", run.stderr)

    def test_nothing_found_is_an_ImportError_listing_the_search_and_what_to_do(self):
        run = import_calsync()
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("ImportError: calsync cannot load libcalsync.so.1; tried:", run.stderr)
        self.assertIn("the system loader: libcalsync.so.1: ", run.stderr)
        self.assertIn("cmake --install", run.stderr)
        self.assertIn("PKG_CONFIG_PATH", run.stderr)
        self.assertNotIn("OSError", run.stderr)

    def test_the_loader_finds_libcalsync_so_1_on_LD_LIBRARY_PATH(self):
        library = os.environ["CALSYNC_LIBRARY"]  # ctest's: the build tree's
        run = import_calsync(LD_LIBRARY_PATH=os.path.dirname(library))
        self.assertEqual((run.returncode, run.stderr), (0, ""))


class TypedTest(unittest.TestCase):
    def test_the_installed_package_is_marked_typed(self):
        # PEP 561: type checkers read the package's hints only with py.typed beside it.
        marker = importlib.resources.files(calsync).joinpath("py.typed")
        self.assertTrue(marker.is_file(), f"{marker} is not installed")
        self.assertTrue(str(marker).startswith(sys.prefix), f"{marker} is not the installed one")


if __name__ == "__main__":
    unittest.main()
