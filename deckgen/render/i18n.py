"""Words the deck draws itself (chart labels, legends, check names) in the deck's language.

Slide text comes from the slide spec (slides.toml, slides.ko.toml); this table covers only what the code
writes. English is the key: a missing translation shows the English words rather than nothing. What a hygiene
finding asks its owner to do is written in render/advice.py, in both languages side by side.
"""

from __future__ import annotations

LANGUAGES = ("en", "ko")

KO: dict[str, str] = {
    # Filled per module: chart labels, legends, messages, hygiene check names, bridge steps.
    # --- render/charts.py and render/chartkit.py: texts with {fields} are filled by str.format after tr().
    # Messages of an empty chart.
    "No bookings data for this quarter": "이번 분기 수주 데이터가 없습니다",
    "Nothing closed won yet this quarter, and no goal set": "이번 분기 아직 수주가 없고 목표도 설정되지 않았습니다",
    "Pipeline creation is not available: the export has no created date": (
        "파이프라인 생성 현황을 볼 수 없습니다: 내보낸 파일에 생성일이 없습니다"
    ),
    "Nothing won and no open deals this quarter": "이번 분기 수주도, 진행 중인 딜도 없습니다",
    "No open deals this quarter": "이번 분기 진행 중인 딜이 없습니다",
    "No open deals closing this quarter or next": "이번 분기와 다음 분기에 마감 예정인 진행 중 딜이 없습니다",
    "No deals with an owner this quarter": "이번 분기 담당자가 지정된 딜이 없습니다",
    "No deals with a team this quarter": "이번 분기 팀이 지정된 딜이 없습니다",
    "No data hygiene findings: nothing to fix": "데이터 품질 문제가 없습니다: 수정할 것이 없습니다",
    "No goal set for this quarter": "이번 분기 목표가 설정되지 않았습니다",
    "Not set": "미설정",
    # The native forecast chart's rows (deck/native.py: forecast_range).
    "Closed won {amount}": "수주 {amount}",
    "Forecast {low}–{high}, likely {mid}": "예측 {low}–{high}, 예상 {mid}",
    "Reps' call {commit}–{best}": "영업 전망 {commit}–{best}",
    "Likely to high": "예상~상단",  # a goal tile of the slide spec without a goal
    "No pipeline goal set": "파이프라인 목표 미설정",
    # Bookings pacing; the curve names of [pacing] curve.
    "Closed won (cumulative)": "수주 (누적)",
    "Pace to goal ({curve})": "목표 페이스 ({curve})",
    "linear": "선형",
    "curved": "곡선형",
    "weights": "비중 지정",
    "history": "과거 실적 기반",
    "Goal {amount}": "목표 {amount}",
    "W{week}": "{week}주",
    "As of {date}": "{date} 기준",
    "{amount} closed won": "수주 {amount}",
    "{delta} vs pace ({pace})": "페이스 대비 {delta} ({pace})",
    # Pipeline pacing.
    "Created this quarter": "이번 분기 생성",
    "Expected by {date}": "{date}까지 기대치",
    "linear pace": "선형 페이스",
    "Quarter goal {amount}": "분기 목표 {amount}",
    "Week {week} of {weeks} · {elapsed} of the quarter gone": "{weeks}주 중 {week}주차 · 분기 {elapsed} 경과",
    "{delta} vs linear pace{share}": "선형 페이스 대비 {delta}{share}",
    # Forecast range: low, mid and high (10th, 50th, 90th percentile) read as conservative, base and optimistic;
    # the reps' call (commit, best case) is drawn beside it.
    "Closed won": "수주",
    "Forecast range": "예측 범위",
    "low {amount}": "보수 {amount}",
    "mid {amount}": "기준 {amount}",
    "high {amount}": "낙관 {amount}",
    "low–high {low} – {high}": "보수–낙관 {low} – {high}",
    "Reps' call": "영업 전망",
    "commit {amount}": "커밋 {amount}",
    "best case {amount}": "베스트 케이스 {amount}",
    "commit–best case {commit} – {best}": "커밋–베스트 케이스 {commit} – {best}",
    "{chance} chance to reach the goal": "목표 달성 확률 {chance}",
    "Where we will finish": "분기 마감 전망",
    "mid forecast {delta} vs goal": "기준 예측, 목표 대비 {delta}",
    # Pipeline by stage, close dates, owners and teams.
    "Amount": "금액",
    "Weighted": "가중 금액",
    "{amount} weighted": "가중 {amount}",
    "Open amount": "진행 중 금액",
    "Open pipeline": "진행 중 파이프라인",
    "{quarter}: {amount} open · {deals}": "{quarter}: 진행 중 {amount} · {deals}",
    "Past due (before {date})": "기한 경과 ({date} 이전)",
    "Others ({count})": "기타 ({count})",
    "(no stage)": "(단계 없음)",
    "(no owner)": "(담당자 없음)",
    # Bridge: the two ends; the steps are MOVE_LABELS below.
    "Last week": "지난주",
    "This week": "이번 주",
    # Counted nouns: the Korean counter that follows the number (format.plural: '3건').
    "deal": "건",
    "finding": "개",
    # --- deck/native.py (editable PowerPoint charts): series and category names beyond the ones above.
    "Goal": "목표",
    "Quarter goal": "분기 목표",
    "Pipeline": "파이프라인",
    "Forecast low": "보수 예측",
    "Forecast mid": "기준 예측",
    "Forecast high": "낙관 예측",
    "Reps' commit": "영업 커밋",
    "Reps' best case": "영업 베스트 케이스",
    "Base (hidden)": "받침 (숨김)",
    "Labels (hidden)": "라벨 (숨김)",
    "Total": "합계",
    "Increase": "증가",
    "Decrease": "감소",
    "No week-over-week bridge: it needs last week's export (--previous)": (
        "주간 변동 브리지가 없습니다: 지난주 내보낸 파일이 필요합니다 (--previous)"
    ),
    # --- render/text.py: LABELS (hygiene checks) and MOVE_LABELS (bridge steps; the sign and space stay).
    "missing amount": "금액 누락",
    "missing close date": "마감일 누락",
    "missing stage": "단계 누락",
    "past due": "기한 경과",
    "negative amount": "음수 금액",
    "duplicate id": "ID 중복",
    "duplicate deal": "딜 중복",
    "probability/stage mismatch": "확률·단계 불일치",
    "stalled in stage": "단계 정체",
    "implausible close date": "비정상 마감일",
    "+ new": "+ 신규",
    "+ pulled in": "+ 앞당김",
    "+ increased": "+ 증액",
    "- decreased": "- 감액",
    "- won": "- 수주",
    "- lost": "- 실주",
    "- slipped": "- 이월",
    "- removed": "- 삭제",
    # --- History charts (forecast_trend, pipeline_trend, pushes_by_owner, bridge_qtd), picture and native.
    "No forecast trend: it needs stored weeks of this quarter": (
        "예측 추이가 없습니다: 이번 분기에 저장된 주간 데이터가 필요합니다"
    ),
    "No pipeline trend: it needs stored weeks of this quarter": (
        "파이프라인 추이가 없습니다: 이번 분기에 저장된 주간 데이터가 필요합니다"
    ),
    "No close date was pushed this quarter": "이번 분기 마감일이 미뤄진 딜이 없습니다",
    "No quarter-to-date bridge: it needs stored weeks of this quarter": (
        "분기 누적 브리지가 없습니다: 이번 분기에 저장된 주간 데이터가 필요합니다"
    ),
    "Forecast range (low–high)": "예측 범위 (보수–낙관)",
    "Mid, same week last quarter": "지난 분기 같은 주 기준 예측",
    "{amount} · {chance} to goal": "{amount} · 목표 달성 {chance}",
    "Above the bars: coverage (open ÷ goal still to book)": "막대 위: 커버리지 (진행 중 ÷ 남은 목표)",
    "Pushes": "마감일 연기",
    "push": "회",
    "day": "일",
    "Quarter start": "분기 초",
    "No creation trend: it needs stored weeks with created dates": (
        "생성 추이가 없습니다: 생성일이 있는 저장된 주간 데이터가 필요합니다"
    ),
    "Linear pace": "선형 페이스",
}


def tr(text: str, lang: str = "en") -> str:
    """`text` in `lang`; English (and any text without a translation) comes back as given."""
    if lang == "ko":
        return KO.get(text, text)
    return text
