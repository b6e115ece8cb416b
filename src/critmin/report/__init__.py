"""Reports: the text summary `critmin solve` prints (text.py) and the self-contained HTML report (html.py,
charts.py).

The HTML report is imported when first asked for: it brings the charting library, which `critmin solve`
(the text summary) does not need (~0.1 s of every solve's start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .text import format_summary

if TYPE_CHECKING:
    from .html import build_report, write_report

__all__ = ["build_report", "format_summary", "write_report"]


def __getattr__(name: str) -> Any:
    if name in ("build_report", "write_report"):
        from . import html

        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
