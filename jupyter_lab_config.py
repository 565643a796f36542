"""JupyterLab configuration used by `make lab` and by the browser tests.

Binds to 127.0.0.1 only, serves the repository root and opens on the student
notebooks. Pass the port with --port.
"""

import os

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

here = os.path.dirname(os.path.abspath(__file__))
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.open_browser = False
c.ServerApp.root_dir = here
c.ServerApp.allow_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
c.LabApp.default_url = "/lab/tree/notebooks"
# Project-wide defaults (lab-settings/overrides.json): no news or update pop-ups.
c.LabApp.app_settings_dir = os.path.join(here, "lab-settings")
# nbgrader's Validate dialog writes its success sentence in JavaScript;
# lab-settings/custom/custom.css adds that hidden tests still run at grading.
c.LabApp.custom_css = True
c.ServerApp.tornado_settings.update(
    {"static_custom_path": [os.path.join(here, "lab-settings", "custom")]})
