"""S3 storage: `PSYNTH_DATA_ROOT=s3://BUCKET/PREFIX` puts every object of the data contract there.

Configuration is the usual AWS environment (boto3 resolves credentials: AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, instance roles) plus:

    AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL   an S3-compatible server (path-style addressing)
    AWS_REGION, AWS_DEFAULT_REGION          region (default us-east-1)
    PSYNTH_S3_MAX_ATTEMPTS                  botocore attempts per request (standard retry mode:
                                            throttling, 5xx and connection errors; default 6)
    PSYNTH_S3_UPLOAD_ATTEMPTS               whole-object upload attempts (default 3)
    PSYNTH_S3_PART_MB, PSYNTH_S3_MULTIPART_MB   part size and multipart threshold (16, 32)
    PSYNTH_S3_CONCURRENCY                   parts in flight per upload (default 4)

Every upload sends a SHA256 checksum the server verifies (per part for multipart uploads); the
checksum the server returns is compared with the local one, so a stored object is exactly the
local bytes. Objects carry tags (dataset, version_id, shard, kind) and metadata (sha256,
samples) from `object_labels`. PUTs and completed multipart uploads are atomic, so the data
contract's rule holds as on a disk: the manifest is written last and a shard exists only when
its manifest does. A failed upload is aborted (and stale ones of the same key are aborted
before the next), so retries leave nothing behind.

Errors a user can act on (wrong credentials, a missing bucket, an unreachable endpoint) become
one-line `StorageError`s naming the bucket and endpoint (`s3_errors.py`; settings: `s3_config.py`). Credentials are never put in a message,
a log line, a tag or metadata.

Test hook (fault tests only, no effect when unset): PSYNTH_TEST_S3_PART_DELAY_S=S sleeps before
each part of a multipart upload, so a test can stop the server mid-upload.
"""

import base64
import contextlib
import hashlib
import logging
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from psynth_data.object_labels import object_metadata, object_tags
from psynth_data.s3_config import MIB, S3Settings, endpoint_host, parse_root
from psynth_data.s3_errors import (MISSING_KEY_CODES, S3AccessError, S3BucketError, S3MissingObject,
                                   S3TransferError, S3UnreachableError, error_code, missing_bucket,
                                   translate_error, where)
from psynth_data.storage import Storage, StorageError, check_key, temp_file_beside

__all__ = ["S3Storage", "S3Settings", "S3AccessError", "S3BucketError", "S3MissingObject", "S3TransferError",
           "S3UnreachableError", "endpoint_host", "parse_root"]

log = logging.getLogger("psynth.s3")

_CONTENT_TYPES = {".parquet": "application/vnd.apache.parquet", ".tar": "application/x-tar",
                  ".json": "application/json", ".png": "image/png", ".duckdb": "application/octet-stream"}


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _content_type(key: str) -> str:
    return _CONTENT_TYPES.get(os.path.splitext(key)[1], "application/octet-stream")


class S3Storage(Storage):
    """Objects under `s3://BUCKET/PREFIX/{key}` (keys as in `layout.py`)."""

    def __init__(self, root: str, settings: S3Settings | None = None, client=None):
        self.bucket, self.prefix = parse_root(root)
        self.root = f"s3://{self.bucket}" + (f"/{self.prefix}" if self.prefix else "")
        self.settings = settings or S3Settings.from_env()
        self._client = client
        self._session = None
        self._bucket_checked = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the client (its repr could carry credentials one day)
        return f"S3Storage({self.root!r}, endpoint={self.settings.endpoint_name!r})"

    # --- connection -------------------------------------------------------------------------

    def _boto_session(self):
        if self._session is None:
            import boto3

            self._session = boto3.session.Session()
        return self._session

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                from botocore.config import Config

                s = self.settings
                config = Config(
                    retries={"mode": "standard", "max_attempts": s.max_attempts},
                    connect_timeout=s.connect_timeout,
                    read_timeout=s.read_timeout,
                    max_pool_connections=max(10, 2 * s.concurrency),
                    s3={"addressing_style": "path" if s.endpoint_url else "auto"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
                self._client = self._boto_session().client(
                    "s3", endpoint_url=s.endpoint_url, region_name=s.region, config=config)
            return self._client

    def credentials(self):
        """Frozen credentials (for DuckDB's S3 secret); None when boto3 finds none."""
        creds = self._boto_session().get_credentials()
        return creds.get_frozen_credentials() if creds is not None else None

    def full_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    # --- errors -------------------------------------------------------------------------------

    def _where(self) -> str:
        return where(self.bucket, self.settings)

    def _translate(self, exc: Exception, action: str) -> StorageError:
        return translate_error(exc, action, self.bucket, self.settings)

    def _missing_bucket(self) -> S3BucketError:
        return missing_bucket(self.bucket, self.settings)

    def _call(self, action: str, method: str, **kwargs):
        self._ensure_bucket()
        return self._raw_call(action, method, **kwargs)

    def _raw_call(self, action: str, method: str, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(**kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise self._translate(exc, action) from None

    def _ensure_bucket(self) -> None:
        """One HEAD of the bucket per store: a missing bucket is an error, not 'no objects'."""
        if self._bucket_checked:
            return
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
                raise self._missing_bucket() from None
            raise self._translate(exc, f"open bucket {self.bucket}") from None
        except BotoCoreError as exc:
            raise self._translate(exc, f"open bucket {self.bucket}") from None
        self._bucket_checked = True

    def check(self) -> None:
        """Raise the one clear error when the bucket cannot be used (credentials, bucket, endpoint)."""
        self._ensure_bucket()

    # --- reads ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self, key: str):
        """Errors of a read of `key` as StorageErrors; a missing object is S3MissingObject."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._ensure_bucket()
        try:
            yield
        except ClientError as exc:
            if error_code(exc) in MISSING_KEY_CODES:
                raise self._missing(key) from None
            raise self._translate(exc, f"read {key}") from None
        except BotoCoreError as exc:
            raise self._translate(exc, f"read {key}") from None

    def _head(self, key: str) -> dict | None:
        try:
            with self._reading(key):
                return self.client.head_object(Bucket=self.bucket, Key=self.full_key(key), ChecksumMode="ENABLED")
        except S3MissingObject:
            return None

    def _missing(self, key: str) -> StorageError:
        return S3MissingObject(f"no object {key} in {self.root}")

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise self._missing(key)
        return int(head["ContentLength"])

    def sha256(self, key: str) -> str:
        """The server's full-object SHA256 when it has one, else the sha256 recorded at upload
        (verified then), else the hash of the downloaded bytes."""
        head = self._head(key)
        if head is None:
            raise self._missing(key)
        server = head.get("ChecksumSHA256")
        if server and "-" not in server:
            return base64.b64decode(server).hex()
        recorded = (head.get("Metadata") or {}).get("sha256")
        if recorded and re.fullmatch(r"[0-9a-f]{64}", recorded):
            return recorded
        return hashlib.sha256(self.get(key)).hexdigest()

    def get(self, key: str) -> bytes:
        with self._reading(key):
            return self.client.get_object(Bucket=self.bucket, Key=self.full_key(key))["Body"].read()

    def get_file(self, key: str, path: str | os.PathLike) -> None:
        target = Path(path)
        tmp = temp_file_beside(target)
        try:
            with self._reading(key):
                response = self.client.get_object(Bucket=self.bucket, Key=self.full_key(key))
                with open(tmp, "wb") as f:
                    for chunk in response["Body"].iter_chunks(MIB):
                        f.write(chunk)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def list(self, prefix: str = "") -> list[str]:
        base = prefix.strip("/")
        full = (self.full_key(base) + "/") if base else (f"{self.prefix}/" if self.prefix else "")
        self._ensure_bucket()
        paginator = self.client.get_paginator("list_objects_v2")
        out = []
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                out.extend(obj["Key"] for obj in page.get("Contents", ()))
        except (BotoCoreError, ClientError) as exc:
            raise self._translate(exc, f"list {full or '/'}") from None
        strip = len(self.prefix) + 1 if self.prefix else 0
        return sorted(k[strip:] for k in out)

    def list_details(self, prefix: str = "", folders: bool = False) -> "list[tuple[str, int, float]]":
        """(key, size, modified unix time) under a folder-like prefix; with `folders`, only the
        direct sub-folders (as `(name, 0, 0.0)`)."""
        from botocore.exceptions import BotoCoreError, ClientError

        base = prefix.strip("/")
        full = (self.full_key(base) + "/") if base else (f"{self.prefix}/" if self.prefix else "")
        self._ensure_bucket()
        args = {"Bucket": self.bucket, "Prefix": full, **({"Delimiter": "/"} if folders else {})}
        out = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(**args):
                if folders:
                    out += [(p["Prefix"][len(full):].rstrip("/"), 0, 0.0) for p in page.get("CommonPrefixes", ())]
                else:
                    strip = len(self.prefix) + 1 if self.prefix else 0
                    out += [(o["Key"][strip:], int(o["Size"]), o["LastModified"].timestamp())
                            for o in page.get("Contents", ())]
        except (BotoCoreError, ClientError) as exc:
            raise self._translate(exc, f"list {full or '/'}") from None
        return sorted(out)

    def delete(self, key: str) -> None:
        self._call(f"delete {key}", "delete_object", Bucket=self.bucket, Key=self.full_key(key))

    # --- writes --------------------------------------------------------------------------------

    def put_bytes(self, key: str, data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        self._put(key, len(data), sha, object_metadata(key, sha, data), _BytesSource(data))

    def put_file(self, key: str, path: str | os.PathLike, move: bool = False) -> None:
        source = Path(path)
        if not source.is_file():
            raise StorageError(f"cannot store {key}: {source} is not a file")
        digest = hashlib.sha256()
        with open(source, "rb") as f:
            while chunk := f.read(MIB):
                digest.update(chunk)
        sha = digest.hexdigest()
        self._put(key, source.stat().st_size, sha, object_metadata(key, sha, str(source)), _FileSource(source))
        if move:
            source.unlink()

    def _put(self, key: str, size: int, sha: str, metadata: dict[str, str], source) -> None:
        """Upload with whole-object retries on transient failures (not on user errors)."""
        self._ensure_bucket()
        extra = {
            "Metadata": metadata,
            "Tagging": "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in object_tags(key).items()),
            "ContentType": _content_type(key),
        }
        attempts = self.settings.upload_attempts
        for attempt in range(1, attempts + 1):
            try:
                if size >= self.settings.multipart_threshold:
                    self._put_multipart(key, size, source, extra)
                else:
                    self._put_single(key, source.read(0, size), sha, extra)
                return
            except (S3UnreachableError, S3TransferError) as exc:
                if attempt == attempts:
                    raise
                wait = min(30.0, 2.0 ** attempt)
                log.warning("upload of %s failed (attempt %d of %d): %s; retrying in %.0f s",
                            key, attempt, attempts, exc, wait)
                time.sleep(wait)

    def _put_single(self, key: str, data: bytes, sha: str, extra: dict) -> None:
        digest = _b64(bytes.fromhex(sha))
        response = self._raw_call(f"upload {key}", "put_object", Bucket=self.bucket, Key=self.full_key(key),
                                  Body=data, ChecksumSHA256=digest, **extra)
        returned = response.get("ChecksumSHA256")
        if returned is not None and returned != digest:
            raise S3TransferError(f"S3 stored {key} with another SHA256 than was sent ({self._where()})")

    def _abort_stale_uploads(self, full_key: str) -> None:
        """Abort unfinished multipart uploads of this key (left by a killed process or server)."""
        listing = self._raw_call(f"list uploads of {full_key}", "list_multipart_uploads",
                                 Bucket=self.bucket, Prefix=full_key)
        for upload in listing.get("Uploads", ()):
            if upload.get("Key") == full_key:
                log.info("aborting an unfinished upload of %s", full_key)
                self._raw_call(f"abort an upload of {full_key}", "abort_multipart_upload",
                               Bucket=self.bucket, Key=full_key, UploadId=upload["UploadId"])

    def _put_multipart(self, key: str, size: int, source, extra: dict) -> None:
        full = self.full_key(key)
        self._abort_stale_uploads(full)
        created = self._raw_call(f"upload {key}", "create_multipart_upload", Bucket=self.bucket, Key=full,
                                 ChecksumAlgorithm="SHA256", **extra)
        upload_id = created["UploadId"]
        part_size = self.settings.part_size
        offsets = list(range(0, size, part_size)) or [0]
        delay = float(os.environ.get("PSYNTH_TEST_S3_PART_DELAY_S") or 0)

        def send(number: int) -> dict:
            start = offsets[number - 1]
            chunk = source.read(start, min(part_size, size - start))
            digest = hashlib.sha256(chunk).digest()
            if delay:
                time.sleep(delay)
            response = self._raw_call(f"upload part {number} of {key}", "upload_part", Bucket=self.bucket,
                                      Key=full, UploadId=upload_id, PartNumber=number, Body=chunk,
                                      ChecksumSHA256=_b64(digest))
            returned = response.get("ChecksumSHA256")
            if returned is not None and returned != _b64(digest):
                raise S3TransferError(f"S3 stored part {number} of {key} with another SHA256 than was sent")
            return {"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": _b64(digest), "_digest": digest}

        try:
            with ThreadPoolExecutor(max_workers=min(self.settings.concurrency, len(offsets))) as pool:
                parts = list(pool.map(send, range(1, len(offsets) + 1)))
            composite = _b64(hashlib.sha256(b"".join(p.pop("_digest") for p in parts)).digest())
            done = self._raw_call(f"complete the upload of {key}", "complete_multipart_upload",
                                  Bucket=self.bucket, Key=full, UploadId=upload_id,
                                  MultipartUpload={"Parts": parts})
        except BaseException:
            self._abort_quietly(full, upload_id)
            raise
        returned = done.get("ChecksumSHA256")
        if returned is not None and returned.split("-")[0] != composite:
            raise S3TransferError(f"S3 assembled {key} with another checksum than its parts' ({self._where()})")

    def _abort_quietly(self, full_key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=full_key, UploadId=upload_id)
        except Exception as exc:  # noqa: BLE001 - the server may be down; the next upload aborts it
            log.warning("could not abort the upload of %s (%s); the next upload of it will",
                        full_key, type(exc).__name__)


class _BytesSource:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, start: int, length: int) -> bytes:
        return self.data[start:start + length]


class _FileSource:
    def __init__(self, path: Path):
        self.path = path

    def read(self, start: int, length: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(start)
            return f.read(length)
