"""The k8s render backend's pods, as `psynth cluster pod-spec` prints them (the same functions the
backend's launch uses), validated by `kubernetes-validate --strict` against a pinned Kubernetes
version, and their Pipes bootstrap read back by `dagster_pipes` as the worker would."""

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from psynth_deploy.pod_resources import pod_resources
from psynth_spec.compile import load_spec

KUBERNETES_VERSION = "1.33.0"
VALIDATE = str(Path(sys.executable).parent / "kubernetes-validate")
ROOT = "s3://psynth-bucket/datasets"

SPEC = """dataset {name} {{
    samples              40
    shard_size           4
    shards_per_partition 2
    seed                 3
    geometry.shape ~ one_of [primitives.sphere, primitives.cube]
    render {{
        engine     {engine}
        device     {device}
        resolution {size} x {size}
        samples    {spp}
        {passes}
    }}
}}
"""
CASES = {
    "gpu": dict(engine="cycles", device="gpu", size=512, spp=64, passes="passes [depth, normal]"),
    "cpu": dict(engine="cycles", device="cpu", size=512, spp=64, passes=""),
    "workbench": dict(engine="workbench", device="auto", size=256, spp=1, passes=""),
}
CONFIG = {
    "image": "registry.example.com/psynth-worker:0.1.0",
    "namespace": "render",
    "service_account": "psynth-render",
    "gpu": {"node_selector": {"cloud.example.com/accelerator": "nvidia-l4"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
                            {"key": "dedicated", "operator": "Equal", "value": "render", "effect": "NoSchedule"}]},
    "cpu": {"node_selector": {"pool": "cpu-render"}},
    "s3_secret": "psynth-s3-credentials",
    "env": {"AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_S3": "https://s3.example.com"},
}


class Done:
    """What one in-process `psynth` command printed."""

    def __init__(self, argv: list[str], env: dict | None = None):
        from psynth_cli.main import main

        out, err = io.StringIO(), io.StringIO()
        old = {k: os.environ.get(k) for k in env or {}}
        os.environ.update(env or {})
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.returncode = main(argv)
        finally:
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        self.stdout, self.stderr = out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("k8s")
    config = base / "cluster.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    specs = {}
    for name, case in CASES.items():
        path = base / f"{name}.psynth"
        path.write_text(SPEC.format(name=f"pods_{name}", **case))
        specs[name] = path
    return base, config, specs


def _pod_spec(spec: Path, config: Path, *extra: str, env: dict | None = None) -> Done:
    return Done(["cluster", "pod-spec", str(spec), "--config", str(config), "--root", ROOT, *extra], env)


def _manifest(setup, case: str, *extra: str, **kw) -> tuple[dict, Path]:
    base, config, specs = setup
    done = _pod_spec(specs[case], config, "--partition", "000003", *extra, **kw)
    assert done.returncode == 0, done.stderr
    out = base / f"{case}-{len(list(base.iterdir()))}.yaml"
    out.write_text(done.stdout)
    return yaml.safe_load(done.stdout), out


def _validate(path: Path) -> str:
    done = subprocess.run([VALIDATE, "--strict", "-k", KUBERNETES_VERSION, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _container(pod: dict) -> dict:
    containers = pod["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _env(container: dict) -> dict:
    return {e["name"]: e for e in container["env"]}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("kind", ["pod", "job"])
def test_manifests_pass_strict_validation(setup, case, kind):
    manifest, path = _manifest(setup, case, "--kind", kind)
    assert manifest["kind"] == ("Pod" if kind == "pod" else "Job")
    assert f"against version {KUBERNETES_VERSION.rsplit('.', 1)[0]}" in _validate(path)
    if kind == "job":
        assert manifest["spec"]["backoffLimit"] == 0
        assert manifest["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_a_misspelt_field_fails_validation(setup, tmp_path):
    manifest, _ = _manifest(setup, "gpu")
    manifest["spec"]["nodeSelectr"] = manifest["spec"].pop("nodeSelector")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(manifest))
    done = subprocess.run([VALIDATE, "--strict", "-k", KUBERNETES_VERSION, str(bad)], capture_output=True, text=True)
    assert done.returncode != 0 and "nodeSelectr" in done.stdout + done.stderr


def test_gpu_spec_gets_a_gpu_its_node_selector_and_tolerations(setup):
    pod, _ = _manifest(setup, "gpu")
    container = _container(pod)
    res = pod_resources(load_spec(setup[2]["gpu"]))
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["resources"]["requests"] == {"cpu": res.cpu_request, "memory": res.memory_request}
    assert pod["spec"]["nodeSelector"] == CONFIG["gpu"]["node_selector"]
    assert pod["spec"]["tolerations"] == CONFIG["gpu"]["tolerations"]
    assert pod["metadata"]["annotations"]["psynth/device"] == "gpu"


@pytest.mark.parametrize("case", ["cpu", "workbench"])
def test_cpu_and_workbench_specs_stay_off_gpus(setup, case):
    pod, _ = _manifest(setup, case)
    container = _container(pod)
    assert not any("gpu" in k for k in container["resources"]["limits"])
    assert pod["spec"]["nodeSelector"] == CONFIG["cpu"]["node_selector"]
    assert "tolerations" not in pod["spec"]
    assert pod["metadata"]["annotations"]["psynth/device"] == "cpu"


def test_requests_follow_the_cost_model(setup):
    """A CPU Cycles pod at 512x512/64 spp asks for more cores than a GPU pod of the same render;
    more pixels and passes ask for more memory."""
    pods = {case: _container(_manifest(setup, case)[0])["resources"] for case in CASES}
    mib = {case: int(r["requests"]["memory"].removesuffix("Mi")) for case, r in pods.items()}
    assert int(pods["cpu"]["requests"]["cpu"]) > int(pods["gpu"]["requests"]["cpu"]) >= 2
    assert mib["gpu"] > mib["cpu"] > mib["workbench"]  # passes, then pixels
    for r in pods.values():
        assert int(r["limits"]["memory"].removesuffix("Mi")) >= int(r["requests"]["memory"].removesuffix("Mi"))


def test_image_command_namespace_and_environment(setup):
    pod, _ = _manifest(setup, "gpu", "--image", "other.example.com/psynth:dev",
                       env={"AWS_SECRET_ACCESS_KEY": "sk-do-not-print", "AWS_ACCESS_KEY_ID": "AKIA-do-not-print"})
    container = _container(pod)
    assert container["image"] == "other.example.com/psynth:dev"
    assert container["command"] == ["python", "/app/dagster_project/pipes_render.py"]
    assert pod["metadata"]["namespace"] == "render"
    assert pod["spec"]["serviceAccountName"] == "psynth-render"
    assert pod["spec"]["restartPolicy"] == "Never"
    env = _env(container)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert env[key] == {"name": key, "valueFrom": {"secretKeyRef": {"name": "psynth-s3-credentials", "key": key}}}
    assert env["AWS_REGION"]["value"] == "eu-west-1"
    assert env["PSYNTH_WORK_DIR"]["value"] == "/scratch"
    assert "do-not-print" not in yaml.safe_dump(pod)
    assert {m["mountPath"] for m in container["volumeMounts"]} == {"/scratch", "/dev/shm"}
    labels = pod["metadata"]["labels"]
    assert labels["psynth/dataset"] == "pods_gpu" and labels["psynth/partition"] == "000003"


def test_pipes_bootstrap_is_what_the_worker_reads(setup):
    """The worker's side of Pipes, given the pod's environment, sees the partition's shards and
    the spec, and would write its messages to stderr (the pod log PipesK8sClient reads)."""
    pod, _ = _manifest(setup, "gpu")
    env = {e["name"]: e["value"] for e in _container(pod)["env"] if "value" in e}
    probe = ("from dagster_pipes import open_dagster_pipes\n"
             "with open_dagster_pipes() as p:\n"
             "    print(p.partition_key, p.get_extra('shards'), p.get_extra('root'), p.get_extra('spec')['dataset'])\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], **{k: env[k] for k in env if k.startswith("DAGSTER_PIPES")}})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["000003", "[6,", "7]", ROOT, "pods_gpu"]
    assert '"method": "closed"' in done.stderr  # Pipes messages go to stderr


def test_bad_settings_are_one_line_errors(setup, tmp_path):
    base, config, specs = setup
    leaky = tmp_path / "leaky.yaml"
    leaky.write_text(yaml.safe_dump({**CONFIG, "env": {"AWS_SECRET_ACCESS_KEY": "x"}}))
    cases = [
        (_pod_spec(specs["gpu"], leaky, "--partition", "000000"), "put credentials in the Secret"),
        (_pod_spec(specs["gpu"], config, "--partition", "000099"), "is not one of pods_gpu's keys 000000..000004"),
        (Done(["cluster", "pod-spec", str(specs["gpu"]), "--partition", "000000", "--root", "./data"]),
         "needs an s3://BUCKET/PREFIX data root"),
    ]
    typo = tmp_path / "typo.yaml"
    typo.write_text("imagee: x\n")
    cases.append((_pod_spec(specs["gpu"], typo, "--partition", "000000"), "typo.yaml: `imagee`: Extra inputs"))
    for done, message in cases:
        assert done.returncode == 1
        assert message in done.stderr and "Traceback" not in done.stderr
