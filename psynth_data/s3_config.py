"""Where the S3 store connects and how it transfers: `S3Settings` from the environment, roots.

    S3Settings.from_env()      endpoint, region, attempts, part size, multipart threshold
    parse_root("s3://B/P")     -> ("B", "P"), with a clear error for a malformed root

The variables are listed in `s3.py`. Credentials are not settings: boto3 resolves them.
"""

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from psynth_data.storage import StorageError, check_key

MIB = 1 << 20
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _env_number(env, name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise StorageError(f"{name}={raw!r} is not a number") from None


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str | None = None
    region: str = "us-east-1"
    max_attempts: int = 6
    upload_attempts: int = 3
    part_size: int = 16 * MIB
    multipart_threshold: int = 32 * MIB
    concurrency: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    @classmethod
    def from_env(cls, env=None) -> "S3Settings":
        env = os.environ if env is None else env
        return cls(
            endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            max_attempts=max(1, int(_env_number(env, "PSYNTH_S3_MAX_ATTEMPTS", 6))),
            upload_attempts=max(1, int(_env_number(env, "PSYNTH_S3_UPLOAD_ATTEMPTS", 3))),
            part_size=max(5 * MIB, int(_env_number(env, "PSYNTH_S3_PART_MB", 16) * MIB)),  # S3's minimum part
            multipart_threshold=max(1024, int(_env_number(env, "PSYNTH_S3_MULTIPART_MB", 32) * MIB)),
            concurrency=max(1, int(_env_number(env, "PSYNTH_S3_CONCURRENCY", 4))),
        )

    @property
    def endpoint_name(self) -> str:
        return self.endpoint_url or f"AWS S3 ({self.region})"


def parse_root(root: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://BUCKET/PREFIX`; a clear error for a malformed root."""
    if not root.startswith("s3://"):
        raise StorageError(f"{root}: not an S3 root (expected s3://BUCKET/PREFIX)")
    bucket, _, prefix = root[len("s3://"):].partition("/")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise StorageError(f"{root}: {bucket!r} is not a valid S3 bucket name "
                           "(3-63 lowercase letters, digits, dots or hyphens)")
    prefix = prefix.strip("/")
    if prefix:
        check_key(prefix)
    return bucket, prefix


def endpoint_host(endpoint_url: str) -> tuple[str, bool]:
    """`host:port` and whether TLS is used, for clients that take them apart (DuckDB)."""
    parts = urlsplit(endpoint_url)
    return parts.netloc, parts.scheme == "https"
