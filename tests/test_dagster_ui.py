"""The Dagster UI shows a dataset: its asset group, its partitions, and a materialized
partition's metadata (with the contact sheet image), in headless Chromium driven by Playwright.

Needs Debian's `chromium` (scripts/bootstrap installs it when running as root). The test tries
to install it when absent and skips, with the reason, only when that is impossible.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import build_definitions
from tests.dagster_fixtures import REPO, TINY_SPEC, environment

pytestmark = [
    pytest.mark.render,
    pytest.mark.filterwarnings("ignore::dagster.BetaWarning", "ignore::dagster.PreviewWarning"),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NAME = "tinyd"


def chromium_path() -> str:
    """Debian's chromium, installed now if missing and possible; else skip with the reason."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get)")
    proc = subprocess.run(["bash", "-c", "apt-get update -qq && apt-get install -y -qq chromium"],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.skip(f"chromium could not be installed: {proc.stderr[-500:]}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_until_loaded(port: int, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster-webserver exited with {process.returncode}")
        try:
            entries = graphql(port, query)["data"]["workspaceOrError"]["locationEntries"]
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                return
        except (OSError, ValueError, KeyError, TypeError):
            pass
        time.sleep(1)
    raise TimeoutError(f"dagster-webserver on port {port} not ready after {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL what is left."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    chromium = chromium_path()
    base = tmp_path_factory.mktemp("dagster_ui")
    specs, root, home = base / "specs", base / "data", base / "home"
    specs.mkdir()
    home.mkdir()
    (specs / "tiny.psynth").write_text(TINY_SPEC)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {"PSYNTH_SPECS": str(specs), "PSYNTH_DATA_ROOT": str(root), "DAGSTER_HOME": str(home)}
    with environment(**env):
        defs = build_definitions()
        keys = [dg.AssetKey([NAME, a]) for a in ("samples", "renders", "qc")]
        job = defs.get_repository_def().get_implicit_job_def_for_assets(keys)
        with dg.DagsterInstance.get() as instance:
            assert job.execute_in_process(partition_key="000000", instance=instance, asset_selection=keys).success
    port = free_port()
    log = open(base / "webserver.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-m", "dagster_project", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_until_loaded(port, process)
        graphql(port, "mutation { setNuxSeen }")  # no first-visit community dialog over the page
        yield {"url": f"http://127.0.0.1:{port}", "chromium": chromium}
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="module")
def page(webserver):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=webserver["chromium"], args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()


def test_asset_group_lists_the_dataset_assets(webserver, page):
    page.goto(f"{webserver['url']}/locations/dagster_project/asset-groups/{NAME}")
    page.get_by_text("Asset Group in").first.wait_for(timeout=90_000)
    page.get_by_text("balance_audit", exact=True).first.wait_for(timeout=60_000)
    lines = {line.strip() for line in page.inner_text("body").splitlines()}
    assert NAME in lines
    assert {"samples", "renders", "qc", "index", "balance_audit"} <= lines


def test_partitions_and_materialized_metadata(webserver, page):
    page.goto(f"{webserver['url']}/assets/{NAME}/renders?view=partitions&partition=000000")
    page.get_by_text("render_seconds_p95").first.wait_for(timeout=90_000)
    body = page.inner_text("body")
    assert "000000" in body and "000001" in body
    assert "Materialized (1)" in body and "Missing (1)" in body
    for key in ("samples", "render_seconds_total", "render_seconds_p50", "device", "bytes_written", "contact_sheet"):
        assert key in body
    assert "CPU" in body
    page.get_by_text("Show Markdown").first.click()
    image = page.locator("img[src^='data:image/png;base64,']").first
    image.wait_for(timeout=30_000)
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
