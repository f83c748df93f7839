"""Compiled slide templates kept between runs, as Python keeps compiled modules in __pycache__.

Compiling the default spec's 80-odd Jinja templates costs about 0.1 s of every run; loading them compiled
costs 5 ms. One file per template, named by a hash of everything the compiled code depends on (the source,
Jinja's version, Python's bytecode format, the environment's class and options), so a changed template or
an upgraded Jinja or Python compiles anew and never loads a stale entry.

Where: $DECKGEN_CACHE_DIR, else the platform's cache folder (~/.cache/deckgen on Linux, ~/Library/Caches/
deckgen on macOS, %LOCALAPPDATA%\\deckgen\\Cache on Windows). DECKGEN_CACHE_DIR set to an empty value turns the
cache off. A folder that cannot be read or written only means compiling every time: never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

from deckgen import __version__

FOLDER = "jinja"


def cache_dir() -> Path | None:
    """The cache folder for compiled templates, or None when turned off."""
    chosen = os.environ.get("DECKGEN_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) / FOLDER if chosen.strip() else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "deckgen" / "Cache"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches" / "deckgen"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deckgen"
    return base / FOLDER


def from_string(env: jinja2.Environment, source: str) -> Any:
    """env.from_string(source), with the compiled code loaded from the cache when it is there."""
    folder = cache_dir()
    path = folder / f"{_key(env, source)}.bin" if folder is not None else None
    code = _load(path) if path is not None else None
    if code is None:
        code = env.compile(source)  # a TemplateSyntaxError goes to the caller, and nothing is stored
        if path is not None:
            _store(path, code)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _key(env: jinja2.Environment, source: str) -> str:
    signature = (
        __version__,
        jinja2.__version__,
        sys.implementation.cache_tag,
        type(env).__module__,
        type(env).__qualname__,
        env.autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        env.optimized,
    )
    return hashlib.sha256(repr((signature, source)).encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _load(path: Path) -> CodeType | None:
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # missing, unreadable or damaged: compile instead
        return None
    return code if isinstance(code, CodeType) else None


def _store(path: Path, code: CodeType) -> None:
    """Write through a temporary name, then rename: parallel workers and interrupted runs leave whole files."""
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(code))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
