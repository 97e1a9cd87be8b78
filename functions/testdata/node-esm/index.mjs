// An ES module handler.
export const handler = async (event, context) => ({ style: "esm", hello: event.name, requestId: context.awsRequestId });
