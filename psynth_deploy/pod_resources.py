"""What one render pod requests: a GPU or not, CPU cores and memory, from the spec's render block.

The numbers come from the cost model (psynth_spec/cost_model.py, measured on the 2-core build
machine) and from the worker's measured peak memory:

- GPU: `device gpu` or `auto` with Cycles or EEVEE asks for one GPU; Workbench (a rasterizer that
  gains little from a GPU) and `device cpu` stay CPU-only.
- CPU cores: a GPU pod needs the cores for the per-sample CPU work (scene build, encoding, QC,
  about PER_SAMPLE_OVERHEAD_S) -> GPU_POD_CPUS. A CPU pod gets enough cores to bring one frame
  near TARGET_FRAME_S, assuming Cycles/EEVEE scale linearly from the 2 measured cores, within
  [MIN_CPUS, MAX_CPUS].
- Memory: the worker's resident base (bpy, the scene, Python) plus render buffers per pixel per
  layer (the image and each pass); the limit leaves MEMORY_LIMIT_FACTOR of headroom. Measured
  with `/usr/bin/time -v psynth render` (Cycles, CPU, 4 spp, depth + normal passes, 3 samples):
  peak RSS 414 MiB at 64x64 and 464 MiB at 256x256, i.e. ~410 MiB of base and ~280 bytes per
  pixel and layer. The base gets 25% headroom for heavier scenes (an assumption).
"""

import math
from typing import NamedTuple

from psynth_spec.cost_model import PER_SAMPLE_OVERHEAD_S, frame_seconds
from psynth_spec.spec import Spec

GPU_ENGINES = ("cycles", "eevee")
GPU_POD_CPUS = 2
MEASURED_CORES = 2  # the cost model's CPU constants were measured with 2 cores
TARGET_FRAME_S = 4.0
MIN_CPUS, MAX_CPUS = 2, 16
WORKER_BASE_MIB = 512  # measured ~410 MiB + 25% (module doc)
BUFFER_BYTES_PER_PIXEL_LAYER = 288  # measured ~280: render result, passes, compositor, encoder copies
MEMORY_LIMIT_FACTOR = 2.0


class PodResources(NamedTuple):
    gpu: bool
    cpu_request: str  # Kubernetes quantities
    memory_request: str
    memory_limit: str
    frame_seconds: float  # the cost model's estimate on the chosen device
    reason: str  # why GPU or not, for the pod's annotations and the CLI


def wants_gpu(spec: Spec, device: str | None = None) -> tuple[bool, str]:
    """(GPU?, why): the device override (PSYNTH_RENDER_DEVICE / the resource) beats the spec's."""
    device = device or spec.render.device
    if device == "cpu":
        return False, "render device cpu"
    if spec.render.engine not in GPU_ENGINES:
        return False, f"engine {spec.render.engine} renders on the CPU"
    return True, f"render device {device}, engine {spec.render.engine}"


def _mebibytes(mib: float) -> str:
    return f"{int(math.ceil(mib / 64.0) * 64)}Mi"


def pod_resources(spec: Spec, device: str | None = None) -> PodResources:
    render = spec.render
    gpu, reason = wants_gpu(spec, device)
    frame = frame_seconds(render.engine, render.width, render.height, render.samples, gpu=gpu)
    if gpu:
        cpus = GPU_POD_CPUS
    else:
        cpus = min(MAX_CPUS, max(MIN_CPUS, math.ceil(MEASURED_CORES * frame / TARGET_FRAME_S)))
    layers = 1 + len(render.passes)
    frames = spec.video.frames if spec.video else 1
    buffer_mib = render.width * render.height * BUFFER_BYTES_PER_PIXEL_LAYER * layers / 2**20
    memory = WORKER_BASE_MIB + buffer_mib * (2 if frames > 1 else 1)  # video: the encoder's frame copies
    return PodResources(
        gpu=gpu,
        cpu_request=str(cpus),
        memory_request=_mebibytes(memory),
        memory_limit=_mebibytes(memory * MEMORY_LIMIT_FACTOR),
        frame_seconds=round(frame + PER_SAMPLE_OVERHEAD_S, 4),
        reason=reason,
    )
