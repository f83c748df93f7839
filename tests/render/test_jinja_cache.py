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


# ---------------------------------------------------------------- only entries signed with the user's key load


@pytest.fixture(autouse=True)
def _fresh_key() -> None:
    jinja_cache._secret.cache_clear()


def planted_code(marker: Path) -> bytes:
    """Compiled code that, when run, leaves a marker file: what an attacker would put in a shared cache."""
    import marshal

    return marshal.dumps(compile(f"open({str(marker)!r}, 'w').write('ran')", "<planted>", "exec"))


def test_the_key_is_the_users_own_and_outside_the_entries(cache: Path) -> None:
    jinja_cache.from_string(env(), TEMPLATE)
    key = jinja_cache.key_file()
    assert key.parent != cache and key.stat().st_size == jinja_cache.KEY_BYTES
    assert key.stat().st_mode & 0o777 == 0o600
    (entry,) = cache.glob("*.bin")
    assert entry.read_bytes().startswith(jinja_cache.MAGIC)


@pytest.mark.parametrize("signed", ["unsigned", "wrong tag", "another key"])
def test_a_planted_entry_is_never_run(cache: Path, tmp_path: Path, signed: str) -> None:
    import hashlib
    import hmac

    jinja_cache.from_string(env(), TEMPLATE)
    (entry,) = cache.glob("*.bin")
    marker = tmp_path / "ran"
    payload = planted_code(marker)
    if signed == "unsigned":  # the format before entries were signed: bare marshal data
        entry.write_bytes(payload)
    elif signed == "wrong tag":
        entry.write_bytes(jinja_cache.MAGIC + b"\0" * 32 + payload)
    else:
        other = hmac.new(b"k" * jinja_cache.KEY_BYTES, payload, hashlib.sha256).digest()
        entry.write_bytes(jinja_cache.MAGIC + other + payload)
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert not marker.exists()
    assert jinja_cache._load(entry, jinja_cache._secret(str(jinja_cache.key_file())) or b"") is not None  # rewritten


def test_a_key_others_can_read_turns_the_cache_off(cache: Path) -> None:
    key = jinja_cache.key_file()
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(b"s" * jinja_cache.KEY_BYTES)
    key.chmod(0o644)
    assert jinja_cache.from_string(env(), TEMPLATE).render(CONTEXT) == "$1.23M of $5M (3 deals)"
    assert not cache.exists() or not list(cache.glob("*.bin"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_a_key_of_another_user_turns_the_cache_off(cache: Path) -> None:
    key = jinja_cache.key_file()
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(b"s" * jinja_cache.KEY_BYTES)
    key.chmod(0o600)
    os.chown(key, 4242, -1)
    jinja_cache.from_string(env(), TEMPLATE)
    assert not cache.exists() or not list(cache.glob("*.bin"))


def test_a_symlinked_key_is_not_followed(cache: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"s" * jinja_cache.KEY_BYTES)
    elsewhere.chmod(0o600)
    key = jinja_cache.key_file()
    key.parent.mkdir(parents=True, exist_ok=True)
    key.symlink_to(elsewhere)
    jinja_cache.from_string(env(), TEMPLATE)
    assert not cache.exists() or not list(cache.glob("*.bin"))
