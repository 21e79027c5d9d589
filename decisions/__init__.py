"""decisions: democratic decisions for cooperatives (engine: ``decisions.engine``)."""
