"""omniwh: the Python side of the omnichannel member warehouse (landing-data generator and benchmark)."""

__version__ = "0.1.0"
