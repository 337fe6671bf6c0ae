"""ctforms: Checkpoint 2 results checks and paperwork for OCR Cambridge Technicals."""

__version__ = "0.1.0"
