"""Render: numbers to text, charts and tables. Only chart modules import matplotlib, lazily."""
