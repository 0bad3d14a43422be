"""The pod the k8s render backend launches for one partition, built in code.

Dagster's job-level `dagster-k8s/config` tags are not applied to backfill runs, so nothing here
relies on tags: `pod_request` turns the spec's render block (through `pod_resources`) and the
deployment configuration into the arguments of `PipesK8sClient.run` (image, command, env,
base_pod_meta, base_pod_spec). `pipes_pod` assembles them with dagster-k8s's own
`build_pod_body`, the function `PipesK8sClient.run` calls, so a dry run shows the same pod.
"""

import re
from typing import NamedTuple

from psynth_deploy.cluster_config import ClusterConfig
from psynth_deploy.pod_resources import PodResources, pod_resources
from psynth_spec.errors import PsynthError
from psynth_spec.spec import Spec

CONTAINER = "psynth-render"
SCRATCH = "/scratch"


class PodRequest(NamedTuple):
    namespace: str
    image: str
    command: list[str]
    env: dict[str, str]
    base_pod_meta: dict
    base_pod_spec: dict
    resources: PodResources


def _label(value: str) -> str:
    """A valid Kubernetes label value (63 characters of [A-Za-z0-9._-], alphanumeric ends)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", value)[:63].strip("-._") or "x"


def check_root(root: str) -> str:
    if not root.startswith("s3://"):
        raise PsynthError(
            f"the k8s render backend needs an s3://BUCKET/PREFIX data root (pods cannot see {root!r}); "
            "set PSYNTH_DATA_ROOT or `data_root` in the cluster configuration")
    return root


def pod_request(spec: Spec, partition: str, config: ClusterConfig, *, image: str | None = None,
                device: str | None = None) -> PodRequest:
    res = pod_resources(spec, device)
    placement = config.gpu if res.gpu else config.cpu
    limits = {"memory": res.memory_limit}
    if res.gpu:
        limits[config.gpu_resource] = "1"
    secret_env = [{"name": key, "valueFrom": {"secretKeyRef": {"name": config.s3_secret, "key": key}}}
                  for key in config.s3_secret_keys]
    container = {
        "name": CONTAINER,
        "imagePullPolicy": config.image_pull_policy,
        "env": secret_env,
        "resources": {"requests": {"cpu": res.cpu_request, "memory": res.memory_request}, "limits": limits},
        "volumeMounts": [{"name": "scratch", "mountPath": SCRATCH}, {"name": "dshm", "mountPath": "/dev/shm"}],
    }
    pod_spec = {
        "containers": [container],
        "restartPolicy": "Never",
        "volumes": [
            {"name": "scratch", "emptyDir": {"sizeLimit": config.scratch_size_limit}},
            {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}},
        ],
    }
    if placement.node_selector:
        pod_spec["nodeSelector"] = dict(placement.node_selector)
    if placement.tolerations:
        pod_spec["tolerations"] = [t.model_dump(exclude_none=True) for t in placement.tolerations]
    if config.service_account:
        pod_spec["serviceAccountName"] = config.service_account
    meta = {
        "labels": {
            **config.labels,
            "app.kubernetes.io/name": "psynth-render",
            "psynth/dataset": _label(spec.dataset),
            "psynth/version-id": _label(spec.version_id),
            "psynth/partition": _label(partition),
        },
        "annotations": {
            "psynth/device": "gpu" if res.gpu else "cpu",
            "psynth/device-reason": res.reason,
            "psynth/estimated-seconds-per-sample": str(res.frame_seconds),
        },
    }
    env = {**config.env, "PSYNTH_WORK_DIR": SCRATCH, "PYTHONUNBUFFERED": "1"}
    return PodRequest(config.namespace, image or config.image, list(config.worker_command), env, meta, pod_spec, res)


def dry_run_bootstrap_env(extras: dict, partition: str, asset_key: list[str]) -> dict[str, str]:
    """The Pipes bootstrap variables a real launch would set (context in the environment,
    messages on stderr, as PipesK8sClient's defaults), with run id `dry-run`."""
    from dagster_pipes import (
        DAGSTER_PIPES_CONTEXT_ENV_VAR,
        DAGSTER_PIPES_MESSAGES_ENV_VAR,
        PipesDefaultContextLoader,
        PipesDefaultMessageWriter,
        encode_param,
    )

    key = "/".join(asset_key)
    context = {
        "asset_keys": [key], "code_version_by_asset_key": {key: None}, "provenance_by_asset_key": {key: None},
        "partition_key": partition, "partition_key_range": {"start": partition, "end": partition},
        "partition_time_window": None, "run_id": "dry-run", "job_name": "__ASSET_JOB", "retry_number": 0,
        "extras": extras,
    }
    return {
        DAGSTER_PIPES_CONTEXT_ENV_VAR: encode_param({PipesDefaultContextLoader.DIRECT_KEY: context}),
        DAGSTER_PIPES_MESSAGES_ENV_VAR: encode_param(
            {PipesDefaultMessageWriter.STDIO_KEY: PipesDefaultMessageWriter.STDERR}),
    }


def pipes_pod(request: PodRequest, bootstrap_env: dict[str, str], pod_name: str) -> dict:
    """The pod as `PipesK8sClient.run` creates it, as a Kubernetes API object (camelCase dict)."""
    import kubernetes
    from dagster_k8s.pipes import build_pod_body

    body = build_pod_body(
        pod_name=pod_name, image=request.image, command=request.command,
        env_vars={**bootstrap_env, **request.env},
        base_pod_meta=request.base_pod_meta, base_pod_spec=request.base_pod_spec,
    )
    manifest = kubernetes.client.ApiClient().sanitize_for_serialization(body)
    manifest["metadata"].setdefault("namespace", request.namespace)
    return {"apiVersion": "v1", "kind": "Pod", **manifest}


def job_of_pod(pod: dict) -> dict:
    """The same pod as a one-try batch Job (for `kubectl apply` outside Dagster)."""
    meta = pod["metadata"]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": meta["name"], "namespace": meta.get("namespace", "default"),
                     "labels": dict(meta.get("labels", {}))},
        "spec": {
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": 86400,
            "template": {"metadata": {"labels": dict(meta.get("labels", {})),
                                      "annotations": dict(meta.get("annotations", {}))},
                         "spec": pod["spec"]},
        },
    }
