"""backup, check, privacy: keeping the data safe and the personal data in order."""

from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import CsvOption, JsonOption, RawOption, output_format, state


@app.command("backup")
def backup(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="PATH", help="The copy to write (a file, or a folder for a dated file).")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace PATH if it exists.")] = False,
) -> None:
    """Write a consistent copy of the database, safe while others use it."""
    from .. import actions, output


    st = state(ctx)
    db = st.db()
    problems = actions.damaged(db)
    target = actions.backup(db, st.path, path, overwrite)
    if problems:
        output.warning(_("The database is damaged ({problem}); the copy is damaged too. Keep your earlier backups, "
                         "and run `medborger check`.").format(problem=problems[0]))
    if target.is_file() and not target.is_symlink():  # not into /dev/stdout or a pipe after the copy
        typer.echo(str(target))
    output.message(_("Backed up {database} to {copy}.").format(database=str(st.path), copy=target))


@app.command("check")
def check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the database: integrity, references, dates, schema version and where it is stored, in plain words."""
    from .. import actions, output
    from ..errors import Damaged

    st = state(ctx)
    try:
        db = st.db()
    except Damaged as exc:  # too damaged to open: the plain words, not an error about --db
        output.write_json({"ok": False, "damaged": exc.reason}) if as_json else output.check_unopenable(exc.reason)
        raise typer.Exit(1) from None
    result = actions.health(db, st.path)
    if as_json:
        output.write_json(result)
    else:
        output.check_report(result)
    if not result["ok"]:
        raise typer.Exit(1)


privacy_app = typer.Typer(help="Personal data: what is stored about a person, and erasing it.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(privacy_app, name="privacy")


PersonOption = Annotated[
    int | None, typer.Option("--person", metavar="ACTOR_ID", help="When several people match: the id of the actor whose contact it is.")
]


def _plan_columns():
    from ..output import Column

    return [Column("table", _("Table")), Column("id", _("Row")), Column("column", _("Field")), Column("value", _("Value")),
            Column("new", _("Becomes"), lambda v: _("(emptied)") if v is None else v)]


def _several_people(found, fmt: str = "table", raw: bool = False) -> None:
    """The people a name matches, in the format asked for (JSON and CSV on stdout, their formula
    cells guarded unless `raw`, as every listing)."""
    from .. import output
    from ..output import Column

    output.emit(found.people, [Column("id", _("Actor id")), Column("actor", _("Actor")), Column("contact", _("Contact")),
                               Column("email", _("E-mail")), Column("phone", _("Phone"))], fmt,
                title=_("{count} people match '{name}'").format(count=len(found.people), name=found.needle), raw=raw)


def _choose_person(found) -> int | None:
    """At a terminal: which of the people who match, by their actor's id; None: none of them."""
    from .. import prompts
    from ..i18n import _

    def label(person: dict) -> str:
        held = ", ".join(str(person[c]) for c in ("contact", "email", "phone") if person[c])
        return _("{held} (actor {actor}, id {id})").format(held=held, actor=person["actor"], id=person["id"])

    return prompts.choose_id(_("Several people match '{name}'. Whose data is to be erased?").format(name=found.needle),
                             [(label(p), p["id"]) for p in found.people], _("None of them: erase nothing"))


@privacy_app.command("show")
def privacy_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name (whole words), e-mail or phone number.")],
    person: PersonOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """List every value `privacy erase` would change for a person, and what it becomes."""
    from .. import output, privacy

    fmt = output_format(as_json, as_csv)
    found = privacy.plan(state(ctx).db(), name, person)
    if found.people and not found.changes and len({tuple(p.values()) for p in found.people}) > 1:
        _several_people(found, fmt, raw)
        output.message(_("Several people match; give --person ACTOR_ID to say which."))
        raise typer.Exit(2)
    output.emit(
        [c.as_dict() for c in found.changes], _plan_columns(), fmt,
        title=_("Stored about '{name}'").format(name=found.needle),
        empty=_("Nothing stored mentions '{name}'.").format(name=found.needle), raw=raw,
    )


@privacy_app.command("erase")
def privacy_erase(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name (whole words), e-mail or phone number.")],
    person: PersonOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    delete_copies: Annotated[bool, typer.Option("--delete-copies", help="Also delete medborger's automatic pre-upgrade copies (*.bak) beside the database.")] = False,
) -> None:
    """Erase a person's personal data everywhere; activities and bookings stay.

    An actor's contact person, e-mail and phone are emptied together when one of them names the
    person; in titles, notes and names each mention is replaced by [slettet]. Names match as whole
    words, phone numbers by their digits, e-mail addresses in any case. `privacy show` lists
    exactly what this changes. The database file is then rewritten so the old values leave it.
    """
    from .. import output, privacy, prompts
    from ..errors import MissingInput

    st = state(ctx)
    db = st.db()
    found = privacy.plan(db, name, person)
    if found.people and not found.changes:
        _several_people(found)
        if not prompts.interactive(st.no_input):
            raise MissingInput(_("several people match '{name}'; give --person ACTOR_ID to say which").format(name=found.needle))
        person = _choose_person(found)
        if person is None:
            output.message(_("Nothing erased."))
            raise typer.Exit(1)
        found = privacy.plan(db, name, person)
    if not found.changes:
        output.message(_("Nothing stored mentions '{name}'; nothing changed.").format(name=found.needle))
        return
    if not yes:
        if not prompts.interactive(st.no_input):
            raise MissingInput(ngettext("--yes: erasing {count} value cannot be undone; pass --yes to confirm",
                                        "--yes: erasing {count} values cannot be undone; pass --yes to confirm",
                                        len(found.changes)).format(count=len(found.changes)))
        output.emit([c.as_dict() for c in found.changes], _plan_columns(), title=_("Will be erased"))
        question = ngettext("Erase this value? This cannot be undone.", "Erase these {count} values? This cannot be undone.",
                            len(found.changes)).format(count=len(found.changes))
        if not prompts.confirm(question, default=False):
            output.message(_("Nothing erased."))
            raise typer.Exit(1)
    result = privacy.erase(db, st.path, name, person)
    count = len(result.plan.changes)
    output.message(ngettext("Erased {count} value mentioning '{name}'.", "Erased {count} values mentioning '{name}'.",
                            count).format(count=count, name=found.needle))
    if result.rewritten:
        output.message(_("The database file was rewritten; the old values are gone from it."))
    elif result.damaged:
        output.warning(_("The database file is damaged ({problem}), so it could not be rewritten: the old values may still "
                         "be readable in {file}. Run `medborger check`, restore the latest backup and erase the person "
                         "there again.").format(problem=result.pending, file=st.path.name))
    else:
        output.warning(_("The old values may still be readable in {file} or its journal: {why}. "
                         "Run `medborger privacy scrub` when that has passed.").format(file=st.path.name, why=result.pending))
    copies = result.copies
    if copies and not delete_copies and prompts.interactive(st.no_input):
        delete_copies = prompts.confirm(ngettext("Delete the automatic copy {files}? It may hold the old values.",
                                                 "Delete the {count} automatic copies ({files})? They may hold the old values.",
                                                 len(copies)).format(count=len(copies), files=", ".join(p.name for p in copies)),
                                        default=True)
    if copies and delete_copies:
        for path in copies:
            path.unlink(missing_ok=True)
        output.message(ngettext("Deleted the automatic copy {files}.", "Deleted {count} automatic copies: {files}.",
                                len(copies)).format(count=len(copies), files=", ".join(p.name for p in copies)))
    elif copies:
        output.warning(ngettext("The automatic copy {files} beside the database may still hold the old values; "
                                "pass --delete-copies to delete it.",
                                "{count} automatic copies beside the database may still hold the old values ({files}); "
                                "pass --delete-copies to delete them.", len(copies)).format(
                                    count=len(copies), files=", ".join(p.name for p in copies)))
    output.message(_("Backups and exports you made earlier are not changed; erase the person there by hand, or delete them."))
    if result.damaged:
        raise typer.Exit(1)


@privacy_app.command("scrub")
def privacy_scrub(ctx: typer.Context) -> None:
    """Rewrite the database file so that erased and deleted values leave it and its journal."""
    from .. import output, privacy

    st = state(ctx)
    if privacy.scrub(st.db()):
        output.message(_("The database file was rewritten; erased values are gone from it."))
    else:
        output.warning(_("Another program is reading the database, so its journal could not be emptied; try again when it has finished."))
        raise typer.Exit(1)


@app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="TARGET",
                                    help="An empty PostgreSQL database (postgresql://USER@HOST/DBNAME) or a new database file.")],
) -> None:
    """Copy the whole database into an empty PostgreSQL database or a new file.

    Everything goes: ids, cancellations, closures and what they cancelled, acknowledgements, the
    change log, attendance. A municipality starts its shared server from a centre's file; a
    coordinator keeps an offline copy."""
    from .. import actions, output, vocab

    st = state(ctx)
    db = st.db()
    result = actions.copy_to(db, st.path, to)
    bookings = result.rows.get("bookings", 0)
    output.message(_("Copied {source} to {target}: {rows}, of them {bookings}.").format(
        source=str(st.path), target=result.target, rows=vocab.counted("rows", sum(result.rows.values())),
        bookings=vocab.counted("bookings", bookings)))
