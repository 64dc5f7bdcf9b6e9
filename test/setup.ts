// @apollo/gateway otherwise reaches for cloud metadata addresses and Apollo's hosts.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
