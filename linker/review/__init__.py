"""``linker review``: a local web app to accept, reject and add evidence links, one sub-goal at a time."""

from linker.review.server import ReviewApp, serve

__all__ = ["ReviewApp", "serve"]
