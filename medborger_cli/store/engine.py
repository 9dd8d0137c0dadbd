"""Which engine a `--db` value selects, and how a PostgreSQL address is shown.

A value starting with `postgresql://` (or `postgres://`) is a libpq connection URL and selects
PostgreSQL; anything else is the path of a SQLite file. Light: no driver is imported here.

A URL may carry a password (`postgresql://anna:secret@host/db`); it is passed to libpq as
given and never shown: `PgTarget.display` and every message use the address without it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

URL_SCHEMES = ("postgresql://", "postgres://")


_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@")
_PASSWORD_PARAM = re.compile(r"(?i)([?&]password=)[^&\s]*")


def redact(text: str) -> str:
    """`text` with the password of any PostgreSQL URL in it left out: what a log may keep."""
    return _PASSWORD_PARAM.sub(r"\1", _PASSWORD.sub(r"\1@", text))


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(URL_SCHEMES)


@dataclass(frozen=True)
class PgTarget:
    """A PostgreSQL database: the URL as given (to connect) and what can be shown of it."""

    url: str
    host: str
    port: str
    dbname: str
    user: str
    service: str | None = None

    @property
    def display(self) -> str:
        """The address without a password: postgresql://USER@HOST:PORT/DBNAME."""
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{self.host}:{self.port}/{self.dbname}"

    @property
    def where(self) -> str:
        """HOST:PORT, database DBNAME: what a connection message names."""
        return f"{self.host}:{self.port}"

    # Code that treats the target as a file's path (backups beside it, the file's -wal) asks this.
    is_file = False

    def __str__(self) -> str:
        return self.display


def parse_target(url: str) -> PgTarget:
    """What libpq will connect to: the URL's parts, then its service's, then the PG*
    environment variables, then libpq's defaults. Parsed without the driver."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url.strip())
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    values: dict[str, str] = {}
    service = query.get("service") or os.environ.get("PGSERVICE")
    if service:
        values.update(_service(service))
    try:
        port = str(parts.port) if parts.port else ""
    except ValueError:
        port = ""
    url_values = {
        "host": unquote(parts.hostname or "") if parts.hostname else query.get("host", ""),
        "port": port or query.get("port", ""),
        "dbname": unquote(parts.path.lstrip("/")) or query.get("dbname", ""),
        "user": unquote(parts.username or "") or query.get("user", ""),
    }
    values.update({k: v for k, v in url_values.items() if v})
    env = {"host": "PGHOST", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER"}
    for key, name in env.items():
        if not values.get(key) and os.environ.get(name):
            values[key] = os.environ[name]
    user = values.get("user") or _login()
    return PgTarget(
        url=url.strip(),
        host=values.get("host") or "localhost",
        port=values.get("port") or "5432",
        dbname=values.get("dbname") or user,
        user=user,
        service=service,
    )


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return ""


def _service(name: str) -> dict[str, str]:
    """The settings of a libpq service (~/.pg_service.conf, $PGSERVICEFILE, $PGSYSCONFDIR)."""
    import configparser

    files = []
    if os.environ.get("PGSERVICEFILE"):
        files.append(Path(os.environ["PGSERVICEFILE"]))
    else:
        files.append(Path.home() / ".pg_service.conf")
    if os.environ.get("PGSYSCONFDIR"):
        files.append(Path(os.environ["PGSYSCONFDIR"]) / "pg_service.conf")
    for path in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(name):
            return {k: v for k, v in parser[name].items() if k in ("host", "port", "dbname", "user")}
    return {}
