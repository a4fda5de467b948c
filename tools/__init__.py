"""Developer tools: golden-data generators and the app runner shared by tests and benches."""
