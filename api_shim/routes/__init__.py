"""One module per section of the API reference; SECTIONS is what the app registers."""

from api_shim.endpoints import Section
from api_shim.routes import (
    access,
    autoscaling,
    cli,
    cluster_health,
    clusters,
    compliance,
    container_exec,
    container_files,
    container_logs,
    container_terminal,
    cost,
    crds,
    ingress,
    labels,
    mcp,
    networkpolicies,
    quotas,
    scheduling,
    security_network,
    self_healing,
    service_endpoints,
    unified,
    yaml_backups,
    yaml_versions,
)

SECTIONS: list[Section] = [clusters.section, cluster_health.section, unified.section, crds.section, quotas.section,
                           networkpolicies.section, ingress.section,
                           service_endpoints.section, yaml_backups.section, yaml_versions.section, labels.section,
                           scheduling.section, compliance.section,
                           security_network.section, cli.section, mcp.section, autoscaling.section,
                           cost.section, self_healing.section, container_logs.section,
                           container_exec.section, container_terminal.section, container_files.section, access.section]

__all__ = ["SECTIONS"]
