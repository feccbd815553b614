"""The rknn-toolkit2 toolchain: its own virtualenv (`environment`), a worker run inside it
(`worker.py`), and the typed request/response between the two (`protocol`, `client`)."""
