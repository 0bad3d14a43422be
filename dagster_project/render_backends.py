"""Where the renders step's worker runs, chosen by one setting: `$PSYNTH_RENDER_BACKEND`.

    subprocess  (default) the worker as a child process of the step, through PipesSubprocessClient
    k8s         one pod per partition through PipesK8sClient; the pod spec is built in code from
                the spec's render block and the deployment configuration (psynth_deploy), since
                Dagster's job-level `dagster-k8s/config` tags are not applied to backfill runs
    celery      the run uses dagster-celery's executor: the renders step goes to the `gpu` queue
                (op tag `dagster-celery/queue`), every other step to `dagster`; on the worker the
                step launches the worker process as in `subprocess`

The setting is read when the code location loads (the executor is part of the definitions), so
the webserver, the daemon, run workers and Celery workers must all see the same value.
"""

import os

import dagster as dg

from psynth_spec.errors import PsynthError
from psynth_spec.spec import Spec

BACKENDS = ("subprocess", "k8s", "celery")
GPU_QUEUE = "gpu"
GPU_POOL = "gpu"


class RenderBackendError(PsynthError):
    """`$PSYNTH_RENDER_BACKEND` names no backend."""


def render_backend() -> str:
    value = (os.environ.get("PSYNTH_RENDER_BACKEND") or "subprocess").strip().lower()
    if value not in BACKENDS:
        raise RenderBackendError(f"PSYNTH_RENDER_BACKEND={value!r}: expected one of {', '.join(BACKENDS)}")
    return value


def renders_op_tags() -> dict[str, str]:
    """Tags of the renders step: Celery's queue (other executors ignore it)."""
    return {"dagster-celery/queue": GPU_QUEUE}


def celery_executor() -> dg.ExecutorDefinition:
    """dagster-celery's executor; broker and result backend from the environment (the workers read
    the same variables through deploy/celery/celery.yaml)."""
    from dagster_celery import celery_executor as executor

    return executor.configured({
        "broker": {"env": "PSYNTH_CELERY_BROKER"},
        "backend": {"env": "PSYNTH_CELERY_BACKEND"},
    })


def launch_renders(context: dg.AssetExecutionContext, spec: Spec, extras: dict, command: list[str],
                   subprocess_client: dg.PipesSubprocessClient, env: dict[str, str]) -> dg.MaterializeResult:
    """Run the worker for one partition on the configured backend; its materialization."""
    if render_backend() != "k8s":
        return subprocess_client.run(context=context, command=command, extras=extras, env=env).get_materialize_result()
    from dagster_k8s import PipesK8sClient

    from psynth_deploy.cluster_config import load_cluster_config
    from psynth_deploy.pod_spec import check_root, pod_request

    try:
        config = load_cluster_config()
        extras = {**extras, "root": check_root(config.data_root or extras["root"])}
        request = pod_request(spec, extras["partition"], config, device=extras.get("device"))
    except PsynthError as exc:  # a settings problem: one line in the UI, not a traceback
        raise dg.Failure(description=str(exc)) from None
    context.log.info(f"launching a {'GPU' if request.resources.gpu else 'CPU'} pod ({request.resources.reason}) "
                     f"in namespace {request.namespace}, image {request.image}")
    invocation = PipesK8sClient().run(
        context=context, extras=extras, image=request.image, command=request.command,
        namespace=request.namespace, env=request.env,
        base_pod_meta=request.base_pod_meta, base_pod_spec=request.base_pod_spec,
    )
    return invocation.get_materialize_result()
