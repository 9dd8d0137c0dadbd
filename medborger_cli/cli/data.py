"""backup, check, privacy: keeping the data safe and the personal data in order."""

from typing import Annotated

import typer

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
    target = actions.backup(db, st.path, path, overwrite)
    if target.is_file() and not target.is_symlink():  # not into /dev/stdout or a pipe after the copy
        typer.echo(str(target))
    output.message(f"Backed up {st.path} to {target}.")


@app.command("check")
def check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the database: integrity, foreign keys and schema version, in plain words."""
    from .. import output, store

    st = state(ctx)
    result = {**store.check(st.db()), "path": str(st.path)}
    ok = result["integrity"] == ["ok"] and not result["foreign_keys"]
    if as_json:
        output.write_json({**result, "ok": ok})
    else:
        output.check_report(result)
    if not ok:
        output.error("the database has problems; restore a backup, or copy it aside before changing anything")
        raise typer.Exit(1)


privacy_app = typer.Typer(help="Personal data: what is stored about a person, and erasing it.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("show")
def privacy_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name, e-mail or phone number (or part of it).")],
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """List everything stored that mentions a person."""
    from .. import actions, output
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    rows = actions.privacy_show(state(ctx).db(), name)
    output.emit(
        rows,
        [Column("table", "Table"), Column("id", "Row"), Column("column", "Field"), Column("value", "Value"),
         Column("personal", "Personal field", lambda v: "yes" if v else "in text")],
        fmt, title=f"Stored about '{name.strip()}'", empty=f"Nothing stored mentions '{name.strip()}'.", raw=raw,
    )


@privacy_app.command("erase")
def privacy_erase(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name, e-mail or phone number.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's personal data everywhere; activities and bookings stay.

    Contact fields that mention the person are emptied; in titles, notes and names the mention is
    replaced by [slettet]. The database is then rewritten so the old values are gone from the file.
    """
    from .. import actions, output, prompts
    from ..errors import MissingInput

    st = state(ctx)
    db = st.db()
    found = actions.privacy_show(db, name)
    if not found:
        output.message(f"Nothing stored mentions '{name.strip()}'; nothing changed.")
        return
    if not yes:
        if not prompts.interactive(st.no_input):
            raise MissingInput(f"--yes: erasing {len(found)} values cannot be undone; pass --yes to confirm")
        output.emit(found, [output.Column("table", "Table"), output.Column("column", "Field"), output.Column("value", "Value")],
                    title="Will be erased")
        if not prompts.confirm(f"Erase these {len(found)} values? This cannot be undone.", default=False):
            output.message("Nothing erased.")
            raise typer.Exit(1)
    changed = actions.privacy_erase(db, name)
    for c in changed:
        output.message(f"{c['table']} {c['id']} {c['column']}: {'emptied' if c['new'] is None else repr(c['new'])}")
    output.message(f"Erased {len(changed)} values mentioning '{name.strip()}'; the database file was rewritten.")
