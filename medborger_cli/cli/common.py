"""What the command modules share: the state of the root options, opening the database,
the output options and date windows. Light imports only."""


import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import N_, _, ngettext


COMMAND_LINE: list[str] = []  # as typed, set by main(); the change log records it


def plain_coercion() -> None:
    """Coerce the plain option types (str, int, lists of str) without pydantic.

    Typer 0.29 turns every option value given into its type through a pydantic TypeAdapter, and
    importing pydantic takes longer than all the rest of a `medborger schedule`. The commands'
    options are strings, whole numbers, flags and lists of strings: those are converted here, as
    Typer would; any other type (an Enum, a path) still goes through Typer's own coercion. Without the
    Typer internals this relies on, nothing changes but the speed."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
        from typer._click.exceptions import BadParameter
    except ImportError:  # another Typer: its own coercion, only slower
        return
    if getattr(core._TyperParameter, "_medborger_plain", False):
        return

    class PlainParam(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, (list, tuple)):
                return [self._one(v, param, ctx) for v in value]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is str or not isinstance(value, str):
                return value  # a string option, or a default that is a number or flag already
            text = value.strip()
            if self.annotation is bool:  # a flag from an environment variable
                if text.lower() in ("1", "true", "t", "yes", "y", "on"):
                    return True
                if text.lower() in ("0", "false", "f", "no", "n", "off", ""):
                    return False

                raise BadParameter(_("'{value}' is neither yes nor no").format(value=value), ctx=ctx, param=param)
            digits = text[1:] if text[:1] in "+-" else text
            if not digits.isascii() or not digits.isdigit():

                raise BadParameter(_("'{value}' is not a whole number").format(value=value), ctx=ctx, param=param)
            return int(text)

    def plain(descriptor: Any) -> bool:
        from typing import get_args, get_origin

        info = descriptor.parameter_info
        if descriptor.file_annotation is not None or info.parser is not None or info.min is not None or info.max is not None:
            return False
        annotation = descriptor.annotation
        if get_origin(annotation) is list:
            return get_args(annotation) == (str,)
        return annotation in (str, int, bool)

    original = core._TyperParameter.get_runtime_param

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None and plain(self.type_descriptor):
            annotation = self.type_descriptor.annotation
            element = annotation if annotation in (str, int, bool) else str
            self._runtime_param = PlainParam(parameter_info=self.type_descriptor.parameter_info, annotation=element)
        return original(self)

    core._TyperParameter.get_runtime_param = get_runtime_param
    core._TyperParameter._medborger_plain = True


@dataclass
class State:
    db_option: str | None = None
    no_input: bool = False
    _db: Any = field(default=None, repr=False)

    def db(self):
        """The open, migrated database (opened once per command)."""
        if self._db is None:
            from .. import store

            import shlex

            from .. import actions

            path, source = store.resolve_path(self.db_option)
            self._db = store.connect(path, source)
            from ..store.engine import redact

            # can be read back and run again; a password in a URL is never kept
            actions.WHO.command = redact(shlex.join(COMMAND_LINE)) if COMMAND_LINE else "medborger"
            self.path = path
        return self._db


def protected_files(ctx: typer.Context) -> list[Path]:
    """The database's files (under the name given and its real name), which no file a command
    writes may replace: every command that writes a file passes them to `files.check_target`."""
    from ..files import database_files

    st = state(ctx)
    st.db()
    return database_files(st.path)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


NO_INPUT = "--no-input"


def _no_input_given(ctx: typer.Context, value: bool) -> bool:
    if value:
        state(ctx).no_input = True
    return value


@functools.cache
def _no_input_option() -> Any:
    """The `--no-input` option as Typer builds it (through its public API, from a tiny app);
    built once and shared, as an option holds no state of its own."""
    donor = typer.Typer()

    @donor.command()
    def donor_command(
        no_input: Annotated[bool, typer.Option(
            NO_INPUT, expose_value=False, callback=_no_input_given,
            help=N_("Never prompt; fail naming the missing flags instead (as `medborger --no-input` or "
                    "MEDBORGER_NO_INPUT=1)."),  # translated where it is shown (language.localize)
        )] = False,
    ) -> None:
        """Never run: it only lends its option."""

    return typer.main.get_command(donor).params[0]


def accept_no_input(command: Any) -> None:
    """Let `--no-input` follow the command (`medborger add-room X Y --no-input`) as well as
    precede it. The root group calls this once for every command it holds, so a new command
    takes it without declaring it; the option shows in the command's --help and sets the same
    state as the root's `--no-input` (and `MEDBORGER_NO_INPUT=1`)."""
    if any(NO_INPUT in getattr(param, "opts", ()) for param in command.params):
        return
    command.params.append(_no_input_option())


# Output options, declared once and shared by every listing and report.
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row instead of a table.")]
RawOption = Annotated[bool, typer.Option("--raw", help="Do not guard cells that start with = + - @ against running as formulas.")]


NoPagerOption = Annotated[bool, typer.Option("--no-pager", help="Print straight to the terminal; long output otherwise goes through $PAGER (less).")]
HtmlOption = Annotated[bool, typer.Option("--html", help="Write a printable HTML page (to -o FILE, else to standard output).")]
HtmlOutOption = Annotated[str | None, typer.Option("-o", "--output", metavar="FILE", help="The HTML file to write (with --html).")]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Replace FILE if it exists.")]


def output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise typer.BadParameter(_("choose one of --json and --csv"), param_hint="--json/--csv")
    return "json" if as_json else "csv" if as_csv else "table"


CentreFilter = Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="Only this centre (name or id).")]
FromOption = Annotated[str | None, typer.Option("--from", metavar="DATE", help="From this date: 2026-03-04, 4-3-2026, 04.03.2026, today, tomorrow (i dag, i morgen) or +7 (days from today).")]
UntilOption = Annotated[str | None, typer.Option("--until", metavar="DATE", help="Until this date, inclusive (written as for --from).")]
WeekOption = Annotated[int | None, typer.Option("--week", "--uge", metavar="N", help="ISO week number (uge).")]
YearOption = Annotated[int | None, typer.Option("--year", "--år", metavar="YYYY", help="Year of --week (default: this year).")]


def window(
    date_from: str | None,
    date_until: str | None,
    week: int | None,
    year: int | None,
    *,
    default_from_today: bool,
) -> tuple[str | None, str | None]:
    """A date window (ISO dates, both inclusive) from --from/--until or --week/--year.

    With nothing given, from today on when `default_from_today`, else everything.
    """
    from .. import schedule

    if week is not None:
        if date_from or date_until:
            raise typer.BadParameter(_("use --week or --from/--until, not both"), param_hint="--week")
        monday, sunday = schedule.week_window(week, year)
        return monday.isoformat(), sunday.isoformat()
    if year is not None:
        raise typer.BadParameter(_("--year goes with --week"), param_hint="--year")
    first = schedule.parse_date(date_from, "from") if date_from else None
    last = schedule.parse_date(date_until, "until") if date_until else None
    if first and last and last < first:
        from ..errors import BadInput

        raise BadInput(_("--until: {until} is before --from {first}").format(until=schedule.long_day(last), first=schedule.long_day(first)))
    if first is None and last is None and default_from_today:
        first = schedule.today()
    return (first.isoformat() if first else None), (last.isoformat() if last else None)


def write_page(ctx: typer.Context, html: str, output: str | None, overwrite: bool) -> Path | None:
    """Write an HTML page to -o FILE, or to standard output without it; returns the file."""
    import sys

    if not output or output == "-":
        sys.stdout.write(html)
        sys.stdout.flush()
        return None
    return write_text_file(output, html, field="output", overwrite=overwrite, database=getattr(state(ctx), "path", None))


def write_text_file(text: str, content: str, *, field: str, overwrite: bool, database: Path | None) -> Path:
    """Write a file the user named, by the rules of DESIGN.md "Files written": never the database
    or its journal files, never through a link, an existing file only with --overwrite, a device
    or pipe written in place, and no partial file left (a private temporary file in the same
    folder, renamed into place).

    Stand-in for `files.check_target` + `files.write` of the safe-files branch, which were not on
    this branch yet: replace this function by them at the merge."""
    import os
    import stat
    import tempfile

    from ..errors import BadInput

    path = Path(text).expanduser()
    if not path.name or path.name in (".", "..") or text.endswith(("/", os.sep)) or path.is_dir():
        raise BadInput(_("{path} is a folder; give a file name").format(path=path), field=field, value=text)
    if not path.parent.is_dir():
        raise BadInput(_("folder {folder} does not exist; create it or choose another path").format(folder=path.parent),
                       field=field, value=text)
    if database is not None and isinstance(database, (str, Path)):  # a server's database has no file here
        database = Path(database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            own = database.with_name(database.name + suffix)
            if path.resolve() == own.resolve() or (path.exists() and own.exists() and os.path.samefile(path, own)):
                raise BadInput(_("{path} is the database or one of its files; choose another file").format(path=path),
                               field=field, value=text)
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    if found is not None:
        if stat.S_ISLNK(found.st_mode):
            raise BadInput(_("{path} is a link; name the file itself, or another file").format(path=path), field=field, value=text)
        if stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode):
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0))
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(content)
            return path
        if not stat.S_ISREG(found.st_mode):
            raise BadInput(_("{path} is not a regular file; choose another file").format(path=path), field=field, value=text)
        if not overwrite:
            raise BadInput(_("{path} exists already; choose another name or pass --overwrite").format(path=path),
                           field=field, value=text)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    partial = Path(name)
    try:
        os.fchmod(fd, 0o600 & (found.st_mode if found is not None else 0o600))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if found is not None:
            os.replace(partial, path)
        else:
            try:
                os.link(partial, path)  # fails if a file appeared meanwhile
            except FileExistsError:
                raise BadInput(_("{path} exists already; choose another name or pass --overwrite").format(path=path),
                               field=field, value=text) from None
            except OSError:  # a file system without hard links
                os.replace(partial, path)
            partial.unlink(missing_ok=True)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def filter_ids(db, centre: str | None = None, room: str | None = None, actor: str | None = None) -> dict:
    """The ids behind the --centre, --room and --actor filters (None where not given); a room is
    looked up in the given centre."""
    from .. import actions

    found: dict = {"centre_id": None, "room_id": None, "actor_id": None}
    if centre:
        found["centre_id"] = actions.resolve(db, "centre", centre, "centre")["id"]
    if room:
        found["room_id"] = actions.resolve(db, "room", room, "room", found["centre_id"])["id"]
    if actor:
        found["actor_id"] = actions.resolve(db, "actor", actor, "actor")["id"]
    return found


# The room-conflict choice, declared once for every command that books.
SkipOption = Annotated[bool, typer.Option("--skip-conflicts", help="Store the free dates and list the ones that clash.")]
AllowOption = Annotated[bool, typer.Option("--allow-conflicts", help="Store every date even where the room is taken.")]


def conflict_policy(skip: bool, allow: bool) -> str:
    if skip and allow:
        raise typer.BadParameter(_("choose one of --skip-conflicts and --allow-conflicts"), param_hint="--skip-conflicts")
    return "skip" if skip else "allow" if allow else "refuse"


def with_conflict_choice(st, attempt, policy: str):
    """Run `attempt(policy)`; on a refused room conflict at a terminal, show it and ask what to do
    (the same question for add-activity, book and edit activity)."""
    from .. import output, prompts
    from ..errors import Conflict, Refused
    from ..i18n import _

    try:
        return attempt(policy)
    except Conflict as exc:
        if policy != "refuse" or not prompts.interactive(st.no_input):
            raise
        output.conflicts(exc.conflicts, _("Room conflicts"))
        choice = prompts.conflict_policy(free=exc.total - exc.colliding if exc.can_skip else 0, total=exc.total)
        if choice == "refuse":
            raise Refused(_("nothing was stored")) from None
        return attempt(choice)
