"""Reports: the text summary `critmin solve` prints (text.py) and the self-contained HTML report (html.py,
charts.py)."""

from .html import build_report, write_report
from .text import format_summary

__all__ = ["build_report", "format_summary", "write_report"]
