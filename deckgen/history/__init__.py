"""The history store: every weekly export kept in one DuckDB file (DESIGN.md: History)."""
