"""The only module that imports questionary; it also decides whether a prompt may be shown.

A prompt is shown only when a value is missing, stdin and stdout are both terminals and
`--no-input` was not given. Every question uses `unsafe_ask()`, so Ctrl-C arrives as
KeyboardInterrupt (exit 130, nothing written) instead of a silent None.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from .errors import MedborgerError, MissingInput

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
    if missing and not interactive(no_input):
        raise MissingInput(
            f"missing {', '.join(missing)}; pass {'it' if len(missing) == 1 else 'them'} as "
            f"{'a flag' if len(missing) == 1 else 'flags'}, or run at a terminal without {{field:no_input}} to be asked"
        )


def _check(parse: Validator | None) -> Callable[[str], bool | str]:
    def validate(value: str) -> bool | str:
        if parse is None:
            return bool(value.strip()) or "Please type a value"
        try:
            parse(value)
        except MedborgerError as exc:
            return exc.render(with_field=False)  # the question names the field
        return True

    return validate


def _ask(question: Any) -> Any:
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def text(message: str, parse: Validator | None = None, default: str = "") -> str:
    import questionary

    return _ask(questionary.text(message, default=default, validate=_check(parse)))


def select(message: str, choices: list[tuple[str, str]], default: str | None = None) -> str:
    """Pick one; choices are (label, value)."""
    import questionary

    options = [questionary.Choice(title=label, value=value) for label, value in choices]
    chosen = next((o for o in options if o.value == default), None)
    return _ask(questionary.select(message, choices=options, default=chosen))


def checkbox(message: str, choices: list[tuple[str, str]], *, required: bool = True) -> list[str]:
    """Pick some; at least one unless `required` is False."""
    import questionary

    options = [questionary.Choice(title=label, value=value) for label, value in choices]
    return _ask(
        questionary.checkbox(
            message, choices=options,
            validate=lambda picked: bool(picked) or not required or "Pick at least one (space to pick)",
        )
    )


def autocomplete(message: str, names: list[str], parse: Validator | None = None) -> str:
    """Free text with completion from existing names; validated by `parse` inside the prompt."""
    import questionary

    return _ask(
        questionary.autocomplete(
            message, choices=names or [""], validate=_check(parse), ignore_case=True, match_middle=True
        )
    )


def confirm(message: str, default: bool = False) -> bool:
    import questionary

    return bool(_ask(questionary.confirm(message, default=default)))


def conflict_policy(free: int, total: int) -> str:
    """Ask what to do about a room conflict; skipping is offered only when a date is free."""
    choices = [("Book nothing (cancel)", "refuse")]
    if free:
        choices.append((f"Skip the taken dates and book the {free} free of {total}", "skip"))
    choices.append(("Book all dates anyway; the conflicts stay in the overlaps report", "allow"))
    return select("What should happen?", choices)
