"""Responses that are not one JSON envelope, and bodies that are not JSON: Server-Sent Events, WebSocket
bridges, downloads and multipart uploads. The services decide what is sent (domain events, chunks); these
modules only carry it over HTTP."""
