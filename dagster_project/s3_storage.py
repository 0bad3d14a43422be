"""The S3 store as the Dagster assets open it: a boto3 client from dagster-aws's `S3Resource`.

Endpoint, region and retry attempts come from the same environment as everywhere else
(`psynth_data.s3.S3Settings`: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION,
PSYNTH_S3_MAX_ATTEMPTS). Credentials are left to boto3's chain (environment, profile, role):
they are never resource config, so they never show in the Dagster UI or a run's config.
The Pipes render worker opens the same bucket with `psynth_data.storage.open_storage`.
"""

from psynth_data.s3 import S3Settings, S3Storage


def open_s3_storage(root: str) -> S3Storage:
    from dagster_aws.s3 import S3Resource  # imported by runs that use S3 only

    settings = S3Settings.from_env()
    resource = S3Resource(endpoint_url=settings.endpoint_url, region_name=settings.region,
                          max_attempts=settings.max_attempts)
    return S3Storage(root, settings, client=resource.get_client())
