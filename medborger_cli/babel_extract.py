"""Babel extraction for medborger (babel.cfg names it): the gettext calls, and the help texts.

Never imported when medborger runs; `pybabel extract -F babel.cfg` uses it. Besides what Babel's
own Python extractor finds (`_()`, `ngettext()`, `pgettext()`, `N_()`), it collects the texts
Typer shows in `--help`, which are written as plain strings: every `help="..."` keyword, the
docstring of every function decorated as a command or callback (`@app.command(...)`), every
`metavar="WORD"` as the word in capitals under the context `metavar` (see i18n.metavar), the
`title=` and `empty=` of a table, and the header of every `Column(key, "Header")` under the
context `column` (output.Column translates it).
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from typing import Any

METAVAR_WORD = re.compile(r"\[?([A-ZÆØÅ][A-ZÆØÅ_=-]*)(?:\.\.\.)?\]?")


def _decorated_as_command(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("command", "callback"):
            return True
    return False


def help_texts(source: str) -> Iterator[tuple[int, str, Any, list[str]]]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            if node.arg in ("help", "title", "empty") and node.value.value:
                yield node.value.lineno, "_", node.value.value, []
            elif node.arg == "metavar":
                match = METAVAR_WORD.fullmatch(node.value.value)
                if match:
                    yield node.value.lineno, "pgettext", ("metavar", match[1]), ["placeholder in --help"]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Column":
            header = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "header"), None)
            if isinstance(header, ast.Constant) and isinstance(header.value, str):
                yield header.lineno, "pgettext", ("column", header.value), ["column header of a table"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _decorated_as_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, "_", doc, ["--help of a command"]


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple[int, str, Any, list[str]]]:
    from babel.messages.extract import extract_python

    data = fileobj.read()
    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    yield from help_texts(data.decode(options.get("encoding", "utf-8")))
