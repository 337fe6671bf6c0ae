"""Producers: every file a run writes, made from the register."""
