"""One module per section of the API reference; SECTIONS is what the app registers."""

from api_shim.endpoints import Section
from api_shim.routes import cluster_health, clusters, crds, unified

SECTIONS: list[Section] = [clusters.section, cluster_health.section, unified.section, crds.section]

__all__ = ["SECTIONS"]
