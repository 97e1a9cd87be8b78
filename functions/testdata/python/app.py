"""Python handlers for the functions tests."""
import os
import time


class ValidationError(Exception):
    pass


def handler(event, context):
    action = event.get("action")
    if action == "fail":
        raise ValidationError("boom from python")
    if action == "sleep":
        time.sleep(event["ms"] / 1000)
    if action == "crash":
        os._exit(5)
    print("hello from python", event.get("name"))
    return {
        "hello": event.get("name"),
        "pid": os.getpid(),
        "requestId": context.aws_request_id,
        "function": context.function_name,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "logGroup": context.log_group_name,
        "remainingMs": context.get_remaining_time_in_millis(),
        "env": os.environ.get("GREETING"),
    }


def unserializable(event, context):
    return {"when": object()}
