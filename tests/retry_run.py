"""Re-execute a failed run from its failure, as the daemon's run retries do (`run_retries` in
deploy/dagster.yaml): `python tests/retry_run.py RUN_ID`. Prints the new run's id and status."""

import sys

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository


def main(run_id: str) -> int:
    with dg.DagsterInstance.get() as instance:
        parent = instance.get_run_by_id(run_id)
        job = ReconstructableRepository.for_module("dagster_project", "defs").get_reconstructable_job(parent.job_name)
        options = dg.ReexecutionOptions.from_failure(run_id, instance)
        # the parent's tags (its partition among them), as the daemon's retries keep them
        with dg.execute_job(job, instance, reexecution_options=options, tags=dict(parent.tags)) as result:
            print(result.run_id, result.success)
            return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
