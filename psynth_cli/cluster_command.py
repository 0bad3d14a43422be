"""`psynth cluster pod-spec FILE --partition KEY [--image IMAGE]`: the pod the k8s render backend
would launch for that partition, as YAML (a dry run: `kubectl apply --dry-run=server -f -`).

The same functions build it as the backend's launch (psynth_deploy.pod_spec), from the spec's
render block and the deployment configuration (`--config`, else `$PSYNTH_CLUSTER_CONFIG`, else
the defaults); the Pipes bootstrap variables carry a dry-run context (run id `dry-run`).
"""

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cluster_command", metavar="SUBCOMMAND", required=True)
    pod = sub.add_parser("pod-spec", help="print the render pod of one partition as YAML",
                         description="print the render pod of one partition as YAML")
    pod.add_argument("file", help="the .psynth spec")
    pod.add_argument("--partition", required=True, help="partition key, e.g. 000003")
    pod.add_argument("--image", default=None, help="worker image (default: the configuration's)")
    pod.add_argument("--config", default=None, help="deployment configuration YAML (default $PSYNTH_CLUSTER_CONFIG)")
    pod.add_argument("--root", default=None,
                     help="s3:// data root (default: the configuration's data_root, else $PSYNTH_DATA_ROOT)")
    pod.add_argument("--device", choices=("auto", "gpu", "cpu"), default=None,
                     help="override the spec's device (as PSYNTH_RENDER_DEVICE does)")
    pod.add_argument("--kind", choices=("pod", "job"), default="pod", help="a bare Pod (default) or a batch Job")


def run(args: argparse.Namespace) -> int:
    import yaml

    from psynth_deploy.cluster_config import load_cluster_config
    from psynth_deploy.pod_spec import check_root, dry_run_bootstrap_env, job_of_pod, pipes_pod, pod_request
    from psynth_deploy.render_extras import partition_extras
    from psynth_spec.compile import load_spec

    spec = load_spec(args.file)
    config = load_cluster_config(args.config)
    root = check_root(args.root or config.data_root or os.environ.get("PSYNTH_DATA_ROOT") or "./data")
    device = args.device or os.environ.get("PSYNTH_RENDER_DEVICE") or None
    extras = partition_extras(spec, args.partition, root, device=device)
    request = pod_request(spec, args.partition, config, image=args.image, device=device)
    name = f"psynth-{spec.dataset}-{args.partition}".lower().replace("_", "-")[:63]
    pod = pipes_pod(request, dry_run_bootstrap_env(extras, args.partition, [spec.dataset, "renders"]), name)
    manifest = job_of_pod(pod) if args.kind == "job" else pod
    yaml.safe_dump(manifest, sys.stdout, sort_keys=False, width=120)
    return 0
