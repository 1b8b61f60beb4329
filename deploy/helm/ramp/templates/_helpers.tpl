{{/* Names and labels. */}}
{{- define "ramp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ramp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "ramp.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ramp.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ramp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "ramp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (worker, server): include with (list . "worker"). */}}
{{- define "ramp.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "ramp.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "ramp.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "ramp.serviceAccountName" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $sa := index $root.Values $component "serviceAccount" -}}
{{- if $sa.create -}}
{{- default (printf "%s-%s" (include "ramp.fullname" $root) $component) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{/* The Temporal connection and the task queue, for both components. */}}
{{- define "ramp.temporalEnv" -}}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: RAMP_TASK_QUEUE
  value: {{ .Values.taskQueue | quote }}
{{- with .Values.temporal.tls }}
- name: TEMPORAL_TLS
  value: {{ . | toString | quote }}
{{- end }}
{{- with .Values.temporal.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if .Values.temporal.tlsSecret.name }}
{{- if .Values.temporal.tlsSecret.ca }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/ramp/temporal-tls/ca.crt
{{- end }}
{{- if .Values.temporal.tlsSecret.clientCert }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/ramp/temporal-tls/tls.crt
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/ramp/temporal-tls/tls.key
{{- end }}
{{- end }}
{{- if .Values.temporal.apiKeySecret.name }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.temporal.apiKeySecret.name }}
      key: {{ .Values.temporal.apiKeySecret.key }}
{{- end }}
{{- end -}}

{{/* NAME: value pairs as env entries (sorted by name). */}}
{{- define "ramp.plainEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* NAME: { secret, key } as env entries from Secrets. */}}
{{- define "ramp.secretEnv" -}}
{{- range $name, $ref := . }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "secretEnv.%s.secret: the Secret's name" $name) $ref.secret }}
      key: {{ required (printf "secretEnv.%s.key: the key in the Secret" $name) $ref.key }}
{{- end }}
{{- end -}}

{{- define "ramp.temporalVolume" -}}
{{- if .Values.temporal.tlsSecret.name }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tlsSecret.name }}
{{- end }}
{{- end -}}

{{- define "ramp.temporalVolumeMount" -}}
{{- if .Values.temporal.tlsSecret.name }}
- name: temporal-tls
  mountPath: /etc/ramp/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}
