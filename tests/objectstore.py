"""A local S3-compatible server for the tests (moto's threaded server on 127.0.0.1, a free port):
the bytes go over HTTP to pyarrow's S3 filesystem, nothing of losscli is mocked."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Fake credentials and the server's address, as the standard AWS environment variables.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def s3_server() -> Iterator[str]:
    """Start the server, point the AWS environment at it, yield its endpoint; undo both."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in [*ENVIRONMENT, "AWS_ENDPOINT_URL"]}
    os.environ.update(ENVIRONMENT, AWS_ENDPOINT_URL=endpoint)
    try:
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def upload(root: Path, bucket: str, prefix: str) -> None:
    """Copy every file under `root` to s3://bucket/prefix/..., keeping relative paths."""
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            key = f"{prefix}/{path.relative_to(root).as_posix()}"
            client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())


def store_dataset(root: Path, rows: int = 400, seed: int = 0) -> Path:
    """A hive-partitioned data set whose folders `store=007`, `store=7` and `store=abc` are three
    stores (as pyarrow and DuckDB read them: `store` is a string), two files each, with
    columns y_true, y_pred, w; store '007' has the largest errors."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    for store, scale in (("007", 4.0), ("7", 1.0), ("abc", 2.0)):
        folder = root / f"store={store}"
        folder.mkdir(parents=True)
        for part in range(2):
            y = rng.normal(size=rows)
            table = pa.table(
                {
                    "y_true": y,
                    "y_pred": y + scale * rng.normal(size=rows),
                    "w": rng.uniform(0.5, 2.0, rows),
                }
            )
            pq.write_table(table, folder / f"part-{part}.parquet", row_group_size=rows // 3)
    return root
