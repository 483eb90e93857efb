"""`python -m losscli` and the `losscli` command: signal handlers first, then the CLI."""

from losscli import signals

signals.install()


def main() -> None:
    """Run the CLI (the signal handlers are already installed by this module's import)."""
    from losscli.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
