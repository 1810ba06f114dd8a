"""Recommendations across reviews: the similar ones of other reviews, and a search over them alone (issue 12)."""
