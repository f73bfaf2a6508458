"""Labels: what a tower learns to predict, each with the time it becomes known (for purging)."""
