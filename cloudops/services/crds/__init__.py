"""CRD 资源 API: a member's CustomResourceDefinitions and their custom resources (`CrdService`); the section's
requests and answers are in `models`."""

from cloudops.services.crds.service import CrdService

__all__ = ["CrdService"]
