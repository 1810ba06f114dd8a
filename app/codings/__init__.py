"""Codings: researchers' coding of reviews against the learning themes, each from a perspective."""
