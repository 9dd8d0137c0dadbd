"""Every string a person reads goes through `_()` or `ngettext()`: whole sentences with named
placeholders (`_("Added room {name}.").format(name=...)`), never glued pieces, so that a
catalogue can translate them. JSON keys and codes stay canonical and are not translated.

The source texts (msgids) are English; the catalogues in `locale/{da,en}/LC_MESSAGES/medborger.mo`
translate them. The language is Danish unless English is asked for: `--lang en|da` on the root
command (the CLI calls `use()`), else `MEDBORGER_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`, the first one set) when it names `da` or `en`, else Danish.

Loading is lazy and cheap: one .mo file is read the first time a text is translated, by the few
lines of `Catalogue` (the stdlib's GNUTranslations compiles the plural rule through `tokenize`,
which costs more than all of `medborger --help` can spare); a catalogue with another plural rule
than Danish and English share goes through GNUTranslations. Babel is a tool for the catalogues
(extract, update, compile), never imported here.
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


class Catalogue:
    """A compiled gettext catalogue (.mo) whose plural rule is `n != 1`, as Danish and English have
    it; the lookups of gettext's own classes (a missing text is its English msgid)."""

    RULE = "nplurals=2; plural=(n != 1);"

    def __init__(self, data: bytes):
        import struct

        order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
        _revision, count, originals, translations = struct.unpack_from(order + "4I", data, 4)
        self.messages: dict[str, str] = {}
        self.plurals: dict[str, list[str]] = {}
        for i in range(count):
            key_length, key_at = struct.unpack_from(order + "2I", data, originals + 8 * i)
            value_length, value_at = struct.unpack_from(order + "2I", data, translations + 8 * i)
            key = data[key_at:key_at + key_length].decode("utf-8")
            value = data[value_at:value_at + value_length].decode("utf-8")
            if "\x00" in key:
                self.plurals[key.split("\x00", 1)[0]] = value.split("\x00")
            else:
                self.messages[key] = value
        header = self.messages.get("", "")
        self.fits = not header or any(line.partition(":")[2].strip() == self.RULE for line in header.splitlines()
                                      if line.lower().startswith("plural-forms:"))

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular)
        if not forms:
            return singular if n == 1 else plural
        return forms[0 if n == 1 else min(1, len(forms) - 1)]

    def pgettext(self, context: str, message: str) -> str:
        return self.messages.get(f"{context}\x04{message}") or message


def catalogue():
    global _catalogue
    if _catalogue is None:
        path = LOCALE_DIR / language() / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            data = path.read_bytes()
        except OSError:  # a source tree without compiled catalogues: the English source text
            import gettext

            _catalogue = gettext.NullTranslations()
        else:
            _catalogue = Catalogue(data)
            if not _catalogue.fits:  # another plural rule: gettext's own reader
                import gettext
                import io

                _catalogue = gettext.GNUTranslations(io.BytesIO(data))
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
