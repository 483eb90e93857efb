"""The one way output leaves the process (SPEC §8): stdout, or a file opened by `open_output`.

Rules, for every writer (`--output`, `--per-row`, `--plot`):

* a regular file (or a path that does not exist yet, or a symlink to either) is written to a
  temporary file in the same directory, fsync'ed and renamed over the target, which keeps its
  permissions (a new file gets the umask's); a symlink is written through, never replaced;
* a special file (a FIFO, a terminal, `/dev/fd/N`, a link to one) is written to directly, and
  `-` is stdout: nothing is renamed over them;
* a file the run reads (`protect`) is never written;
* every OS error becomes one InputError (exit 2) naming the path, the cause and what to do;
* the temporary file is removed on every exit path; the CLI's signal handlers
  (`losscli.signals`) remove it too on SIGINT, SIGTERM and SIGHUP.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from losscli import signals
from losscli.errors import InputError, UsageError

if TYPE_CHECKING:  # numpy and pyarrow load with the first --per-row file, not with the CLI
    import numpy as np
    import pyarrow as pa

    from losscli.columns import Arrays
    from losscli.read import Source

#: Paths the run reads (the CLI's file arguments, the sources' files): never written.
_PROTECTED: list[str] = []
#: Set when stdout's reader went away (`| head`): later output is dropped quietly.
_STDOUT_GONE = False

#: errno -> what went wrong and what to do.
_CAUSES = {
    errno.EACCES: "permission denied (choose a writable location)",
    errno.EPERM: "permission denied (choose a writable location)",
    errno.ENOSPC: "no space left on the device (free space or write elsewhere)",
    errno.EDQUOT: "disk quota exceeded (free space or write elsewhere)",
    errno.EISDIR: "is a directory (name a file inside it)",
    errno.ENOTDIR: "a parent of this path is not a directory (choose another path)",
    errno.EROFS: "read-only file system (write elsewhere)",
    errno.EPIPE: "the reader closed the pipe",
    errno.EBADF: "the stream is closed (redirect it to a file or pass --output FILE)",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EEXIST: "a parent of this path is not a directory (choose another path)",
}


def protect(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Remember input paths (files, directories of Parquet files, globs): no output may replace
    one of their files."""
    _PROTECTED.extend(os.fspath(p) for p in paths if os.fspath(p) != "-")


def _protected_files() -> Iterator[str]:
    for path in _PROTECTED:
        if os.path.isdir(path):
            yield from glob.glob(os.path.join(glob.escape(path), "**", "*"), recursive=True)
        elif any(ch in path for ch in "*?[") and not os.path.exists(path):
            yield from glob.glob(path, recursive=True)
        else:
            yield path


def check_not_input(path: str, inputs: Sequence[str] = ()) -> None:
    """Refuse an output path that is one of the run's input files (same inode)."""
    if not os.path.exists(path):
        return
    for candidate in [*inputs, *_protected_files()]:
        with contextlib.suppress(OSError):
            if candidate != "-" and os.path.samefile(path, candidate):
                raise UsageError(
                    f"'{path}' is an input file of this run; writing it would destroy the data",
                    hint="choose another output path",
                )


def output_error(path: str, exc: OSError) -> InputError:
    """An OSError met while writing `path` as one line: the path, the cause, what to do."""
    cause = _CAUSES.get(exc.errno or 0) or (exc.strerror or str(exc) or type(exc).__name__)
    return InputError(f"cannot write: {cause}", file=path)


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class Output:
    """An output being written: `handle` is a binary file; `commit` finishes it (rename into
    place, or flush a stream), `abort` drops what was written to a temporary file."""

    def __init__(self, path: str, inputs: Sequence[str] = ()) -> None:
        self.path = path
        self.tmp: str | None = None
        self.handle: IO[bytes]
        self._own = True
        try:
            self._open(inputs)
        except OSError as exc:
            raise output_error(path, exc) from None

    def _open(self, inputs: Sequence[str]) -> None:
        path = self.path
        if path == "-":
            self.handle = stdout_buffer()
            self._own = False
            return
        try:
            info: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        check_not_input(path, inputs)
        if info is not None and not stat.S_ISREG(info.st_mode):
            # a FIFO, a terminal, a pipe behind /dev/fd/N: write through it, never replace it
            self.handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CLOEXEC), "wb")
            return
        real = os.path.realpath(path)  # a symlink is written through: its target is replaced
        directory = os.path.dirname(real)
        os.makedirs(directory, exist_ok=True)
        mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~current_umask()
        import tempfile

        with signals.blocked():  # a signal now would leave an unregistered temporary file
            fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", dir=directory)
            signals.TEMPORARY.add(self.tmp)
        self.real = real
        os.fchmod(fd, mode)
        self.handle = os.fdopen(fd, "wb")

    def write(self, data: bytes | memoryview) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            self.abort()
            raise output_error(self.path, exc) from None

    def commit(self) -> None:
        """Flush, fsync and rename the temporary file into place (or flush the stream)."""
        try:
            self.handle.flush()
            if self.tmp is not None:
                os.fsync(self.handle.fileno())
                self.handle.close()
                os.replace(self.tmp, self.real)
                signals.TEMPORARY.discard(self.tmp)
                self.tmp = None
            elif self._own:
                self.handle.close()
        except OSError as exc:
            self.abort()
            raise _stdout_error(exc) if not self._own else output_error(self.path, exc) from None

    def abort(self) -> None:
        """Close and remove the temporary file; the target stays as it was."""
        if self._own:
            with contextlib.suppress(OSError):
                self.handle.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            signals.TEMPORARY.discard(self.tmp)
            self.tmp = None


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str], inputs: Sequence[str] = ()) -> Iterator[Output]:
    """An `Output` committed when the block ends without an error, aborted otherwise."""
    out = Output(os.fspath(path), inputs)
    try:
        yield out
    except BaseException:
        out.abort()
        raise
    out.commit()


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` to `path` by the rules above (atomic for regular files)."""
    with open_output(path) as out:
        out.write(data.encode() if isinstance(data, str) else data)


def stdout_buffer() -> IO[bytes]:
    """stdout as a binary stream; an InputError when it is closed (`>&-`)."""
    stream = sys.stdout
    if stream is None or getattr(stream, "closed", False):
        raise InputError(f"cannot write: {_CAUSES[errno.EBADF]}", file="<stdout>")
    buffer: IO[bytes] = stream.buffer
    return buffer


def _stdout_error(exc: OSError) -> InputError:
    _silence_stdout()
    return output_error("<stdout>", exc)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def stdout_gone() -> bool:
    """Whether stdout's reader went away during this run (its output was dropped)."""
    return _STDOUT_GONE


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Around anything that prints to stdout: a reader that went away (`| head`) stops the
    output quietly (the exit code stays the run's); any other OS error is an InputError."""
    global _STDOUT_GONE
    if _STDOUT_GONE:  # fd 1 is /dev/null by now: whatever follows goes nowhere, quietly
        yield
        return
    stdout_buffer()
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _STDOUT_GONE = True
        _silence_stdout()
    except OSError as exc:
        raise _stdout_error(exc) from None


def emit(text: str, output: str | os.PathLike[str] | None = None) -> None:
    """Send rendered text to `output` (by the rules above) or to stdout, ending with a newline."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None or os.fspath(output) == "-":
        with writing_stdout():
            sys.stdout.write(text)
    else:
        write_atomic(output, text)


def emit_pieces(
    pieces: Iterable[str | memoryview], output: str | os.PathLike[str] | None = None
) -> None:
    """`emit` of the text the pieces join to, written piece by piece (never held whole); a
    piece may be UTF-8 bytes (a memoryview), written as they are."""
    last: str | memoryview = ""
    if output is None or os.fspath(output) == "-":
        with writing_stdout():
            for piece in pieces:
                if not len(piece):
                    continue
                if isinstance(piece, str):
                    sys.stdout.write(piece)
                else:
                    sys.stdout.flush()
                    stdout_buffer().write(piece)
                last = piece
            if not _ends_line(last):
                sys.stdout.write("\n")
        return
    with open_output(output) as out:
        for piece in pieces:
            if len(piece):
                out.write(piece.encode() if isinstance(piece, str) else piece)
                last = piece
        if not _ends_line(last):
            out.write(b"\n")


def _ends_line(piece: str | memoryview) -> bool:
    return piece.endswith("\n") if isinstance(piece, str) else bytes(piece[-1:]) == b"\n"


#: The table files `TableFile` writes, by extension (each also gzip-compressed as `.gz`).
TABLE_FORMATS = ("csv", "tsv", "parquet")


class TableFile:
    """A table file written by the output rules above: CSV, TSV or Parquet by the path's
    extension (`.csv.gz` and `.tsv.gz` gzip-compressed), Arrow tables appended with `write`,
    put into place by `close`, dropped by `abort`. Every OS error is one InputError (exit 2).

    `option` names the command-line option in refusals ('--per-row needs a file name')."""

    def __init__(self, path: str, inputs: Sequence[str] = (), option: str = "--per-row") -> None:
        from losscli.read import format_of

        self.path = path
        if path == "-":
            raise UsageError(f"{option} needs a file name (stdout holds the result)")
        kind = format_of(path)
        if kind not in TABLE_FORMATS:
            raise UsageError(f"{option} writes .csv, .tsv, .csv.gz or .parquet, not '{path}'")
        self.kind = kind
        self.gzip = path.lower().endswith(".gz")
        self.output = Output(path, inputs)
        self.stream: Any = None  # what pyarrow writes to (gzip-compressed for .gz)
        self.writer: Any = None
        self.schema: pa.Schema | None = None

    @property
    def tmp(self) -> str | None:
        """The temporary file being written (None for a stream target)."""
        return self.output.tmp

    def write(self, table: pa.Table) -> None:
        """Append `table` (the first table written sets the file's schema)."""
        try:
            if self.writer is None:
                self.schema = table.schema
                self.writer = self._open(table.schema)
            self.writer.write_table(table)
        except OSError as exc:
            self.abort()
            raise output_error(self.path, exc) from None

    def _open(self, schema: pa.Schema) -> Any:
        import pyarrow as pa

        # pyarrow closes the sink it is given: hand it a duplicate of the descriptor, so that
        # the Output can still fsync and rename its own
        self.output.handle.flush()
        duplicate = os.fdopen(os.dup(self.output.handle.fileno()), "wb")
        sink: Any = pa.PythonFile(duplicate, mode="w")
        if self.gzip:
            sink = pa.CompressedOutputStream(sink, "gzip")
        self.stream = sink
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetWriter(sink, schema)
        import pyarrow.csv as pacsv

        options = pacsv.WriteOptions(delimiter="\t" if self.kind == "tsv" else ",")
        return pacsv.CSVWriter(sink, schema, write_options=options)

    def close(self) -> None:
        """Finish the file and put it into place (no table written: an empty file)."""
        try:
            if self.writer is not None:
                self.writer.close()
                self.writer = None
                if not self.stream.closed:
                    self.stream.close()
        except OSError as exc:
            self.abort()
            raise output_error(self.path, exc) from None
        self.output.commit()

    def abort(self) -> None:
        """Drop the partial file (the target is left as it was)."""
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None
        self.output.abort()


class PerRowWriter:
    """--per-row FILE: each row's loss beside its file, row number and key columns (a
    `TableFile`: `.csv.gz` and `.tsv.gz` are gzip-compressed).

    Columns: file, row (1-based within its file), the `key_columns`, then one column per loss
    label (named loss_LABEL where a label would repeat another column's name). A key column
    named `file` or `row` is written as key_file / key_row.
    """

    def __init__(
        self,
        path: str,
        key_columns: Sequence[str],
        labels: Sequence[str],
        inputs: Sequence[str] = (),
    ) -> None:
        self.file = TableFile(path, inputs)
        self.path = path
        self.key_columns = list(dict.fromkeys(key_columns))
        self.labels = list(labels)

    @property
    def tmp(self) -> str | None:
        """The temporary file being written (None for a stream target)."""
        return self.file.tmp

    def write(
        self,
        source: Source,
        offset: int,
        batch: pa.RecordBatch,
        arrays: Arrays,
        values: dict[str, np.ndarray],
    ) -> None:
        """Append one batch's rows (those `arrays.keep` kept) with their per-row losses."""
        import numpy as np
        import pyarrow as pa

        from losscli.columns import bool_array

        rows = np.arange(offset + 1, offset + 1 + batch.num_rows, dtype=np.int64)
        if arrays.keep is not None:
            rows = rows[arrays.keep]
        table: dict[str, Any] = {
            "file": pa.array([source.label] * len(rows), pa.string()),
            "row": rows,
        }
        for key in self.key_columns:
            column = batch.column(key)
            name = f"key_{key}" if key in ("file", "row") else key
            table[name] = column if arrays.keep is None else column.filter(bool_array(arrays.keep))
        for label in self.labels:
            table[f"loss_{label}" if label in table else label] = values[label]
        out = pa.table(table)
        schema = self.file.schema
        if schema is not None and out.schema != schema:
            out = self._conform(out, schema, source)
        self.file.write(out)

    def _conform(self, out: pa.Table, schema: pa.Schema, source: Source) -> pa.Table:
        """Cast a later batch to the first one's schema, or name the column whose type differs."""
        import pyarrow as pa

        try:
            return out.cast(schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
            field = next(f for f in schema if out.schema.field(f.name).type != f.type)
            other = out.schema.field(field.name).type
            raise InputError(
                f"the key column is {other} here but {field.type} in the first input",
                file=source.label,
                column=field.name,
                hint="give the column one type in every file, or choose another --key",
            ) from None

    def close(self) -> None:
        """Finish the file and put it into place."""
        self.file.close()

    def abort(self) -> None:
        """Drop the partial file (the target is left as it was)."""
        self.file.abort()
