"""Every string a person reads goes through `_()` or `ngettext()`: whole sentences with named
placeholders (`_("Added room {name}.").format(name=...)`), never glued pieces, so that a
catalogue can translate them. JSON keys and codes stay canonical and are not translated.

The gettext catalogues (da, en) come with the Danish interface; until they are loaded these
return the English source text.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural
