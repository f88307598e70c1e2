"""The versioned JSON API (/api/v1): one router module per resource, pydantic schemas."""
