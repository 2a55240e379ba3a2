"""Open311 GeoReport v2: the REST interface existing 311 apps speak, mounted at /open311/v2."""
