"""PRISMA 2020 counts of a small review built from imports, duplicates and screening decisions,
each count checked by hand; the shapes catch counts that do not add up; the CSV is the
PRISMA2020 template's layout."""

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

import pytest

from graph.bib_import import import_records
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.prisma import COLUMNS, UnknownReview, check, prisma_counts, prisma_csv
from graph.record_graph import RecordImport
from graph.store import Store
from tests.conftest import BASE

A = "TI  - Trial A\nAU  - Adams J\nPY  - 2019\nDO  - 10.1000/a"
B = "TI  - Trial B\nAU  - Brown K\nPY  - 2020\nDO  - 10.1000/b"
C = "TI  - Trial C\nAU  - Clark L\nPY  - 2021\nDO  - 10.1000/c"
D = "TI  - Surgery of the primary tumour in stage IV disease\nAU  - Dunn M\nPY  - 2018"
E = "TI  - Trial E\nAU  - Evans N\nPY  - 2017\nDO  - 10.1000/e"
F = "TI  - Trial F\nAU  - Fox O\nPY  - 2016\nDO  - 10.1000/f"


def ris(*records: str) -> Source:
    text = "\n".join(f"TY  - JOUR\n{body}\nER  - \n" for body in records)
    return Source("file.ris", io.BytesIO(text.encode("utf-8")), "")


def decided(record: str, *votes: tuple[str, str], reason: str | None = None) -> str:
    inclusion = ", ".join(f'"{who}"=>"{word}"' for who, word in votes)
    note = f"RAYYAN-INCLUSION: {{{inclusion}}}"
    return f"{record}\nN1  - {note}" + (f" | RAYYAN-EXCLUSION-REASONS: {reason}" if reason else "")


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two database searches (PubMed 4 records, Embase 3 of which 2 are duplicates: one by DOI
    in capitals, one by title, year and first author), citation searching (2 records, one a
    duplicate), title-abstract decisions of two reviewers, then full-text decisions."""

    empty = OxigraphStore(tmp_path_factory.mktemp("prisma") / "data")

    def search(source: Source, name: str, kind: str = "database") -> None:
        how = RecordImport(BASE, "ris", review="lrt", source=name, source_type=kind)
        import_records(empty, [source], how, "tester")

    search(ris(A, B, C, D), "PubMed")
    embase_d = (
        "TI  - Surgery of the primary tumour in stage-IV disease.\nAU  - Dunn, M.\nPY  - 2018"
    )
    search(ris(A.replace("10.1000/a", "10.1000/A"), embase_d, E), "Embase")
    search(ris(F, B), "reference lists", "citation-searching")
    include, exclude = "Included", "Excluded"
    title_abstract = ris(
        decided(A, ("Alice", include), ("Bob", include)),
        decided(B, ("Alice", exclude), ("Bob", exclude), reason="wrong population"),
        decided(C, ("Alice", include), ("Bob", "Maybe")),
        decided(D, ("Alice", include)),
        decided(E, ("Alice", exclude), ("Bob", exclude), reason="wrong design"),
    )
    how = RecordImport(BASE, "ris", review="lrt")
    import_records(empty, [title_abstract], how, "tester")
    full_text = ris(
        decided(A, ("Alice", include), ("Bob", include)),
        decided(C, ("Alice", exclude), reason="not retrieved"),
        decided(D, ("Alice", exclude), ("Bob", exclude), reason="wrong outcome"),
        decided(F, ("Alice", include)),
    )
    how = RecordImport(BASE, "ris", review="lrt", stage="full-text")
    import_records(empty, [full_text], how, "tester")
    yield empty
    empty.close()


def test_the_counts_of_a_small_review_follow_from_its_records_and_decisions(
    review: Store,
) -> None:
    counts = prisma_counts(review, "lrt", BASE)
    assert counts.n == {
        "previous_studies": 0,
        "previous_reports": 0,
        "database_results": 7,
        "register_results": 0,
        "website_results": 0,
        "organisation_results": 0,
        "citations_results": 2,
        "duplicates": 2,  # A by DOI in capitals, D by title, year and first author
        "excluded_automatic": 0,
        "excluded_other": 0,
        "records_screened": 5,  # A B C D E
        "records_excluded": 2,  # B E
        "dbr_sought_reports": 3,  # A C D
        "dbr_notretrieved_reports": 1,  # C
        "dbr_assessed": 2,  # A D
        "dbr_excluded": 1,  # D
        "other_sought_reports": 1,  # F (B from reference lists is a duplicate)
        "other_notretrieved_reports": 0,
        "other_assessed": 1,
        "other_excluded": 0,
        "new_studies": 2,  # A F, no study in the graph: one each
        "new_reports": 2,
        "total_studies": 2,
        "total_reports": 2,
    }
    assert counts.databases == {"PubMed": 4, "Embase": 3}
    assert counts.dbr_reasons == {"wrong outcome": 1}
    assert counts.awaiting == 0
    assert counts.adds_up, counts.report.violations


def test_counts_that_do_not_add_up_are_caught_by_the_shapes(review: Store) -> None:
    counts = prisma_counts(review, "lrt", BASE)
    wrong = replace(counts, n={**counts.n, "records_screened": 6})
    messages = [v.message for v in check(wrong).violations]
    assert any("Records screened (6)" in m for m in messages), messages
    wrong = replace(counts, n=counts.n, dbr_reasons={"wrong outcome": 3})
    assert not check(wrong).conforms


def test_the_csv_is_the_prisma2020_template_layout(review: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(prisma_csv(prisma_counts(review, "lrt", BASE)))))
    assert tuple(rows[0]) == COLUMNS
    n = {row["data"]: row["n"] for row in rows if row["data"] != "NA"}
    assert n["database_results"] == "7"
    assert n["database_specific_results"] == "Embase, 3; PubMed, 4"
    assert n["dbr_excluded"] == "wrong outcome, 1"
    assert n["records_screened"] == "5" and n["new_studies"] == "2"


def test_an_unknown_review_is_an_error(review: Store) -> None:
    with pytest.raises(UnknownReview):
        prisma_counts(review, "nothing", BASE)
