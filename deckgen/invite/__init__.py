"""Attach the deck to the review meeting: an iCalendar invite (.ics) or a ready-to-send e-mail (.eml)."""
