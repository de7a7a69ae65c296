"""Deployed DMN models in the operational store: versions, their files, the pinned version.

A deployment stores a model's DMN files (the model and the models it imports) as version
``n + 1``; the newest version is active unless one is pinned. Stored versions never change,
so a loaded version is cached for the life of the process. A deployment is checked before it
is stored (every file must parse and the model must load with its imports); a refused one
stores nothing. Deployments and pins are recorded in the audit log (the rule sets' log: who,
when, what, why) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from accord.clock import Clock
from accord.dmn.runtime import load_files
from accord.dmn.serving import ModelNotFound, ServedModel, VersionInfo
from accord.dmn.xml_reader import read_dmn
from accord.errors import AccordError
from accord.operational.schema import (
    audit_log,
    dmn_model_files,
    dmn_model_pins,
    dmn_model_versions,
)
from accord.operational.store import OperationalStore

__all__ = ["DeploymentError", "StoredModels", "checksum", "main_file"]

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,127}")
_FILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,250}\.dmn")
#: Loaded versions kept in memory (a version is immutable once stored).
CACHE_SIZE = 32


class DeploymentError(AccordError):
    """A deployment refused before anything was stored (bad name, files or model)."""


class VersionConflict(AccordError):
    """Another deployment of the same model took the version number first."""


def checksum(files: Mapping[str, str]) -> str:
    """A digest of a deployment's files (names and contents)."""
    payload = json.dumps(sorted(files.items()), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def main_file(files: Mapping[str, str]) -> str:
    """The file holding the model itself: the only one, or the only one no other imports.

    Raises:
        DeploymentError: there is no single such file (name it with ``main``).
    """
    if len(files) == 1:
        return next(iter(files))
    definitions = {name: read_dmn(text) for name, text in files.items()}
    imported = {imp.namespace for d in definitions.values() for imp in d.imports}
    roots = sorted(name for name, d in definitions.items() if d.namespace not in imported)
    if len(roots) != 1:
        raise DeploymentError(f"cannot tell which file is the model among {sorted(files)} "
                              f"(not imported by another: {roots or 'none'}); name it in 'main'")
    return roots[0]


def _check_names(name: str, files: Mapping[str, str], main: str | None) -> None:
    if not _NAME_RE.fullmatch(name):
        raise DeploymentError(f"model name {name!r}: use letters, digits, space, '_', '.', '-' "
                              "(at most 128 characters)")
    if not files:
        raise DeploymentError(f"deployment of {name!r} has no files")
    bad = sorted(f for f in files if not _FILE_RE.fullmatch(f))
    if bad:
        raise DeploymentError(f"file names {bad}: each must be a plain name ending in .dmn")
    if main is not None and main not in files:
        raise DeploymentError(f"main file {main!r} is not among {sorted(files)}")


def _audit(connection: sa.Connection, at: dt.datetime, actor: str, action: str, model: str,
           reason: str, detail: dict[str, Any]) -> None:
    """One audit log entry (subject ``dmn:<model>``), in the caller's transaction."""
    connection.execute(audit_log.insert().values(
        at=at, actor=actor, action=action, subject=f"dmn:{model}", reason=reason,
        detail=detail))


class StoredModels:
    """The hub's deployed models (a :class:`~accord.dmn.serving.ModelSource`)."""

    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock
        self._cache: OrderedDict[tuple[str, int], ServedModel] = OrderedDict()
        self._lock = threading.Lock()

    # ---- reading -------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Every deployed model's name, sorted."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(dmn_model_versions.c.model).distinct()
                                      .order_by(dmn_model_versions.c.model)).scalars().all()
        return list(rows)

    def active_version(self, name: str) -> int:
        """The pinned version, else the newest; raises ModelNotFound."""
        with self.engine.connect() as connection:
            return self._active(connection, name)

    def _active(self, connection: sa.Connection, name: str) -> int:
        pinned = connection.execute(sa.select(dmn_model_pins.c.version).where(
            dmn_model_pins.c.model == name)).scalar_one_or_none()
        if pinned is not None:
            return int(pinned)
        newest = connection.execute(sa.select(sa.func.max(dmn_model_versions.c.version)).where(
            dmn_model_versions.c.model == name)).scalar_one_or_none()
        if newest is None:
            raise ModelNotFound(f"no deployed model {name!r}")
        return int(newest)

    def get(self, name: str, version: int | None = None) -> ServedModel:
        """The active (or the given) version, loaded once; raises ModelNotFound."""
        if version is None:
            version = self.active_version(name)
        key = (name, version)
        with self._lock:
            served = self._cache.get(key)
            if served is not None:
                self._cache.move_to_end(key)
                return served
        main, files = self.files(name, version)
        served = ServedModel(name, version, load_files(files, main))
        with self._lock:
            self._cache[key] = served
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return served

    def files(self, name: str, version: int) -> tuple[str, dict[str, str]]:
        """The main file's name and every file of a stored version."""
        with self.engine.connect() as connection:
            main = connection.execute(sa.select(dmn_model_versions.c.main).where(
                dmn_model_versions.c.model == name,
                dmn_model_versions.c.version == version)).scalar_one_or_none()
            if main is None:
                raise ModelNotFound(f"no version {version} of model {name!r}")
            rows = connection.execute(sa.select(dmn_model_files.c.name,
                                                dmn_model_files.c.content).where(
                dmn_model_files.c.model == name,
                dmn_model_files.c.version == version)).all()
        return str(main), {str(n): str(c) for n, c in rows}

    def versions(self, name: str) -> list[VersionInfo]:
        """Every version of a model, oldest first; raises ModelNotFound."""
        v, f = dmn_model_versions.c, dmn_model_files.c
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(
                v.version, v.created_at, v.created_by, v.note, v.main, v.checksum).where(
                v.model == name).order_by(v.version)).all()
            if not rows:
                raise ModelNotFound(f"no deployed model {name!r}")
            active = self._active(connection, name)
            names: dict[int, list[str]] = {}
            for version, file in connection.execute(sa.select(f.version, f.name).where(
                    f.model == name).order_by(f.name)):
                names.setdefault(int(version), []).append(str(file))
        return [VersionInfo(name, int(version), created_at.isoformat(), created_by, note,
                            tuple(names.get(int(version), ())), main, digest,
                            active=int(version) == active)
                for version, created_at, created_by, note, main, digest in rows]

    # ---- writing -------------------------------------------------------------------------

    def deploy(self, name: str, files: Mapping[str, str], main: str | None, note: str,
               by: str) -> VersionInfo:
        """Check and store a new version; it is active at once unless a version is pinned.

        Raises:
            DeploymentError: a bad name or file name, or no main file to tell.
            accord.errors.DmnError: a file that is not DMN, or a model that does not load.
            VersionConflict: a concurrent deployment took the version number.
        """
        _check_names(name, files, main)
        chosen = main or main_file(files)
        load_files(files, chosen)  # refuses a model that cannot be evaluated
        digest = checksum(files)
        now = self.clock.now()
        try:
            with self.engine.begin() as connection:
                newest = connection.execute(sa.select(sa.func.max(
                    dmn_model_versions.c.version)).where(
                    dmn_model_versions.c.model == name)).scalar_one_or_none()
                version = int(newest or 0) + 1
                connection.execute(dmn_model_versions.insert().values(
                    model=name, version=version, main=chosen, checksum=digest, note=note,
                    created_at=now, created_by=by))
                connection.execute(dmn_model_files.insert(), [
                    {"model": name, "version": version, "name": file, "content": text}
                    for file, text in sorted(files.items())])
                active = self._active(connection, name)
                _audit(connection, now, by, "dmn.deploy", name, note,
                       {"version": version, "files": sorted(files), "main": chosen,
                        "checksum": digest, "active": active == version})
        except sa.exc.IntegrityError:
            raise VersionConflict(f"model {name!r} was deployed concurrently; retry") from None
        return VersionInfo(name, version, now.isoformat(), by, note, tuple(sorted(files)),
                           chosen, digest, active=active == version)

    def pin(self, name: str, version: int | None, by: str) -> VersionInfo:
        """Pin ``version`` as the active one, or unpin (``None``: the newest is active)."""
        with self.engine.begin() as connection:
            self._active(connection, name)  # the model exists
            connection.execute(dmn_model_pins.delete().where(dmn_model_pins.c.model == name))
            if version is not None:
                exists = connection.execute(sa.select(dmn_model_versions.c.version).where(
                    dmn_model_versions.c.model == name,
                    dmn_model_versions.c.version == version)).first()
                if exists is None:
                    raise ModelNotFound(f"no version {version} of model {name!r}")
                connection.execute(dmn_model_pins.insert().values(
                    model=name, version=version, pinned_at=self.clock.now(), pinned_by=by))
            active = self._active(connection, name)
            action = "dmn.pin" if version is not None else "dmn.unpin"
            _audit(connection, self.clock.now(), by, action, name, "",
                   {"version": version, "active": active})
        return next(v for v in self.versions(name) if v.version == active)
