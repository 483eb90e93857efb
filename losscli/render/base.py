"""The one interface every output format implements: a `Renderer` turns a result into text.

Each result kind (compute result, recommendation, comparison, catalogue) has one renderer per
`Format`, gathered in a `Format -> renderer` map; `show` and `render` dispatch through it.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from losscli.render import Format
from losscli.write import emit, writing_stdout

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

#: Width of the plain-text table written to a file or returned as a string.
FILE_WIDTH = 120


class Renderer(ABC, Generic[T]):
    """One format of one result kind: `render` gives the text, `show` sends it to stdout or a
    file (atomically)."""

    @abstractmethod
    def render(self, item: T) -> str:
        """The item as text, exactly as written to a file."""

    def show(self, item: T, output: str | None = None) -> None:
        """Write the item to `output` (atomically) or to stdout."""
        emit(self.render(item), output)


class TableRenderer(Renderer[T]):
    """A rich table: in colour on a terminal, plain text `FILE_WIDTH` columns wide elsewhere."""

    @abstractmethod
    def print(self, console: Console, item: T) -> None:
        """Print the item's renderables on `console`."""

    def render(self, item: T) -> str:
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(file=buffer, width=FILE_WIDTH, color_system=None, highlight=False)
        self.print(console, item)
        return buffer.getvalue()

    def show(self, item: T, output: str | None = None) -> None:
        if output is not None:
            emit(self.render(item), output)
            return
        from rich.console import Console

        with writing_stdout():
            console = Console(highlight=False)
            console.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
            self.print(console, item)


def _broken_pipe() -> None:
    """Rich's answer to a reader that went away is SystemExit(1), a failed gate's code: let
    `writing_stdout` stop the output quietly instead, leaving the exit code the run's."""
    raise BrokenPipeError


Renderers = Mapping[Format, type[Renderer[T]]]


def renderer(renderers: Renderers[T], fmt: Format) -> Renderer[T]:
    """The renderer of `fmt` in a result kind's map."""
    return renderers[Format(fmt)]()
