"""What the file connectors (CSV, Parquet, NDJSON) share: finding new files, reading bytes.

**Files are immutable once loaded.** A file is new when its content (sha256) has not been
loaded from this source before: a file already loaded is skipped, whatever its path or
modification time (so copying or touching a file adds nothing). A file at a path already
loaded whose content has *changed* is an error, raised before anything of the run is loaded:
appending its rows again would duplicate the old ones, and silently skipping it would lose
the new ones. Write new records to a new file (``orders-2024-06.csv``), or restore the old
one.
"""

from __future__ import annotations

import datetime as dt
import glob
import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from accord.connectors.base import IngestError, Pending, RawBatch, RowError, SourceState

if TYPE_CHECKING:
    import pyarrow as pa

    from accord.project.config import Source

_GZIP_MAGIC = b"\x1f\x8b"


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def display_path(path: Path, project_dir: Path) -> str:
    """``path`` relative to the project when inside it (POSIX), else absolute: stored paths
    survive moving the project folder."""
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def is_gzip(path: Path, compression: str = "auto") -> bool:
    """Whether to gunzip ``path``: ``compression`` is ``gzip``, or ``auto`` and the file
    starts with the gzip magic number (whatever its name)."""
    if compression != "auto":
        return compression == "gzip"
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def read_bytes(path: Path, compression: str = "auto") -> bytes:
    """A file's bytes, gunzipped when :func:`is_gzip` says so."""
    data = path.read_bytes()
    if is_gzip(path, compression):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise IngestError(f"{path}: not a valid gzip file ({exc})", file=str(path)) \
                from None
    return data


class FileConnector:
    """Base of the file connectors: lists the source's glob and reads each new file once.

    Subclasses implement :meth:`read_file`.
    """

    def __init__(self, name: str, source: Source, project_dir: Path) -> None:
        self.name = name
        self.source = source
        self.project_dir = project_dir
        #: Source columns the mapping reads (each once, in mapping order).
        self.wanted = list(dict.fromkeys(source.columns.values()))

    def files(self) -> list[Path]:
        """The files the source's path or glob matches now, sorted by path."""
        pattern = str(self.project_dir / (self.source.path or ""))
        return sorted(Path(match) for match in glob.glob(pattern, recursive=True)
                      if Path(match).is_file())

    def pending(self, state: SourceState) -> list[Pending]:
        items: list[Pending] = []
        seen = set(state.hashes)
        changed: list[str] = []
        for path in self.files():
            shown = display_path(path, self.project_dir)
            digest = sha256(path)
            if digest in seen:
                continue
            if shown in state.files:
                changed.append(shown)
                continue
            seen.add(digest)  # a copy of a file earlier in this same run adds nothing
            stat = path.stat()
            mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat()
            items.append(Pending(label=shown, path=path, sha256=digest, size=stat.st_size,
                                 mtime=mtime))
        if changed:
            raise IngestError(
                f"{', '.join(changed)} changed since it was loaded; loaded files are "
                "treated as immutable: restore the file, or put new records in a new file",
                source=self.name, file=changed[0])
        return items

    def read(self, item: Pending) -> Iterator[RawBatch]:
        if item.path is None:
            raise ValueError(f"{item.label} is not a file")
        data, rejects = self.read_file(item.path, item.label)
        key = f"{item.label} size={item.size} mtime={item.mtime} sha256={item.sha256}"
        yield RawBatch(data=data, file=item.label, kind="file", key=key, rejects=rejects,
                       sha256=item.sha256)

    def read_file(self, path: Path, shown: str) -> tuple[pa.Table, tuple[RowError, ...]]:
        """Read one file: the wanted columns plus ``_line``, and the rows the reader could
        not parse."""
        raise NotImplementedError

    def missing(self, shown: str, present: list[str]) -> None:
        """Raise the batch error for the first wanted column not in ``present``."""
        for column in self.wanted:
            if column not in present:
                raise IngestError(
                    f"{shown}: column {column!r} (mapped in accord.yaml) is missing; "
                    f"the file has: {', '.join(present) or 'no columns'}",
                    source=self.name, file=shown, column=column)
