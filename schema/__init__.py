"""GraphQL only: types with from_model(), inputs, enums, payloads, the context and root types."""
