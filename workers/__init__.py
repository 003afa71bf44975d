"""RQ jobs: importable top-level functions that take ids and call the core's services."""
