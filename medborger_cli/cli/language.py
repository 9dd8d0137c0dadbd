"""The command line in the reader's language: `--lang`, the help texts, and Click's own words.

The help texts are written in English in the code (docstrings, `help=`); they are the msgids of
the catalogue (babel_extract.py collects them). Typer builds the commands when the modules are
imported, before anyone knows the language, so the texts are translated when the command line
runs instead: `localize()` walks the built command tree and puts each text's translation in its
place, keeping the English source beside it, so that a second run in another language (the test
runner builds the tree anew each time; a long-lived tree is translated again) starts from it.

Typer's vendored Click writes some words of its own ("Usage:", "Options:", "Error: No such option"):
`install()` gives them to the catalogue too. It relies on a few Typer internals; without them
those few words stay English and nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from ..i18n import N_, _, metavar, ngettext, use

LANG_OPTION = "--lang"

# Click's and Typer's own texts, here so that the catalogue holds them.
CLICK_TEXTS = (
    N_("Usage: "), N_("Options"), N_("Arguments"), N_("Commands"), N_("Show this message and exit."),
    N_("required"), N_("default: {default}"), N_("env var: {var}"), N_("(dynamic)"), N_("Aborted!"),
    N_("Missing command."), N_("No such command {name!r}."), N_("[OPTIONS]"), N_("COMMAND [ARGS]..."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)


def language_in(args: Sequence[str], commands: Sequence[str]) -> str | None:
    """The value of the root's `--lang` in the arguments (before the command's name), if any."""
    for i, arg in enumerate(args):
        if arg in commands or arg == "--":
            return None
        if arg == LANG_OPTION and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(LANG_OPTION + "="):
            return arg.split("=", 1)[1]
    return None


def choose(args: Sequence[str], commands: Sequence[str]) -> str:
    """Decide the language for this run (`--lang`, else the environment), before any text is shown."""
    return use(language_in(args, commands))


def _translated(obj: Any, attribute: str, translate: Any) -> None:
    sources = obj.__dict__.setdefault("_medborger_sources", {})
    if attribute not in sources:
        sources[attribute] = getattr(obj, attribute, None)
    source = sources[attribute]
    if source:
        setattr(obj, attribute, translate(source))


HELP_NAMES = SimpleNamespace(help_option_names=["-h", "--help"])


def localize(command: Any, deep: bool = False) -> None:
    """Put the current language's help texts into the command and its options, and the short help
    of its subcommands (what its `--help` lists); `deep`, into every command below it too.

    The command line localizes only what it reaches (the root, then each command it resolves:
    see MedborgerGroup.resolve_command), so that `medborger --help` stays fast."""
    for attribute in ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar"):
        _translated(command, attribute, _)
    params = list(command.params)
    try:
        helper = command.get_help_option(HELP_NAMES)  # built once per command, then kept
    except Exception:  # noqa: BLE001 - another Typer: its help option stays as it is
        helper = None
    if helper is not None:
        params.append(helper)
    for param in params:
        _translated(param, "help", _)
        if isinstance(getattr(param, "metavar", None), str):
            _translated(param, "metavar", metavar)
    for sub in getattr(command, "commands", {}).values():
        if deep:
            localize(sub, deep=True)
        else:
            for attribute in ("help", "short_help"):
                _translated(sub, attribute, _)


# --- Click's own words ------------------------------------------------------------------------

def _hint(param_hint: Any) -> str | None:
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(repr(x) for x in param_hint)
    return param_hint


# Messages Click builds from pieces, matched so that they can be told in whole sentences.
_CLICK_MESSAGES = (
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)"),
     lambda m: ngettext("Got an unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
                        len(m["args"].split())).format(args=m["args"])),
    (re.compile(r"Option (?P<name>'[^']*') requires an argument\."),
     lambda m: _("Option {name} needs a value.").format(name=m["name"])),
    (re.compile(r"Option (?P<name>'[^']*') requires (?P<n>\d+) arguments\."),
     lambda m: _("Option {name} needs {count} values.").format(name=m["name"], count=m["n"])),
    (re.compile(r"Option (?P<name>'[^']*') does not take a value\."),
     lambda m: _("Option {name} does not take a value.").format(name=m["name"])),
    (re.compile(r"No such option: (?P<name>.*)"),
     lambda m: _("No such option: {name}").format(name=m["name"])),
    (re.compile(r"No such command (?P<name>'[^']*')\.(?: Did you mean (?P<matches>.*)\?)?"),
     lambda m: (_("No such command {name}. Did you mean {matches}?").format(name=m["name"], matches=m["matches"])
                if m["matches"] else _("No such command {name}.").format(name=m["name"]))),
)


def click_message(text: str) -> str:
    for pattern, tell in _CLICK_MESSAGES:
        match = pattern.fullmatch(text)
        if match:
            return tell(match)
    return text


def install() -> None:
    """Give Click's and Typer's own words to the catalogue (once)."""
    try:
        from typer import core
        from typer._click import exceptions, formatting
        from typer._click.utils import echo
    except ImportError:  # another Typer
        return
    if getattr(exceptions.ClickException, "_medborger_words", False):
        return
    core._ = lambda message: _(message)

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage

    def error_line(text: str) -> str:
        return _("Error: {message}").format(message=text)

    def show(self: Any, file: Any = None) -> None:
        echo(error_line(self.format_message()), file=file, err=file is None, color=self.show_color)

    def show_usage(self: Any, file: Any = None) -> None:
        ctx = self.ctx
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(command=ctx.command_path,
                                                                    option=ctx.help_option_names[0]) + "\n"
            echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=ctx.color)
        echo(error_line(self.format_message()), file=file, err=file is None, color=ctx.color if ctx else None)

    def usage_message(self: Any) -> str:
        return click_message(self.message)

    def bad_parameter(self: Any) -> str:
        if self.param_hint is not None:
            hint = self.param_hint
        elif self.param is not None:
            hint = self.param.get_error_hint()
        else:
            return _("Invalid value: {message}").format(message=self.message)
        return _("Invalid value for {option}: {message}").format(option=_hint(hint), message=self.message)

    def missing(self: Any) -> str:
        hint = _hint(self.param_hint if self.param_hint is not None else
                     self.param.get_error_hint() if self.param is not None else None)
        kind = self.param_type or (self.param.param_type_name if self.param is not None else None)
        if kind == "argument":
            text = _("Missing argument {name}.").format(name=hint) if hint else _("Missing argument.")
        elif kind == "option":
            text = _("Missing option {name}.").format(name=hint) if hint else _("Missing option.")
        else:
            text = _("Missing {name}.").format(name=hint) if hint else _("Missing parameter.")
        return f"{text} {self.message}" if self.message else text

    def no_such_option(self: Any) -> str:
        text = click_message(self.message)
        if not self.possibilities:
            return text
        return _("{message} (possible options: {options})").format(message=text, options=", ".join(sorted(self.possibilities)))

    def file_error(self: Any) -> str:
        return _("Could not open file {name}: {reason}").format(name=repr(self.ui_filename), reason=self.message)

    # An argument's help line shows its name (NAVN) and Typer adds the Python type (`<str>`),
    # which tells a coordinator nothing: leave it out.
    if hasattr(core, "TyperArgument"):
        core.TyperArgument.display_type_rich = lambda self, ctx: None

    exceptions.ClickException.show = show
    exceptions.UsageError.show = show_usage
    exceptions.UsageError.format_message = usage_message
    exceptions.BadParameter.format_message = bad_parameter
    exceptions.MissingParameter.format_message = missing
    exceptions.NoSuchOption.format_message = no_such_option
    exceptions.FileError.format_message = file_error
    exceptions.ClickException._medborger_words = True
