"""Moved to ``kopdes.platform.core.regions`` (identity needs the region list too, and sits
below tenancy). Kept as a re-export for callers still naming this module; import from core."""

from kopdes.platform.core.regions import Region, UnknownRegionError, lookup_region, region_name

__all__ = ["Region", "UnknownRegionError", "lookup_region", "region_name"]
