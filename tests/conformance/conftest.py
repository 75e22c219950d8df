"""The funded wallet pair every signer's conformance tests use (see ``suite.Pair``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.suite import Pair


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    made = Pair(tmp_path_factory.mktemp("signers"))
    yield made
    made.close()
