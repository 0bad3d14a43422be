"""botocore failures as one-line `StorageError`s a user can act on, never with credentials.

    translate_error(exc, action, bucket, settings) -> StorageError

Wrong credentials (`S3AccessError`), a missing bucket or wrong region (`S3BucketError`) and an
unreachable endpoint (`S3UnreachableError`) name the bucket, the endpoint and what to do.
`S3TransferError` marks failures worth retrying (5xx, throttling, checksum mismatches).
"""

from psynth_data.s3_config import S3Settings
from psynth_data.storage import StorageError

AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
              "ExpiredToken", "InvalidClientTokenId", "403"}
REGION_CODES = {"PermanentRedirect", "301", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}
TRANSIENT_CODES = {"SlowDown", "Throttling", "BadDigest", "RequestTimeout", "InternalError",
                   "ServiceUnavailable", "XAmzContentSHA256Mismatch", "InvalidDigest"}
MISSING_KEY_CODES = {"NoSuchKey", "404", "NotFound"}


class S3AccessError(StorageError):
    """The S3 server refused the credentials (or they lack permission)."""


class S3BucketError(StorageError):
    """The bucket does not exist (or is in another region)."""


class S3UnreachableError(StorageError):
    """The S3 endpoint cannot be reached."""


class S3TransferError(StorageError):
    """An upload or download failed (server errors, throttling, checksum mismatch): retryable."""


class S3MissingObject(StorageError):
    """The object does not exist (the bucket does)."""


def where(bucket: str, settings: S3Settings) -> str:
    return f"bucket {bucket} at {settings.endpoint_name}"


def missing_bucket(bucket: str, settings: S3Settings) -> S3BucketError:
    return S3BucketError(f"S3 bucket {bucket} does not exist at {settings.endpoint_name}; "
                         f"create it (e.g. `aws s3 mb s3://{bucket}`) or fix PSYNTH_DATA_ROOT")


def error_code(exc) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def translate_error(exc: Exception, action: str, bucket: str, settings: S3Settings) -> StorageError:
    """One clear, credential-free error for a botocore failure."""
    from botocore import exceptions as bx

    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return S3AccessError(f"no AWS credentials for {where(bucket, settings)}: set AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError,
                        bx.ReadTimeoutError, bx.HTTPClientError)):
        reason = "timed out" if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)) else "connection failed"
        return S3UnreachableError(
            f"cannot reach the S3 endpoint {settings.endpoint_name} for bucket {bucket} "
            f"({reason} while trying to {action}); check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL "
            "and that the server is running")
    if isinstance(exc, bx.ClientError):
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in AUTH_CODES or status == 403:
            return S3AccessError(
                f"S3 refused access to {where(bucket, settings)} ({code or status}); check AWS_ACCESS_KEY_ID / "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket's permissions")
        if code == "NoSuchBucket":
            return missing_bucket(bucket, settings)
        if code in REGION_CODES:
            return S3BucketError(f"bucket {bucket} is in another region than {settings.region}; "
                                 "set AWS_REGION to the bucket's region")
        if (status or 0) >= 500 or code in TRANSIENT_CODES:
            return S3TransferError(f"S3 could not {action} in {where(bucket, settings)}: {code or status}")
        return StorageError(f"S3 could not {action} in {where(bucket, settings)}: {code or status}")
    return S3TransferError(f"S3 could not {action} in {where(bucket, settings)}: {type(exc).__name__}")
