"""Resources: where the data lives (a `psynth_data` store) and how shards are rendered.

Both are configuration only: the asset code never names a disk or a device. `root` defaults to
`$PSYNTH_DATA_ROOT`, else `./data`; an `s3://BUCKET/PREFIX` root selects the S3 store (its client
from dagster-aws's `S3Resource`, see s3_storage.py; no asset changes).
"""

import os
import sys

import dagster as dg
from pydantic import Field

from psynth_data.storage import Storage, default_root, open_storage


class PsynthStorage(dg.ConfigurableResource):
    """The dataset store (`psynth_data.storage`): atomic writes, manifests written last."""

    root: str = Field(default="", description="storage root; empty: $PSYNTH_DATA_ROOT, else ./data")

    def resolved_root(self) -> str:
        root = self.root or default_root()
        return root if root.startswith("s3://") else os.path.abspath(root)

    def open(self) -> Storage:
        root = self.resolved_root()
        if root.startswith("s3://"):
            from dagster_project.s3_storage import open_s3_storage  # dagster-aws's S3Resource client

            return open_s3_storage(root)
        return open_storage(root)


class PsynthRenderer(dg.ConfigurableResource):
    """How the `renders` asset launches the render worker (through Dagster Pipes).

    `device` empty means `$PSYNTH_RENDER_DEVICE`, else the spec's own setting. `command` replaces
    the launched program (tests use it for a fake renderer); the default is this interpreter
    running `dagster_project/pipes_render.py`, which supervises one worker process per shard.
    """

    device: str = Field(default="", description="auto | gpu | cpu; empty: $PSYNTH_RENDER_DEVICE or the spec's")
    max_rss_mb: float = Field(default=0.0, description="recycle a worker past this resident memory (0: never)")
    sample_timeout_s: float = Field(default=0.0, description="seconds before a hung sample is retried (0: none)")
    command: list[str] = Field(default_factory=list, description="override of the Pipes program")

    def resolved_device(self) -> str | None:
        return self.device or os.environ.get("PSYNTH_RENDER_DEVICE") or None

    def launch_command(self) -> list[str]:
        if self.command:
            return list(self.command)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pipes_render.py")
        return [sys.executable, script]
