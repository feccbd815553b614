"""Operations: one module per user-facing action, each returning a typed result."""
