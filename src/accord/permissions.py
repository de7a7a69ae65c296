"""Owner-only folders and files for the project's state (``.accord/``).

The state folder holds personal data (profiles, identities, decisions, events, feedback
text) and secrets (API keys, the web app's signing key), so it is created ``0700`` and its
files ``0600``, whatever the process umask: the mode is given where each is created (and an
existing one made private, for projects made by an earlier version). A database library that
creates its own files (SQLite, DuckDB) is handed a file created here first: SQLite gives its
``-wal`` and ``-shm`` files the database file's mode. The umask is left alone, since Accord
is also a library inside other programs.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["PRIVATE_DIR", "PRIVATE_FILE", "make_private", "private_dir", "private_file",
           "private_tree"]

#: Modes of the state folder's folders and files: the owner's only.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path | str) -> Path:
    """Create the folder ``path`` (and its missing parents) owner-only. Folders that exist
    already are left as they are (a project folder is the user's; the state folder of an
    older project is made private by :func:`private_tree`)."""
    folder = Path(path)
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            parent.mkdir(mode=PRIVATE_DIR)
    return folder


def private_file(path: Path | str) -> bool:
    """Create the empty file ``path`` owner-only (its missing folders too) unless it exists,
    for a library (SQLite) to open and fill. Returns whether it was created here."""
    file = Path(path)
    private_dir(file.parent)
    try:
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        return False
    return True


def make_private(path: Path | str) -> None:
    """Make a file a library has just created owner-only (DuckDB refuses an empty file, so
    its database cannot be created here first; it sits in an owner-only folder meanwhile)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)


def private_tree(folder: Path | str) -> None:
    """Make ``folder`` and everything in it owner-only: the state folder of a project made
    by a version that created it ``0755`` and its files ``0644``."""
    root = Path(folder)
    if not root.is_dir():
        return
    root.chmod(PRIVATE_DIR)
    for parent, folders, files in os.walk(root):
        for name in folders:
            if not os.path.islink(os.path.join(parent, name)):
                os.chmod(os.path.join(parent, name), PRIVATE_DIR)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                make_private(path)
