"""One service per API section: what a handler calls (no aiohttp, no kopf)."""
