"""What the command modules share: the state of the root options, opening the database,
the output options and date windows. Light imports only."""


import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer


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
                from ..i18n import _

                raise BadParameter(_("'{value}' is neither yes nor no").format(value=value), ctx=ctx, param=param)
            digits = text[1:] if text[:1] in "+-" else text
            if not digits.isascii() or not digits.isdigit():
                from ..i18n import _

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

            path, source = store.resolve_path(self.db_option)
            self._db = store.connect(path, source)
            self.path = path
        return self._db


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


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
