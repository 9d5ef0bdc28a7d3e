"""The template definition matches the official labels quoted in SPEC.md."""

import re
from pathlib import Path

from django.conf import settings

from reports.spec import figures as fig
from reports.spec import schema

SPEC = (Path(settings.SEEDS_DIR).parent / "SPEC.md").read_text(encoding="utf-8")


def spec_rows() -> list[tuple[str, str]]:
    """The key/label table of SPEC §2.2, group labels included (with an empty key)."""
    part = SPEC.split("| key | label (exact) |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in part.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2:
            rows.append((cells[0], cells[1].split(" (group label)")[0]))
    return rows


def test_application_rows_have_the_exact_keys_and_labels_of_the_spec():
    spec = [(k, label) for k, label in spec_rows() if k]
    assert [(r.key, r.label) for r in schema.APPLICATION_ROWS] == spec
    assert len(schema.APPLICATION_ROWS) == 25


def test_group_labels_of_the_matrix_are_those_of_the_spec():
    groups = [label for k, label in spec_rows() if not k]
    assert groups[0] == schema.RESULTS_BANNER
    used = list(dict.fromkeys(r.group for r in schema.APPLICATION_ROWS if r.group))
    assert used == groups[1:]


def test_columns_match_the_spec_column_keys():
    line = next(line for line in SPEC.splitlines() if line.startswith("Column keys:"))
    line += next(line for line in SPEC.splitlines() if line.startswith("social_welfare"))
    pairs = re.findall(r"(\w+) (\S+?)[,.]", line)
    assert [(c.key, c.label) for c in schema.APPLICATION_COLUMNS] == pairs


def test_corner_note_is_quoted_exactly():
    assert f"Corner note (exact): {schema.CORNER_NOTE}" in SPEC


def test_section_headings_appear_in_the_spec_table():
    for section in schema.SECTIONS:
        assert f"| {section.heading} |" in SPEC


def test_there_are_21_outcome_rows_and_144_stored_matrix_cells():
    assert len(schema.OUTCOME_ROWS) == 21
    stored = [c for c in schema.STORED_CELLS if c.table == "applications"]
    assert len(stored) == 24 * 6


def test_every_cell_has_a_distinct_field_name_and_anchor():
    fields = [c.field for c in schema.CELLS]
    assert len(fields) == len(set(fields))
    assert all(len(f) <= 63 for f in fields)  # PostgreSQL's identifier limit


def test_derived_totals_sum_the_detail_cells():
    figures = fig.empty()
    fig.put(figures, schema.cell("applications", "granted", "natural_person"), 3)
    fig.put(figures, schema.cell("applications", "granted", "commercial"), 4)
    fig.put(figures, schema.cell("applications", "unable_not_held", "natural_person"), 5)
    fig.put(figures, schema.cell("review_litigation", "review", "upheld"), 2)
    fig.derive_totals(figures)
    apps = figures["applications"]
    assert apps["granted"]["total"] == 7
    assert apps["handled_total"]["natural_person"] == 8
    assert apps["handled_total"]["total"] == 12
    assert figures["review_litigation"]["review"]["total"] == 2
    assert apps["carried_forward"]["total"] is None
