{{/* Labels on every object: kustomize's part-of label (deploy/kustomization.yaml) and Helm's own. */}}
{{- define "cloudops.labels" -}}
app.kubernetes.io/part-of: cloudops-k8s
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The image, tagged with the product's version unless a tag is given; `latest` is refused. */}}
{{- define "cloudops.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if eq (toString $tag) "latest" -}}
{{- fail "image.tag: latest is not a version: leave it empty for the chart's appVersion, or pin one" -}}
{{- end -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end }}

{{/* The container settings both processes share: the namespace they serve, the listen address, extra env. */}}
{{- define "cloudops.env" -}}
- name: CLOUDOPS_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: CLOUDOPS_LISTEN_HOST
  value: 0.0.0.0
{{- end }}

{{- define "cloudops.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Pod and container security: non-root, read-only root, no privilege escalation, no capabilities. */}}
{{- define "cloudops.podSecurity" -}}
runAsNonRoot: true
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "cloudops.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/* The objects of a file kept once for kustomize and the chart (files/ links into deploy/rbac): each gets the
     chart's labels and the release namespace, on itself when namespaced and on its ServiceAccount subjects. */}}
{{- define "cloudops.static" -}}
{{- $root := .root -}}
{{- range $doc := regexSplit "(?m)^---[ \t]*$" ($root.Files.Get .file) -1 }}
{{- $obj := fromYaml $doc }}
{{- if $obj.kind }}
{{- $meta := $obj.metadata }}
{{- $_ := set $meta "labels" (merge (dict) ($meta.labels | default dict) (include "cloudops.labels" $root | fromYaml)) }}
{{- if has $obj.kind (list "ServiceAccount" "Role" "RoleBinding") }}
{{- $_ := set $meta "namespace" $root.Release.Namespace }}
{{- end }}
{{- range $s := ($obj.subjects | default list) }}
{{- if eq $s.kind "ServiceAccount" }}
{{- $_ := set $s "namespace" $root.Release.Namespace }}
{{- end }}
{{- end }}
---
{{ toYaml $obj }}
{{- end }}
{{- end }}
{{- end }}
