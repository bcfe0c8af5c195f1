"""Where observations come from: file exports, live fetchers and the shared HTTP layer."""
