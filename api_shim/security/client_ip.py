"""The caller's address, believing X-Forwarded-For only from configured proxies.

Behind an ingress every request comes from the ingress: without this, all callers share one
rate-limit bucket and the audit log names the proxy. From anyone else the header is ignored, so a
client cannot pick its own address (and bucket) by sending one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = ["TrustedProxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, spec: str) -> None:
        """`spec`: comma-separated addresses or CIDRs; a bad entry raises ValueError naming it."""
        self.networks: list[Network] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            try:
                self.networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"CLOUDOPS_TRUSTED_PROXIES: {part!r} is not an address or CIDR") from None

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client(self, remote: str | None, forwarded_for: Sequence[str]) -> str:
        """Walks X-Forwarded-For from the right, past trusted proxies, to the first address that is not one."""
        if not remote:
            return "unknown"
        if not self.networks or not self.trusted(remote):
            return remote
        hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return remote  # a garbled header: fall back to who actually connected
        return hops[0] if hops else remote
