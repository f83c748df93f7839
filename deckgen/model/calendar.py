"""Fiscal calendar: the quarter holding a date, its months and its weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Quarter:
    """A fiscal quarter. Weeks run in 7-day blocks from its first day; the last block is whatever remains
    (6 to 8 days in a 90- to 92-day quarter), so every quarter has 13 weeks."""

    fiscal_year: int
    number: int
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} Q{self.number}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> int:
        """Whole weeks, rounded: 13 for every 90- to 92-day quarter, the last one 6 to 8 days long."""
        return max(round(self.days / 7), 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def elapsed(self, day: date) -> float:
        """Share of the quarter done by the end of `day` (DESIGN: (day - start + 1) / (end - start + 1))."""
        done = (min(max(day, self.start - timedelta(days=1)), self.end) - self.start).days + 1
        return done / self.days

    def week_of(self, day: date) -> int:
        return min((day - self.start).days // 7 + 1, self.weeks)

    def week_bounds(self, week: int) -> tuple[date, date]:
        first = self.start + timedelta(days=7 * (week - 1))
        last = self.end if week == self.weeks else first + timedelta(days=6)
        return first, last

    def month_bounds(self) -> list[tuple[date, date]]:
        bounds = []
        for offset in range(3):
            year, month = _add_months(self.start.year, self.start.month, offset)
            next_year, next_month = _add_months(year, month, 1)
            bounds.append((date(year, month, 1), date(next_year, next_month, 1) - timedelta(days=1)))
        return bounds

    def following(self, fiscal_year_start: int, named_by: str = "end") -> Quarter:
        return quarter_of(self.end + timedelta(days=1), fiscal_year_start, named_by)

    def preceding(self, fiscal_year_start: int, named_by: str = "end") -> Quarter:
        return quarter_of(self.start - timedelta(days=1), fiscal_year_start, named_by)


def quarter_of(day: date, fiscal_year_start: int = 1, named_by: str = "end") -> Quarter:
    """The fiscal quarter holding `day`. A fiscal year is named by the calendar year it ends in
    (`named_by="end"`, e.g. FY2027 starts in February 2026) or the one it starts in."""
    months_in = (day.month - fiscal_year_start) % 12
    number = months_in // 3 + 1
    start_year = day.year if day.month >= fiscal_year_start else day.year - 1
    year, month = _add_months(start_year, fiscal_year_start, 3 * (number - 1))
    next_year, next_month = _add_months(year, month, 3)
    end = date(next_year, next_month, 1) - timedelta(days=1)
    fiscal_year = start_year + 1 if named_by == "end" and fiscal_year_start != 1 else start_year
    return Quarter(fiscal_year, number, date(year, month, 1), end)
