"""The code location: the component tree under `dagster_project/component_defs/`, plus resources and the
executor (multiprocess, or Celery's for the celery render backend). `dagster dev -m dagster_project` loads `defs` (lazily, on demand)."""

import importlib
import warnings
from pathlib import Path

import dagster as dg

from dagster_project.render_backends import celery_executor, render_backend
from dagster_project.resources import PsynthRenderer, PsynthStorage

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resources() -> dict:
    return {
        "psynth_storage": PsynthStorage(),
        "psynth_renderer": PsynthRenderer(),
        "pipes_subprocess_client": dg.PipesSubprocessClient(),
    }


def executor() -> dg.ExecutorDefinition:
    """The multiprocess executor; steps fork from a server that has already imported Dagster and
    psynth, so a step starts in a fraction of a second instead of re-importing everything.
    With `PSYNTH_RENDER_BACKEND=celery`, dagster-celery's executor (steps on Celery queues)."""
    if render_backend() == "celery":
        return celery_executor()
    return dg.multiprocess_executor.configured(
        {"start_method": {"forkserver": {"preload_modules": ["dagster_project", "psynth_spec.compile"]}}}
    )


def build_definitions() -> dg.Definitions:
    tree = dg.ComponentTree.from_module(importlib.import_module("dagster_project.component_defs"), PROJECT_ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # Dagster's own code references are beta
        warnings.simplefilter("ignore", dg.PreviewWarning)  # partitioned asset checks (new in 1.13)
        # the psynth folder only: the tree root would also import every installed Dagster
        # integration (dagster_aws, boto3: ~4 s) just to describe their component types
        component_defs = tree.build_defs_at_path("psynth")
    return dg.Definitions.merge(
        component_defs,
        dg.Definitions(resources=resources(), executor=executor()),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
