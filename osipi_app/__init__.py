"""The application around the library: the `osipi` command and the local runtime that runs bundles on a laptop.

It imports the library (`osipi_lakeflow`), the generator and the mock server; none of them imports it.
"""
