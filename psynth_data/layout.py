"""Where each object of a dataset lives: the key names of the data contract.

Keys are relative, `/`-separated paths under a storage root; the same keys are used on a local
disk and on S3. `_work/` holds a shard's scratch state while it renders; readers ignore it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """Object keys of one dataset version (`{dataset}/{version_id}/...`)."""

    dataset: str
    version_id: str

    @classmethod
    def for_spec(cls, spec) -> "Layout":
        return cls(dataset=spec.dataset, version_id=spec.version_id)

    @property
    def prefix(self) -> str:
        return f"{self.dataset}/{self.version_id}"

    @staticmethod
    def table_name(shard: int) -> str:
        """A shard's Parquet file name in the samples/ and qc/ folders."""
        return f"shard={shard:06d}.parquet"

    def _shard_object(self, folder: str, shard: int, suffix: str = "") -> str:
        return f"{self.prefix}/{folder}/shard={shard:06d}{suffix}"

    def samples_key(self, shard: int) -> str:
        return self._shard_object("samples", shard, ".parquet")

    def render_key(self, shard: int) -> str:
        return f"{self.prefix}/renders/{self.dataset}-{shard:06d}.tar"

    def qc_key(self, shard: int) -> str:
        return self._shard_object("qc", shard, ".parquet")

    @property
    def manifests_prefix(self) -> str:
        """The folder of every shard's manifest (ends with `/`)."""
        return f"{self.prefix}/manifests/"

    def manifest_key(self, shard: int) -> str:
        return self._shard_object("manifests", shard, ".json")

    def log_key(self, shard: int) -> str:
        """The render worker's log (Blender's own output included): diagnostics, so manifests
        do not list it."""
        return self._shard_object("logs", shard, ".log")

    def work_key(self, shard: int) -> str:
        """Scratch prefix of a shard being rendered (per-sample commits, journal, log)."""
        return self._shard_object("_work", shard)

    @property
    def index_key(self) -> str:
        return f"{self.prefix}/index.duckdb"

    def members_key(self, shard: int) -> str:
        """The index's listing of a shard's tar members (derived; rebuilt when the tar changes)."""
        return self._shard_object("_index/renders", shard, ".parquet")

    def audit_key(self, name: str) -> str:
        """A file of the balance audit (`report.json`, one histogram PNG per axis)."""
        return f"{self.prefix}/_index/audit/{name}"

    def contact_sheet_key(self, partition: str) -> str:
        """A partition's contact sheet of thumbnails (shown in the Dagster UI)."""
        return f"{self.prefix}/contact_sheets/partition={partition}.png"

    def data_keys(self, shard: int) -> list[str]:
        """The keys a complete shard may hold, manifest excluded (it lists the others)."""
        return [self.samples_key(shard), self.render_key(shard), self.qc_key(shard)]
