"""One Theme (palette, fonts, sizes) feeds the charts, the tables and the slide text alike."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    """Colours are '#RRGGBB'. `accents` follow PowerPoint's accent1..accent6 order."""

    accents: tuple[str, ...] = ("#1F4E79", "#2E86C1", "#F39C12", "#27AE60", "#8E44AD", "#C0392B")
    text: str = "#1B1F24"
    muted: str = "#6B7480"
    grid: str = "#D9DEE4"
    background: str = "#FFFFFF"
    transparent: bool = False  # charts drawn on no background of their own: the slide's (a dark template's) shows
    positive: str = "#1E8449"
    negative: str = "#C0392B"
    neutral: str = "#95A5A6"
    warning: str = "#D68910"  # amber: what needs a look, whatever the template's accents are
    latin_font: str = "Arial"
    east_asian_font: str = "Malgun Gothic"
    # Fallbacks for drawing charts on this machine: Hangul needs a CJK font (Noto Sans CJK on Linux).
    chart_fonts: tuple[str, ...] = ("Liberation Sans", "Arial", "DejaVu Sans")
    cjk_fonts: tuple[str, ...] = (
        "Noto Sans CJK KR",
        "Noto Sans KR",
        "NanumGothic",
        "Nanum Gothic",
        "Malgun Gothic",
        "Apple SD Gothic Neo",
    )
    title_size: float = 28.0
    body_size: float = 16.0
    table_size: float = 12.0
    chart_label_size: float = 10.0
    heading_font: str = "Arial"
    lang: str = "en"  # the language of the words charts draw themselves (see render/i18n.py)
    extra: dict[str, str] = field(default_factory=dict)
    # Shared value-axis tops per chart name, so the decks of several groups can be compared (--same-scale).
    limits: dict[str, float] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        return self.accents[0]

    @property
    def secondary(self) -> str:
        return self.accents[1]

    @property
    def highlight(self) -> str:
        return self.accents[2]


DEFAULT_THEME = Theme()
SHARED_ROOM = 1.25  # a shared axis (Theme.limits) ends this far above the largest value of all groups


def mix(colour: str, other: str, amount: float) -> str:
    """'#RRGGBB' moved `amount` (0..1) of the way towards `other`."""
    first = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    second = [int(other.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(a + (b - a) * amount):02X}" for a, b in zip(first, second, strict=True))


def luminance(colour: str) -> float:
    """Relative luminance 0 (black) .. 1 (white), to pick readable text on a fill."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def greenish(colour: str) -> bool:
    """Whether a colour reads as green (hue 75-165 degrees, not grey): the colour of good news."""
    import colorsys

    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return 75 <= hue * 360 <= 165 and saturation > 0.25 and 0.1 < lightness < 0.9


def check_colours(theme: Theme, checks: tuple[str, ...]) -> dict[str, str]:
    """One colour per hygiene check, by the check's place in `checks` (model.types.CHECKS): the same check has
    the same colour in the company's deck and in every group's, whichever checks a deck shows. A problem is
    never drawn green."""
    palette = [c for c in dict.fromkeys((*theme.accents, theme.negative, theme.warning)) if not greenish(c)]
    palette += [theme.neutral, theme.muted, theme.text]
    palette += [mix(colour, theme.background, 0.5) for colour in palette]  # lighter ones, when checks outnumber
    palette = list(dict.fromkeys(palette))
    return {check: palette[number % len(palette)] for number, check in enumerate(checks)}
