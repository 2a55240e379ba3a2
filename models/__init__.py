"""Tables (SQLAlchemy 2, typed) and the pure domain rules: workflow, policy, text folding."""
