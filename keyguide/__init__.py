"""keyguide build side: venue model, loader, page rendering, dataset export and the MkDocs plugin."""

from .loader import LoadedVenue, LoadedVenues, load_directory, load_paths, load_venue_file
from .model import Venue
from .problems import Problem, VenueDataError

__all__ = [
    "LoadedVenue",
    "LoadedVenues",
    "Problem",
    "Venue",
    "VenueDataError",
    "load_directory",
    "load_paths",
    "load_venue_file",
]
