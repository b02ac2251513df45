"""dailylist: a sealed list of daily challenges, revealed one day at a time."""

__version__ = "0.1.0"
