"""Reading back the Markdown tables the benchmarks print."""

__all__ = ["table_rows"]


def table_rows(out: str, columns: int) -> dict[str, list[str]]:
    """The rows of the ``columns``-wide Markdown tables in ``out``, by their first cell."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == columns:
            rows[cells[0]] = cells
    return rows
