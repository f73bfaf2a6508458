"""Market-data file formats, quality checks and stream merging shared by feeds and the engine."""
