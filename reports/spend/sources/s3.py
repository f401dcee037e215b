"""FOCUS exports in S3, read where they are.

boto3 lists the objects (with their ETag and size) and reads the small manifests. The data objects are never
copied: DuckDB scans them through pyarrow's S3 filesystem as an Arrow dataset registered on its connection, so the
`ChargePeriodStart` filter and the column list go down into the scan (Parquet: only the footer and the row groups
and columns the query needs are fetched, with range requests; CSV and gzip CSV: streamed, never held whole).
Credentials are boto3's (environment, profile, role: the usual chain); timeouts and retries are `aws_config()`'s.
"""

from __future__ import annotations

import builtins
import csv
import io
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bot.deferred import aws_config
from reports.spend.sources import SourceError
from reports.spend.sources.focus_sql import ARROW, FileError
from reports.spend.sources.manifests import ExportFile

if TYPE_CHECKING:  # pyarrow is imported when an S3 export is read, not with the bot (it is large)
    import duckdb
    import pyarrow as pa
    import pyarrow.fs as pafs


class S3Files:
    """The objects under s3://bucket/prefix."""

    def __init__(self, path: str, client: Any = None, *, region: str = "us-east-1", endpoint: str | None = None):
        self.path = path
        self.bucket, _, self.prefix = path.removeprefix("s3://").partition("/")
        self.s3 = client or boto3.client("s3", region_name=region, endpoint_url=endpoint, config=aws_config())
        self._fs: pafs.S3FileSystem | None = None
        self._fragments: dict[str, tuple[Any, pa.Schema]] = {}
        self._parquet: Any = None
        self._names = 0

    def list(self) -> list[ExportFile]:
        found = []
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    modified = item["LastModified"].timestamp() if item.get("LastModified") else 0.0
                    etag = str(item.get("ETag", "")).strip('"')
                    found.append(ExportFile(item["Key"], modified, etag, int(item.get("Size") or 0)))
        except (ClientError, BotoCoreError) as exc:
            raise SourceError(
                f"FOCUS exports in {self.path} unreadable ({code(exc)}); the next run catches up"
            ) from None
        return found

    def read(self, f: ExportFile) -> bytes:
        try:
            return bytes(self.s3.get_object(Bucket=self.bucket, Key=f.key)["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise FileError(f"could not be read from S3 ({code(exc)})") from None

    def register(self, con: duckdb.DuckDBPyConnection, files: Sequence[ExportFile]) -> str:
        """The objects (one kind, same columns) as one Arrow dataset on `con`; the name focus_sql reads it by."""
        fragments = [self._fragment(f)[0] for f in files]
        parquet = files[0].key.lower().endswith(".parquet")
        schema = self._fragment(files[0])[1]
        fmt = self._parquet if parquet else fragments[0].format
        self._names += 1
        name = f"{ARROW}{self._names}_{'parquet' if parquet else 'csv'}"
        con.register(name, _lean()(fragments, schema, fmt, filesystem=self.fs))
        return name

    def _fragment(self, f: ExportFile) -> tuple[Any, pa.Schema]:
        """The object as a dataset fragment and its columns (Parquet: its footer; CSV: its header, every column
        read as text so money is cast to DECIMAL exactly). FileError when it cannot be opened as such."""
        import pyarrow as pa
        import pyarrow.dataset as pds
        from pyarrow import csv as pcsv

        if f.key in self._fragments:
            return self._fragments[f.key]
        self._parquet = self._parquet or pds.ParquetFileFormat()
        where = f"{self.bucket}/{f.key}"
        try:
            if f.key.lower().endswith(".parquet"):
                fragment = self._parquet.make_fragment(where, filesystem=self.fs, file_size=f.size or None)
            else:
                names = self._header(where, f)
                text = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
                fmt = pds.CsvFileFormat(convert_options=text)
                fragment = fmt.make_fragment(where, filesystem=self.fs, file_size=f.size or None)
            schema = fragment.physical_schema
        except (OSError, ValueError, pa.ArrowException, csv.Error) as exc:
            raise FileError(arrow_reason(exc, f.key)) from None
        self._fragments[f.key] = (fragment, schema)
        return fragment, schema

    def _header(self, where: str, f: ExportFile) -> builtins.list[str]:
        """The CSV's column names: its first line (gzip is undone by the stream)."""
        with self.fs.open_input_stream(where, compression="detect") as stream:
            head = stream.read(64 * 1024)
        first = head.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        return next(csv.reader(io.StringIO(first)), [])

    @property
    def fs(self) -> pafs.S3FileSystem:
        if self._fs is None:
            self._fs = arrow_filesystem(self.s3)
        return self._fs


@cache
def _lean() -> type:
    """A pyarrow dataset whose scans read ahead one object and two batches at a time (pyarrow's defaults, 4 objects
    and 16 batches each, would hold most of a month in memory); DuckDB still pushes its filter and columns in."""
    import pyarrow.dataset as pds

    class LeanDataset(pds.FileSystemDataset):
        def scanner(self, columns: Any = None, filter: Any = None, **options: Any) -> Any:  # noqa: A002
            return super().scanner(
                columns=columns, filter=filter, **({"batch_readahead": 2, "fragment_readahead": 1} | options)
            )

    return LeanDataset


def arrow_filesystem(client: Any) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem with the boto3 client's credentials, region and endpoint, and our timeouts."""
    import pyarrow.fs as pafs

    config = aws_config()
    options: dict[str, Any] = {
        "region": client.meta.region_name or "us-east-1",
        "connect_timeout": float(config.connect_timeout),
        "request_timeout": float(config.read_timeout),
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=int(config.retries["max_attempts"])),
    }
    signer = getattr(client, "_request_signer", None)  # boto3's chain, as resolved for this client
    credentials = getattr(signer, "_credentials", None) or boto3.Session().get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options |= {"access_key": frozen.access_key, "secret_key": frozen.secret_key, "session_token": frozen.token}
    endpoint = urlsplit(client.meta.endpoint_url or "")
    if endpoint.netloc and not endpoint.netloc.endswith("amazonaws.com"):  # a local stack or an S3-compatible store
        options |= {"endpoint_override": endpoint.netloc, "scheme": endpoint.scheme or "https"}
    return pafs.S3FileSystem(**options)


def arrow_reason(exc: Exception, key: str) -> str:
    text = str(exc)
    low = text.lower()
    if "truncated" in low and ("compress" in low or "gzip" in low):
        return "the gzip stream ends early: the file is truncated"
    if isinstance(exc, UnicodeDecodeError) or "utf8" in low or "utf-8" in low:
        return "is not UTF-8 text (FOCUS CSV files are UTF-8): re-export it as UTF-8"
    if "gzip" in low or "zlib" in low:
        return "is not a readable gzip file"
    if key.lower().endswith(".parquet"):
        return "not a readable Parquet file"
    if "nosuchkey" in low or "not found" in low or "access denied" in low:
        return f"could not be read from S3 ({text.splitlines()[0][:120]})"
    return f"could not be read as CSV ({text.splitlines()[0][:120]})"


def code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__))
