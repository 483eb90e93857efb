"""The project's exception types, each carrying the exit code the CLI uses for it."""

from __future__ import annotations


class LosscliError(Exception):
    """Base class: a problem the user can fix; the CLI prints one line and exits with `exit_code`."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.column = column
        self.row = row
        self.hint = hint

    def where(self) -> str:
        """'file, column 'c', row 12' for the parts that are known (rows count from 1, header excluded)."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(LosscliError):
    """A bad option or option value: unknown loss, malformed parameter or gate."""


class InputError(LosscliError):
    """The data cannot be used: unreadable file, missing column, invalid values for the loss."""


class InternalError(LosscliError):
    """A bug in losscli."""

    exit_code = 3
