"""The Celery app psynth's workers run (`dagster-celery worker start -A dagster_project.celery_app`).

dagster-celery's own app, plus one line in the worker's log for every step it starts:

    psynth-step worker=gpu@host run=RUN_ID steps=tinyd__renders

so an operator (and the cluster test) can tell from each worker's own log which steps it ran.
"""

from celery.signals import task_prerun
from celery.utils.log import get_task_logger
from dagster_celery.app import app, execute_job, execute_plan, resume_job  # noqa: F401  (the tasks)

log = get_task_logger("psynth.celery")


@task_prerun.connect
def _log_step(task=None, args=None, kwargs=None, **_):
    """Names the steps of an `execute_plan` task (argument `execute_step_args_packed`)."""
    packed = (kwargs or {}).get("execute_step_args_packed") or (args[0] if args else None)
    if not isinstance(packed, dict):
        return
    from dagster._grpc.types import ExecuteStepArgs
    from dagster._serdes import unpack_value

    try:
        step_args = unpack_value(packed, as_type=ExecuteStepArgs)
    except Exception:  # not a step task: nothing to name
        return
    steps = ",".join(step_args.step_keys_to_execute or [])
    log.info(f"psynth-step worker={task.request.hostname} run={step_args.run_id} steps={steps}")
