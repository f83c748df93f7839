"""The names of the charts a slide spec may ask for, known without importing Matplotlib."""

CHART_NAMES = (
    "bookings_pacing",
    "pipeline_pacing",
    "forecast_range",
    "pipeline_by_stage",
    "close_dates",
    "bridge",
    "owners",
    "teams",
    "hygiene",
)
