"""The only module that imports questionary; it also decides whether a prompt may be shown.

A prompt is shown only when a value is missing, stdin and stdout are both terminals and
`--no-input` was not given. Every question uses `unsafe_ask()`, so Ctrl-C arrives as
KeyboardInterrupt (exit 130, nothing written) instead of a silent None.

A required question never accepts an empty answer; Enter takes a default only where the
default is shown in the answer line (questionary's `default=` fills it in, editable). An
optional question says "(Enter to skip)" in its message and returns None when skipped. What a person typed
is checked inside the prompt by the same functions the flags go through (`rules`, `schedule`,
`actions.resolve`), so a wrong value is refused where it was typed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import MedborgerError, MissingInput
from .i18n import _, ngettext

Validator = Callable[[str], Any]


def interactive(no_input: bool) -> bool:
    if no_input:
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def require(missing: list[str], no_input: bool) -> None:
    """Refuse with exit 2, naming every missing flag, when no prompt may be shown."""
    from .i18n import metavar

    missing = [metavar(name) for name in missing]  # an argument as --help names it (NAME, NAVN)
    if missing and not interactive(no_input):
        raise MissingInput(ngettext(
            "missing {flags}; give it on the command line, or run at a terminal without {{field:no_input}} to be asked",
            "missing {flags}; give them on the command line, or run at a terminal without {{field:no_input}} to be asked",
            len(missing),
        ).format(flags=", ".join(missing)))


def say(text: str) -> None:
    """A line between the questions (on stderr, literal, like every message)."""
    from . import output

    output.message(text)


def _check(parse: Validator | None, *, optional: bool = False) -> Callable[[str], bool | str]:
    def validate(value: str) -> bool | str:
        if not value.strip():
            return True if optional else _("Please type a value; this one is needed")
        if parse is None:
            return True
        try:
            parse(value)
        except MedborgerError as exc:
            return exc.render(with_field=False)  # the question names the field
        return True

    return validate


def field_of(check: Callable[[Mapping[str, Any]], Any], values: Mapping[str, Any], key: str) -> Validator:
    """A check of one field through the rule for the whole record (`rules.actor_record`): the
    record as known so far, with the typed value as `key`; only an error about `key` refuses it
    (a wrong value of another field is for the command to report, not this question)."""

    def parse(value: str) -> None:
        try:
            check({**values, key: value})
        except MedborgerError as exc:
            if exc.field == key:
                raise

    return parse


def _ask(question: Any) -> Any:
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def text(message: str, parse: Validator | None = None, default: str = "") -> str:
    """A required value: an empty answer is refused; a `default` is shown filled in."""
    import questionary

    return _ask(questionary.text(message, default=default, validate=_check(parse)))


def optional(message: str, parse: Validator | None = None) -> str | None:
    """A value that may be left out: Enter on an empty line skips it (None). The message says
    so: "Phone (Enter to skip):"."""
    import questionary

    answer = _ask(questionary.text(message, validate=_check(parse, optional=True)))
    return answer if answer.strip() else None


def select(message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
    """Pick one; choices are (label, value). Enter takes the highlighted one (the first, or `default`)."""
    import questionary

    options = [questionary.Choice(title=label, value=value) for label, value in choices]
    chosen = next((o for o in options if o.value == default), None)
    return _ask(questionary.select(message, choices=options, default=chosen, instruction=_("(use the arrow keys)")))


def checkbox(
    message: str,
    choices: Sequence[tuple[str, str]],
    *,
    echo: str,
    short: Mapping[str, str] | None = None,
    none: str | None = None,
    search: bool = False,
) -> list[str]:
    """Pick several; choices are (label, value). At least one unless `none` is given: the
    sentence said when nothing was picked. Afterwards `echo` (with `{picked}`) names what was
    picked, by the `short` names where given, where questionary's own answer line does not
    (it shows one pick, but only a count of several). `search` lets typing filter a long list."""
    import questionary

    options = [questionary.Choice(title=label, value=value) for label, value in choices]

    def validate(picked: list[str]) -> bool | str:
        return bool(picked) or none is not None or _("Pick at least one (space to pick)")

    if none is None:
        instruction = _("(space to pick, type to filter, Enter when done)") if search else _("(space to pick, Enter when done)")
    elif search:
        instruction = _("(space to pick, type to filter, Enter when done; none is fine)")
    else:
        instruction = _("(space to pick, Enter when done; none is fine)")
    picked = _ask(questionary.checkbox(message, choices=options, validate=validate, instruction=instruction,
                                       use_search_filter=search, use_jk_keys=not search))
    names = dict(short) if short is not None else {value: label for label, value in choices}
    if not picked and none is not None:
        say(none)
    elif len(picked) > 1:
        say(echo.format(picked=", ".join(names.get(value, value) for value in picked)))
    return picked


def autocomplete(message: str, names: list[str], parse: Validator | None = None) -> str:
    """Free text with completion from existing names; validated by `parse` inside the prompt."""
    import questionary

    return _ask(
        questionary.autocomplete(
            message, choices=names or [""], validate=_check(parse), ignore_case=True, match_middle=True
        )
    )


def pick(message: str, names: list[str], resolve: Callable[[str], Mapping[str, Any]], echo: str) -> str:
    """A centre, room or actor by (part of) its name, with completion. `resolve` finds it and
    refuses an unknown or ambiguous name inside the prompt; when the record's name is not what
    was typed (beyond case), `echo` (with `{name}`) says which one was found. Returns what was typed."""
    typed = autocomplete(message, names, resolve)
    found = str(resolve(typed)["name"])
    if found.casefold() != typed.strip().casefold():
        say(echo.format(name=found))
    return typed


YES = ("j", "ja", "y", "yes")
NO = ("n", "nej", "no")


def answer_yes(text: str, default: bool) -> bool | None:
    """j/ja/y/yes, n/nej/no (any case), Enter for the default; None for anything else."""
    word = text.strip().casefold()
    if not word:
        return default
    return True if word in YES else False if word in NO else None


def choose_id(message: str, choices: Sequence[tuple[str, int]], stop: str) -> int | None:
    """Pick one record by id among those listed (label, id); the last choice, `stop`, picks none
    (None). Enter takes the first."""
    import questionary

    options = [questionary.Choice(title=label, value=record_id) for label, record_id in choices]
    options.append(questionary.Choice(title=stop, value=-1))  # questionary takes a None value as the title
    picked = _ask(questionary.select(message, choices=options))
    return None if picked == -1 else picked


def confirm(message: str, default: bool = False) -> bool:
    """A yes-or-no question answered with j/ja or n/nej (y/yes and no too) and Enter; Enter alone
    takes the default, shown in capitals (`j/N`)."""
    import questionary

    hint = _("(Y/n)") if default else _("(y/N)")

    def validate(value: str) -> bool | str:
        return answer_yes(value, default) is not None or _("Answer j (ja) or n (nej)")

    return bool(answer_yes(_ask(questionary.text(f"{message} {hint}", validate=validate)), default))


def conflict_policy(free: int, total: int) -> str:
    """Say how many of the dates are free, then ask what to do about the room conflict;
    skipping the taken dates is offered only when a date is free."""
    if free:
        say(ngettext("{free} of {total} dates is free.", "{free} of {total} dates are free.", free)
            .format(free=free, total=total))
    else:
        say(ngettext("The room is taken at that time.", "None of the {total} dates is free.", total)
            .format(total=total))
    choices = [(_("Book nothing (cancel)"), "refuse")]
    if free:
        choices.append((ngettext("Skip the taken dates and book the free one", "Skip the taken dates and book the {free} free ones",
                                 free).format(free=free), "skip"))
    choices.append((ngettext("Book it anyway; the conflict stays in the overlaps report",
                             "Book all {total} dates anyway; the conflicts stay in the overlaps report", total)
                    .format(total=total), "allow"))
    return select(_("What should happen?"), choices)
