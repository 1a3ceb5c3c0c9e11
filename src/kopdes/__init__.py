"""kopdes: the operating system for Indonesia's village cooperatives."""

__version__ = "0.1.0"
