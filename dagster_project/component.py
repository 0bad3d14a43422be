"""The psynth Component: every `*.psynth` file of a folder becomes an asset group.

`defs.yaml` (dagster_project/component_defs/psynth/) names the folder; `$PSYNTH_SPECS` overrides it. Per
dataset: `{dataset}/samples`, `{dataset}/renders`, `{dataset}/qc` (partitioned, one partition per
contiguous range of shards), `{dataset}/index` and `{dataset}/balance_audit`, plus checks. A spec
that does not compile becomes `{stem}/spec_error` and the others load as usual.

No `from __future__ import annotations` here: Dagster reads the `context` annotations at runtime.
"""

import os
from pathlib import Path

import dagster as dg

from dagster_project.aggregates import build_audit_asset, build_index_asset
from dagster_project.assets import build_qc_asset, build_renders_asset, build_samples_asset
from dagster_project.checks import build_checks
from dagster_project.partitions import partitions_def
from dagster_project.spec_errors import spec_error_defs
from psynth_spec.spec import Spec


def dataset_defs(spec: Spec) -> dg.Definitions:
    """The assets and checks of one compiled spec."""
    parts = partitions_def(spec)
    index, index_check = build_index_asset(spec, parts)
    return dg.Definitions(
        assets=[
            build_samples_asset(spec, parts),
            build_renders_asset(spec, parts),
            build_qc_asset(spec, parts),
            index,
            build_audit_asset(spec),
        ],
        asset_checks=[*build_checks(spec, parts), index_check],
    )


def specs_folder(configured: str, project_root: Path) -> Path:
    """`$PSYNTH_SPECS` (relative to the working directory), else the configured folder
    (relative to the project root)."""
    env = os.environ.get("PSYNTH_SPECS")
    if env:
        return Path(env).resolve()
    path = Path(configured)
    return path if path.is_absolute() else (project_root / path).resolve()


def compile_folder(folder: Path, pattern: str = "*.psynth") -> dg.Definitions:
    """Definitions for every spec file in `folder` (errors become `spec_error` assets)."""
    from psynth_spec.compile import load_spec
    from psynth_spec.errors import PsynthError

    parts: list[dg.Definitions] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob(pattern)):
        try:
            spec = load_spec(path)
        except (PsynthError, OSError, UnicodeDecodeError) as exc:
            parts.append(spec_error_defs(path, exc))
            continue
        if spec.dataset in seen:
            clash = ValueError(f"{path}: dataset `{spec.dataset}` is already defined by {seen[spec.dataset]}")
            parts.append(spec_error_defs(path, clash, key_part=f"{path.stem}_duplicate"))
            continue
        seen[spec.dataset] = path
        parts.append(dataset_defs(spec))
    return dg.Definitions.merge(*parts) if parts else dg.Definitions()


class PsynthSpecs(dg.Component, dg.Resolvable, dg.Model):
    """Compiles a folder of `.psynth` specs into partitioned asset groups."""

    specs_dir: str = "specs"
    """Folder of the specs, relative to the project root; `$PSYNTH_SPECS` overrides it."""
    pattern: str = "*.psynth"

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        folder = specs_folder(self.specs_dir, Path(context.project_root))
        if not folder.is_dir():
            raise dg.DagsterInvariantViolationError(f"psynth specs folder {folder} does not exist")
        return compile_folder(folder, self.pattern)
