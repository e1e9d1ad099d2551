"""Command-line entry points: the ``settlenet`` command and its subcommands."""
