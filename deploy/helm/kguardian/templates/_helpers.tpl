{{/* Names, labels and URLs shared by every template. */}}

{{- define "kguardian.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "kguardian" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-kguardian" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; "component" is passed as .component. */}}
{{- define "kguardian.labels" -}}
app.kubernetes.io/name: kguardian
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* The labels a component's pods are selected by; stable across upgrades. */}}
{{- define "kguardian.selector" -}}
app.kubernetes.io/name: kguardian
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kguardian.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{- define "kguardian.brokerUrl" -}}
{{- printf "http://%s-broker.%s.svc.%s:%d" (include "kguardian.fullname" .) .Release.Namespace .Values.clusterDomain (int .Values.broker.port) -}}
{{- end -}}

{{- define "kguardian.evaluatorUrl" -}}
{{- printf "http://%s-evaluator.%s.svc.%s:%d" (include "kguardian.fullname" .) .Release.Namespace .Values.clusterDomain (int .Values.evaluator.port) -}}
{{- end -}}

{{/* The container securityContext of the broker, the evaluator and PostgreSQL: nothing but a
non-root process on a read-only filesystem. */}}
{{- define "kguardian.restrictedContainer" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Fails the render when database.type=external has no Secret to read the URL from. */}}
{{- define "kguardian.checkDatabase" -}}
{{- if and (eq .Values.database.type "external") (not .Values.database.external.existingSecret) -}}
{{- fail "database.type=external needs database.external.existingSecret: the name of a Secret holding the PostgreSQL URL" -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the bundled PostgreSQL's password. */}}
{{- define "kguardian.postgresSecret" -}}
{{- .Values.postgresql.existingSecret | default (printf "%s-postgresql" (include "kguardian.fullname" .)) -}}
{{- end -}}
