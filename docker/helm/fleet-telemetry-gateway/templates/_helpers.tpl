{{- define "ftg.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ftg.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select this release's pods (Deployment, PDB, HPA target, spread, Services). */}}
{{- define "ftg.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ftg.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ftg.labels" -}}
{{ include "ftg.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ftg.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "ftg.tlsSecret" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "ftg.fullname" .)) -}}
{{- end -}}

{{- define "ftg.tlsDir" -}}/etc/fleet-telemetry/tls{{- end -}}

{{- define "ftg.gracePeriod" -}}
{{- $floor := add .Values.drain.preStopSeconds .Values.drain.timeoutSeconds -}}
{{- if .Values.terminationGracePeriodSeconds -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $floor) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed drain.preStopSeconds + drain.timeoutSeconds (%v)" .Values.terminationGracePeriodSeconds $floor) -}}
{{- end -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add $floor .Values.drain.marginSeconds -}}
{{- end -}}
{{- end -}}

{{/*
The gateway's config.json: the reference server's format. The user's config (configJson, else
config) with the keys the chart owns set over it: listeners, TLS paths, workers, drain deadline.
*/}}
{{- define "ftg.config" -}}
{{- $base := deepCopy .Values.config -}}
{{- if .Values.configJson -}}
{{- $base = fromJson .Values.configJson -}}
{{- if hasKey $base "Error" -}}
{{- fail (printf "configJson is not valid JSON: %v" (get $base "Error")) -}}
{{- end -}}
{{- end -}}
{{- $tls := printf "%s" (include "ftg.tlsDir" .) -}}
{{- $owned := dict
  "host" "0.0.0.0"
  "port" (int .Values.ports.vehicles)
  "status_port" (int .Values.ports.status)
  "tls" (dict "server_cert" (printf "%s/server.crt" $tls) "server_key" (printf "%s/server.key" $tls) "ca_file" (printf "%s/ca.crt" $tls))
  "gateway" (dict "workers" (int .Values.workers) "drain_timeout_ms" (mul .Values.drain.timeoutSeconds 1000))
-}}
{{- if .Values.metrics.enabled -}}
{{- $_ := set $owned "monitoring" (dict "prometheus_metrics_port" (int .Values.ports.metrics) "prometheus_metrics_host" "0.0.0.0") -}}
{{- end -}}
{{- toPrettyJson (mergeOverwrite $base $owned) -}}
{{- end -}}
