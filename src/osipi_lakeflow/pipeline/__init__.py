"""Support for the pipeline sources in `pipelines/`: configuration, credentials, bronze streams, expectations, views.

These modules run in the pipeline's own session (the driver side), on Databricks and on the local engine alike.
"""
