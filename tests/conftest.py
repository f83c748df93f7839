"""Shared fixtures: write small export files into the test's temporary folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

# CI: the same examples on every run (derandomized: each test's seed comes from its name), so a red build can
# be rerun and reproduced; shrinking bounded (no explain phase); no timing deadline on a shared machine. Tests
# that set their own settings keep their example counts. Elsewhere Hypothesis explores anew each run.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow],
)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled slide templates go to a folder of this test session, not the user's cache folder."""
    previous = os.environ.get("DECKGEN_CACHE_DIR")
    os.environ["DECKGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["DECKGEN_CACHE_DIR"]
    else:
        os.environ["DECKGEN_CACHE_DIR"] = previous


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """write_file(name, text_or_bytes, encoding="utf-8") -> the path of the written file."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write
