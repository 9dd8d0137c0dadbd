"""remove centre|room|actor|activity|booking|closure: refuses to orphan dependants, confirms first."""


from enum import Enum
from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import AllowOption, CentreFilter, SkipOption, conflict_policy, filter_ids, state


class Kind(str, Enum):
    centre = "centre"
    room = "room"
    actor = "actor"
    activity = "activity"
    booking = "booking"
    closure = "closure"


@app.command("remove")
def remove(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(metavar="KIND", help="centre, room, actor, activity, booking or closure.", case_sensitive=False)],
    name: Annotated[str, typer.Argument(metavar="NAME-OR-ID", help="Its name or id.")],
    centre: CentreFilter = None,
    cascade: Annotated[bool, typer.Option("--cascade", help="Also remove what depends on it (rooms, activities, bookings).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    keep_cancelled: Annotated[bool, typer.Option("--keep-cancelled", help="A closure: leave the bookings it cancelled cancelled.")] = False,
    skip_conflicts: SkipOption = False,
    allow_conflicts: AllowOption = False,
) -> None:
    """Remove something for good. An activity goes with its bookings; use `cancel` to keep a record.
    A closure (by id) gives back the bookings it cancelled, conflict-checked, unless --keep-cancelled."""
    from .. import actions, output, prompts, store, vocab
    from ..errors import MissingInput, Refused

    st = state(ctx)
    db = st.db()
    if kind.value == "closure":
        from .editing import closure_change

        closure_change(ctx, name, None, keep_cancelled, conflict_policy(skip_conflicts, allow_conflicts), False, yes)
        return
    centre_id = filter_ids(db, centre)["centre_id"]
    row = actions.resolve(db, kind.value, name, "name", centre_id if kind.value in ("room", "activity") else None)
    blocking = actions.removal_plan(db, kind.value, str(row["id"]))[1]
    if blocking and not cascade:
        raise Refused(actions.describe_dependants(kind.value, blocking))
    label = _("{kind} {name} (id {id})").format(kind=vocab.kind_word(kind.value), name=row["name"], id=row["id"])
    if kind.value == "activity":
        count = len(store.bookings(db, activity_id=row["id"]))
        label = ngettext("{what} and its {count} booking", "{what} and its {count} bookings", count).format(what=label, count=count)
    if blocking:
        label = _("{what} with {dependants}").format(what=label, dependants="; ".join(vocab.counted(k, len(v)) for k, v in blocking.items()))
    if not yes:
        if not prompts.interactive(st.no_input):
            raise MissingInput(_("--yes: removing {what} cannot be undone; pass --yes to confirm").format(what=label))
        if not prompts.confirm(_("Remove {what}? This cannot be undone.").format(what=label), default=False):
            output.message(_("Nothing removed."))
            raise typer.Exit(1)
    removed = actions.remove(db, kind.value, row["id"], cascade)
    detail = ", ".join(vocab.counted(t, n) for t, n in removed.items())
    output.message(_("Removed {kind} {name} ({detail}).").format(kind=vocab.kind_word(kind.value), name=row["name"], detail=detail))
