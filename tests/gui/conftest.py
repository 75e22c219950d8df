"""GUI tests run with the English translation installed, as the app installs it at start."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest) -> Iterator[None]:
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield
        return
    from gui.i18n import install_translator

    app = request.getfixturevalue("qapp")
    translator = install_translator(app, "en")
    yield
    app.removeTranslator(translator)
