"""ui/run_costs: the cached theme sections are Streamlit's own, and a config change is seen at once."""
from __future__ import annotations

import pytest
from streamlit import config
from streamlit.proto.NewSession_pb2 import CustomThemeConfig
from streamlit.runtime import app_session

from ui import run_costs

SECTIONS = ("theme", "theme.light", "theme.dark", "theme.sidebar", "theme.light.sidebar", "theme.dark.sidebar")


@pytest.fixture
def installed():
    config.get_config_options()  # parsed, as in a running server
    assert run_costs.install()
    original = app_session._populate_theme_msg.original
    yield app_session._populate_theme_msg, original
    config._set_option("theme.primaryColor", None, "<default>")  # back to unset (and forgets the cache)


def _fill(populate, section) -> bytes:
    msg = CustomThemeConfig()
    populate(msg, section)
    return msg.SerializeToString()


def test_cached_sections_are_the_messages_streamlit_builds(installed):
    cached, original = installed
    config._set_option("theme.primaryColor", "#aa3355", "test")
    config._set_option("theme.dark.primaryColor", "#33aa55", "test")
    for section in SECTIONS:
        assert _fill(cached, section) == _fill(original, section), section
        assert _fill(cached, section) == _fill(original, section), section  # from the cache now
    assert b"#aa3355" in _fill(cached, "theme")
    config._set_option("theme.dark.primaryColor", None, "<default>")


def test_a_changed_option_reaches_the_next_message(installed):
    cached, original = installed
    config._set_option("theme.primaryColor", "#112233", "test")
    first = _fill(cached, "theme")
    config._set_option("theme.primaryColor", "#445566", "test")
    second = _fill(cached, "theme")
    assert b"#112233" in first and b"#445566" in second
    assert second == _fill(original, "theme")


def test_install_twice_patches_once(installed):
    cached, _ = installed
    assert run_costs.install()
    assert app_session._populate_theme_msg is cached


def test_the_app_installs_it():
    from streamlit.testing.v1 import AppTest

    from tests.app_paths import APP

    run_costs.uninstall()
    assert not hasattr(app_session._populate_theme_msg, "original")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert hasattr(app_session._populate_theme_msg, "original")


FREEZE_PROBE = """
import gc, json
import torch  # the long-lived libraries, as in the server
from ui import run_costs

before = len(gc.get_objects())
frozen = run_costs.freeze_long_lived()
again = run_costs.freeze_long_lived()
tracked_after = len(gc.get_objects())  # what a full collection still walks


class Cycle:
    pass


a, b = Cycle(), Cycle()
a.other, b.other = b, a  # garbage only the cycle collector can free
del a, b
freed = gc.collect()

# what a lesson's first use imports (torch's first optimizer, the first PNG) was imported and frozen too
import numpy as np
from gan_core.cgan.explorer import png_bytes
net = torch.nn.Linear(4, 4)
opt = torch.optim.Adam(net.parameters())
net(torch.ones(2, 4)).sum().backward()
opt.step()
png_bytes(np.zeros((28, 28), dtype=np.uint8))
gc.collect()
print(json.dumps({"before": before, "frozen": frozen, "again": again, "after": tracked_after, "freed": freed,
                  "after_first_use": len(gc.get_objects())}))
"""


def test_freeze_long_lived_takes_the_libraries_out_of_full_collections_once():
    # In a fresh interpreter: freezing in this test process would freeze the other tests' objects too.
    import json
    import subprocess
    import sys

    from tests.app_paths import ROOT

    out = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    assert probe["frozen"] > probe["before"]  # torch and the app's own modules, imported by the call
    assert probe["after"] < 0.05 * probe["frozen"]  # a full collection no longer walks them
    assert probe["again"] == 0  # once per process: what is frozen is never freed
    assert probe["freed"] >= 2  # cycles made later are still collected
    assert probe["after_first_use"] < 0.05 * probe["frozen"]  # torch._dynamo, sympy, Pillow: frozen already


def test_every_page_run_of_the_app_asks_for_the_freeze(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app_paths import APP

    calls = []
    monkeypatch.setattr(run_costs, "freeze_long_lived", lambda: calls.append(1) or 0)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert calls == [1]
