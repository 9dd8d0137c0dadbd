"""Writing and reading the files a user names: exports, backups, import files.

Files written follow one rule set (DESIGN.md, "Files written"):
- never the database or its -wal/-shm/-journal files, whether named directly or through a
  symbolic or hard link (resolved path and (st_dev, st_ino) are compared);
- never through a link: a target that is a symbolic link is refused;
- an existing file is replaced only with `--overwrite`;
- a character device or a pipe (/dev/null, /dev/stdout, a FIFO) is written directly, never
  replaced by a regular file;
- a regular file is written to a private temporary file in the same folder (random name,
  exclusive create, mode 0600) and renamed over the target, so an interrupted write leaves
  nothing behind and a reader never sees half a file;
- every file created is 0600: it may hold names and phone numbers.

Files read are regular files only and at most MAX_READ_BYTES long, so that `/dev/zero` or a
FIFO cannot exhaust memory or block the import.

Pure stdlib; errors are `BadInput` with the field the user typed (`-o`, `PATH`, `FILE`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import BadInput, MedborgerError
from .i18n import _

MAX_READ_BYTES = 200 * 1024 * 1024  # the largest file `import csv` reads
FILE_MODE = 0o600  # every file medborger creates
FOLDER_MODE = 0o700  # every folder medborger creates
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _size(n: int) -> str:
    return _("{count} MB").format(count=n // (1024 * 1024)) if n >= 1024 * 1024 else _("{count} bytes").format(count=n)


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Target:
    """A file that was checked and may be written."""

    path: Path
    field: str
    exists: bool  # a regular file is there already (and --overwrite was given)
    direct: bool  # a character device or pipe: written in place, never replaced
    stdout: bool = False  # the path names this process's standard output


def user_path(text: str, *, field: str) -> Path:
    """The path a user typed; `folder/` must name an existing folder (Path drops the slash)."""
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) and not path.is_dir():
        raise BadInput(_("folder {path} does not exist; create it or choose another path").format(path=path), field=field)
    return path


def database_files(database: Path | None) -> list[Path]:
    """The database and the files SQLite keeps beside it, under the name given and under the
    file's real name: SQLite follows a link to the database and keeps its -wal/-shm/-journal
    beside the real file (`--db link.db` writes `real.db-wal`), so both are protected."""
    if database is None or not isinstance(database, (Path, str)):
        return []  # a server's database has no files here
    given = Path(database)
    real = Path(os.path.realpath(given))
    found: list[Path] = []
    for base in (given, real):
        for suffix in DATABASE_SUFFIXES:
            path = base.with_name(base.name + suffix)
            if path not in found:
                found.append(path)
    return found


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def is_protected(path: Path, protected: Iterable[Path]) -> bool:
    """Whether `path` is one of `protected`, by resolved name or as the same file (a hard link)."""
    protected = list(protected)
    resolved = Path(os.path.realpath(path))
    if any(resolved == Path(os.path.realpath(p)) for p in protected):
        return True
    identity = _identity(path)  # a hard link, or the same file under another name
    return identity is not None and any(identity == _identity(p) for p in protected)


def _stdout_identity() -> tuple[int, int] | None:
    try:
        st = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def check_target(path: Path, *, field: str, overwrite: bool, protected: Iterable[Path] = ()) -> Target:
    """Decide whether `path` may be written, before anything is; raise BadInput if not."""
    protected = list(protected)
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise BadInput(_("{path} names a folder; give a file name").format(path=path), field=field)
    if not path.parent.is_dir():
        raise BadInput(_("folder {folder} does not exist; create it or choose another path").format(folder=path.parent), field=field)
    if is_protected(path, protected):
        raise BadInput(_("{path} is the database or one of its files; choose another file").format(path=path), field=field)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return Target(path, field, exists=False, direct=False)
    except OSError as exc:
        raise BadInput(_("cannot use {path}: {reason}").format(path=path, reason=exc.strerror), field=field) from None
    if stat.S_ISLNK(link.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            st = None
        # /dev/stdout and /dev/fd/N are links to what the shell opened: write them in place.
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            return Target(path, field, exists=True, direct=True)
        if st is not None and stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == _stdout_identity():
            return Target(path, field, exists=True, direct=True, stdout=True)
        raise BadInput(_("{path} is a link; name the file itself, or another file").format(path=path), field=field)
    mode = link.st_mode
    if stat.S_ISDIR(mode):
        raise BadInput(_("{path} is a folder; give a file name").format(path=path), field=field)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(path, field, exists=True, direct=True)
    if not stat.S_ISREG(mode):
        raise BadInput(_("{path} is not a regular file (a disk, socket or the like); choose another file").format(path=path), field=field)
    if not overwrite:
        raise BadInput(_("{path} exists already; choose another name or pass {{field:overwrite}}").format(path=path), field=field)
    return Target(path, field, exists=True, direct=False)


def make_folder(path: Path, *, field: str) -> None:
    """Create a folder for files (and its parents), private to the user."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    except FileExistsError:
        raise BadInput(_("{path} is a file, not a folder; give a folder").format(path=path), field=field) from None
    except OSError as exc:
        raise BadInput(_("cannot create folder {path}: {reason}").format(path=path, reason=exc.strerror), field=field) from None


@contextlib.contextmanager
def _opened(target: Target, binary: bool) -> Iterator[IO[Any]]:
    """A stream for `target`; on success the written file is in place, on failure nothing is."""
    if target.direct:
        if target.stdout:
            fd = os.dup(sys.stdout.fileno())
        else:
            flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
            if not os.path.islink(target.path):
                flags |= getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(target.path, flags)
            except OSError as exc:
                raise BadInput(_("cannot write {path}: {reason}").format(path=target.path, reason=exc.strerror), field=target.field) from None
            if not stat.S_ISCHR(os.fstat(fd).st_mode) and not stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.close(fd)  # swapped for something else since it was checked
                raise BadInput(_("{path} changed while being written; try again").format(path=target.path), field=target.field)
        with _fdopen(fd, binary) as stream:
            yield stream
        return
    folder = target.path.parent
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.path.name}.", suffix=".partial")
    except OSError as exc:
        raise BadInput(_("cannot write in {folder}: {reason}").format(folder=folder, reason=exc.strerror), field=target.field) from None
    temporary = Path(name)
    try:
        with _writing(target):
            os.fchmod(fd, _mode_for(target))
            with _fdopen(fd, binary) as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
        _put_in_place(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _mode_for(target: Target) -> int:
    mode = FILE_MODE
    if target.exists:
        with contextlib.suppress(OSError):
            mode &= os.lstat(target.path).st_mode  # never widen what the user had
    return mode


class WriteFailed(MedborgerError):
    """A file could not be written (a full disk, a size limit); it names the file."""

    exit_code = 1


@contextlib.contextmanager
def _writing(target: Target, *, files: int = 1) -> Iterator[None]:
    """An OSError while `target` is written becomes a message that names the file."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        from .i18n import ngettext

        names = {"file": target.path, "reason": exc.strerror or exc, "count": files}
        raise WriteFailed((_("cannot write {file}: {reason}; nothing was written") if files == 1 else
                           ngettext("cannot write {file}: {reason}; nothing was written (none of the {count} file)",
                                    "cannot write {file}: {reason}; nothing was written (none of the {count} files)",
                                    files)).format(**names), field=target.field) from None


def write_set(targets: dict[str, Target], fill: Callable[[str, IO[Any]], Any]) -> dict[str, Any]:
    """Write several files all or nothing (`export csv --all`): each regular file to a private
    temporary beside it, then, only when every one is written, all are put in place; on any
    failure every temporary is removed and no target is changed. A device or pipe among them is
    written directly, after the regular files were written. Returns `fill(key, stream)` per key."""
    staged: list[tuple[Target, Path]] = []
    results: dict[str, Any] = {}
    try:
        for key, target in targets.items():
            if target.direct:
                continue
            try:
                fd, name = tempfile.mkstemp(dir=target.path.parent, prefix=f".{target.path.name}.", suffix=".partial")
            except OSError as exc:
                raise BadInput(_("cannot write in {folder}: {reason}").format(folder=target.path.parent, reason=exc.strerror),
                               field=target.field) from None
            staged.append((target, Path(name)))
            with _writing(target, files=len(targets)):
                os.fchmod(fd, _mode_for(target))
                with _fdopen(fd, False) as stream:
                    results[key] = fill(key, stream)
                    stream.flush()
                    os.fsync(stream.fileno())
        for key, target in targets.items():
            if target.direct:
                results[key] = write(target, lambda stream, k=key: fill(k, stream))
        while staged:
            target, temporary = staged[0]
            _put_in_place(temporary, target)
            staged.pop(0)
    finally:
        for _target, temporary in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return results


def _fdopen(fd: int, binary: bool) -> IO[Any]:
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def place_new(temporary: Path, path: Path) -> None:
    """Put the finished file `temporary` at `path`, which must not exist: never over a file that
    appeared meanwhile (FileExistsError). A hard link where the file system has them, else an
    exclusive create (O_EXCL) that the bytes are copied into; `temporary` is gone afterwards."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     os.lstat(temporary).st_mode & 0o777)
        try:
            with os.fdopen(fd, "wb") as out, open(temporary, "rb") as source:
                _copy(source, out)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            os.unlink(path)
            raise
    temporary.unlink()


def _put_in_place(temporary: Path, target: Target) -> None:
    if target.exists:
        os.replace(temporary, target.path)  # replaces a link itself, never what it points to
        return
    try:
        place_new(temporary, target.path)
    except FileExistsError:
        raise BadInput(_("{path} exists already; choose another name or pass {{field:overwrite}}").format(path=target.path), field=target.field) from None


def write(target: Target, fill: Callable[[IO[Any]], Any], *, binary: bool = False) -> Any:
    """Write `target` with `fill(stream)` and return what it returns.

    Text streams are UTF-8 with newline="" (CSV writes its own line ends)."""
    with _opened(target, binary) as stream:
        return fill(stream)


def write_bytes(target: Target, data: bytes) -> None:
    write(target, lambda stream: stream.write(data), binary=True)


def install(target: Target, source: Path) -> None:
    """Put the finished file `source` (on the same file system) at `target` with the rules above;
    `source` is gone afterwards."""
    if target.direct:
        with open(source, "rb") as stream:
            write(target, lambda out: _copy(stream, out), binary=True)
        source.unlink()
        return
    os.chmod(source, FILE_MODE & (os.lstat(target.path).st_mode if target.exists else FILE_MODE))
    _put_in_place(source, target)


def _copy(source: IO[bytes], out: IO[bytes]) -> None:
    import shutil

    shutil.copyfileobj(source, out)


# ---------------------------------------------------------------------------------------------
# Reading


def read_bytes(path: Path, *, field: str = "FILE", limit: int | None = None) -> bytes:
    """The whole content of a regular file of at most `limit` bytes (MAX_READ_BYTES)."""
    limit = MAX_READ_BYTES if limit is None else limit
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise BadInput(_("{path} does not exist").format(path=path), field=field) from None
    except IsADirectoryError:
        raise BadInput(_("{path} is a folder; give a CSV file (or {{field:all}} with a folder)").format(path=path), field=field) from None
    except OSError as exc:
        raise BadInput(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror), field=field) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise BadInput(_("{path} is a folder; give a CSV file (or {{field:all}} with a folder)").format(path=path), field=field)
        raise BadInput(_("{path} is not a regular file; give a CSV file").format(path=path), field=field)
    with os.fdopen(fd, "rb") as stream:
        too_big = BadInput(
            _("{path} is larger than {size}, the most medborger reads; split it into smaller files").format(path=path, size=_size(limit)), field=field
        )
        if st.st_size > limit:
            raise too_big
        data = stream.read(limit + 1)
        if len(data) > limit:  # it grew while being read
            raise too_big
        return data


# ---------------------------------------------------------------------------------------------
# Where a database lives: SQLite's journal works only for processes on one computer

NETWORK_FILE_SYSTEMS = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "davfs", "lustre", "gpfs", "ncpfs",
    "fuse.sshfs", "fuse.rclone", "fuse.gvfsd-fuse", "fuse.dropbox", "fuse.onedriver", "fuse.s3fs",
}
SYNCED_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud", "nextcloud", "owncloud", "pcloud")


def shared_storage(path: Path, mounts: str | None = None) -> str | None:
    """What makes `path` unsafe for SQLite shared by several computers: a network file system
    (from /proc/mounts where there is one) or a synced folder (by its name); None when neither."""
    resolved = Path(os.path.realpath(path))
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            mounts = ""
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (str(resolved) == point or str(resolved).startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, kind = point, parts[2]
    if kind in NETWORK_FILE_SYSTEMS or kind.startswith(("nfs", "smb", "fuse.sshfs")):
        return _("a network file system ({kind} at {where})").format(kind=kind, where=best)
    for part in resolved.parts:
        if any(part.casefold().startswith(name) for name in SYNCED_FOLDERS):
            return _("a synced folder ({folder})").format(folder=part)
    return None
