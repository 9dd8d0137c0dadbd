"""Every string a person reads goes through `_()` or `ngettext()`: whole sentences with named
placeholders (`_("Added room {name}.").format(name=...)`), never glued pieces, so that a
catalogue can translate them. JSON keys and codes stay canonical and are not translated.

The source texts (msgids) are English; the catalogues in `locale/{da,en}/LC_MESSAGES/medborger.mo`
translate them. The language is Danish unless English is asked for: `--lang en|da` on the root
command (the CLI calls `use()`), else `MEDBORGER_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`, the first one set) when it names `da` or `en`, else Danish.

Loading is lazy and cheap: the stdlib's GNUTranslations reads one .mo file the first time a text
is translated. Babel is a tool for the catalogues (extract, update, compile), never imported here.
"""

from __future__ import annotations

import os
from pathlib import Path

DOMAIN = "medborger"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("da", "en")
DEFAULT = "da"

_language: str | None = None  # None: not chosen yet, chosen from the environment on first use
_catalogue = None  # the loaded translations of _language


def _names(value: str | None) -> str | None:
    """`da`, `en` when a language or locale setting names one (`da_DK.UTF-8`, `en`), else None."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0].split("@")[0]
    return code if code in LANGUAGES else None


def from_environment(environ: dict[str, str] | None = None) -> str:
    """The language the environment asks for: MEDBORGER_LANG, else the locale, else Danish."""
    env = os.environ if environ is None else environ
    chosen = _names(env.get("MEDBORGER_LANG"))
    if chosen:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):  # the first one set is the locale of messages (POSIX order)
            return _names(env[name]) or DEFAULT
    return DEFAULT


def use(language: str | None) -> str:
    """Translate into `language` from now on (None: as the environment says); returns it."""
    global _language, _catalogue
    chosen = _names(language) or from_environment()
    if chosen != _language:
        _language, _catalogue = chosen, None
    return chosen


def language() -> str:
    return _language or use(None)


def catalogue():
    global _catalogue
    if _catalogue is None:
        import gettext

        lang = language()
        try:
            with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as fp:
                _catalogue = gettext.GNUTranslations(fp)
        except OSError:  # a source tree without compiled catalogues: the English source text
            _catalogue = gettext.NullTranslations()
    return _catalogue


def _(message: str) -> str:
    return catalogue().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A short word whose translation depends on where it stands (a column header, a metavar)."""
    return catalogue().pgettext(context, message)


def metavar(text: str) -> str:
    """A placeholder of the help (`DATE`, `NAME...`, `[CODE]`) in the reader's language, its marks kept."""
    import re

    match = re.fullmatch(r"(\[?)([A-ZÆØÅ][A-ZÆØÅ_=-]*)(\.\.\.)?(\]?)", text)
    if not match:
        return text
    return f"{match[1]}{pgettext('metavar', match[2])}{match[3] or ''}{match[4]}"


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; `_()` translates it where it is shown."""
    return message


def is_danish() -> bool:
    return language() == "da"
