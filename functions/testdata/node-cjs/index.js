// CommonJS handlers: async, callback and failing ones.
exports.handler = async (event, context) => {
  if (event.action === "fail") {
    throw new TypeError("boom from node");
  }
  if (event.action === "sleep") {
    await new Promise((r) => setTimeout(r, event.ms));
  }
  if (event.action === "crash") {
    process.exit(7);
  }
  if (event.action === "reject") {
    Promise.reject(new Error("nobody catches me"));
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log("hello from node", event.name);
  return {
    hello: event.name,
    pid: process.pid,
    requestId: context.awsRequestId,
    function: context.functionName,
    version: context.functionVersion,
    arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB,
    logGroup: context.logGroupName,
    remainingMs: context.getRemainingTimeInMillis(),
    env: process.env.GREETING,
    clientContext: context.clientContext,
  };
};

exports.callback = (event, context, callback) => {
  setTimeout(() => {
    if (event.action === "fail") {
      callback(new Error("callback failure"));
      return;
    }
    callback(null, { style: "callback", hello: event.name, requestId: context.awsRequestId });
  }, 5);
};

exports.nested = { deeper: async () => "nested" };
