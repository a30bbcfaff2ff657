"""gan_core never imports streamlit: every module imports in a process where streamlit cannot be found."""
import json
import subprocess
import sys

from tests import app_paths

PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys

class NoStreamlit(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoStreamlit())
import gan_core
names = ["gan_core"] + [m.name for m in pkgutil.walk_packages(gan_core.__path__, "gan_core.")]
failed = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"modules": names, "failed": failed, "streamlit_loaded": "streamlit" in sys.modules}))
"""


def test_every_gan_core_module_imports_without_streamlit():
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=app_paths.ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["failed"] == {}
    assert not result["streamlit_loaded"]
    # the walk really covered the lessons (guards against an empty walk passing vacuously)
    assert {"gan_core.settings_spec", "gan_core.mapping_1d.trainer", "gan_core.cgan.cli", "gan_core.games.config",
            "gan_core.spam.game", "gan_core.mode_collapse.trainer"} <= set(result["modules"])


def test_the_blocker_would_catch_a_streamlit_import(tmp_path):
    """The probe fails a module that does import streamlit (so the test above can fail)."""
    pkg = tmp_path / "gan_core_probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text("import streamlit\n")
    probe = PROBE.replace("import gan_core\n", "import gan_core_probe_pkg as gan_core\n").replace(
        '"gan_core."', '"gan_core_probe_pkg."')
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "gan_core_probe_pkg.bad" in result["failed"] and "blocked" in result["failed"]["gan_core_probe_pkg.bad"]
