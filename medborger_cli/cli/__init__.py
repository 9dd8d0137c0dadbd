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
from ..i18n import N_, _, ngettext
from .common import State, accept_no_input, plain_coercion
from . import language

plain_coercion()  # no pydantic at start-up (see common.plain_coercion)



class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so that an open transaction rolls back."""


_running = False  # True once the root command runs: before that nothing can have been written


def _on_sigterm(signum: int, frame: Any) -> None:
    if not _running:  # still starting: say so and stop, without Click turning it into "Aborted!"
        _err(interrupted(stopped=True))
        raise SystemExit(143)
    raise Terminated()


class MedborgerGroup(TyperGroup):
    """Turns domain errors into one line on stderr and an exit code, never a traceback.

    It notes which commands run (in the context's shared `meta`), so that an error about a
    field is told with the flag or argument of the command that was typed. Every command it
    holds takes `--no-input` after its name too (see `common.accept_no_input`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            if not isinstance(command, TyperGroup):  # a group inside is a MedborgerGroup: it does its own
                accept_no_input(command)

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Decide the language first (`--lang`, else the environment): the help and every word of
        Click's must be in it, and `--help` is answered while the arguments are read."""
        import sys

        language.choose(list(sys.argv[1:] if args is None else args), list(self.commands))
        language.install()
        language.localize(self)
        return super().main(args, prog_name, complete_var, standalone_mode, **extra)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            ctx.meta.setdefault(COMMANDS, []).append(command)
            language.localize(command)  # its help, options and metavars in the reader's language
        return name, command, rest

    def invoke(self, ctx: Any) -> Any:
        if ctx.parent is not None:  # a group inside the root (export, import, list): the root reports
            return super().invoke(ctx)
        global _running
        _running = True
        try:
            return self._invoke_retrying(ctx)
        except (typer.Exit, typer.Abort, BrokenPipeError):
            raise  # a closed pipe (`| head`) is Typer's to quiet, not an error to report
        except Exception as exc:  # noqa: BLE001 - the one place that decides what the user sees
            if type(exc).__module__.startswith("typer"):
                raise
            code = report(exc, field_labels(ctx), _open_database(ctx))
            raise typer.Exit(code) from None
        except Terminated:
            _err(interrupted(stopped=True))
            raise typer.Exit(143) from None
        except KeyboardInterrupt:
            _err(interrupted(stopped=False))
            raise typer.Exit(130) from None


    def _invoke_retrying(self, ctx: Any) -> Any:
        """Run the command; when a server aborts its transaction as a serialization failure or a
        deadlock before anything was committed, nothing was stored, so run it again (a few times,
        after a short random pause) instead of showing the failure."""
        import random
        import time

        saved = {name: list(getattr(ctx, name)) for name in ("_protected_args", "args")
                 if isinstance(getattr(ctx, name, None), list)}
        attempt = 0
        while True:
            commits = _journal()[0]
            try:
                return super().invoke(ctx)
            except Exception as exc:  # noqa: BLE001 - only a retryable failure is kept from report()
                if attempt == RETRIES or not is_retryable(exc) or _journal()[0] != commits:
                    raise
            attempt += 1
            time.sleep(random.uniform(0.02, 0.1) * attempt)
            for name, value in saved.items():
                setattr(ctx, name, list(value))


RETRIES = 4  # a command aborted by the server for a serialization failure or deadlock runs again


def is_retryable(exc: BaseException) -> bool:
    """A server's failure that rolled the whole transaction back (store.pg.retryable)."""
    if not type(exc).__module__.startswith("psycopg"):
        return False
    from ..store import pg

    return pg.retryable(exc)


def _journal() -> tuple[int, int]:
    """How many write transactions this command committed and rolled back."""
    import sys

    connection = sys.modules.get("medborger_cli.store.connection")  # not imported: nothing was opened
    return (connection.journal.commits, connection.journal.rolled_back) if connection else (0, 0)


def interrupted(stopped: bool) -> str:
    """What an interrupted command kept: only what its committed transactions wrote, and
    whether erased values may still be in the file (a privacy erase stopped while rewriting it)."""
    import sys

    text = _kept(stopped)
    connection = sys.modules.get("medborger_cli.store.connection")
    if connection is not None and connection.journal.unscrubbed:
        from ..i18n import _

        text += " " + _("The file was not yet rewritten, so the erased values may still be readable in it; "
                        "run `medborger privacy scrub` to finish.")
    return text


def _kept(stopped: bool) -> str:
    commits, rolled_back = _journal()
    if rolled_back and commits:
        text = (ngettext("Stopped; the change in progress was rolled back, {count} change saved before it is kept.",
                         "Stopped; the change in progress was rolled back, {count} changes saved before it are kept.", commits)
                if stopped else
                ngettext("Interrupted; the change in progress was rolled back, {count} change saved before it is kept.",
                         "Interrupted; the change in progress was rolled back, {count} changes saved before it are kept.", commits))
        return text.format(count=commits)
    if rolled_back:
        return (_("Stopped; the change in progress was rolled back, nothing was changed.") if stopped else
                _("Interrupted; the change in progress was rolled back, nothing was changed."))
    if commits:
        return (_("Stopped after the change was saved; it is kept.") if stopped else
                _("Interrupted after the change was saved; it is kept."))
    return _("Stopped; nothing was changed.") if stopped else _("Interrupted; nothing was changed.")


COMMANDS = "medborger.commands"
# Fields whose flag or argument is not simply `--FIELD` or `FIELD`.
FIELD_ALIASES = {
    "weekdays": ("weekday",), "target_groups": ("target",), "partners": ("partner",), "keys": ("key",),
    "include_holidays": ("include_holidays",), "funding_period": ("period",),
    "no_partners": ("no_partner",), "no_target_groups": ("no_target",),
}


def field_words(field: str) -> str:
    """A field in words, for a command that has no flag or argument for it (a booking restored
    into a closure is refused for its start, which `restore` does not take)."""
    from ..i18n import _

    words = {
        "start": _("the start"), "end": _("the end"), "from": _("the first date"), "until": _("the last date"),
        "on": _("the date"), "weekdays": _("the weekdays"), "every": _("the interval"), "monthly": _("the monthly rule"),
        "target_groups": _("the target groups"), "no_target_groups": _("the target groups to take away"),
        "partners": _("the partners"), "no_partners": _("the partners to take away"), "title": _("the title"),
        "name": _("the name"), "note": _("the note"), "booking": _("the booking"), "activity": _("the activity"),
        "closure": _("the closure"), "category": _("the category"), "focus": _("the focus area"),
        "room": _("the room"), "centre": _("the centre"), "actor": _("the actor"), "count": _("the count"),
    }
    if field in words:
        return words[field]
    if field.islower() and field.replace("_", "").isalpha():
        return field.replace("_", " ")
    return field  # a name the user typed as it is (MEDBORGER_DB)


def field_labels(ctx: Any) -> Any:
    """How the typed command names a field: its flag (`--start`) or argument (`TITLE`), looked
    up in the command, then the groups above it; a field it does not have is told in words
    (`the start`), never as an identifier. `label.known(field)` says whether the command has it."""
    chain = [*reversed(ctx.meta.get(COMMANDS, [])), ctx.find_root().command]

    def flag(field: str) -> str | None:
        names = {field, *FIELD_ALIASES.get(field, ())}
        for command in chain:
            for param in command.params:
                if param.param_type_name == "argument":
                    if param.name in names or param.name in (f"{field}_id", f"{field}_"):
                        return (param.metavar or param.name.upper()).removesuffix("...")
                elif param.name in names or any(opt[2:].replace("-", "_") in names for opt in param.opts if opt.startswith("--")):
                    return param.opts[0]  # as the command declares it first (`-o` for -o/--output)
        return None

    def label(field: str) -> str:
        found = flag(field)
        return found if found is not None else field_words(field)

    label.known = lambda field: flag(field) is not None  # type: ignore[attr-defined]
    return label


def conflict_hint(exc: Conflict, label: Any) -> str:
    """How to go on after a refused room conflict, in the flags of the command that was typed."""
    skip, allow = label("skip_conflicts"), label("allow_conflicts")
    if exc.can_skip and skip.startswith("--") and allow.startswith("--"):
        return " " + _("(pass {skip} to leave out the taken dates, or {allow} to store them all)").format(skip=skip, allow=allow)
    if allow.startswith("--"):
        return " " + ngettext("(pass {allow} to store it anyway)", "(pass {allow} to store them anyway)",
                              exc.total).format(allow=allow)
    return ""


def _open_database(ctx: Any) -> Any:
    """The database this command opened, if it opened one."""
    state = ctx.find_root().obj
    return getattr(state, "_db", None)


def _invalid_stored_values(db: Any) -> dict[str, int]:
    """Rows the database holds that cannot be read (a date like 2026-13-45), found only when a
    command failed on a value: a stored row that no command can plan with, not a fault of medborger."""
    if db is None:
        return {}
    try:
        from .. import actions

        return {t: n for t, n in actions.invalid_values(db).items() if n}
    except Exception:  # noqa: BLE001 - looking for the cause must not hide the error itself
        return {}


def _damaged(db: Any) -> bool:
    try:
        from .. import store

        return store.quick_check(db) != ["ok"]
    except Exception:  # noqa: BLE001 - looking for the cause must not hide the error itself
        return False


def _stored_message(invalid: dict[str, int]) -> str:
    from ..i18n import _

    return _("the database holds a value that cannot be read (rows of {where}); run `medborger check`, then correct "
             "or remove those rows").format(where=", ".join(f"{table}: {n}" for table, n in invalid.items()))


def report(exc: Exception, label: Any = None, db: Any = None) -> int:
    import sqlite3

    from ..errors import plain_label
    from ..i18n import _

    if os.environ.get("MEDBORGER_DEBUG"):
        raise exc
    label = label or plain_label
    if isinstance(exc, MedborgerError):
        from ..errors import BadInput

        known = getattr(label, "known", None)
        if isinstance(exc, BadInput) and exc.field and known is not None and not known(exc.field):
            invalid = _invalid_stored_values(db)  # a value this command was not given: read from the file
            if invalid:
                _err(_stored_message(invalid))
                return 1
        text = exc.render(label)
        if isinstance(exc, Conflict):
            if exc.conflicts:
                from .. import output

                output.conflicts(exc.conflicts, _("Room conflicts"))
            text += conflict_hint(exc, label)
        _err(text)
        return exc.exit_code
    if type(exc).__module__.startswith("psycopg"):
        from ..store import pg

        known = pg.user_error(exc)
        if known is not None:
            _err(known.render(label))
            return known.exit_code
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        _err(_("database error: {reason}; run with MEDBORGER_DEBUG=1 for details").format(
            reason=f"{type(exc).__name__}: {first_line}"))
        return 1
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        if "locked" in text or "busy" in text:
            _err(_("the database is busy with another medborger; try again in a moment"))
            return 1
        if "readonly" in text:
            _err(_("the database is read-only; check the file's permissions"))
            return 2
        if "disk" in text and "full" in text and db is not None and _damaged(db):  # SQLite says so of damage too
            _err(_("the database file is damaged, not the disk full; nothing more was changed. Run `medborger check`, "
                   "and restore the latest backup"))
            return 1
        if "disk" in text and "full" in text:
            commits = _journal()[0]
            _err(_("the disk is full; nothing was written") if not commits else
                 ngettext("the disk is full; what was saved before it is kept ({count} change), "
                          "the step that ran out of space was not done",
                          "the disk is full; what was saved before it is kept ({count} changes), "
                          "the step that ran out of space was not done", commits).format(count=commits))
            return 1
    if isinstance(exc, sqlite3.DatabaseError):
        if "malformed" in str(exc) or "not a database" in str(exc):
            _err(_("the database file is damaged ({reason}); nothing more was changed. Run `medborger check`, "
                   "and restore the latest backup").format(reason=exc))
            return 1
        _err(_("database error: {reason}; run with MEDBORGER_DEBUG=1 for details").format(reason=exc))
        return 1
    if isinstance(exc, OSError):
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 1
    if isinstance(exc, (ValueError, TypeError, KeyError, OverflowError)):
        invalid = _invalid_stored_values(db)
        if invalid:
            _err(_stored_message(invalid))
            return 1
    _err(_("internal error ({kind}: {reason}); run with MEDBORGER_DEBUG=1 and report it").format(kind=type(exc).__name__, reason=exc))
    return 1


def _err(text: str) -> None:
    from .. import output

    output.error(text)


app = typer.Typer(
    name="medborger",
    cls=MedborgerGroup,
    help=N_("Coordinate a medborgercenter: centres, rooms, actors, activities, the week's schedule, and room conflicts."),
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help keeps `medborger --help` fast
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medborger {__version__}")
        raise typer.Exit()


def _language(value: str | None) -> str | None:
    from ..i18n import LANGUAGES

    if value is not None and value.strip().lower() not in LANGUAGES:
        raise typer.BadParameter(_("'{value}' is not a language of medborger; choose da or en").format(value=value))
    return value


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH|URL", help="Database file, or a shared server's postgresql://USER@HOST/DBNAME "
                     "(else $MEDBORGER_DB, else a file in the user data dir)."),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", envvar="MEDBORGER_NO_INPUT",
            help="Never prompt; fail naming the missing flags instead. Every command also takes it after its name.",
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(language.LANG_OPTION, metavar="da|en", callback=_language,
                     help="Language of the interface: da (Danish) or en (English); else $MEDBORGER_LANG, else the locale, else Danish."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = State(db_option=db, no_input=no_input)


# They register their commands; the order here is the order in `--help`.
from . import centres, activities, editing, listing, free, reports, attendance, exchange, removing, data  # noqa: E402,F401,I001

for _group in app.registered_groups:  # export, import, list, privacy: they note their commands too
    _group.cls = MedborgerGroup


def main() -> None:
    import signal
    import sys
    from . import common

    signal.signal(signal.SIGTERM, _on_sigterm)
    common.COMMAND_LINE[:] = ["medborger", *sys.argv[1:]]  # for the change log
    app(prog_name="medborger")
