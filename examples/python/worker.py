"""The worker of the pack activity: it packs an order in steps, reporting
its progress with every heartbeat, and stops cleanly when a heartbeat says
that the task was asked to cancel.

    python3 worker.py             # works until ^C
    python3 worker.py --tasks 2   # exits after two tasks
"""
import argparse
import json
import sys
import time

import common


def pack(swf, task):
    """Packs the items one step at a time. Returns the result, or None when
    the task was canceled (it has told the server so)."""
    order = json.loads(task.get("input") or "{}")
    items, step = order.get("items", 3), order.get("step_seconds", 0.1)
    token = task["taskToken"]
    for done in range(items):
        time.sleep(step)  # the work of one item
        progress = f"{done + 1}/{items} items packed"
        beat = swf.record_activity_task_heartbeat(taskToken=token, details=progress)
        print("worker:", progress, flush=True)
        if beat["cancelRequested"]:
            swf.respond_activity_task_canceled(taskToken=token, details="stopped after " + progress)
            print("worker: canceled", flush=True)
            return None
    result = f"{items} items in box"
    swf.respond_activity_task_completed(taskToken=token, result=result)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=0, help="exit after this many tasks (0: never)")
    tasks = ap.parse_args().tasks
    swf = common.client()
    common.register(swf)
    print("worker: polling", common.WORKERS["name"], "in", common.DOMAIN, flush=True)
    handled = 0
    while not tasks or handled < tasks:
        task = swf.poll_for_activity_task(domain=common.DOMAIN, taskList=common.WORKERS, identity="python-worker")
        if not task.get("taskToken"):
            continue
        try:
            pack(swf, task)
        except swf.exceptions.UnknownResourceFault:
            print("worker: the task is over (timed out or its run closed)", flush=True)
        handled += 1


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
