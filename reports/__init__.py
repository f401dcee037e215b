"""Reports: GPU, spend and MLflow runs (sources -> analysis -> rendering) and the channel digest."""
