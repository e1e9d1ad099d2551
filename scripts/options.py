"""What every ``settlenet`` command's parser shares: one-line usage errors, options accepted
before or after an action, and the argument types more than one command takes.

A usage error is one line on stderr and exit code 2::

    settlenet filing: the following arguments are required: --target (see settlenet filing --help)

Options a command accepts before or after its action (``settlenet filing --target X list P`` and
``settlenet filing list P --target X``) are declared once on a :class:`Shared`: the command's
parser holds them with their defaults, each action's parser holds them with SUPPRESS defaults,
so an option given after the action overrides the default and one given before it is kept.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn, TypeAlias

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers()`` returns: every command's ``add_parser(sub)`` takes one."""

REQUIRED = "shared_required"
"""Namespace attribute listing (dest, flag) of shared options that must be given somewhere."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit 2 (subparsers inherit it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


BROKEN_PIPE = 128 + 13
"""The exit code of a command whose reader closed the pipe (as a shell reports SIGPIPE)."""


def ends_quietly(main: Callable[[], int]) -> int:
    """Run a command's ``main`` (the ``settlenet`` command's, a sample client's); output piped to
    ``head`` ends quietly: when the reader is gone, the rest of stdout goes nowhere and the exit
    code is :data:`BROKEN_PIPE`, without a traceback. stdout is flushed here, so a reader that
    leaves before the last buffered line is seen too (also when ``--help`` exits)."""
    try:
        try:
            return main()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader is gone: end as a tool killed by SIGPIPE would (SIGPIPE itself stays
        # ignored: the nodes' sockets need that).
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return BROKEN_PIPE


class Shared:
    """Options of one command accepted before or after its action."""

    def __init__(self) -> None:
        self.command = argparse.ArgumentParser(add_help=False)
        self.action = argparse.ArgumentParser(add_help=False)
        self.required: list[tuple[str, str]] = []

    def add(self, *flags: str, required: bool = False, **kwargs: Any) -> None:
        """Add an option to both levels; ``required`` is checked after parsing (it may come on
        either side of the action), by :func:`check_required`."""
        action = self.command.add_argument(*flags, **kwargs)
        if required:
            self.required.append((action.dest, flags[0]))
        self.action.add_argument(*flags, **{**kwargs, "default": argparse.SUPPRESS})

    def command_parser(self, sub: Subparsers, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """The command's parser, holding the shared options with their defaults."""
        p = sub.add_parser(name, parents=[self.command], **kwargs)
        p.set_defaults(**{REQUIRED: tuple(self.required)})
        return p

    def action_parser(self, acts: Subparsers, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """An action's parser, holding the shared options with SUPPRESS defaults."""
        return acts.add_parser(name, parents=[self.action], **kwargs)


def check_required(args: argparse.Namespace, prog: str) -> str | None:
    """The one-line error for shared options required and given on neither side, or None."""
    missing = [flag for dest, flag in getattr(args, REQUIRED, ()) if getattr(args, dest) is None]
    if not missing:
        return None
    return f"{prog}: the following arguments are required: {', '.join(missing)} (see {prog} --help)"


def positive_fen(text: str) -> int:
    """An amount in fen, more than 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of fen") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} fen: must be more than 0")
    return value


DEST_HELP = (
    "destination: a 6-digit admdvs (e.g. 110000) or a 2-digit province code "
    "(e.g. 11, read as 110000)"
)
"""The help of every ``--dest``: each command takes the same kind of code."""


def dest_code(text: str) -> str:
    """A destination as every ``--dest`` takes it: a 6-digit admdvs, or a 2-digit province code
    read as the province's admdvs (``11`` → ``110000``)."""
    text = text.strip()
    if re.fullmatch(r"\d{6}", text):
        return text
    if re.fullmatch(r"\d{2}", text):
        return f"{text}0000"
    raise argparse.ArgumentTypeError(
        f"{text!r}: give a 6-digit admdvs (e.g. 110000) or a 2-digit province code (e.g. 11)"
    )


def optional_dest(text: str) -> str:
    """``dest_code``, where an empty string means no destination."""
    return dest_code(text) if text else ""


def day(text: str) -> str:
    """A calendar day as the contract writes it, yyyy-MM-dd."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            date.fromisoformat(text)
            return text
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r}: give a day as yyyy-MM-dd (e.g. 2026-11-25)")


def month(text: str) -> str:
    """A month, yyyy-MM."""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: give a month as yyyy-MM (e.g. 2026-11)")


def at_least_one(text: str) -> int:
    """A whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: must be 1 or more")
    return value
