"""Business actions, one module per domain. They flush but never commit."""
