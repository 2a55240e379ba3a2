"""Use cases: one async function per query or mutation, plus the per-request batch loaders."""
