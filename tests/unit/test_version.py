"""The version lives in pyproject.toml; the image tag, the chart, kustomize's newTag and MCP follow it."""

from __future__ import annotations

import tomllib

import yaml

from cloudops.version import VERSION
from tests.helpers import REPO


def test_one_version_everywhere() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert VERSION == declared
    chart = yaml.safe_load((REPO / "charts" / "cloudops-k8s" / "Chart.yaml").read_text())
    assert chart["version"] == declared and chart["appVersion"] == declared
    kustomization = yaml.safe_load((REPO / "deploy" / "kustomization.yaml").read_text())
    assert [i["newTag"] for i in kustomization["images"] if i["name"] == "cloudops-k8s"] == [declared]
    values = yaml.safe_load((REPO / "charts" / "cloudops-k8s" / "values.yaml").read_text())
    assert values["image"]["tag"] == ""  # empty: the chart's appVersion


def test_make_image_tags_the_image_with_the_version() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "VERSION := $(shell sed -n 's/^version = " in makefile
    assert 'deploy/image.sh "$(IMAGE)" "$(VERSION)"' in makefile
    script = (REPO / "deploy" / "image.sh").read_text()
    assert '-t "$image:$version"' in script and '--build-arg "VERSION=$version"' in script
