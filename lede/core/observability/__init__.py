"""Observability: Prometheus metrics, request ids, structured logs, Sentry.

Other apps only ever call the small ``record_*`` functions of
:mod:`lede.core.observability.metrics`; nothing here imports them.
"""
