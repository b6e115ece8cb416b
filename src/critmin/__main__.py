"""`python -m critmin ...` runs the command line, as `critmin ...` does."""

from critmin.cli import main

main(prog_name="critmin")
