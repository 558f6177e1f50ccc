"""Shared fixtures: the seed, a small self-written corpus, and indexes that share one built dictionary.

Building the merged dictionary takes seconds, so it is built once per test
session and linked into each test's index folder (the index looks for it in
``<index>/dictionary``). Tests that read ``../shared/data`` skip when it is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_483c8889d9bd71fa.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data() -> Path | None:
    """``$NEWSGREP_SHARED`` (the shared folder or its data/), else ``../shared/data`` beside the project."""
    candidates = []
    if os.environ.get("NEWSGREP_SHARED"):
        env = Path(os.environ["NEWSGREP_SHARED"])
        candidates += [env / "data", env]
    candidates.append(ROOT.parent / "shared" / "data")
    return next((c for c in candidates if (c / "sighan2005").is_dir() or (c / "corpora").is_dir()), None)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def dictionary_folder(tmp_path_factory) -> Path:
    from newsgrep.dictionary import ensure_dictionary

    folder = tmp_path_factory.mktemp("dictionary")
    ensure_dictionary(folder)
    return folder


def new_index_folder(path: Path, dictionary_folder: Path) -> Path:
    """``path`` made an index folder that does not exist yet as an index, with the session's dictionary linked in."""
    path.mkdir()
    (path / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    return path


@pytest.fixture
def index_path(tmp_path, dictionary_folder) -> Path:
    return new_index_folder(tmp_path / "index", dictionary_folder)


@pytest.fixture
def run(index_path):
    """Invoke newsgrep as a user types it (Typer's CliRunner) against the test's index; returns the Result."""
    from typer.testing import CliRunner

    from newsgrep.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, env={"NEWSGREP_INDEX": str(index_path)})

    return invoke


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A folder with the seed and the self-written fixture articles."""
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", folder)
    shutil.copy(SEED, folder)
    return folder


@pytest.fixture(scope="session")
def segmenter(dictionary_folder):
    """The index-time segmenter over the session's dictionary (``segmentation.IndexSegmenter``)."""
    from newsgrep.dictionary import ensure_dictionary
    from newsgrep.segmentation import IndexSegmenter

    return IndexSegmenter(ensure_dictionary(dictionary_folder))


@pytest.fixture(scope="session")
def query_segmenter(dictionary_folder):
    from newsgrep.dictionary import ensure_dictionary
    from newsgrep.segmentation import QuerySegmenter

    return QuerySegmenter(ensure_dictionary(dictionary_folder))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory, dictionary_folder):
    """A throwaway PostgreSQL cluster for the session (``pg_server.Server``); skipped when PostgreSQL is not installed.

    The PostgreSQL engine builds its dictionary in the user's cache folder: here a session folder whose
    dictionary is the session's one.
    """
    from pg_server import Server, binaries

    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)")
    cache = tmp_path_factory.mktemp("cache")
    (cache / "newsgrep").mkdir()
    (cache / "newsgrep" / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    server = Server(bin_dir)
    yield server
    server.stop()
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """The address of a new, empty database on the session's server, named after the test."""
    import re

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50] + f"_{len(pg_server.databases)}"
    return pg_server.create_database(name)
