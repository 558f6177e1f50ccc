"""An index built by another newsgrep (schema, analyzer, dictionary) is refused with the way out; --rebuild swaps safely."""

from __future__ import annotations

import json

import pytest

from newsgrep.engines.whoosh_folder import META_FILE

from corpusgen import snapshot


def age(index_path, **changes) -> None:
    meta = json.loads((index_path / META_FILE).read_text())
    meta.update(changes)
    (index_path / META_FILE).write_text(json.dumps(meta))


@pytest.mark.parametrize("change", [{"schema_version": 1}, {"analyzer_version": 1}, {"dictionary": "0000dead"}])
def test_outdated_index_asks_for_rebuild_and_rebuild_fixes_it(run, corpus, index_path, change):
    assert run("ingest", str(corpus)).exit_code == 0
    good = snapshot(index_path)
    age(index_path, **change)
    for args in (("search", "台灣"), ("show", "000"), ("ingest", str(corpus))):
        result = run(*args)
        assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
        assert result.output.startswith("newsgrep: ") and "newsgrep ingest --rebuild" in result.output
    rebuilt = run("ingest", "--rebuild", str(corpus))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert snapshot(index_path) == good
    assert run("search", "台灣").exit_code == 0


def test_failed_or_interrupted_rebuild_keeps_the_old_index(run, corpus, index_path, monkeypatch):
    import newsgrep.ingest as ingest

    assert run("ingest", str(corpus)).exit_code == 0
    good = snapshot(index_path)
    calls = []
    real = ingest._ingest_file

    def crash_midway(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "_ingest_file", crash_midway)
    failed = run("ingest", "--rebuild", str(corpus))
    assert failed.exit_code == 2 and "no space left on device" in failed.output
    assert snapshot(index_path) == good
    assert not index_path.with_name(index_path.name + ".rebuild").exists()

    calls.clear()

    def interrupt_midway(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "_ingest_file", interrupt_midway)
    interrupted = run("ingest", "--rebuild", str(corpus))
    assert interrupted.exit_code == 130
    assert snapshot(index_path) == good
    assert run("search", "台灣").exit_code == 0
