# Portico's Python runtime client for local Lambda functions: the Lambda
# Runtime API loop (AWS_LAMBDA_RUNTIME_API), the handler named by _HANDLER
# (module.function), the context object, and errors as
# {"errorMessage","errorType","requestId","stackTrace"}. Standard library only.
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

RUNTIME_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
conn = http.client.HTTPConnection(RUNTIME_API)


def request(method, path, body=None, headers=None):
    global conn
    for attempt in range(2):
        try:
            conn.request(method, "/2018-06-01" + path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.status, res.headers, res.read()
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            conn = http.client.HTTPConnection(RUNTIME_API)
            if attempt == 1:
                raise


def post_json(path, value, error_type=None):
    body = json.dumps(value).encode()
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    return request("POST", path, body, headers)


def error_json(exc, error_type=None, request_id=""):
    tb = traceback.format_list(traceback.extract_tb(exc.__traceback__)) if exc.__traceback__ else []
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": tb,
    }


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.identity = None
        self.client_context = None
        cc = headers.get("Lambda-Runtime-Client-Context")
        if cc:
            try:
                self.client_context = json.loads(cc)
            except ValueError:
                pass
        ci = headers.get("Lambda-Runtime-Cognito-Identity")
        if ci:
            try:
                self.identity = json.loads(ci)
            except ValueError:
                pass

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s])" % (
            self.aws_request_id, self.function_name, self.function_version)


class _RequestIdFilter(logging.Filter):
    """Adds the invocation's request ID to log records, as Lambda does."""

    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def setup_logging():
    """The root logger writes Lambda's format to stdout:
    [LEVEL]<tab>time<tab>request ID<tab>message."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper())


class _InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler():
    handler = os.environ.get("_HANDLER", "")
    try:
        module_path, func_name = handler.rsplit(".", 1)
    except ValueError:
        raise _InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % handler)
    module_name = module_path.replace("/", ".")
    if TASK_ROOT not in sys.path:
        sys.path.insert(0, TASK_ROOT)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, exc))
    except SyntaxError as exc:
        raise _InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_path, exc))
    fn = getattr(module, func_name, None)
    if fn is None:
        raise _InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (func_name, module_path))
    return fn


def main():
    setup_logging()
    try:
        handler = load_handler()
    except _InitError as exc:
        body = {"errorMessage": str(exc), "errorType": exc.error_type, "requestId": "", "stackTrace": []}
        print("[ERROR] %s: %s" % (exc.error_type, exc), file=sys.stderr, flush=True)
        post_json("/runtime/init/error", body, exc.error_type)
        sys.exit(1)
    except Exception as exc:
        body = error_json(exc)
        print("[ERROR] %s: %s" % (body["errorType"], exc), file=sys.stderr, flush=True)
        post_json("/runtime/init/error", body, body["errorType"])
        sys.exit(1)
    while True:
        status, headers, body = request("GET", "/runtime/invocation/next")
        if status != 200:
            sys.exit(1)
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        _RequestIdFilter.request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id") or ""
        try:
            event = json.loads(body or b"null")
        except ValueError as exc:
            post_json("/runtime/invocation/%s/error" % request_id, error_json(exc, "Runtime.UnmarshalError", request_id), "Runtime.UnmarshalError")
            continue
        context = LambdaContext(headers)
        try:
            result = handler(event, context)
            try:
                payload = json.dumps(result).encode()
            except (TypeError, ValueError) as exc:
                raise _MarshalError(exc)
        except _MarshalError as exc:
            err = error_json(exc.cause, "Runtime.MarshalError", request_id)
            err["errorMessage"] = "Unable to marshal response: %s" % exc.cause
            print("[ERROR] Runtime.MarshalError: %s" % err["errorMessage"], file=sys.stderr, flush=True)
            post_json("/runtime/invocation/%s/error" % request_id, err, "Runtime.MarshalError")
            continue
        except Exception as exc:
            err = error_json(exc, None, request_id)
            print("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (
                err["errorType"], err["errorMessage"], "".join(err["stackTrace"])), file=sys.stderr, flush=True)
            post_json("/runtime/invocation/%s/error" % request_id, err, err["errorType"])
            continue
        request("POST", "/runtime/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})


class _MarshalError(Exception):
    def __init__(self, cause):
        super().__init__(str(cause))
        self.cause = cause


if __name__ == "__main__":
    main()
