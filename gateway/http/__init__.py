"""The HTTP layer: app, routes, execute, respond, errors, config; metrics and timing."""
