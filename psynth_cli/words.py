"""Counts that read naturally: "1 shard", "4 shards", "1 axis", "2 axes" (thousands separated)."""

_PLURALS = {"axis": "axes", "sample": "samples", "shard": "shards", "partition": "partitions", "error": "errors"}


def count(n: int, noun: str) -> str:
    """`n` and `noun`, plural unless n == 1: count(1, "axis") == "1 axis"."""
    return f"{n:,} {noun if n == 1 else _PLURALS.get(noun, noun + 's')}"


def sharding(samples: int, shards: int, shard_size: int, partitions: int, shards_per_partition: int) -> str:
    """"20 samples in 1 shard, 1 partition of 1 shard", saying when one shard holds them all."""
    text = f"{count(samples, 'sample')} in {count(shards, 'shard')}"
    if samples < shard_size:
        text += f" (fewer samples than the shard size {shard_size:,})"
    elif shards > 1:
        text += f" of {shard_size:,}"
    return text + f", {count(partitions, 'partition')} of {count(shards_per_partition, 'shard')}"
