"""The HTTP edge: request ids, size limits, security headers, metrics and structured logs."""
