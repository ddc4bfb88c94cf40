"""Starts a ship-order run: python3 start.py ORDER_ID [ITEMS [STEP_SECONDS]]"""
import json
import sys

import common

swf = common.client()
common.register(swf)
order_id = sys.argv[1] if len(sys.argv) > 1 else "order-1"
order = {"items": int(sys.argv[2]) if len(sys.argv) > 2 else 3,
         "step_seconds": float(sys.argv[3]) if len(sys.argv) > 3 else 0.1}
run = swf.start_workflow_execution(domain=common.DOMAIN, workflowId=order_id, workflowType=common.WORKFLOW,
                                   input=json.dumps(order))
print(order_id, run["runId"])
