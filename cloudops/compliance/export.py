"""A compliance report (合规性管理 1.2) as CSV or PDF, from the same data as its JSON form (pure, synchronous:
callers run the PDF off the event loop).

CSV: one row per result (workload x policy), RFC 4180 (csv module, CRLF, quoting as needed).
PDF (fpdf2, core fonts): the summary, the score over the time range (one point per stored run of the check),
the failing results grouped by policy. Core fonts are Latin-1: other characters print as '?'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fpdf import FPDF

__all__ = ["CSV_COLUMNS", "to_csv", "to_pdf"]

CSV_COLUMNS = ("run_id", "run_at", "cluster", "namespace", "kind", "name", "resource", "policy", "status",
               "severity", "failed_checks", "fields", "messages", "fix_action")
MAX_PDF_RESULTS = 400  # failing results listed in the PDF; the summary counts all


def _severity(violations: Sequence[Mapping[str, Any]]) -> str:
    found = {str(v.get("severity", "")) for v in violations}
    return "danger" if "danger" in found else "warning" if "warning" in found else ""


def to_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.get("results") or []:
        violations = r.get("violations") or []
        fix = r.get("fix_suggestion") or {}
        writer.writerow([report.get("check_id", ""), report.get("run_at", ""), report.get("cluster_name", ""),
                         r.get("namespace", ""), r.get("kind", ""), r.get("name", ""), r.get("resource", ""),
                         r.get("policy", ""), r.get("status", ""), _severity(violations),
                         ";".join(str(v.get("check_id", "")) for v in violations),
                         ";".join(str(v.get("field", "")) for v in violations),
                         "\n".join(str(v.get("message", "")) for v in violations), fix.get("action", "")])
    return out.getvalue()


def _latin1(text: Any) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.title_text = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_latin1(title))
        self.set_creator("cloudops-k8s")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, _latin1(f"{self.title_text} - page {self.page_no()}"), align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 8, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def line_text(self, text: str, bold: bool = False, size: float = 9, indent: float = 0,
                  gray: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_text_color(*((100, 100, 100) if gray else (0, 0, 0)))
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, 4.6 if size < 9 else 5, _latin1(text), align="L", new_x="LMARGIN",
                        new_y="NEXT")
        self.set_text_color(0, 0, 0)


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _chart(pdf: _Pdf, history: Sequence[Mapping[str, Any]], since: str, until: str) -> None:
    """Score (0-100) over the time range: axes, gridlines, one marker per run, joined by a line."""
    x0, y0, w, h = pdf.l_margin + 12, pdf.get_y() + 4, pdf.epw - 16, 55
    pdf.set_draw_color(200, 200, 200)
    pdf.set_font("Helvetica", size=7)
    for score in (0, 25, 50, 75, 100):
        y = y0 + h - h * score / 100
        pdf.line(x0, y, x0 + w, y)
        pdf.set_xy(x0 - 12, y - 2)
        pdf.cell(10, 4, str(score), align="R")
    pdf.set_draw_color(0, 0, 0)
    pdf.line(x0, y0, x0, y0 + h)
    pdf.line(x0, y0 + h, x0 + w, y0 + h)
    start, end = _parse(since), _parse(until)
    points = []
    for p in history:
        t = _parse(str(p.get("time", "")))
        if t is None or start is None or end is None or end <= start or p.get("score") is None:
            continue  # a run that checked nothing has no score to plot
        frac = min(1.0, max(0.0, (t - start).total_seconds() / (end - start).total_seconds()))
        points.append((x0 + w * frac, y0 + h - h * float(p.get("score", 0)) / 100))
    pdf.set_draw_color(31, 119, 180)
    pdf.set_fill_color(31, 119, 180)
    pdf.set_line_width(0.5)
    if len(points) > 1:
        pdf.polyline(points)
    for x, y in points:
        pdf.ellipse(x - 1, y - 1, 2, 2, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(x0, y0 + h + 1)
    pdf.cell(w / 2, 4, _latin1(since), align="L")
    pdf.cell(w / 2, 4, _latin1(until), align="R")
    pdf.set_xy(pdf.l_margin, y0 + h + 7)
    pdf.set_font("Helvetica", size=9)


def to_pdf(report: Mapping[str, Any]) -> bytes:
    summary = report.get("summary") or {}
    title = f"Compliance report - cluster {report.get('cluster_name', '')}"
    pdf = _Pdf(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.line_text(f"Check: {report.get('check_name', '')}   Run: {report.get('check_id', '')}   "
                  f"Completed: {report.get('run_at', '')}   Trigger: {report.get('trigger', '')}")
    pdf.line_text(f"Time range: {report.get('time_range', '')} ({report.get('since', '')} to "
                  f"{report.get('generated_at', '')})   Runs in range: {report.get('reports_in_range', 0)}")

    pdf.heading("Summary")
    score = summary.get("compliance_score")
    pdf.line_text(f"Total: {summary.get('total', 0)}   Passed: {summary.get('passed', 0)}   "
                  f"Failed: {summary.get('failed', 0)}   Fixed: {summary.get('fixed', 0)}   "
                  f"Compliance score: {'none' if score is None else score}", bold=True, size=11)
    if score is None:
        pdf.line_text(f"No score: {summary.get('score_reason') or 'nothing was checked'}", bold=True)
    pdf.line_text("Score = round(100 x passed / total, 1); one result per workload and policy; none when nothing "
                  "was checked.")
    for p in report.get("policies") or []:
        pdf.line_text(f"{p['policy']}: total {p['total']}, passed {p['passed']}, failed {p['failed']}", indent=4)
    if report.get("results_truncated"):
        pdf.line_text(f"Note: {report.get('truncation_note', '')}")

    pdf.heading("Compliance score over the time range")
    _chart(pdf, report.get("history") or [], str(report.get("since", "")), str(report.get("generated_at", "")))

    pdf.heading("Failing results by policy")
    failing = [r for r in report.get("results") or [] if r.get("status") == "failed"]
    if not failing:
        pdf.line_text("None: every result passed." if report.get("results") else "None: nothing was checked.")
    listed = 0
    for policy in dict.fromkeys(r.get("policy", "") for r in failing):
        group = [r for r in failing if r.get("policy") == policy]
        pdf.line_text(f"{policy} ({len(group)} failed)", bold=True, size=10)
        for r in group:
            if listed >= MAX_PDF_RESULTS:
                break
            listed += 1
            pdf.line_text(f"{r.get('namespace', '')}/{r.get('resource', '')}", bold=True, indent=2)
            for v in r.get("violations") or []:
                pdf.line_text(f"[{v.get('severity', '')}] {v.get('check_id', '')}: {v.get('message', '')}", indent=6)
                pdf.line_text(f"field {v.get('field', '')}", size=7.5, indent=10, gray=True)
    if listed < len(failing):
        pdf.line_text(f"... {len(failing) - listed} more failing results: see the JSON or CSV form.")
    return bytes(pdf.output())
