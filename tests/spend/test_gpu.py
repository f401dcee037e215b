"""GPU cost by instance type / SKU, with each provider's own names; the SQL pattern agrees with Python."""

from __future__ import annotations

import duckdb
import pytest

from reports.spend.gpu import SQL_PATTERN, classify

GPU = [
    # AWS: EC2 types, SageMaker types, FOCUS x_UsageType, CUR-style descriptions
    ("p3.2xlarge", "AWS", "V100"),
    ("p3dn.24xlarge", "AWS", "V100"),
    ("p4d.24xlarge", "AWS", "A100"),
    ("p4de.24xlarge", "AWS", "A100"),
    ("p5.48xlarge", "AWS", "H100"),
    ("p5e.48xlarge", "AWS", "H200"),
    ("p5en.48xlarge", "AWS", "H200"),
    ("p6-b200.48xlarge", "AWS", "B200"),
    ("g4dn.xlarge", "AWS", "T4"),
    ("g4ad.4xlarge", "AWS", "Radeon Pro V520"),
    ("g5.12xlarge", "AWS", "A10G"),
    ("g5g.xlarge", "AWS", "T4G"),
    ("g6.xlarge", "AWS", "L4"),
    ("g6e.12xlarge", "AWS", "L40S"),
    ("gr6.4xlarge", "AWS", "L4"),
    ("trn1.32xlarge", "AWS", "Trainium"),
    ("inf2.xlarge", "AWS", "Inferentia2"),
    ("ml.p4d.24xlarge", "AWS", "A100"),
    ("ml.g5.2xlarge", "AWS", "A10G"),
    ("USE1-BoxUsage:p4d.24xlarge", "AWS", "A100"),
    ("$32.7726 per On Demand Linux p4d.24xlarge Instance Hour", "AWS", "A100"),
    ('{"InstanceType":"g6e.xlarge","CoreCount":4}', "AWS", "L40S"),
    # Azure: VM sizes, meter names, FOCUS SkuPriceDetails
    ("Standard_NC24ads_A100_v4", "Azure", "A100"),
    ("Standard_ND96amsr_A100_v4", "Azure", "A100"),
    ("Standard_NC40ads_H100_v5", "Azure", "H100"),
    ("Standard_ND96isr_H100_v5", "Azure", "H100"),
    ("Standard_ND96isr_H200_v5", "Azure", "H200"),
    ("Standard_ND96isr_MI300X_v5", "Azure", "MI300X"),
    ("Standard_NV36ads_A10_v5", "Azure", "A10"),
    ("Standard_NC4as_T4_v3", "Azure", "T4"),
    ("Standard_NC6s_v3", "Azure", "V100"),
    ("Standard_ND40rs_v2", "Azure", "V100"),
    ("Standard_NV12s_v3", "Azure", "M60"),
    ("Standard_NG32ads_V620_v1", "Azure", "Radeon Pro V620"),
    ("NC24ads A100 v4", "Azure", "A100"),
    ("ND96isr H100 v5", "Azure", "H100"),
    ('{"InstanceType":"Standard_NC24ads_A100_v4","InstanceSeries":"NCadsA100v4"}', "Azure", "A100"),
    # GCP: machine types and SKU descriptions
    ("a2-highgpu-1g", "GCP", "A100"),
    ("a2-ultragpu-8g", "GCP", "A100"),
    ("a3-highgpu-8g", "GCP", "H100"),
    ("a3-megagpu-8g", "GCP", "H100"),
    ("a3-ultragpu-8g", "GCP", "H200"),
    ("g2-standard-4", "GCP", "L4"),
    ("A2 Instance Core running in Americas", "GCP", "GPU"),
    ("G2 Instance Ram running in EMEA", "GCP", "GPU"),
    ("Nvidia L4 GPU running in EMEA", "any", "GPU"),
    ("Nvidia H100 80GB GPU running in Americas", "any", "GPU"),
    ("NVIDIA L40S GPU", "any", "GPU"),
]

NOT_GPU = [
    "m5.large",
    "c6g.xlarge",
    "r6i.2xlarge",
    "t3.micro",
    "ml.m5.xlarge",
    "db.r6g.large",
    "cache.m6g.large",
    "Amazon Elastic Compute Cloud - Compute",
    "Elastic Load Balancing - Network LoadBalancerUsage L4",
    "$0.0225 per Network LoadBalancer-hour (or partial hour) L4",
    "Standard_D4s_v5",
    "Standard_E8s_v5",
    "Standard_NP10s",  # FPGA, not GPU
    "Standard_HB120rs_v3",
    "GP_Gen5_4",
    "n2-standard-4",
    "e2-medium",
    "c3-highcpu-8",
    "N2 Instance Core running in Americas",
    "Network Load Balancing: Forwarding Rule Minimum Service Charge",
    "H100 reserved capacity planning workshop T4",  # accelerator names alone are not a GPU line
    "",
]


@pytest.mark.parametrize(("name", "provider", "accelerator"), GPU)
def test_gpu_names_of_each_provider_are_classified_with_their_family(name, provider, accelerator):
    found = classify(name)
    assert found is not None, name
    assert (found.provider, found.accelerator) == (provider, accelerator)


@pytest.mark.parametrize("name", NOT_GPU)
def test_other_names_are_not_gpu(name):
    assert classify(name) is None


def test_duckdb_applies_the_same_table_as_python():
    names = [n for n, *_ in GPU] + NOT_GPU
    con = duckdb.connect()
    found = con.execute(
        "SELECT name, regexp_matches(lower(name), ?) FROM unnest(?) AS t(name)", [SQL_PATTERN, names]
    ).fetchall()
    assert {n: hit for n, hit in found} == {n: classify(n) is not None for n in names}


def test_gpu_share_from_focus_skus_of_three_providers(signed, runtime, slack, focus, deliver, spend_yaml):
    """22 Nov: Azure A100 VM 60 + GCP A2 cores 30 are GPU; an AWS network load balancer "L4" line 10 is not."""
    from datetime import date

    from tests.spend.focus_files import row, write
    from tests.spend.test_digest_alerts import digest_text, run_day

    day = date(2026, 11, 22)
    spend_yaml["budgets"] = {}
    write(
        focus.folder / "multi-cloud.csv",
        [
            row(
                day,
                "vision",
                "Virtual Machines",
                "60.00",
                SkuPriceDetails='{"InstanceType":"Standard_NC24ads_A100_v4","CoreCount":24}',
                ResourceType="Virtual Machine",
            ),
            row(day, "vision", "Compute Engine", "30.00", description="A2 Instance Core running in Americas"),
            row(
                day,
                "web",
                "Elastic Load Balancing",
                "10.00",
                description="$0.0225 per Network LoadBalancer-hour (or partial hour) L4",
            ),
        ],
    )
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)
    assert "GPU share of yesterday: 90%." in digest_text(slack)
