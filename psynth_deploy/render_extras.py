"""The Pipes extras of one renders launch: everything the worker needs, whatever the backend.

Pipes carries no partition ranges, so the shards travel explicitly; the spec travels whole, so a
pod needs no copy of the spec files.
"""

from psynth_spec.spec import Spec


def render_extras(spec: Spec, shards: list[int], partition: str, root: str, *, device: str | None = None,
                  max_rss_mb: float = 0.0, sample_timeout_s: float = 0.0) -> dict:
    return {
        "spec": spec.model_dump(mode="json"),
        "shards": list(shards),
        "partition": partition,
        "root": root,
        "device": device,
        "max_rss_mb": max_rss_mb,
        "sample_timeout_s": sample_timeout_s,
    }


def partition_extras(spec: Spec, partition_key: str, root: str, **settings) -> dict:
    """The extras of a one-partition run (the backfill policy makes every run one partition)."""
    try:
        shards = list(spec.partition_shards(int(partition_key)))
    except (ValueError, IndexError):
        from psynth_spec.errors import PsynthError

        last = spec.partition_key(spec.partitions - 1)
        raise PsynthError(f"partition `{partition_key}` is not one of {spec.dataset}'s keys 000000..{last}") from None
    return render_extras(spec, shards, partition_key, root, **settings)
