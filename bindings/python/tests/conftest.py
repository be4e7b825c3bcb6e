"""Shared fixtures: the repository's deterministic fixture model, its golden data and the Rust
`kittentts` command (for "the same call through the Rust API").

`scripts/python-tests.sh` sets KITTENTTS_FIXTURE and KITTENTTS_CLI; run from a clone without
them, the paths are found relative to this file.
"""

import json
import os
import pathlib

import pytest

import kittentts_rs

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]


def _fixture_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("KITTENTTS_FIXTURE", REPO / "tests" / "data" / "fixture"))


@pytest.fixture(scope="session")
def fixture_dir() -> pathlib.Path:
    path = _fixture_dir()
    assert (path / "model.onnx").is_file(), f"no fixture model at {path}"
    return path


@pytest.fixture(scope="session")
def fixture_config(fixture_dir) -> dict:
    return json.loads((fixture_dir / "config.json").read_text())


@pytest.fixture(scope="session")
def tts(fixture_dir) -> kittentts_rs.Synthesizer:
    return kittentts_rs.Synthesizer(str(fixture_dir), threads=1)


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("KITTENTTS_CLI", REPO / "target" / "debug" / "kittentts"))
    assert path.is_file(), f"no kittentts binary at {path}: cargo build -p kittentts-cli"
    return path


def _read_jsonl(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def golden_cases(fixture_dir) -> list[tuple[dict, dict, dict]]:
    """(case, frontend golden, waveform golden) for every case of the fixture's golden data."""
    golden = fixture_dir / "golden"
    frontends = {f["text"]: f for f in _read_jsonl(golden / "frontend.jsonl")}
    cases = []
    for case in _read_jsonl(golden / "manifest.jsonl"):
        wave = json.loads((golden / case["file"]).read_text())
        cases.append((case, frontends[case["text"]], wave))
    assert len(cases) == 8
    return cases
