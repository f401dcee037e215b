"""The sample fleet in moto's CloudWatch and EC2, as the CloudWatch agent and EC2 would report it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.gpu.fleet import CW_START, CW_STEP, FLEET, INSTANCES, cloudwatch_util, steps


def load_fleet(cloudwatch: Any, ec2: Any, start: datetime = CW_START) -> dict[str, str]:
    """Returns our instance ids -> moto's instance ids."""
    image = "ami-12c6146b"  # one of moto's built-in images; describe_images is slow on moto
    ids = {}
    for name, (itype, tags) in INSTANCES.items():
        tag_list = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in tags.items()]
        made = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            InstanceType=itype,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list}],
        )
        ids[name] = made["Instances"][0]["InstanceId"]
    for gpu in FLEET:
        dims = [{"Name": "InstanceId", "Value": ids[gpu.instance]}, {"Name": "index", "Value": gpu.index}]
        data = []
        for t in steps(CW_STEP, start):
            util = cloudwatch_util(gpu, t)
            if util is None:
                continue
            at = datetime.fromtimestamp(t + CW_STEP // 2, UTC)
            data.append(
                {
                    "MetricName": "nvidia_smi_utilization_gpu",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": util,
                    "Unit": "Percent",
                }
            )
            data.append(
                {
                    "MetricName": "nvidia_smi_memory_used",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": gpu.mem(t),
                    "Unit": "Megabytes",
                }
            )
        for n in range(0, len(data), 1000):
            cloudwatch.put_metric_data(Namespace="CWAgent", MetricData=data[n : n + 1000])
    return ids
