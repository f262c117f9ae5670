"""Batches (lots), batch events, QR labels, public trace pages, exports."""
