"""Usage errors found after argparse (option combinations, ranges): exit 2, as argparse's own."""


class UsageError(Exception):
    """The command line asks for something the command cannot do; `main` prints it, exit 2."""
