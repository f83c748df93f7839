"""The canonical frame's schema: one list that headers, ingest, the model and the config agree with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from deckgen import config, frame
from deckgen.config import Settings
from deckgen.errors import ConfigError
from deckgen.ingest.headers import ALIASES
from deckgen.ingest.pipeline import read_pipeline

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "pipeline-this-week.csv"
CRM = Path(__file__).resolve().parent / "data" / "crm"


def test_every_field_has_aliases_and_every_alias_a_field() -> None:
    assert sorted(ALIASES) == sorted(frame.FIELDS)


def test_the_config_takes_its_fields_from_the_schema() -> None:
    assert config.FIELDS == frame.FIELDS
    assert config.STATES == frame.STATES == ("open", "won", "lost")
    with pytest.raises(ConfigError) as error:
        config.parse_settings({"columns": {"revenue": "Revenue"}}, "deckgen.toml")
    assert f"is not a deckgen field ({', '.join(frame.FIELDS)})" in str(error.value)


def test_the_roles_partition_the_columns() -> None:
    assert len(frame.BY_NAME) == len(frame.COLUMNS)
    assert set(frame.FRAME_COLUMNS) == set(frame.CANONICAL_COLUMNS) | set(frame.HIDDEN_COLUMNS)
    assert set(frame.CORE_COLUMNS) <= set(frame.CANONICAL_COLUMNS)
    assert set(frame.REQUIRED) <= set(frame.FIELDS)
    exported = {c.name for c in frame.COLUMNS if c.role == "export"}
    assert exported <= set(frame.FIELDS) and not exported & set(frame.FRAME_COLUMNS)
    # DESIGN.md's canonical columns, the state last.
    assert frame.CANONICAL_COLUMNS[-1] == "state" and frame.HIDDEN_COLUMNS == ("probability_given",)


# The sample and the CRMs' exports (but the one that needs [fx] rates).
EXPORTS = [SAMPLE, *sorted(path for path in CRM.glob("*.csv") if "currencies" not in path.name)]


@pytest.mark.parametrize("path", EXPORTS, ids=lambda path: path.name)
def test_ingest_writes_every_frame_column_in_its_dtype(path: Path) -> None:
    data = read_pipeline(path, Settings()).frame
    assert set(frame.FRAME_COLUMNS) <= set(data.columns)
    for name in frame.FRAME_COLUMNS:
        column, dtype = data[name], frame.BY_NAME[name].dtype
        if frame.BY_NAME[name].kind == frame.TEXT:
            assert pd.api.types.is_string_dtype(column) or column.dtype == object, name
        else:
            assert str(column.dtype) == dtype, name
    for name in ("state", "forecast_category"):
        assert set(data[name].dropna().astype(str)) <= set(frame.BY_NAME[name].values), name


def test_the_schema_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\nimport deckgen.frame\n"
        "print(json.dumps([m for m in ('pandas', 'numpy') if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
