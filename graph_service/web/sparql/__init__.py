"""The SPARQL 1.1 Protocol (/sparql) and Graph Store Protocol (/store)."""
