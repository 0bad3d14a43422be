"""The deployment configuration of the k8s render backend: image, placement, S3 settings.

Read from the YAML file named by `$PSYNTH_CLUSTER_CONFIG` (an example: deploy/cluster.yaml);
without it, the defaults below. Secrets never appear here by value: S3 credentials come from a
Kubernetes Secret named in `s3_secret`, referenced by key in the pod.
"""

import os
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from psynth_spec.errors import PsynthError

# plain `env` entries whose names look like credentials are refused: they belong in the Secret
SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|ACCESS_KEY|PRIVATE)", re.IGNORECASE)


class ClusterConfigError(PsynthError):
    """The deployment configuration file is missing, not YAML, or has bad settings."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Toleration(_Model):
    key: str
    operator: str = "Exists"
    value: str | None = None
    effect: str | None = "NoSchedule"


class Placement(_Model):
    """Where a kind of pod may run."""

    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()


class ClusterConfig(_Model):
    image: str = "psynth-worker:0.1.0"
    image_pull_policy: str = "IfNotPresent"
    namespace: str = "default"
    service_account: str | None = None
    worker_command: tuple[str, ...] = ("python", "/app/dagster_project/pipes_render.py")
    gpu_resource: str = "nvidia.com/gpu"
    gpu: Placement = Placement(
        node_selector={"nvidia.com/gpu.present": "true"},
        tolerations=(Toleration(key="nvidia.com/gpu"),),
    )
    cpu: Placement = Placement()
    data_root: str = ""
    """The storage root the pods write to (s3://BUCKET/PREFIX); empty: the run's own root."""
    s3_secret: str = "psynth-s3"
    s3_secret_keys: tuple[str, ...] = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    env: dict[str, str] = Field(default_factory=dict)
    """Plain settings for the worker (AWS_REGION, AWS_ENDPOINT_URL_S3, PSYNTH_S3_*)."""
    labels: dict[str, str] = Field(default_factory=dict)
    scratch_size_limit: str = "20Gi"
    """emptyDir for the worker's local scratch (PSYNTH_WORK_DIR): tars are assembled there."""


def load_cluster_config(path: str | os.PathLike | None = None) -> ClusterConfig:
    """The configuration at `path`, else `$PSYNTH_CLUSTER_CONFIG`, else the defaults."""
    path = path or os.environ.get("PSYNTH_CLUSTER_CONFIG") or None
    if path is None:
        return ClusterConfig()
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ClusterConfigError(f"{source}: cannot read the cluster configuration: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        raise ClusterConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ClusterConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        config = ClusterConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ClusterConfigError(f"{source}: `{field}`: {first['msg']}") from None
    leaked = sorted(k for k in config.env if SECRET_NAME.search(k))
    if leaked:
        raise ClusterConfigError(
            f"{source}: `env` holds {', '.join(leaked)}: put credentials in the Secret `{config.s3_secret}` "
            "(listed in s3_secret_keys), never in plain settings")
    return config
