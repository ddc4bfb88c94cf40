"""What the decider, the worker and start.py share: the SWF client, the
domain and the types. Nothing here is openswf's own: point OPENSWF_ENDPOINT
(or AWS_ENDPOINT_URL_SWF) elsewhere and the same code runs on Amazon SWF.
"""
import os

import boto3
from botocore.config import Config

DOMAIN = os.environ.get("EXAMPLE_DOMAIN", "python-example")
WORKFLOW = {"name": "ship-order", "version": "1"}
ACTIVITY = {"name": "pack", "version": "1"}
DECIDERS = {"name": "python-deciders"}
WORKERS = {"name": "python-workers"}
# The decider waits this long (in the server's time) after packing before
# it ships: a day, which a server run with --clock manual skips through
# with `openswf clock advance 1d`.
COOL_OFF_SECONDS = "86400"


def client():
    """An SWF client of the server. A long poll is held up to 60 s, so the
    read timeout must be longer than that."""
    endpoint = os.environ.get("OPENSWF_ENDPOINT", "http://127.0.0.1:7930")
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "dev"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "dev"),
        config=Config(read_timeout=70, retries={"max_attempts": 3}),
    )


def register(swf):
    """Registers the domain and the types, unless they are there already."""
    calls = [
        (swf.register_domain, dict(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")),
        (swf.register_workflow_type, dict(
            domain=DOMAIN, **WORKFLOW, defaultTaskList=DECIDERS, defaultChildPolicy="TERMINATE",
            defaultExecutionStartToCloseTimeout=str(7 * 86400), defaultTaskStartToCloseTimeout="30")),
        (swf.register_activity_type, dict(
            domain=DOMAIN, **ACTIVITY, defaultTaskList=WORKERS, defaultTaskHeartbeatTimeout="30",
            defaultTaskScheduleToStartTimeout="300", defaultTaskScheduleToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="3600")),
    ]
    for call, args in calls:
        try:
            call(**args)
        except (swf.exceptions.DomainAlreadyExistsFault, swf.exceptions.TypeAlreadyExistsFault):
            pass
