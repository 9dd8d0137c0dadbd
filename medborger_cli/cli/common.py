"""What the command modules share: the state of the root options, opening the database,
the output options and date windows. Light imports only."""


import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer


COMMAND_LINE: list[str] = []  # as typed, set by main(); the change log records it


@dataclass
class State:
    db_option: str | None = None
    no_input: bool = False
    _db: Any = field(default=None, repr=False)

    def db(self):
        """The open, migrated database (opened once per command)."""
        if self._db is None:
            from .. import store

            from .. import actions

            path, source = store.resolve_path(self.db_option)
            self._db = store.connect(path, source)
            actions.WHO.command = " ".join(COMMAND_LINE) or "medborger"
            self.path = path
        return self._db


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
    from ..i18n import _

    donor = typer.Typer()

    @donor.command()
    def donor_command(
        no_input: Annotated[bool, typer.Option(
            NO_INPUT, expose_value=False, callback=_no_input_given,
            help=_("Never prompt; fail naming the missing flags instead (as `medborger --no-input` or "
                   "MEDBORGER_NO_INPUT=1)."),
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


def output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json/--csv")
    return "json" if as_json else "csv" if as_csv else "table"


CentreFilter = Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="Only this centre (name or id).")]
FromOption = Annotated[str | None, typer.Option("--from", metavar="DATE", help="From this date (2026-03-04, 4-3-2026 or 04.03.2026).")]
UntilOption = Annotated[str | None, typer.Option("--until", metavar="DATE", help="Until this date, inclusive.")]
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
            raise typer.BadParameter("use --week or --from/--until, not both", param_hint="--week")
        monday, sunday = schedule.week_window(week, year)
        return monday.isoformat(), sunday.isoformat()
    if year is not None:
        raise typer.BadParameter("--year goes with --week", param_hint="--year")
    first = schedule.parse_date(date_from, "from") if date_from else None
    last = schedule.parse_date(date_until, "until") if date_until else None
    if first and last and last < first:
        from ..errors import BadInput

        raise BadInput(f"--until: {last} is before --from {first}")
    if first is None and last is None and default_from_today:
        first = dt.date.today()
    return (first.isoformat() if first else None), (last.isoformat() if last else None)


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
        raise typer.BadParameter("choose one of --skip-conflicts and --allow-conflicts", param_hint="--skip-conflicts")
    return "skip" if skip else "allow" if allow else "refuse"
