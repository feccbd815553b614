"""IQ-file targets: read, patch and validate each vendor format (one module per format)."""
