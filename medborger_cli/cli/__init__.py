"""The Typer app: one configured root, the areas joined here, one error handler.

Keep this package's imports light (DESIGN.md, Start-up): Rich tables, questionary,
sqlite-utils, dateutil and holidays are imported inside the commands that need them.
"""


import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import Conflict, MedborgerError
from .common import State


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so that an open transaction rolls back."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


class MedborgerGroup(TyperGroup):
    """Turns domain errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, BrokenPipeError):
            raise  # a closed pipe (`| head`) is Typer's to quiet, not an error to report
        except Exception as exc:  # noqa: BLE001 - the one place that decides what the user sees
            if type(exc).__module__.startswith("typer"):
                raise
            code = report(exc)
            raise typer.Exit(code) from None
        except Terminated:
            _err("Stopped; the change in progress was rolled back.")
            raise typer.Exit(143) from None
        except KeyboardInterrupt:
            _err("Interrupted; the change in progress was rolled back.")
            raise typer.Exit(130) from None


def report(exc: Exception) -> int:
    import sqlite3

    if os.environ.get("MEDBORGER_DEBUG"):
        raise exc
    if isinstance(exc, MedborgerError):
        if isinstance(exc, Conflict) and exc.conflicts:
            from .. import output

            output.conflicts(exc.conflicts, "Room conflicts")
        _err(exc.message)
        return exc.exit_code
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        if "locked" in text or "busy" in text:
            _err("the database is busy with another medborger; try again in a moment")
            return 1
        if "readonly" in text:
            _err("the database is read-only; check the file's permissions")
            return 2
        if "disk" in text and "full" in text:
            _err("the disk is full; nothing was written")
            return 1
    if isinstance(exc, sqlite3.DatabaseError):
        _err(f"database error: {exc}; run with MEDBORGER_DEBUG=1 for details")
        return 1
    if isinstance(exc, OSError):
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 1
    _err(f"internal error ({type(exc).__name__}: {exc}); run with MEDBORGER_DEBUG=1 and report it")
    return 1


def _err(text: str) -> None:
    from .. import output

    output.error(text)


app = typer.Typer(
    name="medborger",
    cls=MedborgerGroup,
    help=(
        "Coordinate a medborgercenter: centres, rooms, actors (aktører), activities (aktiviteter), "
        "the week's schedule, and room conflicts."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help keeps `medborger --help` fast
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medborger {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH", help="Database file (else $MEDBORGER_DB, else the user data dir)."),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", envvar="MEDBORGER_NO_INPUT", help="Never prompt; fail naming the missing flags instead."
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = State(db_option=db, no_input=no_input)


# They register their commands; the order here is the order in `--help`.
from . import centres, activities, listing, reports, exchange, removing, data  # noqa: E402,F401,I001


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    app(prog_name="medborger")
