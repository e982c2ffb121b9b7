# Databricks notebook source
# MAGIC %md
# MAGIC # Regenerate the OSI PI partitions
# MAGIC
# MAGIC Walks the AF database(s), keeps every known tag in its pipeline, places new tags, and rewrites
# MAGIC `osipi.plan.json`, `databricks.yml` and `resources/`. PI credentials come from the secret scope named below
# MAGIC (keys `pi-username` / `pi-password`, or the bearer / OIDC keys) and are never printed or written.
# MAGIC
# MAGIC 1. Run with `dry_run = true` and read the diff. 2. Set `dry_run = false` to write the plan and resources
# MAGIC into this Git folder. 3. Deploy the way Databricks documents for bundles in the workspace: open
# MAGIC `databricks.yml`, click the Deployments icon, choose the target and click Deploy (or run
# MAGIC `databricks bundle deploy -t <target>` in the web terminal). The last line printed names the exact step;
# MAGIC this notebook never deploys by itself, because a cluster has no Databricks CLI.
# MAGIC The logic lives in `generator/notebook.py`; this notebook only wires widgets and secrets to it. The first
# MAGIC cell installs the product with its application extra (from this repository) so the generator imports.

# COMMAND ----------

# MAGIC %pip install --quiet --editable ..[app]

# COMMAND ----------

import os
import sys
from pathlib import Path

# the repository root (this notebook's parent folder) holds the generator package
HERE = Path(globals().get("__file__", os.path.join(os.getcwd(), "regenerate_partitions.py"))).resolve()
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "src"))

from generator.notebook import EnvWidgets, run_notebook  # noqa: E402

# COMMAND ----------

try:
    widgets, secrets = dbutils.widgets, dbutils.secrets  # noqa: F821 - injected in a Databricks notebook
except NameError:  # run as a plain script: widgets from OSIPI_<NAME>, credentials from PI_* variables
    widgets, secrets = EnvWidgets(os.environ), None

run = run_notebook(widgets, secrets, os.environ, REPO_ROOT)
