"""`python -m resolver`, the same as the `resolver` command."""

from resolver.cli import run

run()
