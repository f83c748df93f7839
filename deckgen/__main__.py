"""`python -m deckgen` runs the command line."""

from deckgen.cli import console_main

if __name__ == "__main__":  # chart workers started by the forkserver import this module again
    console_main()
