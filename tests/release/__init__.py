"""Release checks (the sdist and the wheel, installed without Node.js; the optional extras). Not named
``packaging``: scripts run from tests/ would import it instead of the ``packaging`` library."""
