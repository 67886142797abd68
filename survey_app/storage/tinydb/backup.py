"""Backups of the data folder: one tar.gz with every file and a manifest of their checksums.

write_backup takes the files from Store.snapshot (each survey, workshop and table read under the
lock its writers take), so it can run while the app serves: a response acknowledged before the
backup started is in it, with its draft and invitation marked used. restore_backup unpacks into
an empty folder only after every member passed the checks (regular files with plain relative
paths: no absolute paths, no "..", no links or devices) and every file matched the manifest;
otherwise it leaves nothing behind.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from survey_app.storage.tinydb.store import Store

MANIFEST = "MANIFEST.json"
FORMAT = "survey_app backup"


class BackupError(Exception):
    """The backup could not be written or restored; the message says why."""


@dataclass(frozen=True)
class Summary:
    files: int
    bytes: int


def write_backup(store: Store, target: str | os.PathLike) -> Summary:
    """Write every file of the store's data folder, and MANIFEST.json (path, size, sha256 of
    each), to the new tar.gz file `target` (mode 0600: it holds the responses)."""
    target = Path(target).absolute()
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    if store.data_dir.absolute() in target.parents:
        raise BackupError(f"{target} is inside the data folder; write the backup elsewhere")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    entries = []
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for path, data in store.snapshot():
                    _add(tar, path, data)
                    entries.append({"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
                manifest = {"format": FORMAT, "version": 1,
                            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            "files": entries}
                _add(tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.link(tmp, target)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise BackupError(f"{target} exists already; choose a new file name") from None
        except OSError:  # a file system without hard links
            os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return Summary(len(entries), sum(entry["size"] for entry in entries))


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def restore_backup(archive: str | os.PathLike, target: str | os.PathLike) -> Summary:
    """Unpack the backup `archive` into `target`, which must be empty or missing (or hold only
    what an app start leaves in a new folder: the generated secret key, lock files, empty
    folders). Every file is checked against the manifest before anything is moved into place."""
    archive, target = Path(archive), Path(target)
    if target.exists() and not _unused(target):
        raise BackupError(f"{target} is not empty; restore into a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target, prefix=".restoring-"))
    try:
        found, manifest = _unpack(archive, staging)
        problems = _compare(manifest, found)
        if problems:
            raise BackupError("the backup does not match its manifest:\n" + "\n".join(problems))
        _clear_unused(target, staging)
        for entry in sorted(staging.iterdir()):
            os.replace(entry, target / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Summary(len(found), sum(size for size, _ in found.values()))


def _safe_name(member: tarfile.TarInfo) -> str:
    """The member's path, if it is a plain relative path; BackupError otherwise."""
    path = PurePosixPath(member.name)
    if member.isdir() and not path.parts:  # "." (archives made with tar -C folder .)
        return "."
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in member.name:
        raise BackupError(f"refused: the archive holds the path {member.name!r} (absolute or outside the folder)")
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"refused: {member.name!r} in the archive is a link or device, not a file")
    return path.as_posix()


def _unpack(archive: Path, staging: Path) -> tuple[dict[str, tuple[int, str]], dict]:
    """Write every regular file of `archive` below `staging`: {path: (size, sha256)}, manifest."""
    found: dict[str, tuple[int, str]] = {}
    manifest = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = _safe_name(member)
                if member.isdir():
                    continue
                if name in found or (name == MANIFEST and manifest is not None):
                    raise BackupError(f"refused: {name!r} is in the archive twice")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = json.loads(source.read().decode("utf-8"))
                    continue
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(path, "xb") as out:  # x: never through an existing file or link
                    os.chmod(path, 0o600)
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                found[name] = (size, digest.hexdigest())
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{archive} cannot be read as a backup: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
        raise BackupError(f"{archive} holds no {MANIFEST} of a survey_app backup")
    return found, manifest


def _compare(manifest: dict, found: dict[str, tuple[int, str]]) -> list[str]:
    problems, listed = [], set()
    for entry in manifest["files"]:
        path = entry.get("path") if isinstance(entry, dict) else None
        listed.add(path)
        if path not in found:
            problems.append(f"{path}: listed in the manifest, missing from the archive")
        elif found[path] != (entry.get("size"), entry.get("sha256")):
            problems.append(f"{path}: size or checksum differs from the manifest (changed or cut off)")
    problems += [f"{path}: in the archive, not in the manifest" for path in sorted(set(found) - listed)]
    return problems


def _unused(folder: Path) -> bool:
    """Nothing but what starting the app in a new folder leaves there."""
    for current, _dirs, files in os.walk(folder):
        for name in files:
            if not (name.endswith(".lock") or (Path(current) == folder and name == "secret_key")):
                return False
    return True


def _clear_unused(target: Path, keep: Path) -> None:
    """Remove what a start of the app left in `target` (the restored files replace it)."""
    if not all(_unused(entry) if entry.is_dir() else entry.name.endswith(".lock") or entry.name == "secret_key"
               for entry in target.iterdir() if entry != keep):
        raise BackupError(f"{target} is not empty any more (is the app running on it?); nothing was restored")
    for entry in target.iterdir():
        if entry == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
