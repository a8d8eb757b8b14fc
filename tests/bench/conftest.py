"""Benchmarks: files named bench_*.py, collected only when tests/bench is asked for by name
(`make bench` runs `pytest tests/bench -p no:xdist -s`), never in the ordinary test run."""

from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent


def _bench_requested(config) -> bool:
    for arg in config.args:
        target = Path(str(arg).split("::", 1)[0]).resolve()
        if target == BENCH_DIR or BENCH_DIR in target.parents:
            return True
    return False


def pytest_collect_file(file_path: Path, parent):
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("bench_")
        and _bench_requested(parent.config)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
