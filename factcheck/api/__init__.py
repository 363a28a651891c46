"""API plumbing both apps' APIs share: renderers, query parameters, keyset pagination, filters,
the base view of public reads and the error answers. It knows no app's models; the classes that
authenticate and throttle public reads are named in the settings."""
