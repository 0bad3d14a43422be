"""psynth_spec: the .psynth language — parse, check, lower, sample, captions, plan, fmt.

Public API (imported lazily so `import psynth_spec` stays cheap):
    load_spec(path) -> Spec                 parse + check + pilot; raises SpecError
    sample_shard(spec, shard) -> polars.DataFrame
    sample_shards(spec, shards) / sample_range(spec, start, stop)   several shards at once
    make_plan(spec) -> Plan                 partitions, distributions, storage, render time
    write_samples_parquet(frame, path)      zstd Parquet, atomic
    Spec, SpecError, PsynthError, SamplingError, load_taxonomy
"""

import importlib

_EXPORTS = {
    "load_spec": "psynth_spec.compile",
    "compile_text": "psynth_spec.compile",
    "sample_shard": "psynth_spec.sampler",
    "sample_shards": "psynth_spec.sampler",
    "sample_range": "psynth_spec.sampler",
    "make_plan": "psynth_spec.plan",
    "pilot_acceptance": "psynth_spec.pilot",
    "check_pilot": "psynth_spec.pilot",
    "write_samples_parquet": "psynth_spec.sampler",
    "Spec": "psynth_spec.spec",
    "SpecError": "psynth_spec.errors",
    "PsynthError": "psynth_spec.errors",
    "SamplingError": "psynth_spec.errors",
    "load_taxonomy": "psynth_spec.taxonomy",
    "default_taxonomy": "psynth_spec.taxonomy",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'psynth_spec' has no attribute {name!r}")
