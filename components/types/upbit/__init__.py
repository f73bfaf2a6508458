"""The Upbit protocol shared by the exchange client, the live feed and the local exchange server."""
