"""One module per section of the API reference; SECTIONS is what the app registers."""

from api_shim.endpoints import Section
from api_shim.routes import (
    cluster_health,
    clusters,
    compliance,
    crds,
    endpoints,
    ingress,
    labels,
    networkpolicies,
    quotas,
    scheduling,
    security_network,
    unified,
    yaml_backups,
    yaml_versions,
)

SECTIONS: list[Section] = [clusters.section, cluster_health.section, unified.section, crds.section, quotas.section,
                           networkpolicies.section, ingress.section,
                           endpoints.section, yaml_backups.section, yaml_versions.section, labels.section,
                           scheduling.section, compliance.section,
                           security_network.section]

__all__ = ["SECTIONS"]
