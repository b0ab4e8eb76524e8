"""The `neurocanvas` command: engine sub-commands (summary, templates, ...) or the desktop window.

Sub-commands register themselves in COMMANDS; anything else (a project path, no arguments, --screenshot)
opens the window. Bad input exits with status 2 and a one-paragraph message, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import warnings
from collections.abc import Callable

from . import __version__
from .crash import describe
from .messages import capped_list, one_paragraph

# The engine modules that import torch are imported inside the commands that need them: plain
# `neurocanvas` must reach the window (and its first paint) without paying for torch first.


class UsageError(Exception):
    """Bad input from the command line: printed as one paragraph, exit status 2."""


def _add_summary(subparsers) -> None:
    parser = subparsers.add_parser("summary", help="print a Keras-style summary of a project")
    parser.add_argument("project", help="project file (.json) or template name (see `templates`)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--input-shape", help="sample shape for an 'auto' Input, e.g. 4 or 1,28,28")
    parser.add_argument("--output-units", type=int, help="units for a Dense set to 'auto'")
    parser.set_defaults(handler=run_summary)


def run_summary(args) -> int:
    from .analysis import analyze
    from .summary import format_table, summarize

    project = _load(args.project)
    auto = _auto_sizes(args)
    analysis = analyze(project.graph, auto)
    errors = analysis.errors
    if errors:
        listing = capped_list(errors, separator="; ")
        raise UsageError(f"{args.project}: the network has {len(errors)} problem(s): {listing}")
    summary = summarize(project.graph, auto, analysis=analysis)
    if args.json:
        data = summary.to_dict()
        data["layers"] = data.pop("rows")
        data["warnings"] = [str(issue) for issue in analysis.issues]
        print(json.dumps(data, indent=2))
    else:
        print(format_table(summary, project.name), end="")
        for issue in analysis.issues:
            print(f"Warning: {issue}")
    return 0


def _auto_sizes(args):
    """AutoSizes from --input-shape/--output-units (the same flags as export), or None."""
    from .export.cli_commands import MAX_SIZE, _parse_shape
    from .shapes import AutoSizes

    if not args.input_shape and args.output_units is None:
        return None
    if args.output_units is not None and not 1 <= args.output_units <= MAX_SIZE:
        raise UsageError(f"--output-units must be a whole number from 1 to {MAX_SIZE:,}")
    return AutoSizes(input_shape=_parse_shape(args.input_shape), output_units=args.output_units)


def _add_templates(subparsers) -> None:
    parser = subparsers.add_parser("templates", help="list the template projects")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run_templates)


def run_templates(args) -> int:
    from .templates import list_templates

    templates = list_templates()
    if args.json:
        print(
            json.dumps(
                [
                    {"name": t.name, "title": t.title, "description": t.description}
                    for t in templates
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(t.name) for t in templates)
    for template in templates:
        print(f"{template.name.ljust(width)}  {template.description}")
    return 0


def _load(name_or_path: str):
    from .project import ProjectError
    from .templates import load_project_or_template

    try:
        return load_project_or_template(name_or_path)
    except ProjectError as error:
        raise UsageError(str(error)) from None


# Sub-command registrars; the engine's packages add theirs (train, evaluate, export) from their
# `cli_args` modules, which import no torch: a command's handler may be "module:function", imported
# only when that command runs, so `--help` and `templates` answer at once.
COMMANDS: list[Callable] = [_add_summary, _add_templates]
_EXTRA_COMMAND_MODULES = (
    "neurocanvas.engine.training.cli_args",
    "neurocanvas.engine.export.cli_args",
    "neurocanvas.engine.serve.cli_commands",
    "neurocanvas.engine.importer.cli_args",
    "neurocanvas.engine.tune.cli_args",
    "neurocanvas.engine.inspect.cli_args",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurocanvas",
        description="Design, train and export neural "
        "networks. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"neurocanvas {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS + _extra_registrars():
        add(subparsers)
    return parser


def _extra_registrars() -> list[Callable]:
    registrars = []
    for module_name in _EXTRA_COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        registrars.append(module.register_commands)
    return registrars


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(subparsers.choices)


def _is_command_line(argv: list[str], parser: argparse.ArgumentParser) -> bool:
    parser_words = {"-h", "--help", "--version"}
    return bool(argv) and (argv[0] in _command_names(parser) or argv[0] in parser_words)


def _handler(args) -> Callable:
    """The command's function; a "module:function" name is imported now, when it runs."""
    if not isinstance(args.handler, str):
        return args.handler
    module_name, _, function = args.handler.partition(":")
    return getattr(importlib.import_module(module_name), function)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not _is_command_line(argv, parser):
        return _open_window(argv)
    args = parser.parse_args(argv)
    args.argv = argv  # a command that starts itself again (train in several processes) reuses it
    try:
        with warnings.catch_warnings():
            if not os.environ.get("NEUROCANVAS_WARNINGS"):
                # Libraries' warnings (pandas dtypes, torch pickles, PIL sizes) would come before,
                # and drown, the one paragraph that says what is wrong; NEUROCANVAS_WARNINGS=1 shows them.
                warnings.simplefilter("ignore")
            return _handler(args)(args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's flush quiet
        return 0
    except UsageError as error:
        print(f"neurocanvas: {one_paragraph(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neurocanvas: stopped (Ctrl+C)", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last resort: a message and a log, exit 2
        print(f"neurocanvas: {describe(error, ' '.join(argv))}", file=sys.stderr)
        return 2


def _open_window(argv: list[str]) -> int:
    # The GUI is imported by name so the engine never depends on Qt at import time.
    try:
        app = importlib.import_module("neurocanvas.gui.app")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("neurocanvas.gui"):
            raise
        # Until the window exists, show what the window would open.
        return main(["summary", argv[0] if argv else "seed-cnn"])
    return app.main(argv)


if __name__ == "__main__":
    sys.exit(main())
