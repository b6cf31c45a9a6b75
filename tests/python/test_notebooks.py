"""The teaching notebooks run top to bottom, and are stored without outputs.

They execute in a Jupyter kernel running this interpreter (sys.executable), declared in a temporary
kernel spec, so the test works in any fresh virtual environment that has the ``test`` extras
(nbclient, nbformat, ipykernel, matplotlib). CI shrinks the notebooks with STOCKLAB_NB_REPLICATIONS.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "stocklab-test"
REPLICATIONS = "5"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_notebooks_are_there():
    names = [p.name for p in NOTEBOOKS]
    assert "01_camera_lens_story.ipynb" in names
    assert "02_policy_study.ipynb" in names
    assert "03_learning_a_policy.ipynb" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = _read(path)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {i} has stored outputs: clear them"
        assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    source = "".join("".join(c["source"]) for c in nb["cells"])
    assert 'os.environ.get("STOCKLAB_NB_REPLICATIONS"' in source, "the notebook must let CI shrink it"


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A kernel spec for this interpreter, and a quiet, hermetic environment for it."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "stocklab tests",
        "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core warns unless this is set
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.setenv("STOCKLAB_NB_REPLICATIONS", REPLICATIONS)
    monkeypatch.setenv("STOCKLAB_NO_PROGRESS", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return KERNEL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path, kernel):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=300, allow_errors=False,
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    took = time.perf_counter() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert took < 120, f"{path.name} took {took:.0f} s with {REPLICATIONS} replications"
    assert all(c["outputs"] == [] for c in _read(path)["cells"] if c["cell_type"] == "code")
