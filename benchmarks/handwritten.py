"""The baseline: a plain hand-written script that reads the export, draws 8 charts at 200 dpi and saves a deck.

This is what a revenue-operations analyst writes by hand with pandas, Matplotlib and python-pptx:
no validation, no pacing curve, no hygiene, no bridge. Run: python benchmarks/handwritten.py EXPORT.csv|.xlsx OUT.pptx
"""

from __future__ import annotations

import io
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from pptx import Presentation
from pptx.util import Inches

QUARTER = ("2026-10-01", "2026-12-31")


def chart(draw) -> bytes:  # type: ignore[no-untyped-def]
    figure, axes = plt.subplots(figsize=(12.3, 5.2))
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200)
    plt.close(figure)
    return buffer.getvalue()


def main(source: str, out: str) -> None:
    if source.endswith(".xlsx"):
        deals = pd.read_excel(source)  # pandas' default engine, as a plain script reads a workbook
        for column in ("Close Date", "Created Date"):
            deals[column] = pd.to_datetime(deals[column])
    else:
        deals = pd.read_csv(source, parse_dates=["Close Date", "Created Date"])
    in_quarter = deals["Close Date"].between(*QUARTER)
    won = deals[in_quarter & (deals["Stage"] == "Closed Won")]
    open_deals = deals[in_quarter & ~deals["Stage"].isin(["Closed Won", "Closed Lost"])]
    weekly = won.groupby(won["Close Date"].dt.to_period("W"))["Amount"].sum().cumsum()
    by_stage = open_deals.groupby("Stage")["Amount"].sum().sort_values()
    by_owner = open_deals.groupby("Opportunity Owner")["Amount"].sum().nlargest(12)
    by_team = open_deals.groupby("Team")["Amount"].sum().nlargest(12)
    close_weeks = open_deals.groupby(open_deals["Close Date"].dt.to_period("W"))["Amount"].sum()
    created = (
        deals[deals["Created Date"].between(*QUARTER)].groupby(deals["Created Date"].dt.to_period("W"))["Amount"].sum()
    )
    weighted = (open_deals["Amount"] * open_deals["Probability (%)"] / 100).groupby(open_deals["Stage"]).sum()
    won_by_owner = won.groupby("Opportunity Owner")["Amount"].sum().nlargest(12)
    images = [
        chart(lambda ax: weekly.plot(ax=ax, title="Cumulative closed won")),
        chart(lambda ax: created.cumsum().plot(ax=ax, title="Pipeline created")),
        chart(
            lambda ax: ax.barh(
                ["won", "open", "weighted"], [won["Amount"].sum(), open_deals["Amount"].sum(), weighted.sum()]
            )
        ),
        chart(lambda ax: by_stage.plot.barh(ax=ax, title="Pipeline by stage")),
        chart(lambda ax: close_weeks.plot.bar(ax=ax, title="Close dates by week")),
        chart(lambda ax: by_owner.plot.barh(ax=ax, title="Open pipeline by owner")),
        chart(lambda ax: by_team.plot.barh(ax=ax, title="Open pipeline by team")),
        chart(lambda ax: won_by_owner.plot.barh(ax=ax, title="Closed won by owner")),
    ]
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    for image in images:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = "Chart"
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(1.6), Inches(12.3), Inches(5.2))
    deck.save(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
