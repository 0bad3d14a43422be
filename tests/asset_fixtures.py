"""Session fixtures for asset tests: a small library exported by Blender, and its catalog.

Import the fixtures into a test module (`from tests.asset_fixtures import asset_library,
asset_catalog`). Both are made once per test session (about 15 s on 2 cores), in a subprocess
so that the exporting Blender never shares a process with the tests.
"""

import subprocess
import sys
from pathlib import Path

import pytest

READER = "psynth_render.asset_import:read_stats"


def make_library(module: str, root: Path) -> Path:
    """Run `python -m MODULE ROOT` (a library writer that uses Blender) in a subprocess."""
    done = subprocess.run([sys.executable, "-m", module, str(root)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return root


def scan_library(library: Path, out: Path, workers: int = 2) -> Path:
    from psynth_data.asset_scan import scan_assets

    scan_assets(str(library), out, READER, workers=workers)
    return out


@pytest.fixture(scope="session")
def asset_library(tmp_path_factory) -> Path:
    return make_library("tests.asset_library", tmp_path_factory.mktemp("asset_library"))


@pytest.fixture(scope="session")
def asset_catalog(asset_library, tmp_path_factory) -> Path:
    return scan_library(asset_library, tmp_path_factory.mktemp("asset_catalog") / "catalog.parquet")
