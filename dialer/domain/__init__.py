"""Pure campaign rules: no I/O, no frameworks; functions over values and the model's data."""
