"""The command line, ``python -m roi``: a thin shell whose commands parse their options, call
one engine function each and turn its errors into a message and an exit code (2 for bad
input, with no traceback).

May import: everything in ``roi`` but ``roi/__init__`` itself; nothing of ``dashboard``."""

from roi.cli.entry import EXIT_BAD_INPUT, build_parser, main

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]
