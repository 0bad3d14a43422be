"""Deployment: what a render pod asks of a cluster (resources, placement, environment).

Pure functions of a compiled spec and a deployment configuration, used by the k8s render
backend (dagster_project/render_backends.py) and by `psynth cluster pod-spec`, so the dry run
prints exactly the pod the backend launches.
"""
