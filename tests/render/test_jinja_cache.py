"""The compiled-template cache: loaded when there, compiled when not, never stale, never an error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2
import pytest

from deckgen.render import jinja_cache
from deckgen.render.text_env import make_env

TEMPLATE = "{{ bookings.closed_won | money }} of {{ bookings.goal | money }} ({{ n | plural('deal') }})"
CONTEXT = {"bookings": {"closed_won": 1_234_567.0, "goal": 5_000_000.0}, "n": 3}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path))
    return tmp_path / jinja_cache.FOLDER


def env() -> jinja2.Environment:
    return make_env("USD")


def test_a_template_compiled_once_is_loaded_afterwards(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT)
    assert first == "$1.23M of $5M (3 deals)"
    assert len(list(cache.glob("*.bin"))) == 1
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *_a, **_k: pytest.fail("compiled again"))
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == first


def test_a_changed_template_is_compiled_anew(cache: Path) -> None:
    jinja_cache.from_string(env(), TEMPLATE)
    changed = TEMPLATE.replace("of", "out of")
    assert jinja_cache.from_string(env(), changed).render(CONTEXT) == "$1.23M out of $5M (3 deals)"
    assert len(list(cache.glob("*.bin"))) == 2


def test_another_environment_does_not_share_entries(cache: Path) -> None:
    jinja_cache.from_string(env(), TEMPLATE)
    plain = jinja2.Environment(autoescape=True)
    assert jinja_cache.from_string(plain, "{{ x }}").render(x="<b>") == "&lt;b&gt;"
    jinja_cache.from_string(plain, TEMPLATE.replace("| money", "").replace("| plural('deal')", ""))
    assert len(list(cache.glob("*.bin"))) == 3


def test_a_damaged_entry_is_compiled_again(cache: Path) -> None:
    jinja_cache.from_string(env(), TEMPLATE)
    (entry,) = cache.glob("*.bin")
    entry.write_bytes(b"\x00not marshal data")
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert entry.read_bytes() != b"\x00not marshal data"  # repaired


def test_a_syntax_error_is_raised_and_nothing_is_stored(cache: Path) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        jinja_cache.from_string(env(), "{{ bookings.goal | money }")
    assert not cache.exists() or not list(cache.iterdir())


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECKGEN_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert jinja_cache.cache_dir() is None
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG folder is where Linux keeps caches")
def test_the_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DECKGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jinja_cache.cache_dir() == tmp_path / "deckgen" / jinja_cache.FOLDER


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root may write anywhere")
def test_an_unwritable_folder_only_means_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(locked))
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert list(locked.iterdir()) == []


def test_a_cache_path_that_is_a_file_only_means_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(blocker))
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert blocker.read_text() == "not a folder"
