"""How the servers run: the Rasa server and the action server with Ankle Coach's limits and privacy
settings (HTTP API off unless a token is set, CORS to the widget's origins, request-size caps,
timeouts, rate limits). scripts/serve starts them."""
