"""The decider of the ship-order workflow: pack the order (an activity that
reports its progress), wait a day, then complete with the packing result.
If the run is asked to cancel, it asks the activity to cancel and cancels
the run once the worker has stopped.

    python3 decider.py            # decides until ^C
    python3 decider.py --runs 2   # exits after closing two runs
"""
import argparse
import sys

import common


CLOSED = {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}


def decide(events):
    """Returns the decisions for a run, from its whole history: it acts on
    what happened since its last decision."""
    last = max((e["eventId"] for e in events if e["eventType"] == "DecisionTaskCompleted"), default=0)
    scheduled = any(e["eventType"] == "ActivityTaskScheduled" for e in events)
    packing = scheduled and not any(e["eventType"] in CLOSED for e in events)
    for e in (e for e in events if e["eventId"] > last):
        t = e["eventType"]
        if t == "WorkflowExecutionCancelRequested":
            if packing:  # ask the worker to stop; cancel the run when it has
                return [{"decisionType": "RequestCancelActivityTask",
                         "requestCancelActivityTaskDecisionAttributes": {"activityId": "pack"}}]
            return [cancel("canceled before packing" if not scheduled else "canceled after packing")]
        if t == "WorkflowExecutionStarted":
            return [{"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityId": "pack", "activityType": common.ACTIVITY,
                "input": e["workflowExecutionStartedEventAttributes"].get("input", "")}}]
        if t == "ActivityTaskCompleted":
            return [{"decisionType": "StartTimer", "startTimerDecisionAttributes": {
                "timerId": "cool-off", "startToFireTimeout": common.COOL_OFF_SECONDS}}]
        if t == "TimerFired":
            packed = next(x for x in events if x["eventType"] == "ActivityTaskCompleted")
            return [{"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {
                "result": "shipped: " + packed["activityTaskCompletedEventAttributes"].get("result", "")}}]
        if t == "ActivityTaskCanceled":
            return [cancel(e["activityTaskCanceledEventAttributes"].get("details", ""))]
        if t in ("ActivityTaskFailed", "ActivityTaskTimedOut"):
            return [{"decisionType": "FailWorkflowExecution",
                     "failWorkflowExecutionDecisionAttributes": {"reason": "pack: " + t}}]
    return []


def cancel(details):
    return {"decisionType": "CancelWorkflowExecution",
            "cancelWorkflowExecutionDecisionAttributes": {"details": details}}


def poll(swf):
    """One decision task with its whole history (all pages), or None."""
    args = dict(domain=common.DOMAIN, taskList=common.DECIDERS, identity="python-decider")
    task = swf.poll_for_decision_task(**args)
    # No task: Amazon SWF leaves taskToken out (its documentation says an
    # empty string); testing for a false value covers both.
    if not task.get("taskToken"):
        return None
    events = task["events"]
    while task.get("nextPageToken"):
        task = swf.poll_for_decision_task(nextPageToken=task["nextPageToken"], **args)
        events += task["events"]
    return task["taskToken"], events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0, help="exit after closing this many runs (0: never)")
    runs = ap.parse_args().runs
    swf = common.client()
    common.register(swf)
    print("decider: polling", common.DECIDERS["name"], "in", common.DOMAIN, flush=True)
    closed = 0
    while not runs or closed < runs:
        got = poll(swf)
        if got is None:
            continue
        token, events = got
        decisions = decide(events)
        swf.respond_decision_task_completed(taskToken=token, decisions=decisions)
        for d in decisions:
            print("decider:", d["decisionType"], flush=True)
            if d["decisionType"].endswith("WorkflowExecution"):
                closed += 1


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
