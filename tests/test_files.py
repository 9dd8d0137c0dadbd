"""Files medborger writes (export csv, export ics, backup) and reads (import csv): never the
database, never through a link, never replacing a device or pipe, an existing file only with
--overwrite, 0600, nothing partial left behind; import reads regular, bounded, decodable files."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import dump, rows
from medborger_cli import files

EXPORTS = {
    "csv": ["export", "csv", "actors"],
    "ics": ["export", "ics"],
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def listing(folder: Path) -> dict[str, str]:
    """Every entry of a folder (links not followed) with its content's hash."""
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            found[entry.name] = "-> " + os.readlink(entry)
        elif entry.is_file():
            found[entry.name] = sha(entry)
        else:
            found[entry.name] = "other"
    return found


@pytest.fixture
def umask_000():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def run(db: Path, *args: str, timeout: float = 60, preexec_fn=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEDBORGER_DB": str(db), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "medborger_cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, stdin=subprocess.DEVNULL, preexec_fn=preexec_fn)


# ---------------------------------------------------------------------------------------------
# Never the database


def _database_names(db_path: Path) -> list[Path]:
    folder = db_path.parent
    symlink = folder / "link.db"
    symlink.symlink_to(db_path)
    hardlink = folder / "hard.db"
    os.link(db_path, hardlink)
    (folder / "sub").mkdir()
    return [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{db_path}-journal"),
            symlink, hardlink, folder / "sub" / ".." / db_path.name]


@pytest.mark.parametrize("command", [EXPORTS["csv"] + ["-o"], EXPORTS["ics"] + ["-o"], ["backup"]], ids=["csv", "ics", "backup"])
def test_the_database_and_its_files_are_never_written(cli, house, command):
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-07 10:00", "--end", "11:00")
    before = dump(house)
    field = "PATH" if command == ["backup"] else "-o"
    for target in _database_names(house):
        existed = target.exists()
        result = cli(*command, target, "--overwrite")  # --overwrite does not make the database fair game
        assert result.exit_code == 2, (target, result.stderr)
        assert f"{field}: " in result.stderr and "is the database" in result.stderr, result.stderr
        assert target.exists() == existed, target
    for path in house.parent.glob(house.name + "*"):  # SQLite may checkpoint; nobody else writes
        assert not path.read_bytes().startswith((b"name,sector", b"BEGIN:VCALENDAR")), path
    assert house.read_bytes().startswith(b"SQLite format 3\x00")
    assert dump(house) == before
    assert house.is_file() and not house.is_symlink()



@pytest.mark.parametrize("command", [EXPORTS["csv"] + ["-o"], EXPORTS["ics"] + ["-o"], ["backup"]], ids=["csv", "ics", "backup"])
def test_the_live_journal_is_protected_when_the_database_is_named_through_a_link(cli, house, command):
    """SQLite keeps the -wal beside the real file: `--db link.db` must protect `real.db-wal`."""
    import sqlite3

    link = house.parent / "link.db"
    link.symlink_to(house)
    keeper = sqlite3.connect(house)  # holds the journal open, as a second coordinator would
    try:
        keeper.execute("PRAGMA journal_mode = WAL")
        keeper.execute("PRAGMA wal_autocheckpoint = 0")
        keeper.execute("UPDATE centres SET name = 'Committed only in the journal' WHERE id = 1")
        keeper.commit()
        wal = Path(f"{house}-wal")
        assert wal.exists()
        before = sha(wal)
        field = "PATH" if command == ["backup"] else "-o"
        for extra in ([], ["--overwrite"]):
            result = cli("--db", link, *command, wal, *extra)
            assert result.exit_code == 2, result.stderr
            assert f"{field}: " in result.stderr and "is the database" in result.stderr, result.stderr
            assert sha(wal) == before
    finally:
        keeper.close()
    assert rows(house, "SELECT name FROM centres WHERE id = 1") == [{"name": "Committed only in the journal"}]


def test_is_protected_compares_names_and_files(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"db")
    os.link(db, tmp_path / "hard")
    (tmp_path / "soft").symlink_to(db)
    protected = files.database_files(db)
    assert files.is_protected(tmp_path / "hard", protected)
    assert files.is_protected(tmp_path / "soft", protected)
    assert files.is_protected(tmp_path / "x.db-wal", protected)  # need not exist
    assert not files.is_protected(tmp_path / "x.db.csv", protected)
    (tmp_path / "other").write_bytes(b"db")
    assert not files.is_protected(tmp_path / "other", protected)


# ---------------------------------------------------------------------------------------------
# An existing file only with --overwrite


@pytest.mark.parametrize("kind", ["csv", "ics"])
def test_an_existing_file_is_replaced_only_with_overwrite(cli, house, tmp_path, kind):
    target = tmp_path / "existing.txt"
    target.write_bytes(b"keep me\n")
    result = cli(*EXPORTS[kind], "-o", target)
    assert result.exit_code == 2 and "-o: " in result.stderr and "--overwrite" in result.stderr, result.stderr
    assert target.read_bytes() == b"keep me\n"
    result = cli(*EXPORTS[kind], "-o", target, "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"name,sector" if kind == "csv" else b"BEGIN:VCALENDAR")


def test_export_all_checks_every_file_before_writing_any(cli, house, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "rooms.csv").write_bytes(b"mine\n")
    (folder / "notes.txt").write_bytes(b"unrelated\n")
    before = listing(folder)
    result = cli("export", "csv", "--all", "-o", folder)
    assert result.exit_code == 2 and "rooms.csv exists already" in result.stderr, result.stderr
    assert listing(folder) == before  # not even centres.csv, which comes first
    result = cli("export", "csv", "--all", "-o", folder, "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert (folder / "rooms.csv").read_bytes().startswith(b"centre,name")
    assert (folder / "notes.txt").read_bytes() == b"unrelated\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["notes.txt"] + [f"{t}.csv" for t in
                                                               ["centres", "rooms", "actors", "closures", "activities", "bookings", "attendance", "overlaps", "collaboration"]])


def test_backup_asks_for_overwrite(cli, house, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"older copy")
    result = cli("backup", target)
    assert result.exit_code == 2 and "PATH: " in result.stderr and "--overwrite" in result.stderr
    assert target.read_bytes() == b"older copy"
    assert cli("backup", target, "--overwrite").exit_code == 0
    assert rows(target, "SELECT count(*) AS n FROM actors")[0]["n"] == 3


def test_a_missing_folder_is_named(cli, house, tmp_path):
    for command, field in ((EXPORTS["csv"] + ["-o"], "-o"), (EXPORTS["ics"] + ["-o"], "-o"), (["backup"], "PATH")):
        for target in (tmp_path / "nowhere" / "x", f"{tmp_path / 'nowhere'}/"):
            result = cli(*command, target)
            assert result.exit_code == 2 and f"{field}: folder" in result.stderr and "does not exist" in result.stderr, result.stderr
    assert not (tmp_path / "nowhere").exists()


# ---------------------------------------------------------------------------------------------
# Never through a link


@pytest.mark.parametrize("kind", ["csv", "ics", "backup"])
def test_a_planted_partial_link_is_not_followed(cli, house, tmp_path, kind):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    name = {"csv": "out.csv", "ics": "cal.ics", "backup": "copy.db"}[kind]
    planted = tmp_path / f".{name}.partial"
    planted.symlink_to(victim)
    command = ["backup", tmp_path / name] if kind == "backup" else EXPORTS[kind] + ["-o", tmp_path / name]
    result = cli(*command)
    assert result.exit_code == 0, result.stderr
    assert victim.read_bytes() == b"precious\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert (tmp_path / name).is_file() and not (tmp_path / name).is_symlink()
    assert (tmp_path / name).stat().st_size > 100


@pytest.mark.parametrize("command", [EXPORTS["csv"] + ["-o"], EXPORTS["ics"] + ["-o"], ["backup"]], ids=["csv", "ics", "backup"])
def test_a_target_that_is_a_link_is_refused(cli, house, tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    link = tmp_path / "out"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nothing-here")
    for target in (link, dangling):
        result = cli(*command, target, "--overwrite")
        assert result.exit_code == 2 and "is a link" in result.stderr, result.stderr
    assert victim.read_bytes() == b"precious\n"
    assert link.is_symlink() and dangling.is_symlink() and not (tmp_path / "nothing-here").exists()


def test_export_all_refuses_a_link_among_its_files(cli, house, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    (folder / "bookings.csv").symlink_to(victim)
    result = cli("export", "csv", "--all", "-o", folder, "--overwrite")
    assert result.exit_code == 2 and "bookings.csv is a link" in result.stderr, result.stderr
    assert victim.read_bytes() == b"precious\n"
    assert [p.name for p in folder.iterdir()] == ["bookings.csv"]


# ---------------------------------------------------------------------------------------------
# Devices and pipes are written in place, never replaced


@pytest.fixture
def null_device(tmp_path) -> Path:
    """A character device that discards what is written. As root (CI), a private copy of
    /dev/null, so that a regression replaces that copy and not the machine's /dev/null."""
    if os.geteuid() != 0:
        return Path("/dev/null")  # only root could replace it
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot make a device here: {exc.strerror}")
    return path


@pytest.mark.parametrize("command", [EXPORTS["csv"] + ["-o"], EXPORTS["ics"] + ["-o"], ["backup"]], ids=["csv", "ics", "backup"])
def test_a_device_stays_a_device(cli, house, null_device, command):
    device = os.lstat(null_device).st_rdev
    result = cli(*command, null_device)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null_device).st_mode) and os.lstat(null_device).st_rdev == device
    assert not [p for p in null_device.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("command", [EXPORTS["csv"] + ["-o"], EXPORTS["ics"] + ["-o"], ["backup"]], ids=["csv", "ics", "backup"])
def test_a_fifo_is_written_not_replaced(cli, house, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli(*command, fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    expected = {"export": b"name,sector" if "csv" in command else b"BEGIN:VCALENDAR", "backup": b"SQLite format 3\x00"}
    assert received and received[0].startswith(expected[command[0]])
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("medborger.db")) == ["pipe"]


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="needs /proc")
def test_dash_and_dev_stdout_write_standard_output(house, tmp_path):
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")  # what /dev/stdout is, without risking the real one as root
    for target in ("-", stdout, "/dev/fd/1"):
        out = tmp_path / "captured.csv"
        with open(out, "wb") as stream:
            env = {**os.environ, "MEDBORGER_DB": str(house)}
            done = subprocess.run([sys.executable, "-m", "medborger_cli", "export", "csv", "actors", "-o", target],
                                  stdout=stream, stderr=subprocess.PIPE, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().startswith(b"name,sector,contact,email,phone\r\n")
        assert b"Jobcenter Slagelse" in out.read_bytes()


# ---------------------------------------------------------------------------------------------
# 0600, whatever the umask


def test_every_file_written_is_private(cli, house, tmp_path, umask_000):
    assert cli("export", "csv", "actors", "-o", tmp_path / "actors.csv").exit_code == 0
    assert cli("export", "ics", "-o", tmp_path / "cal.ics").exit_code == 0
    assert cli("backup", tmp_path / "copy.db").exit_code == 0
    assert cli("export", "csv", "--all", "-o", tmp_path / "all").exit_code == 0
    for path in [tmp_path / "actors.csv", tmp_path / "cal.ics", tmp_path / "copy.db", *(tmp_path / "all").iterdir()]:
        assert mode(path) == 0o600, path
    assert mode(tmp_path / "all") == 0o700


def test_overwriting_never_widens_the_mode(cli, house, tmp_path, umask_000):
    target = tmp_path / "actors.csv"
    assert cli("export", "csv", "actors", "-o", target).exit_code == 0
    assert cli("export", "csv", "actors", "-o", target, "--overwrite").exit_code == 0
    assert mode(target) == 0o600
    target.chmod(0o644)  # a file the user made readable: it holds phone numbers now
    assert cli("export", "csv", "actors", "-o", target, "--overwrite").exit_code == 0
    assert mode(target) == 0o600
    target.chmod(0o400)
    assert cli("export", "csv", "actors", "-o", target, "--overwrite").exit_code == 0
    assert mode(target) == 0o400
    assert b"Jobcenter Slagelse" in target.read_bytes()


# ---------------------------------------------------------------------------------------------
# A failed write leaves nothing behind


def test_an_export_that_fails_midway_leaves_no_file(cli, house, tmp_path, monkeypatch):
    from medborger_cli import transfer

    def failing(db, table, stream, **kwargs):
        stream.write("name,sector\r\nhalf a row")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfer, "export_csv", failing)
    out = tmp_path / "out"
    out.mkdir()
    (out / "existing.csv").write_bytes(b"old\n")
    before = listing(out)
    for args in (["actors", "-o", out / "new.csv"], ["actors", "-o", out / "existing.csv", "--overwrite"],
                 ["--all", "-o", out]):
        result = cli("export", "csv", *args)
        assert result.exit_code == 1 and "No space left on device" in result.stderr, result.stderr
        assert listing(out) == before

    def interrupted(db, table, stream, **kwargs):
        stream.write("name,sector\r\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(transfer, "export_csv", interrupted)
    result = cli("export", "csv", "actors", "-o", out / "new.csv")
    assert result.exit_code == 130
    assert listing(out) == before


@pytest.mark.parametrize("existing", [False, True], ids=["new", "overwrite"])
def test_export_all_is_all_or_nothing(cli, house, tmp_path, monkeypatch, existing):
    """A set that fails at its fifth file leaves none of the nine, and says which file failed."""
    from medborger_cli import csvio, transfer

    real = transfer.export_csv
    written = []

    def fifth_fails(db, table, stream, **kwargs):
        written.append(table)
        if len(written) == 5:
            stream.write("half a file")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(db, table, stream, **kwargs)

    monkeypatch.setattr(transfer, "export_csv", fifth_fails)
    out = tmp_path / "out"
    out.mkdir()
    if existing:
        for name in csvio.EXPORT_TABLES:
            (out / f"{name}.csv").write_bytes(b"old\n")
    (out / "unrelated.txt").write_bytes(b"mine\n")
    before = listing(out)
    result = cli("export", "csv", "--all", "-o", out, *(["--overwrite"] if existing else []))
    assert result.exit_code == 1, result.stderr
    failed = out / f"{written[4]}.csv"
    assert f"cannot write {failed}: No space left on device" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert listing(out) == before


def test_no_module_imports_another_modules_private_names():
    import ast

    package = Path(files.__file__).parent
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                found += [f"{path.relative_to(package)}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and a.name != "_" and not a.name.startswith("__")]
    assert found == []


def test_files_write_cleans_up_on_any_exception(tmp_path):
    target = files.check_target(tmp_path / "x.txt", field="-o", overwrite=False)

    def fill(stream):
        stream.write("partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        files.write(target, fill)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_a_full_disk_leaves_no_partial_file(cli, house, tmp_path):
    """A file-size limit makes writes beyond it fail as a full disk does (EFBIG)."""
    import resource

    long = "x" * 120
    lines = ["centre,room,title,actor,start,end"] + [
        f"Kvarterhuset på Motalavej,Salen,Møde {n} {long},5M – Mennesker på Motalavej,2027-01-{1 + n // 10:02d} {8 + n % 10}:00,2027-01-{1 + n // 10:02d} {8 + n % 10}:30"
        for n in range(300)]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", "csv", "bookings", tmp_path / "in.csv").exit_code == 0
    (tmp_path / "in.csv").unlink()
    out = tmp_path / "out"
    out.mkdir()
    limit = 48_000  # the database is larger already; reading it writes nothing beyond its end

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    for args in (["export", "ics", "-o", out / "cal.ics"], ["export", "csv", "bookings", "-o", out / "bookings.csv"]):
        result = run(house, *args, preexec_fn=small_disk)
        assert result.returncode == 1 and "File too large" in result.stderr, result.stderr
        assert list(out.iterdir()) == []
    # without the limit the same exports are bigger than it
    assert run(house, "export", "ics", "-o", out / "cal.ics").returncode == 0
    assert run(house, "export", "csv", "bookings", "-o", out / "bookings.csv").returncode == 0
    assert (out / "cal.ics").stat().st_size > limit and (out / "bookings.csv").stat().st_size > limit


# ---------------------------------------------------------------------------------------------
# Files read by import csv


def test_import_reads_regular_files_only(cli, house, tmp_path):
    before = dump(house)
    for path, message in (("/dev/zero", "FILE: /dev/zero is not a regular file; give a CSV file"),
                          ("/dev/null", "is not a regular file"), (tmp_path, "is a folder")):
        result = cli("import", "csv", "actors", path)
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert dump(house) == before


def test_import_does_not_wait_on_a_fifo(house, tmp_path):
    fifo = tmp_path / "actors.csv"
    os.mkfifo(fifo)
    result = run(house, "import", "csv", "actors", fifo, timeout=30)
    assert result.returncode == 2 and "is not a regular file" in result.stderr, result.stderr


def test_import_refuses_a_file_over_the_limit(cli, house, tmp_path, monkeypatch):
    before = dump(house)
    big = tmp_path / "big.csv"
    with open(big, "wb") as stream:  # sparse: nothing is really written
        stream.write(b"name,sector\n")
        stream.truncate(files.MAX_READ_BYTES + 1)
    result = cli("import", "csv", "actors", big)
    assert result.exit_code == 2 and "FILE: " in result.stderr and "larger than 200 MB" in result.stderr, result.stderr
    small = tmp_path / "actors.csv"
    small.write_text("name,sector\n" + "".join(f"Forening {n},frivillig\n" for n in range(100)), encoding="utf-8")
    monkeypatch.setattr(files, "MAX_READ_BYTES", small.stat().st_size - 1)
    result = cli("import", "csv", "actors", small)
    assert result.exit_code == 2 and "larger than" in result.stderr
    assert dump(house) == before
    monkeypatch.setattr(files, "MAX_READ_BYTES", small.stat().st_size)
    assert cli("import", "csv", "actors", small).exit_code == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named(cli, house, tmp_path, encoding):
    before = dump(house)
    path = tmp_path / "actors.csv"
    path.write_bytes("name,sector\r\nForening,frivillig\r\n".encode(encoding))
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: FILE: {path} is UTF-16; save it as CSV UTF-8"
    path.write_bytes("name,sector\r\nForening,frivillig\r\n".encode(encoding) + b"\x00")  # odd length too
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2 and "is UTF-16" in result.stderr and "internal error" not in result.stderr
    assert dump(house) == before


def test_undecodable_bytes_name_the_row(cli, house, tmp_path):
    before = dump(house)
    path = tmp_path / "actors.csv"
    path.write_bytes(b"name,sector\r\nForening,frivillig\r\nKlub \x81,frivillig\r\n")  # 0x81: not cp1252 either
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"FILE: {path}: row 3 " in result.stderr and "0x81" in result.stderr and "UTF-8" in result.stderr
    # UTF-8 with one stray Windows byte: not read as Windows-1252 (which would garble the æ)
    path.write_bytes("name,sector\r\nFælleshus,frivillig\r\nKlub \x9a,frivillig\r\n".encode("utf-8").replace(b"\xc2\x9a", b"\x9a"))
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2 and f"FILE: {path}: row 3 " in result.stderr, result.stderr
    path.write_bytes(b"name,sector\r\nKlub\x00,frivillig\r\n" + b"Forening,frivillig\r\n" * 400)
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2 and "not a text file" in result.stderr
    assert dump(house) == before


def test_windows_1252_is_still_read(cli, house, tmp_path):
    path = tmp_path / "actors.csv"
    path.write_bytes("name;sector\r\nFælleshus – Øst;frivillig\r\n".encode("cp1252"))
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 0, result.stderr
    assert rows(house, "SELECT name FROM actors WHERE name LIKE 'F%'") == [{"name": "Fælleshus – Øst"}]


def test_a_column_named_twice_is_an_error(cli, house, tmp_path):
    before = dump(house)
    path = tmp_path / "actors.csv"
    path.write_text("name,sector,Name \nForening,frivillig,Anden\n", encoding="utf-8")
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2 and "column 'name' twice" in result.stderr, result.stderr
    assert dump(house) == before
    path.write_text("name,sector,,\nForening,frivillig,,\n", encoding="utf-8")  # empty columns, as Excel leaves them
    assert cli("import", "csv", "actors", path).exit_code == 0


@pytest.mark.parametrize("kind", ["fifo", "device-link", "folder"])
def test_import_all_refuses_a_table_file_that_is_not_regular(cli, house, tmp_path, kind):
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "centres.csv"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device-link":
        target.symlink_to("/dev/zero")
    else:
        target.mkdir()
    before = dump(house)
    result = cli("import", "csv", "--all", folder)
    assert result.exit_code == 2, result.stderr
    assert "centres.csv" in result.stderr and ("not a regular file" in result.stderr or "is a folder" in result.stderr), result.stderr
    assert "holds none of" not in result.stderr
    assert dump(house) == before


@pytest.mark.parametrize("content,row,number", [
    ("name,type,municipality,,\nNyt Hus,andet,Odense,X,Z\n", 2, 4),
    ("name,type,municipality,\nNyt Hus,andet,Odense,\nAndet Hus,andet,Odense,X\n", 3, 4),
    ("name,,type,municipality\nNyt Hus,skjult,andet,Odense\n", 2, 2),
])
def test_a_value_under_an_unnamed_column_is_an_error_naming_it(cli, house, tmp_path, content, row, number):
    """Excel leaves cleared columns unnamed and empty (that imports); a value under one would be lost silently."""
    path = tmp_path / "centres.csv"
    path.write_text(content, encoding="utf-8")
    before = dump(house)
    result = cli("import", "csv", "centres", path)
    assert result.exit_code == 2, result.stderr
    assert f"row {row}: column {number} holds" in result.stderr and "no name in the header" in result.stderr, result.stderr
    assert dump(house) == before


def test_a_new_file_is_never_put_over_one_that_appeared_even_without_hard_links(tmp_path, monkeypatch):
    """On a file system without hard links (some network shares) the finished file goes in by an
    exclusive create: a file that appeared meanwhile at the name is kept, not replaced."""
    import errno

    from medborger_cli import files

    def no_links(source, target):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(files.os, "link", no_links)
    finished = tmp_path / "finished.tmp"
    finished.write_bytes(b"the copy")
    files.place_new(finished, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_bytes() == b"the copy" and not finished.exists()
    other = tmp_path / "other.tmp"
    other.write_bytes(b"second copy")
    with pytest.raises(FileExistsError):
        files.place_new(other, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_bytes() == b"the copy" and other.exists()
