"""What the benchmarks print: Markdown tables, milliseconds, the commit measured, progress."""

import subprocess
import sys
from pathlib import Path

__all__ = ["code_version", "markdown_table", "ms", "progress", "rounded"]

ROOT = Path(__file__).parents[1]
_CAPTURE = {"capture_output": True, "text": True, "check": True}


def markdown_table(rows: list[list[str]], right: set[int]) -> str:
    """A Markdown table; the columns in ``right`` are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(cells) + " |"

    rule = ["-" * (w - 1) + (":" if i in right else "-") for i, w in enumerate(widths)]
    return "\n".join([line(rows[0]), line(rule), *(line(r) for r in rows[1:])])


def ms(value: float | None) -> str:
    """Milliseconds with three significant figures or so; "-" for none."""
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def code_version(*folders: str) -> str | None:
    """The commit measured, "+changes" when ``folders`` have uncommitted edits."""
    try:
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], **_CAPTURE).stdout.strip()
        changes = subprocess.run([*git, "status", "--porcelain", *folders], **_CAPTURE)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if changes.stdout.strip() else "")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
