"""Deck: plan the slides from the spec and metrics, then write them into the PowerPoint template."""
