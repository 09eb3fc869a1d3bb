"""keyguide build side: venue model, loader, page rendering, dataset export and the MkDocs plugin."""

from .loader import load_venue_file, load_venues
from .model import Venue
from .problems import Problem, VenueDataError

__all__ = ["Problem", "Venue", "VenueDataError", "load_venue_file", "load_venues"]
