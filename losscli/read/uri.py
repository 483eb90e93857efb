"""Inputs by URI, through pyarrow's filesystems: s3:// and gs:// natively, any other scheme
(https://, abfs://, ...) through fsspec where the user has the package for it installed, wrapped
as a pyarrow filesystem. `file://` URIs become plain local paths.

Credentials come from each store's standard environment and config files (AWS_PROFILE,
AWS_ACCESS_KEY_ID, ~/.aws/credentials, AWS_ENDPOINT_URL; GOOGLE_APPLICATION_CREDENTIALS; ...),
never from the command line. Parquet is opened as a random-access file (the footer, then only
the needed column chunks, by range requests); text formats are streamed.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa

from losscli.errors import InputError, UsageError

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
#: Schemes pyarrow reads with its own filesystems; others go through fsspec.
NATIVE = ("s3", "gs", "gcs")
_WILDCARDS = "*?["


def is_uri(path: str) -> bool:
    """True for 'scheme://...' (file:// included)."""
    return _SCHEME.match(path) is not None


def local_path(path: str) -> str:
    """A file:// URI as a local path; anything else unchanged."""
    if path.startswith("file://"):
        parts = urlsplit(path)
        if parts.netloc not in ("", "localhost"):
            raise UsageError(f"'{path}': a file:// URI names a local path (file:///abs/path)")
        return unquote(parts.path)
    return path


def has_wildcards(path: str) -> bool:
    return any(ch in path for ch in _WILDCARDS)


#: The environment a native filesystem is made from (endpoint, profile, keys, region).
_ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


def _native(root: str) -> Any:
    return _native_for(root, tuple(os.environ.get(k) for k in _ENVIRONMENT))


@functools.lru_cache(maxsize=64)
def _native_for(root: str, environment: tuple[str | None, ...]) -> Any:
    import pyarrow.fs as pafs

    fs, _ = pafs.FileSystem.from_uri(root)
    return fs


@functools.lru_cache(maxsize=64)
def _fsspec(uri_root: str) -> tuple[Any, Any]:
    try:
        import fsspec
    except ImportError:
        raise UsageError(
            f"no filesystem for '{uri_root}' URIs",
            hint="pip install fsspec and the package of this store (s3fs, gcsfs, adlfs, aiohttp)",
        ) from None
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    try:
        fs, _ = fsspec.core.url_to_fs(uri_root)
    except (ImportError, ValueError) as exc:
        raise UsageError(
            f"no filesystem for '{uri_root}' URIs ({_first_line(exc)})",
            hint="install the fsspec package of this store (s3fs, gcsfs, adlfs, aiohttp)",
        ) from None
    return PyFileSystem(FSSpecHandler(fs)), fs


def resolve(uri: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path inside it) for a URI; filesystems are made once per store."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in NATIVE:
        query = f"?{_bounded(scheme, parts.query)}" if parts.query or scheme != "s3" else ""
        with uri_errors(uri):
            fs = _native(f"{scheme}://{parts.netloc}{query}")
        return fs, f"{parts.netloc}{unquote(parts.path)}".rstrip("/")
    arrow_fs, fsspec_fs = _fsspec(f"{scheme}://{parts.netloc}")
    return arrow_fs, fsspec_fs._strip_protocol(uri).rstrip("/")


#: Seconds a gs:// request is retried (pyarrow's default is 15 minutes: an unreachable store or
#: missing credentials would look like a hang); `?retry_limit_seconds=N` in the URI overrides it.
GCS_RETRY_SECONDS = 5


def _bounded(scheme: str, query: str) -> str:
    """A gs:// URI's query with a bounded retry time."""
    if scheme == "s3" or "retry_limit_seconds" in query:
        return query
    return "&".join(q for q in (query, f"retry_limit_seconds={GCS_RETRY_SECONDS}") if q)


def child_uri(uri: str, path: str) -> str:
    """The URI of `path`, found by listing inside the store of `uri`."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in NATIVE:
        return f"{scheme}://{path}" + (f"?{parts.query}" if parts.query else "")
    _, fsspec_fs = _fsspec(f"{scheme}://{parts.netloc}")
    return str(fsspec_fs.unstrip_protocol(path))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hint(message: str) -> str:
    lower = message.lower()
    if "oauth2" in lower or "access token" in lower:
        return "check the store's credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth)"
    if (
        "access_denied" in lower
        or "accessdenied" in lower
        or "403" in lower
        or "forbidden" in lower
    ):
        return "check the store's credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID, ~/.aws, GOOGLE_APPLICATION_CREDENTIALS)"
    if "network" in lower or "connect" in lower or "resolve" in lower or "timed out" in lower:
        return "is the endpoint reachable? (AWS_ENDPOINT_URL for an S3-compatible store)"
    return "check the URI and the store's credentials"


@contextmanager
def uri_errors(uri: str) -> Iterator[None]:
    """A filesystem's OSError or Arrow error as one InputError naming the URI and the cause."""
    try:
        yield
    except (InputError, UsageError):
        raise
    except FileNotFoundError:
        raise InputError("no such file or object", file=uri) from None
    except (OSError, pa.ArrowException) as exc:
        message = _first_line(exc)
        raise InputError(f"cannot read: {message}", file=uri, hint=_hint(message)) from None


def list_files(uri: str, parquet_only: bool) -> tuple[str, list[str]]:
    """What a URI names: ('file', [uri]), ('dir', its Parquet files) or ('glob', matches).

    Files come back as URIs, sorted."""
    import pyarrow.fs as pafs

    fs, path = resolve(uri)
    with uri_errors(uri):
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.File:
            return "file", [uri]
        if info.type == pafs.FileType.Directory:
            found = fs.get_file_info(pafs.FileSelector(path, recursive=True))
            files = [
                f.path
                for f in found
                if f.type == pafs.FileType.File and (not parquet_only or _parquet(f.path))
            ]
            return "dir", sorted(child_uri(uri, f) for f in files)
        if not has_wildcards(path):
            raise InputError("no such file or object", file=uri)
        base = fixed_prefix(path)
        found = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
        matches = [
            f.path for f in found if f.type == pafs.FileType.File and glob_match(path, f.path)
        ]
        return "glob", sorted(child_uri(uri, f) for f in matches)


def _parquet(path: str) -> bool:
    return path.lower().endswith((".parquet", ".pq"))


def fixed_prefix(pattern: str) -> str:
    """The directories of a glob before its first wildcard ('a/b=*/c*.pq' -> 'a')."""
    head = pattern
    for i, ch in enumerate(pattern):
        if ch in _WILDCARDS:
            head = pattern[:i]
            break
    return head.rsplit("/", 1)[0] if "/" in head else ""


def glob_match(pattern: str, path: str) -> bool:
    """Shell-glob match segment by segment: '*' stays within one folder, '**' spans folders."""
    return _segments(pattern.strip("/").split("/"), path.strip("/").split("/"))


def _segments(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_segments(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return (
        bool(parts)
        and fnmatch.fnmatchcase(parts[0], pattern[0])
        and _segments(pattern[1:], parts[1:])
    )


def open_input(uri: str, *, random_access: bool) -> Any:
    """A pyarrow file for a URI: random access (Parquet, Feather: range requests) or a stream
    (text formats; compression detected from the extension)."""
    fs, path = resolve(uri)
    with uri_errors(uri):
        if random_access:
            return fs.open_input_file(path)
        return fs.open_input_stream(path, compression="detect")


def size(uri: str) -> int | None:
    """Bytes of the object, or None where the store does not say."""
    fs, path = resolve(uri)
    try:
        value = fs.get_file_info(path).size
    except (OSError, pa.ArrowException):
        return None
    return None if value is None else int(value)
