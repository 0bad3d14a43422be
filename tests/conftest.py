"""Shared pytest options. `--update-golden` rewrites golden expectation files from the output."""


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden expectations")
