"""Saved searches and their Atom feeds, and the public feed of published reviews (issue 12, part 5)."""
