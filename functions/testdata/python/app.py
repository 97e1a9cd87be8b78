"""Python handlers for the functions tests."""
import json
import logging
import os
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)


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
    logger.info("logged from python %s", event.get("name"))
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


def proxy(event, context):
    """A Lambda proxy integration's handler (REST 1.0 or HTTP 2.0 event)."""
    query = event.get("queryStringParameters") or {}
    if query.get("fail"):
        raise RuntimeError("proxy failure")
    return {
        "statusCode": 201,
        "headers": {"X-Fn": context.function_name},
        "body": json.dumps({"path": event.get("path") or event.get("rawPath"), "version": event.get("version", "1.0")}),
    }


def authorize(event, context):
    """An HTTP API Lambda authorizer with simple responses."""
    token = (event.get("headers") or {}).get("authorization")
    return {"isAuthorized": token == "let-me-in", "context": {"who": "tester"}}
