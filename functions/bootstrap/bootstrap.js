// Portico's Node.js runtime client for local Lambda functions: the Lambda
// Runtime API loop (AWS_LAMBDA_RUNTIME_API), the handler named by _HANDLER
// (file.export, CommonJS or ES module), async and callback handlers, the
// context object, and errors as {"errorType","errorMessage","trace"}.
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const util = require("util");
const { pathToFileURL } = require("url");

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: "/2018-06-01" + urlPath, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorJSON(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      trace: typeof err.stack === "string" ? err.stack.split("\n") : [],
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function postJSON(urlPath, value, errorType) {
  const body = Buffer.from(JSON.stringify(value === undefined ? null : value));
  const headers = { "Content-Type": "application/json", "Content-Length": body.length };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return request("POST", urlPath, body, headers);
}

// Log lines as the Lambda Node.js runtime writes them.
let currentRequestId = undefined;
for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
  const stream = level === "ERROR" || level === "WARN" ? process.stderr : process.stdout;
  console[name] = (...args) => {
    const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${util.format(...args)}`;
    stream.write(line.replace(/\n/g, "\r") + "\n");
  };
}

class ImportModuleError extends Error {}
ImportModuleError.prototype.name = "Runtime.ImportModuleError";
class HandlerNotFound extends Error {}
HandlerNotFound.prototype.name = "Runtime.HandlerNotFound";
class MalformedHandlerName extends Error {}
MalformedHandlerName.prototype.name = "Runtime.MalformedHandlerName";

function isESM(file) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir) || dir === path.dirname(taskRoot)) return false;
  }
}

async function loadHandler() {
  const full = process.env._HANDLER || "";
  const slash = full.lastIndexOf("/");
  const dir = full.slice(0, slash + 1);
  const rest = full.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot < 1) throw new MalformedHandlerName("Bad handler " + full);
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  const base = path.resolve(taskRoot, dir, moduleName);
  let file;
  for (const ext of [".js", ".mjs", ".cjs", ""]) {
    if (fs.existsSync(base + ext) && fs.statSync(base + ext).isFile()) {
      file = base + ext;
      break;
    }
  }
  if (!file) throw new ImportModuleError(`Error: Cannot find module '${moduleName}'`);
  let mod;
  try {
    mod = isESM(file) ? await import(pathToFileURL(file).href) : require(file);
  } catch (err) {
    if (err instanceof SyntaxError) {
      err.name = "Runtime.UserCodeSyntaxError";
      throw err;
    }
    throw err;
  }
  let fn = mod;
  for (const part of handlerPath.split(".")) {
    fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of handlerPath.split(".")) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== "function") throw new HandlerNotFound(`${full} is undefined or not exported`);
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (headers["lambda-runtime-client-context"]) {
    try {
      context.clientContext = JSON.parse(headers["lambda-runtime-client-context"]);
    } catch {}
  }
  if (headers["lambda-runtime-cognito-identity"]) {
    try {
      context.identity = JSON.parse(headers["lambda-runtime-cognito-identity"]);
    } catch {}
  }
  return context;
}

// run calls the handler and settles with its result: a promise it returns,
// or its callback, whichever comes first.
function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (err) => callback(err || new Error("handled"));
    let ret;
    try {
      ret = handler(event, context, callback);
    } catch (err) {
      callback(err);
      return;
    }
    if (ret && typeof ret.then === "function") {
      ret.then((v) => callback(null, v), (err) => callback(err === undefined || err === null ? new Error(String(err)) : err));
    } else if (handler.length < 3) {
      callback(null, ret);
    }
  });
}

let inFlight = null;

function fatal(err) {
  const body = errorJSON(err);
  const p = inFlight
    ? postJSON(`/runtime/invocation/${inFlight}/error`, body, body.errorType)
    : postJSON("/runtime/init/error", body, body.errorType);
  console.error(`Uncaught ${body.errorType}: ${body.errorMessage}`);
  p.finally(() => process.exit(129));
}
process.on("uncaughtException", fatal);
process.on("unhandledRejection", (reason) => {
  const err = reason instanceof Error ? reason : new Error(String(reason));
  err.name = "Runtime.UnhandledPromiseRejection";
  fatal(err);
});

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const body = errorJSON(err);
    console.error(`${body.errorType}: ${body.errorMessage}`);
    await postJSON("/runtime/init/error", body, body.errorType);
    process.exit(129);
  }
  for (;;) {
    const next = await request("GET", "/runtime/invocation/next");
    if (next.status !== 200) process.exit(1);
    const id = next.headers["lambda-runtime-aws-request-id"];
    inFlight = id;
    currentRequestId = id;
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] || "";
    let event;
    try {
      event = JSON.parse(next.body.toString("utf8"));
    } catch (err) {
      await postJSON(`/runtime/invocation/${id}/error`, errorJSON(err), "Runtime.UnmarshalError");
      continue;
    }
    const context = makeContext(next.headers);
    try {
      const result = await run(handler, event, context);
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (err) {
        err.name = "Runtime.MarshalError";
        throw err;
      }
      const res = await request("POST", `/runtime/invocation/${id}/response`, Buffer.from(body), {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(body),
      });
      if (res.status === 413) {
        console.error(`Response payload size exceeded the maximum allowed payload size.`);
      }
    } catch (err) {
      const body = errorJSON(err);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(body)}`);
      await postJSON(`/runtime/invocation/${id}/error`, body, body.errorType);
    }
    inFlight = null;
  }
}

main();
