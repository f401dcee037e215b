"""Cloud spend: daily costs from Cost Explorer or FOCUS exports, budgets, anomalies, the digest section."""
