"""Partition keys <-> shards: a partition is a contiguous range of a spec's shards."""

import dagster as dg

from psynth_spec.spec import Spec


def partitions_def(spec: Spec) -> dg.StaticPartitionsDefinition:
    """Keys `000000`, `000001`, ... one per partition of the spec."""
    return dg.StaticPartitionsDefinition([spec.partition_key(p) for p in range(spec.partitions)])


def shards_of_keys(spec: Spec, keys: list[str]) -> list[int]:
    """The shards of the given partition keys, ascending."""
    out: list[int] = []
    for key in sorted(keys):
        out.extend(spec.partition_shards(int(key)))
    return out


def context_shards(spec: Spec, context) -> list[int]:
    """The shards a (possibly multi-partition) run of a partitioned asset or check covers."""
    return shards_of_keys(spec, list(context.partition_keys))
