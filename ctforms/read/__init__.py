"""Readers: the tracker, records, centre profile and rules catalogue, each refused with a
reason when it cannot be read."""
