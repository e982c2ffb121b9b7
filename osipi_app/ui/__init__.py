"""`osipi ui`: the monitoring dashboard's panels as local web pages, read straight from the local warehouse.

Each number on a page is computed by one function (`ingestion`, `assets`) over the tables Spark committed
(`osipi_app.local.tables`, pyarrow; no Spark), with the thresholds the bundle's dashboard uses
(`osipi_lakeflow.monitoring`). `app.create_app` serves them as plain HTML with inline SVG charts.
"""
