"""Compiled slide templates kept between runs, as Python keeps compiled modules in __pycache__.

Compiling the default spec's 80-odd Jinja templates costs about 0.1 s of every run; loading them compiled
costs 5 ms. One file per template, named by a hash of everything the compiled code depends on (the source,
Jinja's version, Python's bytecode format, the environment's class and options), so a changed template or
an upgraded Jinja or Python compiles anew and never loads a stale entry.

Where: $DECKGEN_CACHE_DIR, else the platform's cache folder (~/.cache/deckgen on Linux, ~/Library/Caches/
deckgen on macOS, %LOCALAPPDATA%\\deckgen\\Cache on Windows). DECKGEN_CACHE_DIR set to an empty value turns the
cache off. A folder that cannot be read or written only means compiling every time: never an error.

Loading compiled code runs it, so an entry is loaded only when it carries an HMAC-SHA256 made with this user's
own key: 32 random bytes in a file only the user can read (created with mode 0600 in the user's configuration
folder, or beside the entries' folder when DECKGEN_CACHE_DIR is set). Someone who can write to a shared cache
folder cannot make an entry this user will load; a key file that is not the user's own, or that others can
read, turns the cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

from deckgen import __version__

FOLDER = "jinja"
MAGIC = b"deckgen-jinja-1\n"  # then the HMAC-SHA256 of the marshalled code, then the code
KEY_BYTES = 32


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


def key_file() -> Path:
    """Where this user's cache key is kept: outside the folder of the entries it signs."""
    chosen = os.environ.get("DECKGEN_CACHE_DIR")
    if chosen:
        return Path(chosen) / "key"
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "deckgen"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "deckgen"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "deckgen"
    return base / "cache-key"


def from_string(env: jinja2.Environment, source: str) -> Any:
    """env.from_string(source), with the compiled code loaded from the cache when it is there and signed."""
    folder = cache_dir()
    secret = _secret(str(key_file())) if folder is not None else None
    path = folder / f"{_key(env, source)}.bin" if folder is not None and secret is not None else None
    code = _load(path, secret) if path is not None and secret is not None else None
    if code is None:
        code = env.compile(source)  # a TemplateSyntaxError goes to the caller, and nothing is stored
        if path is not None and secret is not None:
            _store(path, code, secret)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


@functools.lru_cache(maxsize=4)
def _secret(where: str) -> bytes | None:
    """The user's key: read when it is theirs alone, made when there is none; None (no cache) otherwise."""
    path = Path(where)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        try:
            descriptor = os.open(path, flags)
        except FileNotFoundError:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            create = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            try:
                made = os.open(path, create, 0o600)
            except FileExistsError:  # another run made it first: read theirs
                descriptor = os.open(path, flags)
            else:
                with os.fdopen(made, "wb") as handle:
                    handle.write(os.urandom(KEY_BYTES))
                descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _own_private_file(info):
                return None
            secret = handle.read(KEY_BYTES + 1)
    except OSError:
        return None
    return secret if len(secret) == KEY_BYTES else None


def _own_private_file(info: os.stat_result) -> bool:
    """A regular file of this user's that nobody else can read or write (POSIX; Windows relies on its ACLs)."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if sys.platform == "win32":
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


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
        getattr(env, "code_revision", None),  # what the environment compiles templates to
    )
    return hashlib.sha256(repr((signature, source)).encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _load(path: Path, secret: bytes) -> CodeType | None:
    """The entry's code when it is whole and signed with `secret`; None (compile instead) for anything else."""
    try:
        data = path.read_bytes()
    except OSError:  # missing or unreadable
        return None
    head = len(MAGIC) + hashlib.sha256().digest_size
    if len(data) < head or not data.startswith(MAGIC):
        return None
    tag, payload = data[len(MAGIC) : head], data[head:]
    if not hmac.compare_digest(tag, _sign(secret, payload)):
        return None  # not made with this user's key: never loaded, whatever it holds
    try:
        code = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _store(path: Path, code: CodeType, secret: bytes) -> None:
    """Write through a temporary name, then rename: parallel workers and interrupted runs leave whole files."""
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    payload = marshal.dumps(code)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(MAGIC + _sign(secret, payload) + payload)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
