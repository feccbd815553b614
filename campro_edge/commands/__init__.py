"""One module per sub-command. Each module defines:

    NAME: str                      # the sub-command name
    HELP: str                      # one line for `campro-edge --help`
    def add_arguments(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace) -> int

`campro_edge.cli` discovers every module in this package; adding a command means adding a file.
"""
