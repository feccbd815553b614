"""Pure numeric models of the ISP stages CamPro tunes (no I/O)."""
