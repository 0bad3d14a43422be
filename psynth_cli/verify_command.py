"""`psynth verify DATASET [--repair] [--spec FILE] [--threads N] [--json]`: stored objects vs manifests.

DATASET is `{root}/{dataset}/{version_id}`, or `{root}/{dataset}` for its latest version, on a
local disk or `s3://`. Every shard with a manifest is checked: each object it lists must exist
with the listed size and sha256. Problems are printed by shard. `--repair` re-renders exactly the
shards with problems (the spec from `--spec`, else the one stored in the version's index.duckdb),
saying for each what does not match before its objects are replaced.

Exit status: 0 when every shard matches (or every bad one was repaired), 1 otherwise.
"""

import argparse
import json
import sys
from typing import get_args

from psynth_cli.words import count
from psynth_spec.vocabulary import Device


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="{root}/{dataset}/{version_id}, or {root}/{dataset} for the latest version")
    parser.add_argument("--repair", action="store_true", help="re-render the shards that do not match")
    parser.add_argument("--spec", default=None, help="the dataset's .psynth spec (default: the one in index.duckdb)")
    parser.add_argument("--threads", type=int, default=8, help="objects hashed at once (default 8)")
    parser.add_argument("--device", choices=get_args(Device), default=None, help="--repair: render device")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def _spec_for(storage, layout, spec_path: str | None):
    from psynth_spec.errors import PsynthError

    if spec_path is not None:
        from psynth_spec.compile import load_spec

        spec = load_spec(spec_path)
    else:
        if not storage.exists(layout.index_key):
            raise PsynthError(f"{layout.prefix}: no index.duckdb to take the spec from; pass --spec FILE")
        from psynth_cli.audit_command import stored_spec

        spec, _current = stored_spec(storage, layout)
        if spec is None:
            raise PsynthError(f"{layout.prefix}: the index holds no spec; pass --spec FILE")
    if (spec.dataset, spec.version_id) != (layout.dataset, layout.version_id):
        raise PsynthError(f"{spec_path or 'the stored spec'} is {spec.dataset}/{spec.version_id}, the folder "
                          f"holds {layout.dataset}/{layout.version_id}")
    return spec


def repair(storage, layout, spec, bad, device: str | None, say) -> list[int]:
    """Re-render each bad shard (a mismatching samples table is resampled); the shards still bad."""
    from psynth_data.verify import check_shard
    from psynth_render.shard_inputs import shard_samples
    from psynth_render.supervisor import run_shard

    still_bad = []
    for check in bad:
        say(f"shard {check.shard}: {'; '.join(p.describe() for p in check.problems)}: re-rendering, "
            "its objects will be replaced")
        if any(p.key == layout.samples_key(check.shard) for p in check.problems):
            storage.delete(layout.samples_key(check.shard))
        shard_samples(storage, layout, spec, check.shard)
        run_shard(spec, check.shard, storage.root, device=device)
        after = check_shard(storage, layout, check.shard)
        if after.ok:
            say(f"shard {check.shard}: repaired, every object matches its new manifest")
        else:
            still_bad.append(check.shard)
            say(f"shard {check.shard}: still does not match: {'; '.join(p.describe() for p in after.problems)}")
    return still_bad


def run(args: argparse.Namespace) -> int:
    from psynth_cli.usage import UsageError
    from psynth_data.dataset_path import locate_dataset
    from psynth_data.verify import verify_dataset

    if args.threads < 1:
        raise UsageError(f"--threads must be >= 1, got {args.threads}")
    storage, layout = locate_dataset(args.dataset)
    spec = _spec_for(storage, layout, args.spec) if args.repair else None  # fail before hashing
    checks = verify_dataset(storage, layout, threads=args.threads)
    bad = [c for c in checks if not c.ok]
    if args.json:
        print(json.dumps({
            "dataset": layout.dataset, "version_id": layout.version_id, "shards": len(checks),
            "objects": sum(len(c.manifest.objects) for c in checks if c.manifest is not None),
            "bad_shards": {str(c.shard): [p.__dict__ for p in c.problems] for c in bad},
        }))
    else:
        objects = sum(len(c.manifest.objects) for c in checks if c.manifest is not None)
        print(f"{layout.prefix}: {count(len(checks), 'shard')}, {objects:,} objects checked against their "
              f"manifests; {count(len(bad), 'shard')} with problems")
        for check in bad:
            print(f"  shard {check.shard}:")
            for problem in check.problems:
                print(f"    {problem.describe()}")
    if not bad:
        return 0
    if not args.repair:
        if not args.json:
            print(f"run `psynth verify {args.dataset} --repair` to re-render {'it' if len(bad) == 1 else 'them'}",
                  file=sys.stderr)
        return 1
    still_bad = repair(storage, layout, spec, bad, args.device, lambda text: print(text, file=sys.stderr))
    return 1 if still_bad else 0
