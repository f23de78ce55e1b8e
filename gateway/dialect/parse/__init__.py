"""Query string, headers and body -> `ApiRequest`: no SQL, no catalog."""
