"""Names of a shard tar's members: a sample's `{sample_id:09d}.{suffix}`, or a shard-level one.

A shard-level member is shared by every sample of the shard and written once, before them:
today `__psynth_scene__`, the helper module (Python source) every scene script of the shard
loads. Its name, `__NAME__`, holds no sample id and no suffix: readers that group members by
sample skip it (`member_sample_id` is None), and WebDataset skips such members as metadata.
"""

import re

_SHARD_MEMBER = re.compile(r"__[a-z0-9_]+__", re.ASCII)


def is_shard_member(name: str) -> bool:
    """Whether `name` is a shard-level member (`__NAME__`), not one sample's."""
    return _SHARD_MEMBER.fullmatch(name) is not None


def member_sample_id(name: str) -> int | None:
    """The sample id of a member (`000000042.png` -> 42); None for a shard-level member."""
    if is_shard_member(name):
        return None
    return int(name.split(".", 1)[0])
