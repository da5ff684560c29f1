"""The notebook in notebooks/ runs from top to bottom on the sample data."""

from __future__ import annotations

import pytest

from .conftest import ROOT


@pytest.mark.notebook
def test_weekly_plan_notebook_runs():
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "weekly_plan.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "visits, objective" in text and "itinerary.csv" in text
    # both travel models, Mueang Phitsanulok to Chat Trakan: the road model's km are longer
    road, straight = (
        float(line.split()[0])
        for line in text.splitlines()
        if line.rstrip().endswith(")") and " km " in line and " min " in line
    )
    assert road > 1.4 * straight
    # the map is displayed inline as HTML
    assert any(
        "text/html" in o.get("data", {})
        for o in outputs
        if o.output_type in ("execute_result", "display_data")
    )
