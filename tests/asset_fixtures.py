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


@pytest.fixture(scope="session")
def asset_library(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("asset_library")
    done = subprocess.run([sys.executable, "-m", "tests.asset_library", str(root)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return root


@pytest.fixture(scope="session")
def asset_catalog(asset_library, tmp_path_factory) -> Path:
    from psynth_data.asset_scan import scan_assets

    out = tmp_path_factory.mktemp("asset_catalog") / "catalog.parquet"
    scan_assets(str(asset_library), out, READER, workers=2)
    return out
