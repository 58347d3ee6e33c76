//! Workspace-level tests, examples and benchmarks for dynamo-entity.
